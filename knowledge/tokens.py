"""Token counting with tiktoken's cl100k_base, loaded from the copy shipped in this package.

tiktoken would download the encoding at run time; stores on intranets cannot, so the file
ships as package data and is checked against the published SHA-256 before use.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources

import tiktoken

CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
# cl100k_base's split pattern and special tokens, as in tiktoken_ext.openai_public.
_PAT = (r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++"""
        r"""[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""")
_SPECIAL = {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276}


class EncodingCorrupt(RuntimeError):
    """The shipped encoding file does not match its published hash."""


def parse_bpe(data: bytes, expected_sha256: str) -> dict[bytes, int]:
    digest = hashlib.sha256(data).hexdigest()
    if digest != expected_sha256:
        raise EncodingCorrupt(f"cl100k_base.tiktoken has sha256 {digest}, "
                              f"expected {expected_sha256}")
    ranks: dict[bytes, int] = {}
    for line in data.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


@cache
def encoding() -> tiktoken.Encoding:
    data = (resources.files("knowledge") / "data" / "cl100k_base.tiktoken").read_bytes()
    return tiktoken.Encoding(name="cl100k_base", pat_str=_PAT,
                             mergeable_ranks=parse_bpe(data, CL100K_SHA256),
                             special_tokens=_SPECIAL)


def count_tokens(text: str) -> int:
    return len(encoding().encode_ordinary(text))
