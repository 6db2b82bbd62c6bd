"""One-to-one assignment: each record matches at most one record of the other table.

The predicted pairs form a bipartite graph; each connected component is solved on its own with
the Hungarian method (``scipy.optimize.linear_sum_assignment``) maximising the sum of match
weights over the component's edges, which is optimal for the whole graph because components
share no record. Single-edge components (most of them) are kept as they are.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def one_to_one(left_rows: np.ndarray, right_rows: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Indices of the pairs kept by an optimal one-to-one assignment."""
    if len(left_rows) == 0:
        return np.empty(0, dtype=np.int64)
    left_ids, left_local = np.unique(left_rows, return_inverse=True)
    right_ids, right_local = np.unique(right_rows, return_inverse=True)
    n_left = len(left_ids)
    size = n_left + len(right_ids)
    graph = coo_matrix(
        (np.ones(len(left_rows)), (left_local, n_left + right_local)), shape=(size, size)
    )
    _, component = connected_components(graph, directed=False)
    edge_component = component[left_local]
    order = np.argsort(edge_component, kind="stable")
    boundaries = np.flatnonzero(np.diff(edge_component[order])) + 1
    kept: list[np.ndarray] = []
    # Shift weights positive so that every assigned edge adds value; absent edges cost nothing.
    for edges in np.split(order, boundaries):
        if len(edges) == 1:
            kept.append(edges)
            continue
        rows, row_index = np.unique(left_local[edges], return_inverse=True)
        cols, col_index = np.unique(right_local[edges], return_inverse=True)
        gain = np.zeros((len(rows), len(cols)))
        value = weights[edges] - weights[edges].min() + 1.0
        gain[row_index, col_index] = value
        assigned_rows, assigned_cols = linear_sum_assignment(gain, maximize=True)
        chosen = np.zeros((len(rows), len(cols)), dtype=bool)
        chosen[assigned_rows, assigned_cols] = True
        kept.append(edges[chosen[row_index, col_index]])
    return np.sort(np.concatenate(kept))
