"""USCC (GB 32100-2015 + GB 11714) and GTIN helpers of ``industrybrain.kit.ids``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from industrybrain.kit.ids import (
    USCC_ALPHABET,
    USCC_WEIGHTS,
    gtin_check_digit,
    is_valid_gtin,
    is_valid_org_code,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    org_code_check_char,
    uscc_check_char,
)

VECTORS = Path(__file__).parents[2] / ".." / "shared" / "reference" / "uscc_test_vectors.txt"


def _vectors() -> list[tuple[str, bool, str]]:
    rows = []
    for line in VECTORS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, stdnum_valid, expected = line.split()
        rows.append((code, stdnum_valid == "True", expected))
    return rows


def test_vectors_file_is_read() -> None:
    vectors = _vectors()
    assert len(vectors) == 11
    # The file holds invalid vectors on purpose: the first one carries a wrong check character.
    assert sum(not valid for _, valid, _ in vectors) == 1


@pytest.mark.parametrize(("code", "stdnum_valid", "expected"), _vectors())
def test_uscc_vectors(code: str, stdnum_valid: bool, expected: str) -> None:
    # expected_check_char is the correct check character of the first 17 characters, also for the
    # invalid vector (whose last character differs from it): that is why stdnum rejects it.
    assert uscc_check_char(code[:17]) == expected
    assert (code[17] == expected) == stdnum_valid
    # Every vector's embedded organisation code is itself valid, so our stricter validation
    # (which also checks GB 11714) agrees with python-stdnum on these vectors.
    assert is_valid_org_code(code[8:17])
    assert is_valid_uscc(code) == stdnum_valid


def test_remainder_31_written_as_zero() -> None:
    code = make_uscc(np.random.default_rng(3), "331081", check_zero=True)
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    assert total % 31 == 0
    assert code[17] == "0"
    assert is_valid_uscc(code)


def test_org_code_x_and_zero_cases() -> None:
    # weights 3,7,9,10,5,8,4,2: sum 0 -> 11 - 0 = 11 -> '0'; sum 12 (6 * 2) -> 11 - 1 = 10 -> 'X'
    assert org_code_check_char("00000000") == "0"
    assert org_code_check_char("00000006") == "X"
    assert org_code_check_char("00000005") == "1"


def test_org_code_known() -> None:
    assert org_code_check_char("D2143569") == "X"  # the classic GB 11714 example D2143569-X
    assert is_valid_org_code("D2143569X")
    assert not is_valid_org_code("D21435691")


def test_normalize_uscc_full_width() -> None:
    assert normalize_uscc(" ９１１１００００６０００３７３４１ｌ ") == "91110000600037341L"
    assert normalize_uscc("9111-0000 6000 37341l") == "91110000600037341L"
    assert is_valid_uscc(normalize_uscc("９１１１００００６０００３７３４１Ｌ"))


def test_invalid_shapes() -> None:
    assert not is_valid_uscc("")
    assert not is_valid_uscc("91110000600037341")  # 17 characters
    assert not is_valid_uscc("91110000600037341I")  # I is not in the alphabet
    assert not is_valid_uscc("01110000600037341L")  # department 0 does not exist
    with pytest.raises(ValueError):
        uscc_check_char("9111000060003734O")


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), new_style=st.booleans())
def test_every_substitution_and_adjacent_transposition_is_detected(
    seed: int, new_style: bool
) -> None:
    code = make_uscc(np.random.default_rng(seed), "331081", new_style=new_style)
    assert is_valid_uscc(code)
    for position in range(18):
        for char in USCC_ALPHABET:
            if char != code[position]:
                mutated = code[:position] + char + code[position + 1 :]
                assert not is_valid_uscc(mutated), (code, mutated)
    for position in range(17):
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2 :]
            assert not is_valid_uscc(swapped), (code, swapped)


def test_transposition_detection_holds_for_the_weights() -> None:
    # The proof behind the property test: a transposition of values a != b at positions i, i+1
    # changes the weighted sum by (a - b) * (w_i - w_{i+1}); with 31 prime that is 0 mod 31 only
    # if w_i == w_{i+1} mod 31. Position 18 (the check character) has weight 1 in the equation
    # sum + check == 0 (mod 31). No adjacent pair of weights is equal, so no transposition hides.
    weights = [*USCC_WEIGHTS, 1]
    assert all((weights[i] - weights[i + 1]) % 31 != 0 for i in range(17))
    assert all(w % 31 != 0 for w in weights)


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), check_zero=st.booleans())
def test_make_uscc_is_valid(seed: int, check_zero: bool) -> None:
    code = make_uscc(np.random.default_rng(seed), "330100", check_zero=check_zero)
    assert is_valid_uscc(code)
    assert code[2:8] == "330100"
    assert not set(code) & set("IOZSV")


def test_gtin() -> None:
    assert gtin_check_digit("629104150021") == "3"  # GS1 example 6291041500213
    assert is_valid_gtin("6291041500213")
    assert is_valid_gtin("4006381333931")
    assert not is_valid_gtin("4006381333932")
    assert is_valid_gtin("96385074")  # GTIN-8
    assert is_valid_gtin("00012345600012")  # GTIN-14
    assert not is_valid_gtin("12345")


@given(body=st.text(alphabet="0123456789", min_size=12, max_size=12), pos=st.integers(0, 12))
def test_gtin_single_digit_errors_detected(body: str, pos: int) -> None:
    code = body + gtin_check_digit(body)
    for digit in "0123456789":
        if digit != code[pos]:
            assert not is_valid_gtin(code[:pos] + digit + code[pos + 1 :])
