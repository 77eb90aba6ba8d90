"""The static world of the demo: regions, facilities, alliances and their members.

Real names where the seed reports give them (DESIGN.md section 5), plausible ones elsewhere. The world does
not depend on the build's seed: every demo shows the same places, only the generated figures change.
Populations the calibration publishes (名山区 254,000 ...) are set afterwards by calibrate.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from healthdash.data.demo.targets import allocate

# Fixed so that names, populations and village lists never move between builds or seeds.
_WORLD_SEED = 2015


@dataclass(frozen=True)
class Place:
    """A county or district: name, code, city, whether urban, population and how many towns."""

    name: str
    code: str
    city: str
    urban: bool
    population: int
    towns: tuple[str, ...] | int  # real town names, or how many to draw from the pools


# code, name, in scope; provincial capitals only receive patients.
CITIES: dict[str, tuple[str, bool]] = {
    "柳州市": ("450200", True),
    "雅安市": ("511800", True),
    "自贡市": ("510300", True),
    "六安市": ("341500", True),
    "焦作市": ("410800", True),
    "南宁市": ("450100", False),
    "成都市": ("510100", False),
    "合肥市": ("340100", False),
    "郑州市": ("410100", False),
}

# Where each city sends what it cannot treat: the provincial capital of its province.
PROVINCIAL_CAPITAL = {"柳州市": "南宁市", "雅安市": "成都市", "自贡市": "成都市", "六安市": "合肥市", "焦作市": "郑州市"}

PLACES: tuple[Place, ...] = (
    Place("城中区", "450202", "柳州市", True, 190_000, ("城中街道", "公园街道", "中南街道", "水上街道", "潭中街道", "河东街道", "静兰街道")),
    Place("柳城县", "450222", "柳州市", False, 318_000, 9),
    Place("鹿寨县", "450223", "柳州市", False, 362_000,
          ("鹿寨镇", "中渡镇", "寨沙镇", "平山镇", "黄冕镇", "四排镇", "拉沟乡", "导江乡", "江口乡")),
    Place("融安县", "450224", "柳州市", False, 287_000, 8),
    Place("雨城区", "511802", "雅安市", True, 362_000, ("东城街道", "西城街道", "河北街道", "青江街道", "多营镇", "碧峰峡镇", "草坝镇")),
    Place("名山区", "511803", "雅安市", False, 254_000,
          ("蒙阳街道", "蒙顶山镇", "永兴镇", "马岭镇", "新店镇", "红星镇", "中峰镇", "车岭镇", "百丈镇",
           "黑竹镇", "万古镇", "茅河镇", "联江乡")),
    Place("荥经县", "511822", "雅安市", False, 136_000, 6),
    Place("自流井区", "510302", "自贡市", True, 382_000, ("五星街街道", "东兴寺街道", "新街街道", "郭家坳街道", "舒坪街道", "高峰街道", "仲权镇")),
    Place("贡井区", "510303", "自贡市", True, 248_000, ("艾叶街道", "长土街道", "筱溪街道", "贡井街道", "建设镇", "成佳镇")),
    Place("大安区", "510304", "自贡市", True, 338_000, ("大安街道", "马冲口街道", "凉高山街道", "大山铺镇", "何市镇", "牛佛镇")),
    Place("沿滩区", "510311", "自贡市", True, 296_000, ("沿滩街道", "卫坪街道", "王井街道", "邓关街道", "仙市镇", "黄市镇")),
    Place("荣县", "510321", "自贡市", False, 486_000, 10),
    Place("富顺县", "510322", "自贡市", False, 724_000, 10),
    Place("金安区", "341502", "六安市", True, 706_000, ("中市街道", "东市街道", "三里桥街道", "清水河街道", "望城街道", "木厂镇", "孙岗镇")),
    Place("裕安区", "341503", "六安市", True, 688_000, ("鼓楼街道", "西市街道", "小华山街道", "平桥街道", "苏埠镇", "韩摆渡镇")),
    Place("开发区", "341571", "六安市", True, 152_000, ("三十铺街道", "城南街道", "新安街道")),
    # Rural: the period of the elderly-check calibration is 2023; 65+ population set by calibrate.py.
    Place("叶集区", "341504", "六安市", False, 330_000, 6),
    Place("霍邱县", "341522", "六安市", False, 1_012_000, 10),
    Place("舒城县", "341523", "六安市", False, 728_000, 10),
    Place("金寨县", "341524", "六安市", False, 498_000, 9),
    Place("霍山县", "341525", "六安市", False, 304_000, 9),
    Place("解放区", "410802", "焦作市", True, 318_000, ("民生街道", "民主街道", "焦西街道", "焦南街道", "焦北街道", "上白作街道")),
    Place("山阳区", "410811", "焦作市", True, 326_000, ("东方红街道", "百间房街道", "艺新街道", "光亚街道", "定和街道", "中星街道")),
    Place("修武县", "410821", "焦作市", False, 252_000, 7),
    Place("博爱县", "410822", "焦作市", False, 364_000, 7),
    Place("青秀区", "450103", "南宁市", True, 0, ()),
    Place("武侯区", "510107", "成都市", True, 0, ()),
    Place("庐阳区", "340103", "合肥市", True, 0, ()),
    Place("金水区", "410105", "郑州市", True, 0, ()),
)

_RURAL_TOWN_POOL = (
    "城关镇", "太平镇", "永安镇", "新民镇", "兴隆镇", "石桥镇", "龙泉镇", "青山镇", "白马镇", "双河镇",
    "三合镇", "大兴镇", "高桥镇", "桥头镇", "金山镇", "清水镇", "安乐镇", "凤凰镇", "长岭镇", "古城镇",
    "河口镇", "黄土镇", "新华镇", "东岳镇", "观音镇", "梅林镇", "杨柳乡", "红岩乡", "马鞍乡", "新田乡",
    "花园乡", "柏林乡", "五里乡", "长安乡",
)
_VILLAGE_POOL = (
    "红星村", "团结村", "和平村", "光明村", "胜利村", "前进村", "石桥村", "大坪村", "河口村", "长岭村",
    "金竹村", "桂花村", "白云村", "龙井村", "青龙村", "双龙村", "中心村", "同心村", "永丰村", "丰收村",
    "朝阳村", "东风村", "联合村", "七里村", "松林村", "柏树村", "塘坝村", "黄泥村", "新街村", "枫树村",
)

PATHOGEN_NETWORK = "自贡市病原微生物鉴定网络"
PATHOGEN_CENTRE = "自贡市疾病预防控制中心"

# Tertiary and city-level hospitals: name, district, category, grade, beds, tier.
_CITY_HOSPITALS = (
    ("柳州市人民医院", "城中区", "general", "三甲", 2600, "tertiary"),
    ("柳州市工人医院", "城中区", "general", "三甲", 2400, "tertiary"),
    ("柳州市中医医院", "城中区", "tcm", "三甲", 1300, "tertiary"),
    ("雅安市人民医院", "雨城区", "general", "三甲", 1500, "tertiary"),
    ("雅安市中医医院", "雨城区", "tcm", "三甲", 700, "tertiary"),
    ("自贡市第一人民医院", "自流井区", "general", "三甲", 2200, "tertiary"),
    ("自贡市中医医院", "大安区", "tcm", "三甲", 1200, "tertiary"),
    ("自贡市第三人民医院", "贡井区", "general", "三乙", 900, "tertiary"),
    ("自贡市第四人民医院", "沿滩区", "general", "三甲", 1300, "tertiary"),
    ("自贡市精神卫生中心", "大安区", "psychiatric", "三甲", 900, "tertiary"),
    ("自贡市第六人民医院", "贡井区", "psychiatric", "二甲", 500, "county"),
    ("六安市人民医院", "金安区", "general", "三甲", 2400, "tertiary"),
    ("六安市中医院", "裕安区", "tcm", "三甲", 1200, "tertiary"),
    ("焦作市人民医院", "解放区", "general", "三甲", 2300, "tertiary"),
    ("焦作市中医院", "山阳区", "tcm", "三甲", 900, "tertiary"),
    ("广西医科大学第一附属医院", "青秀区", "general", "三甲", 3200, "tertiary"),
    ("四川大学华西医院", "武侯区", "general", "三甲", 4300, "tertiary"),
    ("安徽省立医院", "庐阳区", "general", "三甲", 3800, "tertiary"),
    ("河南省人民医院", "金水区", "general", "三甲", 4000, "tertiary"),
)

# County-tier hospitals: name, county, category, grade, beds. Every rural county also gets the defaults
# below unless listed here.
_COUNTY_HOSPITALS = (
    ("鹿寨县人民医院", "鹿寨县", "general", "二甲", 650),
    ("鹿寨县中医医院", "鹿寨县", "tcm", "二甲", 320),
    ("鹿寨县妇幼保健院", "鹿寨县", "maternal_child", "二乙", 120),
    ("名山区人民医院", "名山区", "general", "二甲", 450),
    ("名山区中医医院", "名山区", "tcm", "二甲", 260),
    ("荣县人民医院", "荣县", "general", "三乙", 900),
    ("荣县中医医院", "荣县", "tcm", "二甲", 420),
    ("富顺县人民医院", "富顺县", "general", "三乙", 1000),
    ("富顺县中医医院", "富顺县", "tcm", "二甲", 500),
    ("富顺县妇幼保健院", "富顺县", "maternal_child", "二甲", 150),
    ("霍山县医院", "霍山县", "general", "二甲", 600),
    ("霍山县中医院", "霍山县", "tcm", "二甲", 300),
    ("霍山县第二人民医院", "霍山县", "general", "二乙", 200),
    ("裕安区中医医院", "裕安区", "tcm", "二甲", 300),
    ("金安区人民医院", "金安区", "general", "二甲", 400),
    ("开发区医院", "开发区", "general", "二乙", 180),
    ("自流井区人民医院", "自流井区", "general", "二乙", 220),
    ("大安区人民医院", "大安区", "general", "二甲", 350),
    ("沿滩区人民医院", "沿滩区", "general", "二乙", 260),
    ("城中区人民医院", "城中区", "general", "二乙", 200),
    ("雨城区人民医院", "雨城区", "general", "二甲", 300),
    ("解放区人民医院", "解放区", "general", "二乙", 220),
    ("山阳区人民医院", "山阳区", "general", "二乙", 240),
    ("叶集区人民医院", "叶集区", "general", "二甲", 420),
    ("叶集区中医医院", "叶集区", "tcm", "二乙", 160),
)


def _town_code(county_code: str, name: str, index: int) -> str:
    # National convention for the 3 digits after the county: 00x 街道, 1xx 镇, 2xx 乡.
    base = 0 if name.endswith("街道") else 200 if name.endswith("乡") else 100
    return f"{county_code}{base + index + 1:03d}"


def _regions(rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    rows: list[dict] = []
    towns_of: dict[str, list[str]] = {}
    for city, (code, in_scope) in CITIES.items():
        rows.append({"code": code, "name": city, "level": "city", "parent_code": None, "in_scope": in_scope, "urban": True})
    for place in PLACES:
        in_scope = CITIES[place.city][1]
        rows.append({"code": place.code, "name": place.name, "level": "county", "parent_code": CITIES[place.city][0],
                     "in_scope": in_scope, "urban": place.urban})
        if isinstance(place.towns, int):
            # The county seat first: it is the largest town.
            names = ["城关镇", *rng.choice(_RURAL_TOWN_POOL[1:], place.towns - 1, replace=False)]
        else:
            names = list(place.towns)
        counters: dict[int, int] = {}
        towns_of[place.code] = []
        for name in names:
            kind = 0 if name.endswith("街道") else 2 if name.endswith("乡") else 1
            counters[kind] = counters.get(kind, 0) + 1
            town_code = _town_code(place.code, name, counters[kind] - 1)
            towns_of[place.code].append(town_code)
            rows.append({"code": town_code, "name": name, "level": "town", "parent_code": place.code,
                         "in_scope": in_scope, "urban": place.urban})
    region = pd.DataFrame(rows)
    # Cities and counties are real, so their codes are the administrative codes boundaries are keyed by;
    # the towns' codes are made up in the national pattern and claim no boundary.
    region["adcode"] = region["code"].where(region["level"] != "town")
    region = _with_populations(region, rng)
    return region, towns_of


def _with_populations(region: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    cols = ["population", "pop_65plus", "pop_children_1_7", "pop_women_35_64", "pop_key_groups"]
    for col in cols:
        region[col] = pd.array([pd.NA] * len(region), dtype="Int64")
    for place in PLACES:
        towns = region.index[(region["parent_code"] == place.code) & (region["level"] == "town")]
        if len(towns) == 0:
            continue
        # The first town is the county seat: larger than the rest.
        weights = rng.uniform(0.6, 1.4, len(towns))
        weights[0] *= 2.2
        pop = allocate(place.population, weights)
        region.loc[towns, "population"] = pop
        old = rng.uniform(0.11, 0.15, len(towns)) if place.urban else rng.uniform(0.14, 0.20, len(towns))
        region.loc[towns, "pop_65plus"] = np.rint(pop * old).astype(np.int64)
        region.loc[towns, "pop_children_1_7"] = np.rint(pop * rng.uniform(0.065, 0.09, len(towns))).astype(np.int64)
        region.loc[towns, "pop_women_35_64"] = np.rint(pop * rng.uniform(0.21, 0.25, len(towns))).astype(np.int64)
        region.loc[towns, "pop_key_groups"] = np.rint(pop * (old + rng.uniform(0.18, 0.24, len(towns)))).astype(np.int64)
    return sum_populations(region)


def sum_populations(region: pd.DataFrame) -> pd.DataFrame:
    """Counties and cities carry the sums of their towns (out-of-scope places have none)."""
    cols = ["population", "pop_65plus", "pop_children_1_7", "pop_women_35_64", "pop_key_groups"]
    towns = region[region["level"] == "town"]
    county_sums = towns.groupby("parent_code")[cols].sum()
    counties = region["level"] == "county"
    region.loc[counties, cols] = county_sums.reindex(region.loc[counties, "code"]).to_numpy()
    county_rows = region[counties & region["in_scope"]]
    city_sums = county_sums.reindex(county_rows["code"]).set_axis(county_rows["parent_code"]).groupby(level=0).sum()
    cities = (region["level"] == "city") & region["in_scope"]
    region.loc[cities, cols] = city_sums.reindex(region.loc[cities, "code"]).to_numpy()
    return region


class _FacilityList:
    """Facilities as they are added; codes are 'H' + the county's code + a running number in that county."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._numbers: dict[str, int] = {}

    def add(self, name: str, region_code: str, tier: str, category: str, grade: str, beds: int) -> str:
        county = region_code[:6]
        self._numbers[county] = self._numbers.get(county, 0) + 1
        code = f"H{county}{self._numbers[county]:03d}"
        self.rows.append({"code": code, "name": name, "region_code": region_code, "tier": tier,
                          "category": category, "grade": grade, "beds": beds})
        return code


