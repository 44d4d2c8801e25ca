"""The assortment of a mid-priced women's apparel chain, and what sells in which month."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Category:
    name: str
    code: str
    share: float  # share of SKUs and, before seasonality, of lines sold
    price: tuple[int, int]  # typical retail price range in yuan
    styles: tuple[str, ...]
    materials: tuple[str, ...]
    items: tuple[str, ...]
    season: tuple[float, ...]  # Jan..Dec multiplier of the category's sales share


_FLAT = (1.0,) * 12
_STYLES = ("法式", "复古", "简约", "通勤", "宽松", "修身", "经典", "新中式", "小香风", "慵懒风")
CATEGORIES: tuple[Category, ...] = (
    Category("上装", "TP", 0.22, (99, 459), _STYLES,
             ("真丝", "纯棉", "雪纺", "羊毛", "天丝", "亚麻"),
             ("衬衫", "T恤", "针织衫", "卫衣", "毛衣", "背心", "打底衫", "Polo衫"),
             (0.9, 0.9, 1.0, 1.1, 1.1, 1.1, 1.1, 1.1, 1.0, 1.0, 0.9, 0.9)),
    Category("下装", "BT", 0.16, (129, 499), _STYLES,
             ("醋酸", "羊毛", "牛仔", "棉麻", "灯芯绒", "天丝"),
             ("阔腿裤", "西装裤", "直筒裤", "半身裙", "百褶裙", "烟管裤", "短裤"), _FLAT),
    Category("外套", "OW", 0.12, (399, 1599), _STYLES,
             ("羊毛", "羊绒", "鹅绒", "棉质", "双面呢", "皮质"),
             ("大衣", "风衣", "西装外套", "羽绒服", "夹克", "针织开衫", "棉服"),
             (2.0, 1.6, 1.2, 0.6, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.0, 2.2)),
    Category("连衣裙", "DR", 0.14, (259, 899), _STYLES,
             ("真丝", "雪纺", "针织", "棉麻", "醋酸", "缎面"),
             ("连衣裙", "衬衫裙", "吊带裙", "茶歇裙", "碎花裙", "背心裙"),
             (0.5, 0.6, 0.9, 1.2, 1.5, 1.7, 1.7, 1.5, 1.1, 0.8, 0.6, 0.5)),
    Category("鞋履", "SH", 0.10, (259, 899), _STYLES,
             ("真皮", "羊皮", "牛皮", "漆皮", "绒面", "网面"),
             ("乐福鞋", "小白鞋", "玛丽珍鞋", "切尔西靴", "凉鞋", "穆勒鞋", "长靴"), _FLAT),
    Category("配饰", "AC", 0.10, (39, 299), _STYLES,
             ("撞色", "格纹", "珍珠", "真丝", "皮质", "针织"),
             ("丝巾", "腰带", "帽子", "托特包", "耳环", "围巾", "发夹"), _FLAT),
    Category("内衣家居", "UW", 0.08, (49, 299), ("舒适", "简约", "甜美", "经典"),
             ("纯棉", "莫代尔", "真丝", "珊瑚绒", "无痕", "蕾丝"),
             ("文胸", "家居服套装", "睡裙", "打底裤", "内裤三条装", "保暖内衣"),
             (1.1, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.2, 1.3)),
    Category("童装", "KD", 0.08, (79, 399), ("亲子", "学院风", "休闲", "运动"),
             ("纯棉", "加绒", "针织", "牛仔", "摇粒绒", "印花"),
             ("儿童T恤", "儿童卫衣", "儿童连衣裙", "儿童外套", "儿童牛仔裤", "亲子装"),
             (1.3, 1.1, 1.0, 0.9, 1.0, 1.4, 1.0, 1.1, 1.2, 0.9, 0.9, 1.0)),
)
_PREMIUM = ("真丝", "羊绒", "鹅绒", "真皮", "羊皮", "双面呢")


@dataclass(frozen=True)
class Assortment:
    """Products grouped by category, with popularity segments for vectorised picks."""

    frame: pd.DataFrame
    category: np.ndarray  # category index per SKU row
    price_cents: np.ndarray
    cum: np.ndarray  # cumulative popularity with a leading 0, grouped by category
    cat_lo: np.ndarray
    cat_hi: np.ndarray
    month_cum: np.ndarray  # month + cumulative category share, flattened (12 x n_cat)

    def pick(self, rng: np.random.Generator, month: np.ndarray) -> np.ndarray:
        """A SKU row for each sold line: category by month, then by SKU popularity."""
        n_cat = len(CATEGORIES)
        key = np.searchsorted(self.month_cum, (month - 1) + rng.random(len(month)), side="right")
        cat = np.clip(key - (month - 1) * n_cat, 0, n_cat - 1)
        lo, hi = self.cat_lo[cat], self.cat_hi[cat]
        pos = np.searchsorted(self.cum, lo + rng.random(len(month)) * (hi - lo), side="right")
        return np.clip(pos - 1, 0, len(self.price_cents) - 1)


def _counts(total: int) -> np.ndarray:
    share = np.array([c.share for c in CATEGORIES])
    exact = share / share.sum() * total
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[: total - counts.sum()]] += 1
    return counts


def _price(rng: np.random.Generator, cat: Category, materials: np.ndarray) -> np.ndarray:
    """Log-uniform in the category's range, premium fabrics dearer, ending in 9."""
    lo, hi = cat.price
    raw = np.exp(rng.uniform(np.log(lo), np.log(hi), len(materials)))
    raw *= np.where(np.isin(materials, _PREMIUM), 1.25, 1.0)
    step = np.where(raw >= 1000, 100, 10)
    return np.maximum(np.round(raw / step) * step - 1, lo).astype(int)


def _month_cum() -> np.ndarray:
    season = np.array([c.season for c in CATEGORIES]).T * [c.share for c in CATEGORIES]
    share = season / season.sum(axis=1, keepdims=True)
    return (np.arange(12)[:, None] + np.cumsum(share, axis=1)).ravel()


def make_products(rng: np.random.Generator, total: int) -> Assortment:
    """About `total` SKUs such as 法式真丝衬衫 (TP0001), each with a plausible price."""
    parts = []
    for ci, (cat, count) in enumerate(zip(CATEGORIES, _counts(total), strict=True)):
        combos = [(s, m, i) for s in cat.styles for m in cat.materials for i in cat.items]
        chosen = [combos[k] for k in rng.choice(len(combos), count, replace=False)]
        materials = np.array([m for _, m, _ in chosen])
        parts.append(pd.DataFrame({
            "sku": [f"{cat.code}{k + 1:04d}" for k in range(count)],
            "name": ["".join(c) for c in chosen],
            "category": cat.name,
            "price": _price(rng, cat, materials).astype(float),
            "_cat": ci,
        }))
    frame = pd.concat(parts, ignore_index=True)
    cat = frame.pop("_cat").to_numpy()
    price = frame["price"].to_numpy()
    popularity = rng.lognormal(0.0, 0.9, len(frame)) / np.sqrt(price)  # cheaper sells more
    cum = np.concatenate(([0.0], np.cumsum(popularity)))
    first = np.searchsorted(cat, np.arange(len(CATEGORIES)), side="left")
    last = np.searchsorted(cat, np.arange(len(CATEGORIES)), side="right")
    return Assortment(
        frame=frame, category=cat, price_cents=np.round(price * 100).astype(np.int64),
        cum=cum, cat_lo=cum[first], cat_hi=cum[last], month_cum=_month_cum(),
    )
