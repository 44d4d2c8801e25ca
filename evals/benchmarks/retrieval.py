"""Knowledge-index benchmark, one process:

    .venv/bin/python -m evals.benchmarks.retrieval [--pages 1000]

1. Indexing: N playbook-sized pages (the real playbooks, renamed and lightly varied, so the
   text is realistic) into a fresh local Chroma index. Target: 1,000 pages ≤ 10 s.
2. Query latency on the real playbooks over the retrieval-eval questions (warm process):
   our hybrid search vs rank_bm25 over the same chunks (the plain baseline). Target: p95 ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from copilot.config import get_settings
from evals.retrieval.run import _plain_tokens, load_questions
from knowledge.index import KnowledgeBase
from knowledge.playbook import Playbook, load_playbooks, shipped_playbooks

_VARIANTS = ["门店", "导购", "会员", "社群", "活动", "顾客", "店长", "督导"]


def synthetic_pages(books: list[Playbook], n: int) -> list[Playbook]:
    pages = []
    for i in range(n):
        book = books[i % len(books)]
        word = _VARIANTS[i % len(_VARIANTS)]
        sections = [s.model_copy(update={"text": f"{s.text}\n(第 {i} 页 · {word})"})
                    for s in book.sections]
        pages.append(book.model_copy(update={"id": f"{book.id}-p{i:04d}",
                                             "sections": sections, "digest": f"d{i}"}))
    return pages


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="knowledge index benchmark")
    ap.add_argument("--pages", type=int, default=1000)
    args = ap.parse_args(argv)
    books = load_playbooks(shipped_playbooks())

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.from_settings(get_settings(data_dir=Path(tmp) / "big"))
        pages = synthetic_pages(books, args.pages)
        t0 = time.perf_counter()
        report = kb.index(pages)
        index_s = time.perf_counter() - t0

        kb = KnowledgeBase.from_settings(get_settings(data_dir=Path(tmp) / "real"))
        kb.index(books)
        questions = [q.question for q in load_questions()]
        kb.search(questions[0])  # warm: builds the in-memory BM25 once
        ours = []
        for q in questions * 3:
            t = time.perf_counter()
            kb.search(q, k=5)
            ours.append((time.perf_counter() - t) * 1000)

        from rank_bm25 import BM25Okapi

        chunks = kb.chunks()
        baseline = BM25Okapi([_plain_tokens(c.indexed_text) for c in chunks])
        peer = []
        for q in questions * 3:
            t = time.perf_counter()
            scores = baseline.get_scores(_plain_tokens(q))
            sorted(range(len(scores)), key=lambda i: -scores[i])[:5]
            peer.append((time.perf_counter() - t) * 1000)

    print(f"indexing {args.pages} pages ({report.chunks_written} chunks): {index_s:.2f} s "
          f"(target ≤ 10 s for 1,000)")
    print(f"query latency over {len(ours)} searches on {len(books)} real playbooks "
          f"({len(chunks)} chunks):")
    print(f"{'ranker':<44}{'p50 ms':>9}{'p95 ms':>9}")
    for name, xs in (("ours: hybrid (Chroma vectors + BM25, RRF)", ours),
                     ("peer: rank_bm25, plain characters", peer)):
        print(f"{name:<44}{statistics.median(xs):>9.2f}{pct(xs, 0.95):>9.2f}")
    print("target: ours p95 ≤ 30 ms")


if __name__ == "__main__":
    main()
