"""Standard identifiers: the unified social credit code (USCC) and GS1 GTINs.

Unified social credit code (统一社会信用代码), GB 32100-2015, 18 characters::

    9 1 331081 MA2ABCDE1 X
    | | |      |         `-- position 18: check character over positions 1..17
    | | |      `------------ positions 9..17: organisation code (GB 11714, own check character)
    | | `------------------- positions 3..8: registering administrative division (GB/T 2260)
    | `--------------------- position 2: category within that department (1, 2, 3, 9, ...)
    `----------------------- position 1: registration department (9 = market regulation, ...)

The USCC alphabet is ``0-9`` and the capital letters without I, O, Z, S and V (31 characters;
each character's value is its index). The check character is ``C18 = 31 - (sum mod 31)`` with
the weights ``3**i mod 31``; a result of 31 (sum divisible by 31) is written ``0``.

The embedded organisation code (GB 11714) has 8 body characters (digits, or letters valued
A=10 ... Z=35) with the weights 3, 7, 9, 10, 5, 8, 4, 2 and the check ``C9 = 11 - (sum mod 11)``,
where 10 is written ``X`` and 11 is written ``0``.

Every single-character substitution and every adjacent transposition of a valid USCC is detected:
31 is prime, every weight is non-zero mod 31, and consecutive weights differ (``3**(i+1) - 3**i =
2 * 3**i``, never 0 mod 31; the check position has weight 1, the one before it 28).
"""

from __future__ import annotations

import unicodedata

import numpy as np

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {char: index for index, char in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))
ORG_CODE_WEIGHTS: tuple[int, ...] = (3, 7, 9, 10, 5, 8, 4, 2)
# Registration departments of GB 32100-2015 (1 机构编制, 5 民政, 9 工商/市场监管, Y 其他, ...).
REGISTRATION_DEPARTMENTS = "123456789ANY"


def uscc_check_char(first17: str) -> str:
    """The check character (position 18) of a USCC given its first 17 characters."""
    body = normalize_uscc(first17)[:17]
    if len(body) != 17 or any(char not in _USCC_VALUE for char in body):
        raise ValueError(f"not 17 USCC characters: {first17!r}")
    total = sum(_USCC_VALUE[char] * weight for char, weight in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def _org_char_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    return ord(char) - ord("A") + 10


def org_code_check_char(first8: str) -> str:
    """The check character of a GB 11714 organisation code given its 8 body characters."""
    if len(first8) != 8 or not all(c.isascii() and (c.isdigit() or c.isupper()) for c in first8):
        raise ValueError(f"not 8 organisation code characters: {first8!r}")
    total = sum(
        _org_char_value(char) * weight
        for char, weight in zip(first8, ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return "X"
    if check == 11:
        return "0"
    return str(check)


def is_valid_org_code(code: str) -> bool:
    """True when ``code`` is a 9-character GB 11714 organisation code with a correct check."""
    if len(code) != 9:
        return False
    try:
        return org_code_check_char(code[:8]) == code[8]
    except ValueError:
        return False


def normalize_uscc(text: str) -> str:
    """Full-width to half-width (NFKC), inner and outer spaces and dashes removed, upper case."""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(char for char in folded if not char.isspace() and char != "-").upper()


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` (already normalised) is a well-formed USCC with both checks right."""
    if len(code) != 18 or any(char not in _USCC_VALUE for char in code):
        return False
    if code[0] not in REGISTRATION_DEPARTMENTS or not code[1].isdigit() or code[1] == "0":
        return False
    if not code[2:8].isdigit():
        return False
    if not is_valid_org_code(code[8:17]):
        return False
    return uscc_check_char(code[:17]) == code[17]


# Organisation code body characters that can also appear in a USCC (no I, O, Z, S, V).
_ORG_LETTERS = "ABCDEFGHJKLMNPQRTUWXY"
_ORG_CHARS = "0123456789" + _ORG_LETTERS


def _draw(rng: np.random.Generator, high: int) -> int:
    return int(rng.integers(0, high))


def make_uscc(
    rng: np.random.Generator,
    region_code: str,
    *,
    department: str = "9",
    category: str = "1",
    new_style: bool = True,
    check_zero: bool = False,
) -> str:
    """A random valid USCC registered in ``region_code`` (6 digits).

    ``new_style`` draws organisation codes like those issued since 2015 (``MA`` + 6 characters);
    otherwise 8 digits as in the old organisation code certificates. ``check_zero`` draws until
    the weighted sum is divisible by 31, the case whose check character is ``0``.
    """
    if len(region_code) != 6 or not region_code.isdigit():
        raise ValueError(f"region code must be 6 digits: {region_code!r}")
    while True:
        if new_style:
            body = "MA" + "".join(_ORG_CHARS[_draw(rng, len(_ORG_CHARS))] for _ in range(6))
        else:
            body = "".join(str(_draw(rng, 10)) for _ in range(8))
        first17 = department + category + region_code + body + org_code_check_char(body)
        check = uscc_check_char(first17)
        if not check_zero or check == "0":
            return first17 + check


# --- GS1 GTIN (GTIN-8, -12, -13, -14) -------------------------------------------------------


def gtin_check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit for a GTIN without its check digit (7, 11, 12 or 13 digits)."""
    if not digits.isascii() or not digits.isdigit() or len(digits) not in (7, 11, 12, 13):
        raise ValueError(f"not a GTIN body: {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return str((10 - total % 10) % 10)


def is_valid_gtin(code: str) -> bool:
    """True for a GTIN-8, -12, -13 or -14 with the right check digit."""
    if not code.isascii() or not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    return gtin_check_digit(code[:-1]) == code[-1]
