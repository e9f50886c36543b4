"""The synthetic district's region tree: subdistricts, communities and compounds.

Called by `kangyang demo` and `kangyang seed` through the demo hook (see kangyang/ops/demo.py).
The tree is the same on every run, whatever the seed: it is drawn from its own fixed random
stream, and nodes are found by code (compounds by name) before any is created, so a second
run reuses it and elders can be added to it again and again.

What is real and what is not. The districts are Xihu (西湖区, Nanchang), GB/T 2260 code
360103, and the demo city's smaller second district, Qingyunpu (青云谱区), 360104. Names and
the 6-digit county codes follow the national statistical division codes (统计用区划代码);
the subdistricts are real subdivisions of each district, but their 9-digit codes here are
numbered in the order listed, so where the real ones are not known the codes are synthetic
(real statistical codes may differ; a town such as 桃花镇 is usually coded in the 1xx range).
Community and compound names are made up to sound like the city's streets; coordinates are
WGS-84 inside a box of about 10 km × 10 km around the district's centre, each subdistrict
placed roughly where it lies in the city.
"""

import math
import random

from django.db import transaction
from django.utils.translation import gettext as _

from kangyang.regions.models import Compound, Region

# Xihu's centre; the box all its coordinates fall in: ±0.045° of latitude (≈ 5 km) and ±0.05°
# of longitude (≈ 4.9 km at 28.66° N) around the centre. Every district has a box like it.
CENTRE = (28.66, 115.89)


def _box(centre: tuple[float, float]) -> tuple[float, float, float, float]:
    return (centre[0] - 0.045, centre[0] + 0.045, centre[1] - 0.05, centre[1] + 0.05)


BOX = _box(CENTRE)

# (township digits, name, centre lat, centre lng, street-like stems for its communities)
SUBDISTRICTS = [
    ("001", "南浦街道", 28.676, 115.884, [
        "孺子路", "子固路", "珠宝街", "中山西路", "翠花街", "抚河北路", "棕帽巷", "磨子巷",
        "洗马池", "万寿宫", "胜利路", "渊明北路"]),
    ("002", "朝阳洲街道", 28.646, 115.862, [
        "朝阳", "朝农", "西站", "云锦", "九洲", "新洲", "朝阳新城", "沿江南路", "桃竹", "朝阳中路",
        "抚河南路"]),
    ("003", "广润门街道", 28.685, 115.876, [
        "广润门", "中大", "翘步街", "萧公庙", "合同巷", "环湖路", "醋巷", "王家池", "渊明南路"]),
    ("004", "站前街道", 28.662, 115.916, [
        "站前", "南站", "铁路一村", "铁路二村", "铁路三村", "贤士湖", "水产", "站前西路"]),
    ("005", "十字街街道", 28.672, 115.895, [
        "十字街", "筷子巷", "罗家塘", "铁街", "直冲巷", "书院街", "蓼洲街", "高桥", "象山南路",
        "杨家厂"]),
    ("006", "系马桩街道", 28.667, 115.904, [
        "系马桩", "干家巷", "皇殿侧", "下沙窝", "百花洲", "上沙窝", "马家池", "丁家巷", "灌婴路"]),
    ("007", "绳金塔街道", 28.655, 115.893, [
        "绳金塔", "进顺", "井头", "塔子桥", "前进", "德胜", "东书院", "船山路", "盐仓", "戴家巷"]),
    ("008", "桃花镇", 28.630, 115.868, [
        "桃花", "桃源", "桃新", "江大南路", "聚丰", "河坊", "南莲路", "新力", "桃花新村", "三家店",
        "抚生", "老福山", "红角洲"]),
    ("009", "西湖街道", 28.679, 115.900, [
        "西湖", "东湖", "南湖", "北湖", "苏圃路", "洪恩桥", "嘉宾巷", "佑民寺", "中山路"]),
    ("010", "丁公路街道", 28.658, 115.921, [
        "丁公路", "江西科技", "洪都", "二七南路", "省建", "青云谱路", "井冈山大道", "南大", "京家山"]),
]

# Qingyunpu (青云谱区, 360104), south-east of Xihu around the Bayi Avenue and the Hongdu works:
# three of its subdistricts, with a few communities each (the demo's smaller second district).
SECOND_CENTRE = (28.62, 115.92)
SECOND_SUBDISTRICTS = [
    ("001", "洪都街道", 28.632, 115.917, ["洪都", "洪都新村", "迎宾北大道", "昌南"]),
    ("002", "京山街道", 28.622, 115.905, ["京山", "京东", "广州路", "建设"]),
    ("003", "三家店街道", 28.610, 115.930, ["三家店", "施尧", "湖坊", "南钢"]),
]
# (centre, subdistricts) of each district the demo knows, by 6-digit county code.
TREES = {"360103": (CENTRE, SUBDISTRICTS), "360104": (SECOND_CENTRE, SECOND_SUBDISTRICTS)}

