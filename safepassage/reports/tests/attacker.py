"""An attacker who knows every published number of a table (under every filter), that counts are
whole and not negative, that suppressed ones are not zero, and how the table adds up. For each
suppressed entry they solve two linear programmes: the least and the greatest value it can take."""
from __future__ import annotations

import numpy as np
from scipy.optimize import linprog


def feasible_ranges(values, hidden, *, published_only=None):
    """{hidden position: (lowest, highest)} for a grid of values with margins in the last row/column.

    `values` holds the true numbers (only the published ones are used); `published_only`, if given,
    limits what the attacker saw to those positions (everything not hidden by default).
    """
    R1, C1 = len(values), len(values[0])
    index = {(i, j): i * C1 + j for i in range(R1) for j in range(C1)}
    n = R1 * C1
    rows = []
    for i in range(R1):  # each row: cells minus its total is zero
        row = np.zeros(n)
        for j in range(C1 - 1):
            row[index[i, j]] = 1
        row[index[i, C1 - 1]] = -1
        rows.append(row)
    for j in range(C1):  # each column: cells minus its total is zero
        row = np.zeros(n)
        for i in range(R1 - 1):
            row[index[i, j]] = 1
        row[index[R1 - 1, j]] = -1
        rows.append(row)
    seen = published_only if published_only is not None else {p for p in index if p not in hidden}
    bounds = []
    for p in sorted(index, key=index.get):
        if p in seen:
            bounds.append((values[p[0]][p[1]], values[p[0]][p[1]]))
        elif p in hidden:
            bounds.append((1, None))
        else:
            bounds.append((0, None))
    a_eq, b_eq = np.array(rows), np.zeros(len(rows))
    ranges = {}
    for p in hidden:
        c = np.zeros(n)
        c[index[p]] = 1
        low = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert low.status == 0, "the true table must be feasible"
        top = float("inf") if high.status == 3 else -high.fun
        ranges[p] = (round(low.fun, 6), top)
    return ranges


def recovered(values, hidden, **kwargs):
    """Suppressed positions whose value the attacker pins down exactly."""
    return sorted(p for p, (low, high) in feasible_ranges(values, hidden, **kwargs).items() if high - low < 0.5)
