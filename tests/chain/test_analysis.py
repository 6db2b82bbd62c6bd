"""Chain analysis on a small hand-made chain: figures, weak links, HHI, single points."""

from __future__ import annotations

import pytest

from industrybrain.modules.chain.analysis import (
    EnterpriseFigures,
    concentration,
    hhi,
    node_figures,
    single_points_of_failure,
    weak_links,
)

from .test_graph import small_chain

ENTERPRISES = [
    EnterpriseFigures("P1", ("pump",), True, 10_000.0, 8_000.0),
    EnterpriseFigures("P2", ("well_pump",), False, 2_000.0, 2_000.0),
    EnterpriseFigures("M1", ("motor",), True, 900.0, 1_000.0),
    EnterpriseFigures("C1", ("casting",), False, 300.0, None),
    EnterpriseFigures("C2", ("casting",), False, 100.0, None),
    EnterpriseFigures("X1", ("casting", "motor"), False, 200.0, 100.0),
]


def test_node_figures_count_output_growth_and_sub_nodes() -> None:
    figures = node_figures(small_chain(), ENTERPRISES)
    pump = figures["pump"]
    assert (pump.enterprises, pump.above_scale) == (2, 1)  # P2 sits on the sub-node
    assert pump.output == 12_000.0
    assert pump.growth == pytest.approx(12_000 / 10_000 - 1)
    motor = figures["motor"]
    assert motor.enterprises == 2 and motor.output == 900.0 + 100.0  # X1 split over 2 nodes
    # Like for like: only X1 reports a previous output (100 split over its two nodes).
    assert figures["casting"].growth == pytest.approx(100 / 50 - 1)
    assert motor.growth == pytest.approx((900 + 100) / (1_000 + 50) - 1)
    assert figures["copper"].enterprises == 0 and figures["copper"].growth is None
    own = node_figures(small_chain(), ENTERPRISES, include_sub_nodes=False)
    assert own["pump"].enterprises == 1


def test_weak_and_missing_links_with_reasons() -> None:
    gaps = {gap.node: gap for gap in weak_links(small_chain(), ENTERPRISES)}
    # motor demand: pump 0.4 x 10,000 + well_pump 0.5 x 2,000 = 5,000; supply 1,000 -> weak.
    motor = gaps["motor"]
    assert motor.kind == "weak"
    assert motor.local_demand == pytest.approx(5_000.0)
    assert motor.local_supply == pytest.approx(1_000.0)
    assert "20%" in motor.reason and "pump" in motor.reason
    # copper: 0.3 x motor's 1,000 = 300, nobody local -> missing.
    assert gaps["copper"].kind == "missing"
    assert gaps["copper"].local_demand == pytest.approx(300.0)
    assert "no local supplier" in gaps["copper"].reason
    # casting: demand 0.2 x 10,000 = 2,000; supply 300+100+100 = 500 -> weak (25%).
    assert gaps["casting"].coverage == pytest.approx(0.25)
    # steel: 0.6 x 500 + 0.2 x 1,000 = 500, nobody local -> missing.
    assert gaps["steel"].kind == "missing"
    assert set(gaps) == {"motor", "copper", "casting", "steel"}
    ordered = [gap.node for gap in weak_links(small_chain(), ENTERPRISES)]
    assert ordered == ["motor", "casting", "steel", "copper"]  # by gap, largest first


def test_well_supplied_node_is_not_a_gap() -> None:
    rich = [*ENTERPRISES, EnterpriseFigures("M2", ("motor",), True, 9_000.0, 9_000.0)]
    assert "motor" not in {gap.node for gap in weak_links(small_chain(), rich)}


def test_hhi() -> None:
    assert hhi([100.0]) == pytest.approx(10_000.0)
    assert hhi([1.0, 1.0, 1.0, 1.0]) == pytest.approx(2_500.0)
    assert hhi([]) == 0.0
    indices = concentration(small_chain(), ENTERPRISES)
    # casting: C1 300, C2 100, X1 100 -> shares 60/20/20.
    assert indices["casting"] == pytest.approx(3_600 + 400 + 400)
    assert indices["pump"] == pytest.approx((100 * 10 / 12) ** 2 + (100 * 2 / 12) ** 2)


def test_single_points_of_failure() -> None:
    points = {point.node: point for point in single_points_of_failure(small_chain(), ENTERPRISES)}
    # motor rests on M1 and X1; casting on three enterprises; copper/steel on none.
    assert set(points) == {"motor"}
    assert points["motor"].enterprise_ids == ("M1", "X1")
    assert "2 enterprise(s)" in points["motor"].reason
