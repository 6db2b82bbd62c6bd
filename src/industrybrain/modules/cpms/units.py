"""Units of CPMS attributes: canonical units, the spellings enterprises use, and conversions.

Every canonical unit (the ``unit`` of an attribute: ``m3/h``, ``kW``, ``MPa`` ...) belongs to a
dimension; every spelling (``立方米/小时``, ``m³/h``, ``千瓦``, ``kgf/cm²``, ``rpm`` ...) is an
alias with a factor to the dimension's base unit. A value in unit ``u`` converts to the
attribute's unit ``a`` by ``value * factor(u) / factor(a)`` when both share a dimension; a unit
of another dimension is a ``unit_mismatch``. Temperatures have no alias with an offset (°F is
not accepted), so every conversion here is a plain factor.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    dimension: str
    factor: float  # to the dimension's base unit


_UNITS: dict[str, tuple[str, float, tuple[str, ...]]] = {
    # canonical: (dimension, factor to base, aliases)
    "m3/h": ("flow", 1.0, ("m³/h", "m^3/h", "立方米/小时", "立方米/时", "方/小时", "方/时", "cmh")),
    "L/min": ("flow", 0.06, ("l/min", "升/分", "升/分钟", "lpm")),
    "L/s": ("flow", 3.6, ("l/s", "升/秒")),
    "m3/s": ("flow", 3600.0, ("m³/s", "立方米/秒")),
    "m": ("length", 1.0, ("米", "meter", "metre")),
    "mm": ("length", 0.001, ("毫米",)),
    "cm": ("length", 0.01, ("厘米",)),
    "km": ("length", 1000.0, ("千米", "公里")),
    "kW": ("power", 1000.0, ("kw", "千瓦", "KW")),
    "W": ("power", 1.0, ("w", "瓦", "瓦特")),
    "MW": ("power", 1e6, ("兆瓦",)),
    "hp": ("power", 745.7, ("HP", "马力")),
    "kVA": ("apparent_power", 1000.0, ("kva", "千伏安")),
    "VA": ("apparent_power", 1.0, ("va", "伏安")),
    "r/min": ("speed", 1.0, ("rpm", "RPM", "r/m", "转/分", "转/分钟", "min-1", "min⁻¹")),
    "r/s": ("speed", 60.0, ("转/秒",)),
    "%": ("ratio", 1.0, ("％", "百分比")),
    "MPa": ("pressure", 1e6, ("mpa", "兆帕")),
    "kPa": ("pressure", 1e3, ("kpa", "千帕")),
    "Pa": ("pressure", 1.0, ("pa", "帕")),
    "bar": ("pressure", 1e5, ("Bar", "BAR", "巴")),
    "kgf/cm2": ("pressure", 98066.5, ("kgf/cm²", "kg/cm2", "kg/cm²", "公斤力/平方厘米")),
    "V": ("voltage", 1.0, ("v", "伏", "伏特")),
    "kV": ("voltage", 1000.0, ("kv", "千伏")),
    "A": ("current", 1.0, ("a", "安", "安培")),
    "kA": ("current", 1000.0, ("ka", "千安")),
    "mA": ("current", 0.001, ("ma", "毫安")),
    "kg": ("mass", 1.0, ("KG", "Kg", "公斤", "千克")),
    "g": ("mass", 0.001, ("克",)),
    "t": ("mass", 1000.0, ("吨", "T")),
    "°C": ("temperature", 1.0, ("℃", "C", "摄氏度", "度", "oC")),
    "s": ("time", 1.0, ("秒", "sec")),
    "ms": ("time", 0.001, ("毫秒",)),
    "min": ("time", 60.0, ("分钟",)),
    "h": ("time", 3600.0, ("小时", "hr")),
    "m/min": ("velocity", 1.0 / 60.0, ("米/分", "米/分钟")),
    "m/s": ("velocity", 1.0, ("米/秒",)),
    "Hz": ("frequency", 1.0, ("hz", "赫兹")),
    "dB(A)": ("sound", 1.0, ("dB", "db", "dBA", "分贝")),
    "μF": ("capacitance", 1.0, ("uF", "µF", "微法")),
    "spm": ("stitch_rate", 1.0, ("针/分", "针/分钟")),
    "次": ("count", 1.0, ("times", "cycles")),
}

UNITS: dict[str, Unit] = {}
CANONICAL: dict[str, str] = {}  # any spelling -> canonical unit
for _canonical, (_dimension, _factor, _aliases) in _UNITS.items():
    for _spelling in (_canonical, *_aliases):
        UNITS[_spelling] = Unit(_dimension, _factor)
        CANONICAL[_spelling] = _canonical

_FULL_WIDTH = {chr(0xFF01 + i): chr(0x21 + i) for i in range(94)}
FULL_WIDTH_FROM = list(_FULL_WIDTH)
FULL_WIDTH_TO = list(_FULL_WIDTH.values())


_HALF_WIDTH_TABLE = str.maketrans({**_FULL_WIDTH, "\u3000": " "})


def to_half_width(text: str) -> str:
    """Full-width ASCII (``１５``, ``（``) to half-width, ideographic space to space."""
    return text.translate(_HALF_WIDTH_TABLE)


def normalize_unit(text: str) -> str:
    """The spelling as a lookup key: half-width, NFKC (``³`` stays), no spaces."""
    return to_half_width(text).strip().replace(" ", "")


def lookup(text: str) -> Unit | None:
    key = normalize_unit(text)
    return UNITS.get(key) or UNITS.get(key.lower())


def canonical(text: str) -> str | None:
    key = normalize_unit(text)
    return CANONICAL.get(key) or CANONICAL.get(key.lower())


def factor(source: str, target: str) -> float | None:
    """Multiply a value in ``source`` by this to get ``target``; None across dimensions."""
    a, b = lookup(source), lookup(target)
    if a is None or b is None or a.dimension != b.dimension:
        return None
    return a.factor / b.factor


def conversion_table(target: str) -> dict[str, float]:
    """Every known spelling of ``target``'s dimension -> factor to ``target`` (lower-case keys
    too), for a vectorised ``replace_strict``."""
    base = lookup(target)
    if base is None:
        return {normalize_unit(target): 1.0}
    table: dict[str, float] = {}
    for spelling, unit in UNITS.items():
        if unit.dimension == base.dimension:
            table[spelling] = unit.factor / base.factor
            table.setdefault(spelling.lower(), unit.factor / base.factor)
    return table


_BY_LENGTH = sorted(CANONICAL, key=len, reverse=True)
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
QUANTITY_PATTERN = rf"^\s*({_NUMBER})\s*(\S.*?)?\s*$"
_QUANTITY = re.compile(QUANTITY_PATTERN)
_BRACKET = re.compile(r"^(.*?)[\s]*[(\[]([^()\[\]]*)[)\]]\s*$")


def parse_quantity(text: str) -> tuple[float, str | None] | None:
    """``"15 m³/h"`` -> ``(15.0, "m³/h")``; ``"１５"`` -> ``(15.0, None)``; ``"约15"`` -> None."""
    match = _QUANTITY.match(to_half_width(unicodedata.normalize("NFC", text)).replace(",", ""))
    if not match:
        return None
    return float(match.group(1)), match.group(2)


def split_header(header: str) -> tuple[str, str | None]:
    """``"流量(m³/h)"`` -> ``("流量", "m³/h")`` when the bracket holds a known unit, else the
    header unchanged; also ``"功率kW"`` -> ``("功率", "kW")``."""
    text = to_half_width(header).strip()
    for spelling in _BY_LENGTH:  # units with their own brackets first: 噪声(dB(A))
        if "(" in spelling and text.endswith(f"({spelling})") and len(text) > len(spelling) + 2:
            return text[: -len(spelling) - 2].strip(), CANONICAL[spelling]
    match = _BRACKET.match(text)
    if match and lookup(match.group(2)) is not None:
        return match.group(1).strip(), canonical(match.group(2))
    for spelling in _BY_LENGTH:
        if len(spelling) >= 2 and text.endswith(spelling) and len(text) > len(spelling):
            head = text[: -len(spelling)].strip()
            if head and not head[-1].isascii():
                return head, CANONICAL[spelling]
    return text, None
