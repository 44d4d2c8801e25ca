from __future__ import annotations

import pytest
import tiktoken.load

from knowledge import tokens
from knowledge.tokens import CL100K_SHA256, EncodingCorrupt, count_tokens, parse_bpe


def test_shipped_encoding_equals_tiktokens_own_parse(tmp_path, monkeypatch) -> None:
    from importlib import resources

    path = resources.files("knowledge") / "data" / "cl100k_base.tiktoken"
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", "")  # no cache writes, no download
    theirs = tiktoken.load.load_tiktoken_bpe(str(path), expected_hash=CL100K_SHA256)
    assert parse_bpe(path.read_bytes(), CL100K_SHA256) == theirs


def test_counts_tokens_offline() -> None:
    assert count_tokens("hello world") == 2  # cl100k: "hello", " world"
    enc = tokens.encoding()
    assert enc.decode(enc.encode("沉睡会员怎么激活")) == "沉睡会员怎么激活"


def test_corrupt_file_is_refused() -> None:
    with pytest.raises(EncodingCorrupt, match="sha256"):
        parse_bpe(b"aGVsbG8= 0\n", CL100K_SHA256)
