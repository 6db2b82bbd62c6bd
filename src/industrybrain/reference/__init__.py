"""Public reference code lists packaged with Industry Brain (each folder keeps its SOURCE.md).

- ``gbt4754_2017``: GB/T 4754-2017 national industry classification (国民经济行业分类).
- ``china_admin_divisions``: GB/T 2260 provinces, cities, counties; Zhejiang towns (乡镇/街道).
- ``harmonized_system``: HS 2022 codes with English descriptions.

Loaded lazily and cached; plain dataclasses so that any module can use them.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).parent


def _rows(relative: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / relative).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class IndustryClass:
    code: str  # section letter (A), division (13), group (133) or class (1331)
    level: int  # 1 section, 2 division, 3 group, 4 class
    name: str
    description: str
    parent: str | None


@lru_cache(maxsize=1)
def industry_classes() -> dict[str, IndustryClass]:
    """GB/T 4754-2017 codes at every level, keyed by code."""
    result: dict[str, IndustryClass] = {}
    for row in _rows("gbt4754_2017/gbt4754_2017.csv"):
        level = int(row["level"])
        code = [row["section"], row["division"], row["group"], row["class"]][level - 1]
        parent = None
        if level == 2:
            parent = row["section"]
        elif level == 3:
            parent = row["division"]
        elif level == 4:
            parent = row["group"]
        result[code] = IndustryClass(code, level, row["name"], row["remark"], parent)
    return result


@dataclass(frozen=True)
class HSCode:
    code: str
    description: str
    parent: str | None
    level: int


@lru_cache(maxsize=1)
def hs_codes() -> dict[str, HSCode]:
    """HS 2022 chapters (2 digits), headings (4) and subheadings (6), keyed by code."""
    return {
        row["hscode"]: HSCode(
            row["hscode"],
            row["description"],
            None if row["parent"] == "TOTAL" else row["parent"],
            int(row["level"]),
        )
        for row in _rows("harmonized_system/harmonized-system.csv")
    }


@dataclass(frozen=True)
class Region:
    code: str  # 2-digit province, 4-digit city, 6-digit county
    name: str
    parent: str | None


@lru_cache(maxsize=1)
def regions() -> dict[str, Region]:
    """Provinces, cities and counties (GB/T 2260), keyed by code."""
    result = {
        row["code"]: Region(row["code"], row["name"], None)
        for row in _rows("china_admin_divisions/provinces.csv")
    }
    for row in _rows("china_admin_divisions/cities.csv"):
        result[row["code"]] = Region(row["code"], row["name"], row["provinceCode"])
    for row in _rows("china_admin_divisions/areas.csv"):
        result[row["code"]] = Region(row["code"], row["name"], row["cityCode"])
    return result


@dataclass(frozen=True)
class Town:
    county_code: str
    province: str
    city: str
    county: str
    name: str


@lru_cache(maxsize=1)
def zhejiang_towns() -> list[Town]:
    return [
        Town(row["county_code"], row["province"], row["city"], row["county"], row["town"])
        for row in _rows("china_admin_divisions/zhejiang_towns.csv")
    ]


def towns_of_county(county_code: str) -> list[Town]:
    return [town for town in zhejiang_towns() if town.county_code == county_code]
