"""Sections → chunks of at most `max_tokens` tokens, each keeping its playbook and heading path."""

from __future__ import annotations

from pydantic import BaseModel

from knowledge.playbook import Playbook
from knowledge.tokens import count_tokens, encoding

MAX_TOKENS = 320


class Chunk(BaseModel):
    id: str
    playbook: str
    title: str
    section: str  # heading path, e.g. "步骤 > 第一周"
    text: str
    digest: str
    scenes: str = ""  # the playbook's scenes, space-separated (for the playbook card)

    @property
    def indexed_text(self) -> str:
        """What rankers see: the title and heading path carry much of a passage's meaning."""
        return f"{self.title}\n{self.section}\n{self.text}"


def chunk_playbook(book: Playbook, max_tokens: int = MAX_TOKENS) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in book.sections:
        for piece in _split(section.text, max_tokens):
            chunks.append(Chunk(id=f"{book.id}#{len(chunks)}", playbook=book.id,
                                title=book.title, section=" > ".join(section.path),
                                text=piece, digest=book.digest, scenes=" ".join(book.scenes)))
    return chunks


def _split(text: str, max_tokens: int) -> list[str]:
    """Greedy packing of lines; a line longer than the budget is cut by tokens."""
    out: list[str] = []
    current: list[str] = []
    used = 0
    for line in text.splitlines():
        n = count_tokens(line) + 1
        if n > max_tokens:
            if current:
                out.append("\n".join(current))
                current, used = [], 0
            out.extend(_cut(line, max_tokens))
            continue
        if used + n > max_tokens and current:
            out.append("\n".join(current))
            current, used = [], 0
        current.append(line)
        used += n
    if current:
        out.append("\n".join(current))
    return [p.strip() for p in out if p.strip()]


def _cut(line: str, max_tokens: int) -> list[str]:
    enc = encoding()
    tokens = enc.encode_ordinary(line)
    # Cutting bytes-level tokens can split a character; decode with replacement is lossy,
    # so cut on character boundaries found from the decoded prefix lengths instead.
    pieces, start = [], 0
    while start < len(tokens):
        end = min(start + max_tokens, len(tokens))
        piece = enc.decode(tokens[start:end])
        while end > start + 1 and "\ufffd" in piece[-1:]:
            end -= 1
            piece = enc.decode(tokens[start:end])
        pieces.append(piece)
        start = end
    return pieces