# Compound names: a residential stem + a suffix, or a work unit's staff quarters (宿舍),
# which are common in the old city.
COMPOUND_STEMS = [
    "阳光", "锦绣", "金色", "江景", "翠苑", "丽景", "幸福", "和平", "怡园", "百花", "东方", "书香",
    "紫金", "碧水", "盛世", "恒茂", "红谷", "洪城", "嘉园", "天虹", "南苑", "新华", "绿地", "名门",
    "世纪", "颐和", "滨江", "青山", "玉带", "象湖", "瑞景", "康城",
]
COMPOUND_SUFFIXES = ["小区", "花园", "苑", "家园", "新村", "公寓"]
WORK_UNITS = [
    "省直机关", "铁路", "江纺", "洪都", "省建三公司", "市二中", "省人民医院", "电业局", "邮电局",
    "市政公司", "粮食局", "卷烟厂", "江西日报社", "市一医院",
]


def _clamp(lat: float, lng: float, box: tuple[float, float, float, float] = BOX) -> tuple[float, float]:
    return (round(min(max(lat, box[0]), box[1]), 6), round(min(max(lng, box[2]), box[3]), 6))


def _household_count(rng: random.Random) -> int:
    """Households of a compound: old walk-up compounds of a few hundred, newer high-rise ones
    of one to three thousand; a median of about 500 (assumption for synthetic data)."""
    return int(min(3000, max(120, rng.lognormvariate(math.log(500), 0.6))))


def _compound_names(rng: random.Random, stem: str, count: int) -> list[str]:
    names = [f"{stem}小区"]
    while len(names) < count:
        if rng.random() < 0.25:
            name = f"{rng.choice(WORK_UNITS)}宿舍"
        else:
            name = rng.choice(COMPOUND_STEMS) + rng.choice(COMPOUND_SUFFIXES)
        if name not in names:
            names.append(name)
    return names


def seed_demo(*, district: Region, rng: random.Random, elders: int) -> str:
    """Build (or find) the district's tree: for Xihu about 10 subdistricts, 100 communities and
    400 compounds; for Qingyunpu 3, 12 and about 50. Another district gets Xihu's names (a
    test's district). `rng` and `elders` are not used: the tree does not depend on them."""
    tree_rng = random.Random(f"tree:{district.code}")  # same tree whatever the seed
    prefix = district.code[:6]
    centre, tree = TREES.get(prefix, TREES["360103"])
    box = _box(centre)
    subdistricts = communities = compounds = 0
    with transaction.atomic():
        for digits, name, lat, lng, stems in tree:
            sub, _created = Region.objects.get_or_create(
                code=f"{prefix}{digits}000",
                defaults={"name": name, "level": Region.Level.SUBDISTRICT, "parent": district,
                          "lat": lat, "lng": lng},
            )
            subdistricts += 1
            for i, stem in enumerate(stems, start=1):
                c_lat, c_lng = _clamp(lat + tree_rng.uniform(-0.008, 0.008),
                                      lng + tree_rng.uniform(-0.008, 0.008), box)
                community, _created = Region.objects.get_or_create(
                    code=f"{prefix}{digits}{i:03d}",
                    defaults={"name": f"{stem}社区", "level": Region.Level.COMMUNITY, "parent": sub,
                              "lat": c_lat, "lng": c_lng},
                )
                communities += 1
                existing = set(community.compounds.values_list("name", flat=True))
                new = []
                for compound_name in _compound_names(tree_rng, stem, tree_rng.randint(2, 6)):
                    p_lat, p_lng = _clamp(c_lat + tree_rng.uniform(-0.003, 0.003),
                                          c_lng + tree_rng.uniform(-0.003, 0.003), box)
                    households = _household_count(tree_rng)
                    if compound_name not in existing:
                        new.append(Compound(
                            community=community, region_code=community.code, name=compound_name,
                            lat=p_lat, lng=p_lng, household_count=households,
                        ))
                Compound.objects.bulk_create(new)  # region_code set above, as Compound.save does
                compounds += len(existing) + len(new)
    return _("%(subdistricts)d subdistricts, %(communities)d communities, %(compounds)d compounds") % {
        "subdistricts": subdistricts, "communities": communities, "compounds": compounds}
