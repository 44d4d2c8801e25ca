"""Retrieval eval: recall@1, recall@5 and MRR at playbook level, for our hybrid retriever and,
in the same run on the same index, the dense-only ranker and a plain BM25 baseline.

A question counts the playbooks it lists as relevant; the ranking is the order in which
distinct playbooks first appear among the retrieved chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from rank_bm25 import BM25Okapi

from knowledge.index import KnowledgeBase

DEPTH = 50


# Questions of part c were written by someone else after the retriever (lexicon, BM25
# parameters, fusion) had been tuned on parts a and b, and were never used for tuning:
# they show how the retriever does on questions it was not shaped for.
HELD_OUT = {"c"}


@dataclass(frozen=True)
class Question:
    question: str
    playbooks: tuple[str, ...]
    part: str = ""

    @property
    def held_out(self) -> bool:
        return self.part in HELD_OUT


@dataclass(frozen=True)
class Scores:
    name: str
    recall_at_1: float
    recall_at_5: float
    mrr: float
    misses: list[tuple[str, tuple[str, ...], list[str]]]


def load_questions() -> list[Question]:
    out: list[Question] = []
    for f in sorted(resources.files("evals.retrieval").iterdir(), key=lambda p: p.name):
        if f.name.startswith("questions") and f.name.endswith(".jsonl"):
            for line in f.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    part = f.name.removeprefix("questions_").removesuffix(".jsonl")
                    out.append(Question(row["question"], tuple(row["playbooks"]), part))
    return out


def _plain_tokens(text: str) -> list[str]:
    """What a plain BM25 setup does with Chinese: one token per character, words for Latin."""
    text = text.lower()
    return re.findall(r"[\u3400-\u9fff]", text) + re.findall(r"[a-z0-9]+", text)


def _unique(playbooks: list[str]) -> list[str]:
    return list(dict.fromkeys(playbooks))


def bm25_baseline(kb: KnowledgeBase) -> Callable[[str], list[str]]:
    chunks = kb.chunks()
    model = BM25Okapi([_plain_tokens(c.indexed_text) for c in chunks])

    def rank(q: str) -> list[str]:
        scores = model.get_scores(_plain_tokens(q))
        order = sorted(range(len(chunks)), key=lambda i: (-scores[i], i))[:DEPTH]
        return _unique([chunks[i].playbook for i in order])

    return rank


def ours(kb: KnowledgeBase, mode: str) -> Callable[[str], list[str]]:
    return lambda q: _unique([h.playbook for h in kb.search(q, k=DEPTH, mode=mode)])


def score(name: str, rank: Callable[[str], list[str]], questions: list[Question]) -> Scores:
    r1 = r5 = rr = 0.0
    misses = []
    for q in questions:
        got = rank(q.question)
        relevant = set(q.playbooks)
        r1 += len(relevant & set(got[:1])) / len(relevant)
        r5 += len(relevant & set(got[:5])) / len(relevant)
        first = next((i for i, p in enumerate(got) if p in relevant), None)
        rr += 0.0 if first is None else 1.0 / (first + 1)
        if not relevant & set(got[:5]):
            misses.append((q.question, q.playbooks, got[:5]))
    n = len(questions)
    return Scores(name, r1 / n, r5 / n, rr / n, misses)


def evaluate(kb: KnowledgeBase, questions: list[Question]) -> list[Scores]:
    return [
        score("ours: hybrid (passages, playbooks, vectors; RRF)", ours(kb, "hybrid"), questions),
        score("ours: lexical only (bigrams + synonyms)", ours(kb, "lexical"), questions),
        score("dense only (hashed vectors)", ours(kb, "dense"), questions),
        score("baseline: plain BM25 (rank_bm25, characters)", bm25_baseline(kb), questions),
    ]
