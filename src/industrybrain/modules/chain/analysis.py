"""Chain analysis: pure functions over a chain graph and per-enterprise figures.

- :func:`node_figures`: per node, local enterprise count, above-designated-size (规上) count,
  output and growth; a node's figures include its sub-nodes.
- :func:`weak_links`: nodes whose local supply is small or nil next to local demand, as a
  补链招商 (investment attraction to complete the chain) target list with reasons. Local demand
  for a supplier node is the sum over its edges of ``cost_share x output of the buyer node``;
  the buyer's output counts only enterprises tagged at the buyer node itself (a sub-node has
  its own edges), while the supplier's local supply includes its sub-nodes.
- :func:`concentration`: supplier concentration per node, as the Herfindahl-Hirschman index
  (sum of squared output shares, 0-10,000).
- :func:`single_points_of_failure`: nodes with local demand whose local supply rests on two
  enterprises or fewer.

Money is in 万元 like the sources; nothing here reads a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from industrybrain.modules.chain.graph import ChainGraph


@dataclass(frozen=True)
class EnterpriseFigures:
    """One enterprise as the analysis sees it: its chain nodes and output (万元)."""

    enterprise_id: str
    nodes: tuple[str, ...]
    above_scale: bool = False
    output: float = 0.0
    output_previous: float | None = None


@dataclass
class NodeFigures:
    node: str
    enterprises: int = 0
    above_scale: int = 0
    output: float = 0.0
    output_previous: float = 0.0  # of the enterprises that report both periods
    output_comparable: float = 0.0  # this period's output of those same enterprises
    enterprise_ids: list[str] = field(default_factory=list)

    @property
    def growth(self) -> float | None:
        """Like-for-like output growth (enterprises with both periods), None without them."""
        if self.output_previous <= 0:
            return None
        return self.output_comparable / self.output_previous - 1.0


def _split(enterprise: EnterpriseFigures) -> float:
    # An enterprise on several nodes splits its output evenly rather than counting it twice.
    return 1.0 / max(1, len(enterprise.nodes))


def node_figures(
    graph: ChainGraph, enterprises: Iterable[EnterpriseFigures], *, include_sub_nodes: bool = True
) -> dict[str, NodeFigures]:
    """Figures of every node of ``graph`` (nodes without enterprises get zeros)."""
    own: dict[str, NodeFigures] = {node_id: NodeFigures(node_id) for node_id in graph.nodes}
    members: dict[str, list[tuple[EnterpriseFigures, float]]] = defaultdict(list)
    for enterprise in enterprises:
        share = _split(enterprise)
        for node_id in enterprise.nodes:
            if node_id in own:
                members[node_id].append((enterprise, share))
    result: dict[str, NodeFigures] = {}
    for node_id in graph.nodes:
        scope = [node_id, *graph.descendants(node_id)] if include_sub_nodes else [node_id]
        figures = NodeFigures(node_id)
        seen: set[str] = set()
        for member_node in scope:
            for enterprise, share in members.get(member_node, []):
                figures.output += enterprise.output * share
                if enterprise.output_previous is not None:
                    figures.output_previous += enterprise.output_previous * share
                    figures.output_comparable += enterprise.output * share
                if enterprise.enterprise_id in seen:
                    continue
                seen.add(enterprise.enterprise_id)
                figures.enterprises += 1
                figures.above_scale += int(enterprise.above_scale)
                figures.enterprise_ids.append(enterprise.enterprise_id)
        result[node_id] = figures
    return result


@dataclass(frozen=True)
class DemandPart:
    buyer: str
    cost_share: float
    buyer_output: float

    @property
    def demand(self) -> float:
        return self.cost_share * self.buyer_output


@dataclass(frozen=True)
class LinkGap:
    """A 补链招商 target: a node whose local supply falls short of local demand."""

    node: str
    kind: Literal["missing", "weak"]
    local_demand: float
    local_supply: float
    enterprises: int
    demand_parts: tuple[DemandPart, ...]
    reason: str

    @property
    def coverage(self) -> float:
        return self.local_supply / self.local_demand if self.local_demand else 1.0

    @property
    def gap(self) -> float:
        return max(0.0, self.local_demand - self.local_supply)


def local_demand(
    graph: ChainGraph, own_figures: dict[str, NodeFigures]
) -> dict[str, list[DemandPart]]:
    """Demand parts per supplier node from edges x the buyer nodes' own output."""
    parts: dict[str, list[DemandPart]] = defaultdict(list)
    for edge in graph.edges:
        buyer_output = own_figures[edge.buyer].output if edge.buyer in own_figures else 0.0
        if buyer_output > 0:
            parts[edge.supplier].append(DemandPart(edge.buyer, edge.cost_share, buyer_output))
    return parts


