"""BM25 over the Chinese-aware tokens of knowledge.text (Okapi BM25).

k1=1.2, b=0.5: passages differ a lot in length (a one-line tip vs a whole script), and full
length normalisation punished the long, complete answers on the retrieval eval.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from knowledge.text import tokens as default_tokens


class BM25:
    def __init__(self, docs: Sequence[str], tokenizer: Callable[[str], list[str]] = default_tokens,
                 k1: float = 1.2, b: float = 0.5) -> None:
        self.tokenizer = tokenizer
        self.k1, self.b = k1, b
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for i, doc in enumerate(docs):
            counts = Counter(tokenizer(doc))
            self.lengths.append(sum(counts.values()))
            for term, tf in counts.items():
                self.postings[term].append((i, tf))
        n = len(self.lengths)
        self.avgdl = (sum(self.lengths) / n) if n else 0.0
        self.idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5))
                    for t, p in self.postings.items()}

    def scores(self, query: str) -> dict[int, float]:
        out: dict[int, float] = defaultdict(float)
        for term in set(self.tokenizer(query)):
            idf = self.idf.get(term)
            if idf is None:
                continue
            for doc, tf in self.postings[term]:
                norm = self.k1 * (1 - self.b + self.b * self.lengths[doc] / self.avgdl)
                out[doc] += idf * tf * (self.k1 + 1) / (tf + norm)
        return out

    def top(self, query: str, n: int) -> list[tuple[int, float]]:
        ranked = sorted(self.scores(query).items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked[:n]
