"""Chain node graph from a template and the enterprise supply graph (CSR walks)."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import numpy as np
import pytest

from industrybrain.modules.chain.graph import (
    ChainGraph,
    Reached,
    SupplyGraph,
    UnknownNodeError,
    supply_graph_from_rows,
)
from industrybrain.templates import ChainNode, SupplyEdge, load_template


def _node(node_id: str, stage: str = "midstream", parent: str | None = None) -> ChainNode:
    return ChainNode(
        id=node_id, name_zh=node_id, name_en=node_id, stage=stage, parent=parent, keywords=["k"]
    )


def small_chain() -> ChainGraph:
    nodes = [
        _node("steel", "upstream"),
        _node("copper", "upstream"),
        _node("motor"),
        _node("casting", "upstream"),
        _node("pump", "downstream"),
        _node("well_pump", "downstream", parent="pump"),
    ]
    edges = [
        SupplyEdge(supplier="steel", buyer="casting", cost_share=0.6),
        SupplyEdge(supplier="copper", buyer="motor", cost_share=0.3),
        SupplyEdge(supplier="steel", buyer="motor", cost_share=0.2),
        SupplyEdge(supplier="motor", buyer="pump", cost_share=0.4),
        SupplyEdge(supplier="casting", buyer="pump", cost_share=0.2),
        SupplyEdge(supplier="motor", buyer="well_pump", cost_share=0.5),
    ]
    return ChainGraph(nodes, edges)


def test_chain_walks_with_least_depth() -> None:
    chain = small_chain()
    assert sorted(chain.upstream("pump"), key=lambda r: r.id) == [
        Reached("casting", 1),
        Reached("copper", 2),
        Reached("motor", 1),
        Reached("steel", 2),
    ]
    assert {r.id for r in chain.upstream("pump", depth=1)} == {"motor", "casting"}
    assert sorted((r.id, r.depth) for r in chain.downstream("steel")) == [
        ("casting", 1),
        ("motor", 1),
        ("pump", 2),
        ("well_pump", 2),
    ]
    assert chain.descendants("pump") == ["well_pump"]
    with pytest.raises(UnknownNodeError):
        chain.upstream("nope")


def test_chain_from_packaged_template() -> None:
    template = load_template("pumps-valves")
    chain = ChainGraph.from_template(template)
    assert len(chain.nodes) == len(template.chain.nodes)
    upstream = {r.id for r in chain.upstream("well_submersible_pump", depth=1)}
    assert "submersible_motor" in upstream
    deep = {r.id for r in chain.upstream("well_submersible_pump")}
    assert "copper_wire" in deep  # via the submersible motor


def _naive(edges: list[tuple[int, int]], start: int, direction: str, depth: int) -> dict[int, int]:
    neighbours: dict[int, list[int]] = {}
    for supplier, buyer in edges:
        a, b = (buyer, supplier) if direction == "up" else (supplier, buyer)
        neighbours.setdefault(a, []).append(b)
    seen = {start: 0}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if seen[current] >= depth:
            continue
        for other in neighbours.get(current, []):
            if other not in seen:
                seen[other] = seen[current] + 1
                queue.append(other)
    del seen[start]
    return seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_supply_graph_walks_match_a_plain_bfs(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    edges = [(int(a), int(b)) for a, b in rng.integers(0, n, size=(150, 2)) if a != b]
    ids = [f"E{i:03d}" for i in range(n)]
    graph = SupplyGraph.from_edges(
        [ids[a] for a, _ in edges], [ids[b] for _, b in edges], rng.random(len(edges))
    )
    graph.save(tmp_path / "g")
    loaded = SupplyGraph.load(tmp_path / "g")
    assert isinstance(loaded.out_indices, np.memmap)
    for start in range(0, n, 7):
        for direction in ("up", "down"):
            for depth in (1, 2, 3):
                expected = {ids[k]: v for k, v in _naive(edges, start, direction, depth).items()}
                got = {r.id: r.depth for r in loaded.walk(ids[start], direction, depth)}  # type: ignore[arg-type]
                assert got == expected


def test_duplicate_pairs_are_summed_and_suppliers_listed() -> None:
    graph = SupplyGraph.from_edges(["A", "A", "B"], ["C", "C", "C"], [1.0, 2.5, 4.0])
    assert graph.edge_count == 2
    assert sorted(graph.suppliers("C")) == [("A", 3.5), ("B", 4.0)]
    assert graph.upstream("A") == []
    with pytest.raises(UnknownNodeError):
        graph.downstream("Z")


def test_supply_graph_from_rows_skips_rows_without_a_party() -> None:
    rows = [
        {"s": "A", "b": "B", "amt": "2"},
        {"s": "", "b": "B", "amt": "5"},
        {"s": "B", "b": "C", "amt": "1"},
    ]
    graph = supply_graph_from_rows(rows, supplier="s", buyer="b", amount="amt")
    assert graph.edge_count == 2
    assert [(r.id, r.depth) for r in graph.downstream("A")] == [("B", 1), ("C", 2)]
