"""Where a message points: stores (by name, part, id, number, typo, pinyin, city) and
regions. Stores are found by the parts of their names that only they have."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from copilot.agent.offline.vocab import Vocabulary, lexicon
from copilot.lang.numerals import parse_number
from copilot.lang.stores import REGIONS_EN, match_store, norm

if TYPE_CHECKING:  # extract.py imports this module
    from copilot.agent.offline.extract import Signals

_STORE_ID = re.compile(r"(?<![a-z0-9])s-?0*(\d{1,3})(?![0-9])")
_NUMBERED = re.compile(r"(\d{1,3}|[一二两三四五六七八九十]{1,3})\s*号(?:店|门店)")
_MENTION = re.compile(r"([\u4e00-\u9fa5a-z0-9]{2,7}?)(?:门店|分店|店|那家|那个店)")
_NOT_A_STORE = re.compile(r"^(第|我们|咱们|你们|他们|本|这|那|哪|各|每|全|别的|其他|其它|"
                          r"一家|单|整|门|总|新|老|所有|全部|我|几|多少|哪个|哪家|这家|那家|到|进|在|去|回|离|开)")


def find_stores(sig: Signals, vocab: Vocabulary) -> None:
    known = {s.store_id for s in vocab.stores}
    found: list[str] = []
    for m in _STORE_ID.finditer(sig.text):
        sid = f"S{int(m.group(1)):03d}"
        if sid in known:
            found.append(sid)
    for m in _NUMBERED.finditer(sig.text):
        n = parse_number(m.group(1))
        if n is not None and f"S{int(n):03d}" in known:
            found.append(f"S{int(n):03d}")
    flat = norm(_in_chinese(sig.text))
    i = 0
    while i < len(flat):
        j = next((j for j in range(min(len(flat), i + 8), i + 1, -1)
                  if len(vocab.parts.get(flat[i:j], ())) == 1 and _distinct(flat[i:j])), None)
        if j is None:
            i += 1
            continue
        found.append(vocab.parts[flat[i:j]][0])
        i = j
    if re.search(r"[a-z]{4}", sig.text):
        for spoken, sid in vocab.spoken.items():  # "xidan", "chaoyang"
            if re.search(rf"\b{spoken}\b", sig.text):
                found.append(sid)
    sig.stores = list(dict.fromkeys(found))
    if not found:
        _mentioned_store(sig, vocab)


def _in_chinese(text: str) -> str:
    """"Taikoo Li Sanlitun" → "太古里 sanlitun": mall and city names as the data has them."""
    if not re.search(r"[a-z]{3}", text):
        return text
    for en, zh in sorted(lexicon()["store_words_en"].items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"\b{re.escape(en)}\b", zh.lower(), text)
    return text


def _distinct(part: str) -> bool:
    """Latin fragments must be long enough not to hide inside English words ("in" in chain)."""
    return bool(re.search(r"[\u4e00-\u9fa5]", part)) or len(part) >= 4


def _mentioned_store(sig: Signals, vocab: Vocabulary) -> None:
    """"朝杨店", "大悦城那家": a store-like mention the parts did not settle."""
    for m in list(_MENTION.finditer(sig.text))[:3]:  # fuzzy matching costs per mention
        key = m.group(1)
        if _NOT_A_STORE.match(key) or key in lexicon()["typos"].values():
            continue
        hit = match_store(key, vocab.stores)
        if hit.store is not None:
            sig.stores.append(hit.store.store_id)
            return
        if hit.candidates:
            sig.store_key = key + "店"
            return


def find_regions(sig: Signals, vocab: Vocabulary) -> None:
    flat = sig.text.replace(" ", "")
    found = [r for r in vocab.regions if r and r in sig.text]
    found += [zh for en, zh in REGIONS_EN.items()
              if len(en) > 5 and en in flat and zh in vocab.regions]
    sig.regions = list(dict.fromkeys(found))


def find_cities(sig: Signals, vocab: Vocabulary) -> None:
    """A city with several stores ("天津三家店", "广州的店"): all of them."""
    if sig.stores:
        return
    for city in sorted({s.city for s in vocab.stores if s.city}, key=len, reverse=True):
        if city in sig.text and re.search(re.escape(city) + r".{0,6}(店|家|门店)", sig.text):
            sig.city_stores = [s.store_id for s in vocab.stores if s.city == city]
            return


