"""Small-cell suppression for a table of years × categories with every margin published.

Threat: a published report (or two reports with different filters) pointing back at the few people
behind a small number. The report's only filter is the period, restricted to a coarse lattice: one
calendar year or all years. So every number any filter can ever show is an entry of one fixed grid —
a cell (year, category), a year's total, a category's all-years total, or the grand total — and the
suppression pattern is decided once, over that whole grid, before any filter picks its row. Comparing
two reports is then comparing two rows of one jointly protected grid, which reveals nothing the grid
does not.

The pattern is built in three steps and then audited:

1. Primary suppression: an entry with 1 to k-1 contributors (testimonies, cases) is hidden, whatever
   its value. Zero entries are published: they concern nobody.
2. Complementary suppression, line by line (each year row and each category column is an additive
   line: its cells add up to its total): a line may not hide exactly one entry (it would be the
   difference), and where its total is published, its hidden cells together must hold at least
   k + (hidden - 1), so no hidden cell can be shown by that line alone to be smaller than k.
3. Audit against exact disclosure: an attacker knows every published entry, that counts are whole
   and not negative, and that hidden entries are not zero. A hidden entry can be recovered exactly
   unless some other table consistent with all of that differs in it. Such a table exists exactly
   when the entry lies on a cycle of hidden entries along which all of them can move by one while
   every line still adds up and nothing falls below one (``_movable``). Entries failing the audit get
   a further complementary suppression, and steps 2-3 repeat until every hidden entry passes.

Tables that share margins (every incident table has the same year totals) are protected together by
``protect_family``: a margin hidden in one is hidden in all.

Tested against an independent attacker who solves linear programmes over everything published
(``safepassage/reports/tests/test_suppression.py``).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

Pos = tuple[int, int]


@dataclass
class Grid:
    """Counts of one table: rows are years (last row: all years), columns categories (last: total).

    ``values[i][j]`` is what would be published; ``contributors[i][j]`` how many distinct testimonies
    or cases stand behind it. Row ``R`` and column ``C`` hold the margins.
    """

    rows: list
    cols: list
    values: list[list[int]]
    contributors: list[list[int]]
    hidden: set[Pos] = field(default_factory=set)

    @property
    def R(self) -> int:
        return len(self.rows)

    @property
    def C(self) -> int:
        return len(self.cols)

    @classmethod
    def build(cls, rows, cols, cells: dict, contributors: dict, row_contributors: dict,
              col_contributors: dict, grand_contributors: int) -> "Grid":
        """From cell counts ``cells[(row, col)]`` and contributor counts of cells and margins."""
        R, C = len(rows), len(cols)
        values = [[0] * (C + 1) for _ in range(R + 1)]
        contrib = [[0] * (C + 1) for _ in range(R + 1)]
        for i, r in enumerate(rows):
            for j, c in enumerate(cols):
                v = cells.get((r, c), 0)
                values[i][j] = v
                values[i][C] += v
                values[R][j] += v
                values[R][C] += v
                contrib[i][j] = contributors.get((r, c), 0)
            contrib[i][C] = row_contributors.get(r, 0)
        for j, c in enumerate(cols):
            contrib[R][j] = col_contributors.get(c, 0)
        contrib[R][C] = grand_contributors
        return cls(list(rows), list(cols), values, contrib)

    def value(self, p: Pos) -> int:
        return self.values[p[0]][p[1]]

    def is_hidden(self, i: int, j: int) -> bool:
        return (i, j) in self.hidden

    def lines(self):
        """Every additive line as (entries, position of its total)."""
        R, C = self.R, self.C
        for i in range(R + 1):
            yield [(i, j) for j in range(C + 1)], (i, C)
        for j in range(C + 1):
            yield [(i, j) for i in range(R + 1)], (R, j)


def _primary(grid: Grid, k: int) -> None:
    for i in range(grid.R + 1):
        for j in range(grid.C + 1):
            if 0 < grid.contributors[i][j] < k:
                grid.hidden.add((i, j))


def _choose(grid: Grid, candidates: list[Pos]) -> Pos | None:
    """The entry to hide next: cells before margins (a year's total is worth more), then the
    smallest value, then a stable order. Zero entries are never chosen."""
    R, C = grid.R, grid.C
    best = None
    for p in candidates:
        if p in grid.hidden or grid.value(p) <= 0:
            continue
        margin = p[0] == R or p[1] == C
        key = (margin, grid.value(p), p)
        if best is None or key < best[0]:
            best = (key, p)
    return best[1] if best else None


def _lines_pass(grid: Grid, k: int) -> bool:
    """One sweep of the line rules; True when something was added."""
    added = False
    for entries, total in grid.lines():
        hidden = [p for p in entries if p in grid.hidden]
        if not hidden:
            continue
        need = len(hidden) == 1
        if not need and total not in grid.hidden:
            held = sum(grid.value(p) for p in hidden)
            need = held - (len(hidden) - 1) < k
        if need:
            pick = _choose(grid, [p for p in entries if p != total]) or _choose(grid, [total])
            if pick is not None:
                grid.hidden.add(pick)
                added = True
    return added


def _sign(grid: Grid, p: Pos) -> int:
    """Flips margins so every line reads "entries sum to zero" (see module docstring)."""
    return -1 if (p[0] == grid.R) != (p[1] == grid.C) else 1


def _movable(grid: Grid, start: Pos) -> bool:
    """Whether another table, consistent with everything published, differs at `start`.

    Hidden entries are the edges of a bipartite graph between row lines and column lines. Moving
    values by ±1 around a cycle keeps every line's sum; an edge traversed row→col moves by
    +sign, col→row by -sign, and an edge may be used to go down only if its value is at least 2.
    """
    def usable(p: Pos, row_to_col: bool) -> bool:
        delta = _sign(grid, p) * (1 if row_to_col else -1)
        return delta > 0 or grid.value(p) >= 2

    adjacency: dict[tuple, list] = {}
    for p in grid.hidden:
        adjacency.setdefault(("r", p[0]), []).append(p)
        adjacency.setdefault(("c", p[1]), []).append(p)

    for row_to_col in (True, False):
        if not usable(start, row_to_col):
            continue
        # After using `start`, find a way back to where it started without using it again.
        source, target = (("c", start[1]), ("r", start[0])) if row_to_col else (("r", start[0]), ("c", start[1]))
        seen = {source}
        queue = deque([source])
        while queue:
            node = queue.popleft()
            if node == target:
                return True
            for p in adjacency.get(node, ()):
                if p == start:
                    continue
                going_row_to_col = node[0] == "r"
                if not usable(p, going_row_to_col):
                    continue
                nxt = ("c", p[1]) if going_row_to_col else ("r", p[0])
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
    return False


def _audit_pass(grid: Grid) -> bool:
    """Hide one more entry next to the first hidden entry an attacker could recover; True if added."""
    for p in sorted(grid.hidden):
        if _movable(grid, p):
            continue
        i, j = p
        neighbours = [(i, jj) for jj in range(grid.C + 1)] + [(ii, j) for ii in range(grid.R + 1)]
        # Prefer a neighbour that can move down (value >= 2): it gives the cycle room.
        roomy = [q for q in neighbours if grid.value(q) >= 2]
        pick = _choose(grid, roomy) or _choose(grid, neighbours) or _choose(grid, [
            (ii, jj) for ii in range(grid.R + 1) for jj in range(grid.C + 1)])
        if pick is None:
            return False
        grid.hidden.add(pick)
        return True
    return False


def protect(grid: Grid, k: int, *, forced: set[Pos] = frozenset()) -> Grid:
    """Decide which entries of `grid` to hide (``grid.hidden``). Deterministic for given counts."""
    _primary(grid, k)
    grid.hidden |= set(forced)
    while True:
        while _lines_pass(grid, k):
            pass
        if not _audit_pass(grid):
            return grid


def protect_family(grids: list[Grid], k: int) -> list[Grid]:
    """Protect tables that publish the same year totals: a total hidden in one is hidden in all."""
    forced: set[Pos] = set()
    while True:
        for grid in grids:
            grid.hidden = set()
            protect(grid, k, forced={(i, grid.C) for i, _ in forced})
        shared = {(p[0], 0) for grid in grids for p in grid.hidden if p[1] == grid.C}
        if shared <= forced:
            return grids
        forced |= shared


def recoverable(grid: Grid) -> list[Pos]:
    """Hidden entries an attacker could pin down (empty after ``protect``)."""
    return [p for p in sorted(grid.hidden) if not _movable(grid, p)]
