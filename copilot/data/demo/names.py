"""Chinese personal names and mobile numbers, drawn in bulk (one numpy call per column)."""

from __future__ import annotations

import numpy as np

# Common surnames, most frequent first; drawn with a Zipf-like weight.
SURNAMES = (
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向汤",
    "欧阳", "司马", "上官",
)

FEMALE_CHARS = tuple(
    "静敏燕艳丽娟霞秀婷雪琳慧颖欣怡佳梅玲晶倩洁妍萍红芳琴蕾璐悦涵梦瑶晨思雨诗可馨月彤楠宁岚茜"
    "薇娜姗菲露莹若溪嘉云婉语心蓉珊瑾晴"
)
MALE_CHARS = tuple(
    "伟强磊军勇杰涛明超鹏浩宇斌辉刚健峰俊凯帆鑫博文昊然毅阳宁翔成亮志东海林波华平晨"
)

# Mainland mobile prefixes (1[3-9]x); the other 8 digits are drawn without repetition.
PHONE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157,
     158, 159, 166, 173, 175, 176, 177, 178, 180, 181, 182, 183, 184, 185, 186, 187, 188,
     189, 191, 195, 198, 199],
    dtype=np.int64,
)


def _zipf(n: int, power: float) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** power
    return w / w.sum()


def person_names(rng: np.random.Generator, female: np.ndarray) -> np.ndarray:
    """Names like 王静, 陈思雨: surname + one or two given-name characters by gender."""
    n = len(female)
    surname = np.asarray(SURNAMES)[rng.choice(len(SURNAMES), n, p=_zipf(len(SURNAMES), 0.9))]
    fem, mal = np.asarray(FEMALE_CHARS), np.asarray(MALE_CHARS)
    first = np.where(female, fem[rng.integers(0, len(fem), n)], mal[rng.integers(0, len(mal), n)])
    second = np.where(female, fem[rng.integers(0, len(fem), n)], mal[rng.integers(0, len(mal), n)])
    two = (rng.random(n) < 0.65) & (first != second)
    given = np.where(two, np.char.add(first, second), first)
    return np.char.add(surname, given).astype(object)


def phone_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct 11-digit mobile numbers: unique 8-digit tails behind real prefixes."""
    tails = rng.choice(100_000_000, size=n, replace=False).astype(np.int64)
    prefix = PHONE_PREFIXES[rng.integers(0, len(PHONE_PREFIXES), n)]
    return (prefix * 100_000_000 + tails).astype(str).astype(object)
