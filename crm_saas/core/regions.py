"""China's provinces, cities and districts by name (C2), for the cascading picker and its checks.

The names come from the national administrative division list as packaged
by ``china-division`` (npm, modood/Administrative-divisions-of-China),
vendored verbatim under ``static/vendor/china-division/``: ``pca-*.json``
(the 31 mainland provinces) and ``HK-MO-TW-*.json`` (Hong Kong, Macao,
Taiwan), so customers there can be placed too. We store names, not codes,
because API.md exchanges names (上海市 / 上海市 / 浦东新区).

One change on loading: the list files the districts of Beijing, Tianjin,
Shanghai and Chongqing under the pseudo-cities "市辖区" (districts) and "县"
(Chongqing's counties). Nobody writes "上海市 / 市辖区 / 浦东新区", and API.md
names the municipality as its own city, so those parts become one city
named after the municipality. Everything else is kept as the list has it,
including "省直辖县级行政区划" (county-level cities such as 仙桃市 that report
straight to their province).

The data is read on first use and kept (``lru_cache``): no file is opened at
import time, and the 50 KB tree is parsed once per process.
"""
import json
from functools import lru_cache
from importlib.resources import files

from flask_babel import gettext as _

DATA_VERSION = "2.7.0"
DATA_FILES = (f"pca-{DATA_VERSION}.json", f"HK-MO-TW-{DATA_VERSION}.json")
LEVELS = ("province", "city", "district")

# The list's stand-ins for a municipality's city level.
_MUNICIPALITY_PARTS = frozenset({"市辖区", "县"})


@lru_cache(maxsize=1)
def _tree():
    """``{province: {city: (district, ...)}}`` in the list's order (mainland first, by code)."""
    folder = files("crm_saas") / "static" / "vendor" / "china-division"
    tree = {}
    for name in DATA_FILES:
        for province, cities in json.loads((folder / name).read_text(encoding="utf-8")).items():
            tree[province] = _with_municipality_as_city(province, cities)
    return tree


def _with_municipality_as_city(province, cities):
    if cities and set(cities) <= _MUNICIPALITY_PARTS:
        return {province: tuple(d for districts in cities.values() for d in districts)}
    return {city: tuple(districts) for city, districts in cities.items()}


def _clean(value):
    return (value or "").strip()


def provinces() -> list[str]:
    return list(_tree())


def cities(province) -> list[str]:
    return list(_tree().get(_clean(province), ()))


def districts(province, city) -> list[str]:
    return list(_tree().get(_clean(province), {}).get(_clean(city), ()))


def region_errors(province, city, district) -> dict[str, list[str]]:
    """Messages per field for a triple that does not hang together; ``{}`` when it does.

    Every level is optional (a customer may be known only by province), but
    a level below needs the one above and must belong to it. A city is only
    judged against a province from the list (else the province's message
    says it all), and a district only against a valid city.
    """
    province, city, district = _clean(province), _clean(city), _clean(district)
    tree = _tree()
    errors = {}
    if province and province not in tree:
        errors["province"] = [_("Choose a province from the list.")]
    if city:
        if not province:
            errors["city"] = [_("Choose the province first.")]
        elif province in tree and city not in tree[province]:
            errors["city"] = [_("Choose a city of %(province)s.", province=province)]
    if district:
        if not city:
            errors["district"] = [_("Choose the city first.")]
        elif city in tree.get(province, {}) and district not in tree[province][city]:
            errors["district"] = [_("Choose a district of %(city)s.", city=city)]
    return errors


def follow_change(province, city, district, changed=None) -> dict[str, str]:
    """The picker's values after the user changed one level: what no longer belongs is cleared.

    ``changed`` is the level the user touched ("province", "city",
    "district"); the levels below it are kept only if they still belong to
    their new parent. Levels at or above it are left alone, so an old value
    that is no longer in the list survives a change further down. With no
    ``changed`` (a plain request), every level is checked.
    """
    region = {"province": _clean(province), "city": _clean(city), "district": _clean(district)}
    start = LEVELS.index(changed) + 1 if changed in LEVELS else 0
    if start <= 1 and region["city"] not in cities(region["province"]):
        region["city"] = ""
    if start <= 2 and region["district"] not in districts(region["province"], region["city"]):
        region["district"] = ""
    return region