def weak_links(
    graph: ChainGraph,
    enterprises: Iterable[EnterpriseFigures],
    *,
    weak_below: float = 0.5,
) -> list[LinkGap]:
    """Nodes with no local supply (missing) or supply below ``weak_below`` x demand (weak).

    Sorted by the gap (demand - supply), largest first.
    """
    enterprises = list(enterprises)
    own = node_figures(graph, enterprises, include_sub_nodes=False)
    rolled = node_figures(graph, enterprises, include_sub_nodes=True)
    gaps: list[LinkGap] = []
    for node_id, parts in local_demand(graph, own).items():
        demand = sum(part.demand for part in parts)
        supply = rolled[node_id].output
        count = rolled[node_id].enterprises
        main = sorted(parts, key=lambda part: -part.demand)[:3]
        buyers = "; ".join(
            f"{part.buyer} ({part.cost_share:.0%} of output {part.buyer_output:,.0f})"
            for part in main
        )
        if count == 0 or supply <= 0:
            kind: Literal["missing", "weak"] = "missing"
            reason = (
                f"no local supplier of {node_id}; local demand {demand:,.0f} 万元 from {buyers}"
            )
        elif supply < weak_below * demand:
            kind = "weak"
            reason = (
                f"local supply {supply:,.0f} 万元 from {count} enterprise(s) covers "
                f"{supply / demand:.0%} of local demand {demand:,.0f} 万元 from {buyers}"
            )
        else:
            continue
        gaps.append(LinkGap(node_id, kind, demand, supply, count, tuple(main), reason))
    gaps.sort(key=lambda gap: (-gap.gap, gap.node))
    return gaps


def hhi(outputs: Iterable[float]) -> float:
    """Herfindahl-Hirschman index of output shares in percent points (0-10,000)."""
    values = [max(0.0, value) for value in outputs]
    total = sum(values)
    if total <= 0:
        return 0.0
    return sum((100.0 * value / total) ** 2 for value in values)


def concentration(graph: ChainGraph, enterprises: Iterable[EnterpriseFigures]) -> dict[str, float]:
    """HHI of local suppliers' output per node (sub-nodes included); nodes without output absent."""
    enterprises = list(enterprises)
    by_node: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for enterprise in enterprises:
        share = _split(enterprise)
        for node_id in enterprise.nodes:
            if node_id not in graph.nodes:
                continue
            for scope_node in [node_id, *_ancestors(graph, node_id)]:
                by_node[scope_node][enterprise.enterprise_id] += enterprise.output * share
    return {
        node_id: hhi(outputs.values())
        for node_id, outputs in by_node.items()
        if sum(outputs.values()) > 0
    }


def _ancestors(graph: ChainGraph, node_id: str) -> list[str]:
    result: list[str] = []
    parent = graph.nodes[node_id].parent
    while parent and parent in graph.nodes and parent not in result:
        result.append(parent)
        parent = graph.nodes[parent].parent
    return result


@dataclass(frozen=True)
class SinglePoint:
    node: str
    enterprise_ids: tuple[str, ...]
    local_demand: float
    hhi: float
    reason: str


def single_points_of_failure(
    graph: ChainGraph, enterprises: Iterable[EnterpriseFigures], *, at_most: int = 2
) -> list[SinglePoint]:
    """Nodes with local demand whose local supply rests on 1..``at_most`` enterprises."""
    enterprises = list(enterprises)
    own = node_figures(graph, enterprises, include_sub_nodes=False)
    rolled = node_figures(graph, enterprises, include_sub_nodes=True)
    indices = concentration(graph, enterprises)
    result: list[SinglePoint] = []
    for node_id, parts in sorted(local_demand(graph, own).items()):
        figures = rolled[node_id]
        if not 1 <= figures.enterprises <= at_most:
            continue
        demand = sum(part.demand for part in parts)
        ids = tuple(sorted(figures.enterprise_ids))
        reason = (
            f"local supply of {node_id} rests on {figures.enterprises} enterprise(s) "
            f"({', '.join(ids)}) while local buyers need {demand:,.0f} 万元"
        )
        result.append(SinglePoint(node_id, ids, demand, indices.get(node_id, 0.0), reason))
    result.sort(key=lambda point: (-point.local_demand, point.node))
    return result
