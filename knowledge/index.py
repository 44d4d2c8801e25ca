"""The playbook index: Chroma for vectors (local or server), BM25 for words, fused by RRF.

Chroma stores every chunk with its vector and metadata and is the single source of truth;
the BM25 index is rebuilt in memory from the stored passages when the collection changes,
so a server-backed index shared by several processes needs no second store.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from pydantic import BaseModel

from copilot.config import Settings
from copilot.errors import UserError
from knowledge.chunk import Chunk, chunk_playbook
from knowledge.embeddings import Embedder, HashingEmbedder, OpenAIEmbedder
from knowledge.lexical import BM25
from knowledge.playbook import Playbook, load_playbooks, shipped_playbooks

RRF_K = 60
CANDIDATES = 50
Progress = Callable[[str, float], None]


class Hit(BaseModel):
    playbook: str
    title: str
    section: str
    score: float
    text: str
    chunk: str

    def as_context(self) -> str:
        """The passage wrapped and labelled as reference data, never as instructions."""
        body = re.sub(r"</?资料[^>]*>", "", self.text)
        return (f'<资料 playbook="{self.playbook}" title="{self.title}" '
                f'section="{self.section}">\n{body}\n</资料>')


@dataclass
class IndexReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks_written: int = 0


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedding_base_url:
        return OpenAIEmbedder(settings.embedding_base_url, settings.embedding_model,
                              settings.embedding_api_key)
    return HashingEmbedder()


def make_client(settings: Settings) -> ClientAPI:
    quiet = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        m = re.match(r"^(https?)://([^:/]+)(?::(\d+))?/?$", settings.chroma_url)
        if not m:
            raise UserError(f"COPILOT_CHROMA_URL 格式不对:{settings.chroma_url!r}",
                            f"Bad COPILOT_CHROMA_URL: {settings.chroma_url!r}")
        try:
            return chromadb.HttpClient(host=m.group(2), port=int(m.group(3) or 8000),
                                       ssl=m.group(1) == "https", settings=quiet)
        except Exception as exc:  # chromadb raises plain exceptions for a dead server
            raise UserError(
                f"无法连接 Chroma 服务 {settings.chroma_url}:{exc}",
                f"Cannot reach the Chroma server at {settings.chroma_url}: {exc}") from None
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=quiet)


class KnowledgeBase:
    def __init__(self, client: ClientAPI, embedder: Embedder) -> None:
        self.embedder = embedder
        self.collection = client.get_or_create_collection(
            # A few thousand chunks at most: a lighter HNSW build keeps indexing fast.
            f"playbooks-v2-{embedder.name}",  # v2: passages kept in metadata
            metadata={"hnsw:space": "cosine", "hnsw:construction_ef": 40},
            embedding_function=None,
        )
        self._lexical: tuple[int, BM25, list[Chunk]] | None = None
        self._books: tuple[list[str], list[BM25]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KnowledgeBase:
        return cls(make_client(settings), make_embedder(settings))

    @classmethod
    def ready(cls, settings: Settings) -> KnowledgeBase:
        """The index, built from the configured playbooks first if it is empty (a fresh
        install answers its first question without a separate `copilot kb index`)."""
        kb = cls.from_settings(settings)
        if kb.collection.count() == 0:
            kb.index_folder(settings.playbooks_dir or shipped_playbooks())
        return kb

    # ---- indexing ------------------------------------------------------------------------
    def index(self, books: list[Playbook], progress: Progress | None = None) -> IndexReport:
        """Bring the collection in line with `books`, touching only what changed."""
        report = IndexReport()
        stored = self._stored_digests()
        pending: list[Chunk] = []
        stale: list[str] = []
        for book in books:
            old = stored.pop(book.id, None)
            if old and old[0] == book.digest:
                report.unchanged.append(book.id)
                continue
            chunks = chunk_playbook(book)
            stale += sorted(old[1] - {c.id for c in chunks}) if old else []
            pending += chunks
            (report.updated if old else report.added).append(book.id)
        for book_id, (_, ids) in stored.items():
            stale += sorted(ids)
            report.removed.append(book_id)
        if stale:
            self.collection.delete(ids=stale)
        self._write(pending, progress)
        report.chunks_written = len(pending)
        self._lexical = self._books = None
        return report

    def index_folder(self, folder: Path, progress: Progress | None = None) -> IndexReport:
        return self.index(load_playbooks(folder), progress)

    def _stored_digests(self) -> dict[str, tuple[str, set[str]]]:
        got = self.collection.get(include=["metadatas"])
        out: dict[str, tuple[str, set[str]]] = {}
        for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            digest, ids = out.get(str(meta["playbook"]), (str(meta["digest"]), set()))
            ids.add(cid)
            out[str(meta["playbook"])] = (digest, ids)
        return out

    def _write(self, chunks: list[Chunk], progress: Progress | None, batch: int = 1000) -> None:
        """Few large upserts: each Chroma call has a fixed cost far above a chunk's."""
        for i in range(0, len(chunks), batch):
            part = chunks[i:i + batch]
            self.collection.upsert(
                ids=[c.id for c in part],
                embeddings=self.embedder.embed([c.indexed_text for c in part]),
                # The passage goes in metadata, not `documents`: Chroma full-text-indexes
                # documents, which doubles the write time and duplicates our own BM25.
                metadatas=[{"playbook": c.playbook, "title": c.title, "section": c.section,
                            "digest": c.digest, "scenes": c.scenes, "text": c.text}
                           for c in part],
            )
            if progress:
                progress(part[-1].playbook, (i + len(part)) / len(chunks))

    # ---- search --------------------------------------------------------------------------
    def search(self, query: str, k: int = 5, mode: str = "hybrid") -> list[Hit]:
        query = query.strip()
        if not query:
            raise UserError("请输入要搜索的问题。", "Please type a question to search for.")
        if not 1 <= k <= 50:
            raise UserError("k 需要在 1 到 50 之间。", "k must be between 1 and 50.")
        bm25, chunks = self._lexical_index()
        if not chunks:
            raise UserError("知识库还没有建索引,请先运行 `copilot kb index`。",
                            "The knowledge index is empty: run `copilot kb index` first.")
        rankings: list[list[tuple[int, float]]] = []
        if mode in ("hybrid", "lexical"):
            rankings.append(bm25.top(query, CANDIDATES))
        if mode in ("hybrid", "dense"):
            rankings.append(self._dense(query, chunks))
        if mode == "hybrid":
            rankings.extend(self._playbook_views(query, chunks))
        if not rankings:
            raise ValueError(f"unknown search mode {mode!r}")
        fused = rankings[0] if len(rankings) == 1 else _rrf(rankings)
        return [_hit(chunks[i], score) for i, score in fused[:k]]

    def _dense(self, query: str, chunks: list[Chunk]) -> list[tuple[int, float]]:
        position = {c.id: i for i, c in enumerate(chunks)}
        res = self.collection.query(query_embeddings=self.embedder.embed([query]),
                                    n_results=min(CANDIDATES, len(chunks)), include=["distances"])
        return [(position[cid], 1.0 - float(d))
                for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)
                if cid in position]

    def _playbook_views(self, query: str, chunks: list[Chunk]) -> list[list[tuple[int, float]]]:
        """Chunks ordered by how well their playbook matches, in two views: the whole text,
        and the playbook's card (title, scenes, sub-headings). A question usually names a
        topic that a playbook covers across sections, not inside one passage."""
        if self._books is None:
            ids = sorted({c.playbook for c in chunks})
            text: dict[str, list[str]] = {b: [] for b in ids}
            card: dict[str, set[str]] = {b: set() for b in ids}
            for c in chunks:
                text[c.playbook].append(c.indexed_text)
                card[c.playbook].update([c.title, c.scenes, c.section.split(" > ")[-1]])
            self._books = (ids, [BM25(["\n".join(text[b]) for b in ids]),
                                 BM25(["\n".join(sorted(card[b])) for b in ids])])
        ids, models = self._books
        views = []
        for model in models:
            rank = {ids[i]: r for r, (i, _) in enumerate(model.top(query, len(ids)))}
            order = sorted((i for i, c in enumerate(chunks) if c.playbook in rank),
                           key=lambda i: (rank[chunks[i].playbook], i))
            views.append([(i, 0.0) for i in order[:CANDIDATES]])
        return views

    def chunks(self) -> list[Chunk]:
        """Every indexed chunk, in a stable order (evaluations build baselines on these)."""
        return self._lexical_index()[1]

    def _lexical_index(self) -> tuple[BM25, list[Chunk]]:
        count = self.collection.count()
        if self._lexical is None or self._lexical[0] != count:
            got = self.collection.get(include=["metadatas"])
            chunks = sorted(
                (Chunk(id=cid, playbook=str(m["playbook"]), title=str(m["title"]),
                       section=str(m["section"]), text=str(m["text"]),
                       digest=str(m["digest"]), scenes=str(m.get("scenes", "")))
                 for cid, m in zip(got["ids"], got["metadatas"] or [], strict=True)),
                key=lambda c: c.id,
            )
            self._lexical = (count, BM25([c.indexed_text for c in chunks]), chunks)
            self._books = None
        return self._lexical[1], self._lexical[2]


def _rrf(rankings: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, (doc, _) in enumerate(ranking):
            fused[doc] = fused.get(doc, 0.0) + 1.0 / (RRF_K + rank + 1)
    return sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))


def _hit(chunk: Chunk, score: float) -> Hit:
    return Hit(playbook=chunk.playbook, title=chunk.title, section=chunk.section,
               score=round(score, 6), text=chunk.text, chunk=chunk.id)
