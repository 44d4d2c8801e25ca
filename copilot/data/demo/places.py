"""Where the demo chain's stores are: real cities and malls, so names read like a real chain.

Each region lists its cities, biggest first; each city lists well-known malls (with the
district in front, the way chains name stores) and districts used to name further stores
after generic mall brands once the famous ones run out.
"""

from __future__ import annotations

import numpy as np

# region -> city -> (famous malls, districts)
CITIES: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "华北": {
        "北京": (("朝阳大悦城", "西单大悦城", "三里屯太古里", "国贸商城", "朝阳合生汇",
                  "望京凯德MALL", "五棵松华熙LIVE", "中关村欧美汇", "丰台龙湖天街"),
                 ("朝阳", "海淀", "西城", "东城", "丰台", "通州", "大兴", "昌平", "顺义")),
        "天津": (("和平大悦城", "南开大悦城", "和平恒隆广场", "河西万象城"),
                 ("和平", "南开", "河西", "河东", "滨海新区", "西青")),
        "石家庄": (("长安北国商城", "桥西勒泰中心", "裕华万达广场"),
                   ("长安", "桥西", "裕华", "新华")),
        "太原": (("小店万象城", "迎泽茂业天地"), ("小店", "迎泽", "杏花岭")),
        "呼和浩特": (("新城维多利", "赛罕万达广场"), ("新城", "赛罕", "回民")),
    },
    "华东": {
        "上海": (("静安嘉里中心", "南京西路恒隆广场", "徐家汇港汇恒隆", "陆家嘴正大广场",
                  "五角场合生汇", "长宁来福士", "闵行七宝万科广场", "虹桥龙湖天街"),
                 ("静安", "黄浦", "徐汇", "浦东", "杨浦", "长宁", "闵行", "普陀", "宝山")),
        "杭州": (("湖滨银泰in77", "武林银泰", "上城万象城", "滨江龙湖天街", "西溪印象城"),
                 ("上城", "拱墅", "西湖", "滨江", "萧山", "余杭")),
        "南京": (("新街口德基广场", "建邺金鹰世界", "秦淮水游城"),
                 ("玄武", "秦淮", "建邺", "鼓楼", "江宁")),
        "苏州": (("园区苏州中心", "园区久光百货", "吴中万达广场"),
                 ("姑苏", "园区", "吴中", "相城")),
        "宁波": (("鄞州印象城", "海曙天一广场", "江北来福士"), ("海曙", "鄞州", "江北")),
        "合肥": (("政务区银泰中心", "包河万象城"), ("蜀山", "包河", "庐阳")),
        "济南": (("历下恒隆广场", "市中万象城"), ("历下", "市中", "槐荫")),
        "青岛": (("市南万象城", "李沧万达广场"), ("市南", "市北", "李沧", "崂山")),
    },
    "华南": {
        "广州": (("天河正佳", "天河太古汇", "天河天环广场", "海珠万达广场", "越秀花城汇",
                  "番禺万达广场"),
                 ("天河", "越秀", "海珠", "番禺", "白云", "荔湾")),
        "深圳": (("罗湖万象城", "福田COCO Park", "南山海岸城", "宝安壹方城", "南山万象天地"),
                 ("罗湖", "福田", "南山", "宝安", "龙岗", "龙华")),
        "佛山": (("禅城岭南天地", "顺德万达广场"), ("禅城", "南海", "顺德")),
        "东莞": (("南城民盈国贸城", "东城万达广场"), ("南城", "东城", "松山湖")),
        "厦门": (("思明SM城市广场", "思明万象城"), ("思明", "湖里", "集美")),
        "南宁": (("青秀万象城", "青秀航洋国际"), ("青秀", "西乡塘")),
    },
    "华中": {
        "武汉": (("江汉武汉国际广场", "武昌楚河汉街", "江岸恒隆广场", "光谷K11"),
                 ("江汉", "江岸", "武昌", "洪山", "汉阳")),
        "长沙": (("五一广场IFS", "开福万达广场", "岳麓步步高"), ("芙蓉", "天心", "开福", "岳麓")),
        "郑州": (("二七万达广场", "金水正弘城", "二七大卫城"), ("金水", "二七", "中原", "郑东")),
        "南昌": (("红谷滩万达广场", "东湖天虹"), ("东湖", "西湖", "红谷滩")),
    },
    "西南": {
        "成都": (("春熙路IFS", "锦江太古里", "成华万象城", "高新银泰中心"),
                 ("锦江", "青羊", "武侯", "成华", "高新", "双流")),
        "重庆": (("解放碑时代广场", "观音桥北城天街", "江北万象城"),
                 ("渝中", "江北", "南岸", "渝北", "沙坪坝")),
        "昆明": (("五华顺城购物中心", "盘龙恒隆广场"), ("五华", "盘龙", "官渡")),
        "贵阳": (("南明花果园购物中心", "观山湖万象汇"), ("南明", "云岩", "观山湖")),
    },
}

MALL_BRANDS = (
    "万达广场", "吾悦广场", "龙湖天街", "印象城", "银泰城", "凯德广场", "万象汇",
    "宝龙广场", "爱琴海购物公园", "永旺梦乐城", "大悦城", "万科广场",
)


def city_quota(region: str, count: int) -> list[tuple[str, int]]:
    """Split a region's stores over its cities, big cities first (largest remainder)."""
    cities = list(CITIES[region])
    weights = np.array([3.0, 2.0] + [1.0] * (len(cities) - 2))[: len(cities)]
    exact = weights / weights.sum() * count
    quota = np.floor(exact).astype(int)
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[: count - quota.sum()]] += 1
    return [(c, int(q)) for c, q in zip(cities, quota, strict=True) if q > 0]


def mall_names(rng: np.random.Generator, city: str, region: str, count: int) -> list[str]:
    """`count` distinct store names in `city`: famous malls first, then district + brand."""
    famous, districts = CITIES[region][city]
    names = [f"{city}{m}店" for m in famous[:count]]
    if len(names) < count:
        combos = [f"{city}{d}{b}店" for d in districts for b in MALL_BRANDS]
        taken = set(names)
        extra = [combos[i] for i in rng.permutation(len(combos))]
        names += [n for n in extra if n not in taken][: count - len(names)]
    if len(names) < count:
        raise ValueError(f"not enough store names for {count} stores in {city}")
    return names
