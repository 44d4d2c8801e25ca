"""Chinese-aware text normalisation and tokens for the lexical ranker and hashed vectors.

Chinese has no spaces, so a passage is indexed as character unigrams and bigrams (bigrams
carry most of the meaning: 复购, 沉睡, 会员); Latin words and numbers stay whole. Before
that, NFKC folds full-width forms and the synonym lexicon rewrites variants to one term.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from importlib import resources

_CJK = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z0-9][a-z0-9_.+-]*")
# Very common characters that say nothing about the topic.
STOP_CHARS = set("的了吗呢啊吧呀哦么是我你他她它们这那就都也还在有和与及或个怎啥咋要能给下")


@cache
def _lexicon() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = tomllib.loads((resources.files("knowledge") / "synonyms.toml").read_text("utf-8"))
    mapping: dict[str, str] = {}
    for canonical, variants in raw.items():
        for term in [canonical, *variants]:
            mapping.setdefault(term.lower(), canonical.lower())
    alternation = "|".join(re.escape(t) for t in sorted(mapping, key=len, reverse=True))
    return re.compile(alternation), mapping


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    pattern, mapping = _lexicon()
    return pattern.sub(lambda m: mapping[m.group(0)], text)


def tokens(text: str) -> list[str]:
    """Unigrams and bigrams of Chinese runs (minus function characters), plus Latin words."""
    norm = normalise(text)
    out: list[str] = []
    for run in _CJK.findall(norm):
        out.extend(c for c in run if c not in STOP_CHARS)
        # A bigram with a function character ("员怎", "么激") says nothing about the topic.
        out.extend(run[i:i + 2] for i in range(len(run) - 1)
                   if run[i] not in STOP_CHARS and run[i + 1] not in STOP_CHARS)
    out.extend(_WORD.findall(norm))
    return out
