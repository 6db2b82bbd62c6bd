"""Index methods reproduced from small hand-computed examples (docs/insight-methods.md)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from industrybrain.modules.insight.indices import (
    IndexInputError,
    chained_laspeyres,
    composite_index,
    diffusion_index,
    prosperity_index,
    seasonal_factors,
    seasonally_adjust,
    sub_indices,
    template_price_index,
)
from industrybrain.templates import load_template


def _panel(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["enterprise_id", "month", "value"])


def _by_month(frame: pd.DataFrame, column: str = "index") -> dict[str, float]:
    return {
        str(month): float(value) for month, value in zip(frame["month"], frame[column], strict=True)
    }


def test_diffusion_month_on_month_hand_example() -> None:
    # Series shorter than 24 months are not seasonally adjusted (factors 1), so this is the
    # plain month-on-month comparison:
    #   A: 100, 110, 110  -> Feb rising,  Mar level
    #   B:  50,  40,  45  -> Feb falling, Mar rising
    #   C:  20,  20,  25  -> Feb level,   Mar rising
    #   D:  10,  12,  --  -> Feb rising,  Mar not counted (no value)
    # Feb: rising 2 (A, D), level 1 (C), falling 1 (B): 100 * (2 + 0.5 * 1) / 4 = 62.5
    # Mar: rising 2 (B, C), level 1 (A):               100 * (2 + 0.5 * 1) / 3 = 83.33
    # Jan has no previous month and no index.
    panel = _panel(
        [
            ("A", "2024-01", 100),
            ("A", "2024-02", 110),
            ("A", "2024-03", 110),
            ("B", "2024-01", 50),
            ("B", "2024-02", 40),
            ("B", "2024-03", 45),
            ("C", "2024-01", 20),
            ("C", "2024-02", 20),
            ("C", "2024-03", 25),
            ("D", "2024-01", 10),
            ("D", "2024-02", 12),
        ]
    )
    result = diffusion_index(panel, comparison="month_on_month_sa")
    assert _by_month(result) == pytest.approx({"2024-02": 62.5, "2024-03": 250 / 3})
    assert result["count"].tolist() == [4, 3]
    assert result[["rising", "level", "falling"]].values.tolist() == [[2, 1, 1], [2, 1, 0]]


def test_diffusion_year_on_year_hand_example() -> None:
    # E1 100 -> 120 rising, E2 80 -> 70 falling: 100 * (1 + 0) / 2 = 50 in 2024-01.
    panel = _panel(
        [
            ("E1", "2023-01", 100),
            ("E1", "2024-01", 120),
            ("E2", "2023-01", 80),
            ("E2", "2024-01", 70),
        ]
    )
    assert _by_month(diffusion_index(panel, comparison="year_on_year")) == {"2024-01": 50.0}


def test_seasonal_factors_of_a_periodic_series_are_its_pattern() -> None:
    # A series 100 x s_m repeating every 12 months, with the s_m averaging 1: the centred 2x12
    # moving average of a periodic series is its cycle mean, 100 (the two half-weighted ends are
    # the same calendar month), so every ratio value / trend is exactly s_m, and so is each
    # month's mean ratio. The adjusted series is flat at 100.
    pattern = np.array([0.8, 0.9, 1.0, 1.1, 1.2, 1.0, 1.0, 1.0, 0.9, 1.1, 1.0, 1.0])
    values = pd.Series(100 * np.tile(pattern, 3))
    assert seasonal_factors(values).to_numpy() == pytest.approx(np.tile(pattern, 3))
    assert seasonally_adjust(values).to_numpy() == pytest.approx(np.full(36, 100.0))
    # Shorter than two years, or non-positive: no adjustment.
    assert (seasonal_factors(values[:23]) == 1).all()
    assert (seasonal_factors(values - 100) == 1).all()


def test_diffusion_removes_seasonality_before_comparing() -> None:
    # Enterprise S repeats the pattern exactly: once adjusted it is flat at 100, so every month
    # is "level" and the index is 50 in all 35 comparable months. Unadjusted month-on-month
    # changes would follow the pattern (Feb up, Jun down, ...) and swing between 0 and 100.
    pattern = np.array([0.8, 0.9, 1.0, 1.1, 1.2, 1.0, 1.0, 1.0, 0.9, 1.1, 1.0, 1.0])
    months = pd.period_range("2021-01", periods=36, freq="M").astype(str)
    panel = _panel(list(zip(["S"] * 36, months, 100 * np.tile(pattern, 3), strict=True)))
    result = diffusion_index(panel)
    assert len(result) == 35
    assert (result["index"] == 50).all()
    assert (result["level"] == 1).all()


def test_composite_hand_example_renormalises_missing_components() -> None:
    # Feb: 0.6 * 62.5 + 0.4 * 40 = 37.5 + 16 = 53.5
    # Mar: sales missing, electricity alone: 83.33 * 0.6 / 0.6 = 83.33
    electricity = pd.DataFrame({"month": ["2024-02", "2024-03"], "index": [62.5, 250 / 3]})
    sales = pd.DataFrame({"month": ["2024-02"], "index": [40.0]})
    result = composite_index(
        {"electricity": electricity, "sales": sales}, {"electricity": 0.6, "sales": 0.4}
    )
    assert result["index"].tolist() == pytest.approx([53.5, 250 / 3])
    with pytest.raises(IndexInputError, match="no weight"):
        composite_index({"electricity": electricity}, {"sales": 1.0})


def test_prosperity_index_from_the_pumps_valves_template() -> None:
    # Template weights: electricity_kwh 0.30, sales_revenue 0.30, headcount 0.15,
    # export_value 0.25; comparison year_on_year. 2023-01 -> 2024-01:
    #   electricity: e1 100->110 up, e2 100->90 down, e3 50->50 level: (1 + 0.5) / 3 = 50
    #   sales:       e1 up, e2 up, e3 down:                           2 / 3       = 66.67
    #   headcount:   all level:                                       1.5 / 3     = 50
    #   export:      only e1 reports, up:                             1 / 1       = 100
    # composite = 0.30 * 50 + 0.30 * 66.67 + 0.15 * 50 + 0.25 * 100 = 15 + 20 + 7.5 + 25 = 67.5
    definition = next(d for d in load_template("pumps-valves").indices if d.kind == "prosperity")
    rows = []
    for series, values in {
        "electricity_kwh": {"e1": (100, 110), "e2": (100, 90), "e3": (50, 50)},
        "sales_revenue": {"e1": (10, 12), "e2": (10, 11), "e3": (10, 9)},
        "headcount": {"e1": (30, 30), "e2": (20, 20), "e3": (5, 5)},
        "export_value": {"e1": (3, 4)},
    }.items():
        for enterprise, (before, after) in values.items():
            rows.append((enterprise, "2023-01", series, before))
            rows.append((enterprise, "2024-01", series, after))
    indicators = pd.DataFrame(rows, columns=["enterprise_id", "month", "series", "value"])
    result = prosperity_index(indicators, definition)
    assert result["index"].tolist() == pytest.approx([67.5])
    assert result["sales_revenue"].tolist() == pytest.approx([200 / 3])


def test_chained_laspeyres_hand_example() -> None:
    # Base quantities q_A = 10, q_B = 5; prices A 2, 2.2, 2.42 and B 10, 9, 9.9.
    # Feb link: (2.2*10 + 9*5) / (2*10 + 10*5) = 67 / 70 = 0.957143 -> 95.7143
    # Mar link: (2.42*10 + 9.9*5) / (2.2*10 + 9*5) = 73.7 / 67 = 1.1 -> 105.2857
    # (with fixed quantities the chain equals the direct Laspeyres 73.7 / 70 = 1.052857)
    prices = pd.DataFrame(
        {
            "item": ["A", "A", "A", "B", "B", "B"],
            "month": ["2024-01", "2024-02", "2024-03"] * 2,
            "price": [2, 2.2, 2.42, 10, 9, 9.9],
            "weight": [10, 10, 10, 5, 5, 5],
        }
    )
    result = chained_laspeyres(prices)
    assert result["index"].tolist() == pytest.approx([100, 100 * 67 / 70, 100 * 73.7 / 70])
    assert result["link"].tolist()[1:] == pytest.approx([67 / 70, 1.1])


def test_chained_laspeyres_matched_items_and_quantities_of_previous_month() -> None:
    # Quantities vary by month: the link t-1 -> t uses the quantities of t-1.
    # C appears only in Mar: it is not in the Feb -> Mar link (no Feb price).
    # Feb link: (3*4 + 5*1) / (2*4 + 5*1) = 17 / 13
    # Mar link (q of Feb: A 2, B 3): (4*2 + 6*3) / (3*2 + 5*3) = 26 / 21
    prices = pd.DataFrame(
        {
            "item": ["A", "A", "A", "B", "B", "B", "C"],
            "month": ["2024-01", "2024-02", "2024-03"] * 2 + ["2024-03"],
            "price": [2, 3, 4, 5, 5, 6, 100],
            "weight": [4, 2, 1, 1, 3, 1, 1],
        }
    )
    result = chained_laspeyres(prices, base_value=50)
    assert result["index"].tolist() == pytest.approx([50, 50 * 17 / 13, 50 * 17 / 13 * 26 / 21])
    assert result["items"].tolist() == [2, 2, 2]
    with pytest.raises(IndexInputError, match="positive"):
        chained_laspeyres(prices.assign(price=0))


def test_template_price_index_turns_shares_into_base_quantities() -> None:
    # Shares cu 0.6, fe 0.4; base prices 50 and 4: q_cu = 0.6 / 50 = 0.012, q_fe = 0.4 / 4 = 0.1.
    # Link = (55*0.012 + 3.8*0.1) / (50*0.012 + 4*0.1) = (0.66 + 0.38) / 1 = 1.04 -> 104
    # (= 0.6 * 55/50 + 0.4 * 3.8/4: the share-weighted mean of price relatives).
    definition = SimpleNamespace(
        params={"materials": [{"code": "cu", "weight": 0.6}, {"code": "fe", "weight": 0.4}]},
        base_value=100.0,
    )
    prices = pd.DataFrame(
        {
            "item": ["cu", "cu", "fe", "fe", "other"],
            "month": ["2024-01", "2024-02"] * 2 + ["2024-02"],
            "price": [50, 55, 4, 3.8, 1],
        }
    )
    assert template_price_index(prices, definition)["index"].tolist() == pytest.approx([100, 104])


def test_sub_indices_by_town_hide_groups_of_fewer_than_three_enterprises() -> None:
    # Town X (3 enterprises): up, up, down -> 66.67; town Y has 2 enterprises and is left out.
    panel = _panel(
        [
            ("x1", "2024-01", 1),
            ("x1", "2024-02", 2),
            ("x2", "2024-01", 1),
            ("x2", "2024-02", 2),
            ("x3", "2024-01", 2),
            ("x3", "2024-02", 1),
            ("y1", "2024-01", 1),
            ("y1", "2024-02", 2),
            ("y2", "2024-01", 1),
            ("y2", "2024-02", 2),
        ]
    )
    panel["town"] = panel["enterprise_id"].str[0]
    result = sub_indices(panel, "town", diffusion_index, min_entities=3, entity="enterprise_id")
    assert result["group"].tolist() == ["x"]
    assert result["index"].tolist() == pytest.approx([200 / 3])
