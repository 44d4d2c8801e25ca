"""Embedding functions: an offline default that downloads nothing, or any
OpenAI-compatible `/embeddings` endpoint when one is configured.

The offline default hashes the same Chinese-aware tokens the lexical ranker uses (after
synonym rewriting) into a fixed-size signed vector. It captures shared wording, not deep
meaning; its value in the hybrid is a second, differently-weighted view of the text and a
fixed vector space that never changes, so re-indexing can be incremental.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import httpx
import numpy as np

from copilot.errors import UserError
from knowledge.text import tokens


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> Sequence[Sequence[float]]: ...


class HashingEmbedder:
    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hash{dim}"

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            counts = Counter(tokens(text))
            slots = [_slot(term, self.dim) for term in counts]
            idx = np.fromiter((i for i, _ in slots), dtype=np.int64, count=len(slots))
            weight = np.fromiter(
                (sign * (1 + math.log(tf)) * (1.0 if len(term) > 1 else 0.4)
                 for (term, tf), (_, sign) in zip(counts.items(), slots, strict=True)),
                dtype=np.float32, count=len(slots))
            np.add.at(out[row], idx, weight)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


@lru_cache(maxsize=200_000)
def _slot(term: str, dim: int) -> tuple[int, float]:
    """A stable bucket and sign per token (blake2b, never Python's salted hash())."""
    h = int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest(), "little")
    return h % dim, 1.0 if (h >> 32) & 1 else -1.0


class EmbeddingServiceError(UserError):
    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"向量服务 {url} 调用失败,请检查 COPILOT_EMBEDDING_* 设置:{detail}",
                         f"embeddings endpoint {url} failed; check COPILOT_EMBEDDING_*: {detail}")


class OpenAIEmbedder:
    """POST {base_url}/embeddings as in the OpenAI API (also DashScope, Zhipu, vLLM, Ollama)."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None,
                 batch: int = 64, timeout_s: float = 30.0) -> None:
        self.url = base_url.rstrip("/") + "/embeddings"
        self.model = model
        self.name = "oa-" + re.sub(r"[^a-zA-Z0-9._-]", "-", model)[:40]
        self.batch = batch
        self.headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.timeout_s = timeout_s

    def embed(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        with httpx.Client(timeout=self.timeout_s, headers=self.headers) as client:
            for i in range(0, len(texts), self.batch):
                out.extend(self._post(client, texts[i:i + self.batch]))
        return out

    def _post(self, client: httpx.Client, texts: list[str]) -> list[list[float]]:
        try:
            resp = client.post(self.url, json={"model": self.model, "input": texts})
            resp.raise_for_status()
            data = sorted(resp.json()["data"], key=lambda d: d["index"])
            return [d["embedding"] for d in data]
        except (httpx.HTTPError, KeyError, ValueError) as exc:
            raise EmbeddingServiceError(self.url, str(exc)[:200]) from exc