def _facilities(region: pd.DataFrame, towns_of: dict[str, list[str]], rng: np.random.Generator) -> pd.DataFrame:
    county_code = {p.name: p.code for p in PLACES}
    facilities = _FacilityList()
    for name, district, category, grade, beds, tier in _CITY_HOSPITALS:
        facilities.add(name, county_code[district], tier, category, grade, beds)
    listed = {county for _, county, *_ in _COUNTY_HOSPITALS}
    for name, county, category, grade, beds in _COUNTY_HOSPITALS:
        facilities.add(name, county_code[county], "county", category, grade, beds)
    town_name = dict(zip(region["code"], region["name"], strict=True))
    for place in PLACES:
        if not CITIES[place.city][1]:
            continue
        if not place.urban and place.name not in listed:
            scale = place.population / 400_000
            facilities.add(f"{place.name}人民医院", place.code, "county", "general", "二甲", int(500 * scale) // 10 * 10 + 200)
            facilities.add(f"{place.name}中医医院", place.code, "county", "tcm", "二甲", int(250 * scale) // 10 * 10 + 100)
            if place.population > 450_000:
                facilities.add(f"{place.name}妇幼保健院", place.code, "county", "maternal_child", "二乙", 120)
        facilities.add(f"{place.name}疾病预防控制中心", place.code, "public_health", "cdc", "未定级", 0)
        for town in towns_of[place.code]:
            tname = town_name[town]
            if tname.endswith("街道"):
                facilities.add(f"{place.name}{tname}社区卫生服务中心", town, "community", "general", "一级", int(rng.integers(0, 6)) * 10)
                continue
            # Primary facilities carry the county's name, as their seals do, which keeps names unique.
            facilities.add(f"{place.name}{tname}卫生院", town, "township", "general", "一级", int(rng.integers(3, 12)) * 10)
            for village in rng.choice(_VILLAGE_POOL, int(rng.integers(2, 5)), replace=False):
                facilities.add(f"{place.name}{tname}{village}卫生室", town, "village", "general", "未定级", 0)
    # Added last so that no other facility's running number moves.
    facilities.add(PATHOGEN_CENTRE, county_code["自流井区"], "public_health", "cdc", "未定级", 0)
    return pd.DataFrame(facilities.rows)


@dataclass(frozen=True)
class _Alliance:
    name: str
    kind: str
    integration: str
    lead: str
    home: str  # county or city name
    founded: date
    members: tuple[str, ...]  # facility names, or "@county:tier" selectors


def _alliances() -> tuple[_Alliance, ...]:
    d = date
    zigong_primary = tuple(f"@{c}:township,community" for c in ("自流井区", "贡井区", "大安区", "沿滩区", "荣县", "富顺县"))
    listed = (
        _Alliance("自贡市第一人民医院医疗集团", "city_group", "tight", "自贡市第一人民医院", "自流井区", d(2017, 6, 1),
                  ("自流井区人民医院", "@自流井区:township,community")),
        _Alliance("自贡市中医医院医疗集团", "city_group", "loose", "自贡市中医医院", "大安区", d(2017, 9, 1),
                  ("大安区人民医院", "@大安区:township,community")),
        _Alliance("自贡市第三人民医院医疗集团", "city_group", "loose", "自贡市第三人民医院", "贡井区", d(2018, 3, 1),
                  ("@贡井区:township,community",)),
        _Alliance("自贡市第四人民医院医疗集团", "city_group", "tight", "自贡市第四人民医院", "沿滩区", d(2018, 1, 1),
                  ("沿滩区人民医院", "@沿滩区:township,community")),
        _Alliance("自贡市精神卫生中心—自贡市第六人民医院紧密型医联体", "specialty", "tight", "自贡市精神卫生中心", "自贡市",
                  d(2016, 12, 1), ("自贡市第六人民医院",)),
        _Alliance("荣县医共体", "county_community", "tight", "荣县人民医院", "荣县", d(2018, 7, 1),
                  ("荣县中医医院", "@荣县:township")),
        _Alliance("富顺县医共体", "county_community", "loose", "富顺县人民医院", "富顺县", d(2018, 10, 1),
                  ("富顺县中医医院", "富顺县妇幼保健院", "@富顺县:township")),
        _Alliance("自贡市远程影像协作网", "telemedicine", "loose", "自贡市第一人民医院", "自贡市", d(2016, 10, 1), zigong_primary),
        _Alliance("鹿寨县医共体", "county_community", "tight", "鹿寨县人民医院", "鹿寨县", d(2017, 1, 1),
                  ("鹿寨县中医医院", "鹿寨县妇幼保健院", "@鹿寨县:township")),
        _Alliance("柳州市胸痛专科联盟", "specialty", "loose", "柳州市人民医院", "柳州市", d(2017, 5, 1),
                  ("鹿寨县人民医院", "柳城县人民医院", "融安县人民医院")),
        _Alliance("柳州市卒中专科联盟", "specialty", "loose", "柳州市工人医院", "柳州市", d(2017, 8, 1),
                  ("鹿寨县人民医院", "鹿寨县中医医院", "柳城县人民医院")),
        _Alliance("柳州市创伤专科联盟", "specialty", "loose", "柳州市人民医院", "柳州市", d(2018, 4, 1),
                  ("鹿寨县人民医院", "融安县人民医院")),
        _Alliance("柳州市中医骨伤专科联盟", "specialty", "loose", "柳州市中医医院", "柳州市", d(2019, 3, 1),
                  ("鹿寨县中医医院", "柳城县中医医院", "融安县中医医院")),
        _Alliance("柳州市工人医院城中区医疗集团", "city_group", "loose", "柳州市工人医院", "城中区", d(2019, 6, 1),
                  ("城中区人民医院", "@城中区:community")),
        _Alliance("名山区医共体", "county_community", "tight", "名山区人民医院", "名山区", d(2019, 11, 1),
                  ("名山区中医医院", "@名山区:township,community")),
        _Alliance("名山区远程医疗协作网", "telemedicine", "loose", "名山区人民医院", "名山区", d(2018, 5, 1),
                  ("@名山区:township,community",)),
        _Alliance("雅安市人民医院雨城区医疗集团", "city_group", "loose", "雅安市人民医院", "雨城区", d(2020, 6, 1),
                  ("雨城区人民医院", "@雨城区:township,community")),
        _Alliance("六安市人民医院金安区城市医联体", "city_group", "tight", "六安市人民医院", "金安区", d(2017, 12, 1),
                  ("金安区人民医院", "@金安区:township,community")),
        _Alliance("六安市人民医院开发区城市医联体", "city_group", "loose", "六安市人民医院", "开发区", d(2019, 1, 1),
                  ("开发区医院", "@开发区:community")),
        _Alliance("六安市中医院—裕安区中医医院紧密型医联体", "city_group", "tight", "六安市中医院", "裕安区", d(2016, 11, 1),
                  ("裕安区中医医院",)),
        _Alliance("霍山县医共体总医院·县医院组", "county_community", "tight", "霍山县医院", "霍山县", d(2018, 1, 1),
                  ("@霍山县:township#0",)),
        _Alliance("霍山县医共体总医院·中医院组", "county_community", "tight", "霍山县中医院", "霍山县", d(2018, 1, 1),
                  ("@霍山县:township#1",)),
        _Alliance("霍山县医共体总医院·第二人民医院组", "county_community", "tight", "霍山县第二人民医院", "霍山县", d(2018, 1, 1),
                  ("@霍山县:township#2",)),
        _Alliance("焦作市人民医院解放区医疗集团", "city_group", "tight", "焦作市人民医院", "解放区", d(2018, 8, 1),
                  ("解放区人民医院", "@解放区:community")),
    )
    covered = {a.home for a in listed if a.kind == "county_community"}
    rng = np.random.default_rng(_WORLD_SEED + 1)
    generic = tuple(
        _Alliance(f"{p.name}县域医共体" if not p.name.endswith("县") else f"{p.name}医共体", "county_community",
                  "tight" if rng.random() < 0.6 else "loose", f"{p.name}人民医院", p.name,
                  d(int(rng.integers(2018, 2022)), int(rng.integers(1, 13)), 1), (f"{p.name}中医医院", f"@{p.name}:township"))
        for p in PLACES
        if not p.urban and CITIES[p.city][1] and p.name not in covered
    )
    # 自贡's pathogen identification network (seed report 000): the city CDC's laboratory and the CDCs of the
    # six districts and counties; last, so that no other alliance's code moves.
    pathogen = _Alliance(PATHOGEN_NETWORK, "telemedicine", "loose", PATHOGEN_CENTRE, "自贡市", d(2017, 6, 1),
                         tuple(f"{c}疾病预防控制中心" for c in ("自流井区", "贡井区", "大安区", "沿滩区", "荣县", "富顺县")))
    return listed + generic + (pathogen,)


# Shared centres of the telemedicine networks; tight county communities run imaging and ECG centres.
_NETWORK_SERVICES = {"自贡市远程影像协作网": ("imaging",), "名山区远程医疗协作网": ("imaging", "ecg", "pathology", "lab")}


def shared_services(name: str, kind: str, integration: str) -> tuple[str, ...]:
    """The services (imaging, ecg, pathology, lab) an alliance's shared centres provide to its members."""
    if name in _NETWORK_SERVICES:
        return _NETWORK_SERVICES[name]
    return ("imaging", "ecg") if kind == "county_community" and integration == "tight" else ()


def _alliance_tables(region: pd.DataFrame, facility: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    by_name = dict(zip(facility["name"], facility["code"], strict=True))
    county_of_region = dict(zip(region["code"], region["parent_code"].where(region["level"] == "town", region["code"]), strict=True))
    place_code = {p.name: p.code for p in PLACES} | {name: code for name, (code, _) in CITIES.items()}
    fac_county = facility["region_code"].map(county_of_region)
    rng = np.random.default_rng(_WORLD_SEED + 2)
    alliances, members = [], []
    for number, spec in enumerate(_alliances(), start=1):
        code = f"A{number:03d}"
        alliances.append({"code": code, "name": spec.name, "kind": spec.kind, "integration": spec.integration,
                          "lead_facility": by_name[spec.lead], "home_region": place_code[spec.home], "founded": spec.founded})
        chosen = [by_name[spec.lead]]
        for item in spec.members:
            if not item.startswith("@"):
                chosen.append(by_name[item])
                continue
            county, _, selector = item[1:].partition(":")
            tiers, _, part = selector.partition("#")
            picked = facility.loc[(fac_county == place_code[county]) & facility["tier"].isin(tiers.split(",")), "code"].tolist()
            # "#k": the k-th of three groups splitting a county's township centres between them.
            chosen += picked[int(part)::3] if part else picked
        for facility_code in dict.fromkeys(chosen):
            role = "lead" if facility_code == chosen[0] else "member"
            # Most members sign with the founding; a few join in the following months.
            delay = 0 if role == "lead" or rng.random() < 0.8 else int(rng.integers(1, 10))
            joined = (pd.Timestamp(spec.founded) + pd.DateOffset(months=delay)).date()
            members.append({"alliance_code": code, "facility_code": facility_code, "role": role, "joined": joined})
    return pd.DataFrame(alliances), pd.DataFrame(members)


def build_world() -> dict[str, pd.DataFrame]:
    """The dimension tables of the demo: region, facility, alliance, alliance_member."""
    rng = np.random.default_rng(_WORLD_SEED)
    region, towns_of = _regions(rng)
    facility = _facilities(region, towns_of, rng)
    alliance, alliance_member = _alliance_tables(region, facility)
    return {"region": region, "facility": facility, "alliance": alliance, "alliance_member": alliance_member}


def facility_places(world: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Facilities with the places they sit in (the columns of the facility_geo rollup) and town population."""
    region = world["region"].set_index("code")
    facility = world["facility"].copy()
    level = facility["region_code"].map(region["level"])
    facility["town_code"] = facility["region_code"].where(level == "town")
    facility["county_code"] = facility["region_code"].where(level != "town", facility["region_code"].map(region["parent_code"]))
    facility["city_code"] = facility["county_code"].map(region["parent_code"])
    facility["county_urban"] = facility["county_code"].map(region["urban"]).astype(bool)
    facility["in_scope"] = facility["county_code"].map(region["in_scope"]).astype(bool)
    facility["town_population"] = facility["town_code"].map(region["population"]).astype("float64").fillna(0.0)
    return facility
