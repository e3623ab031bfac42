from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from safepassage.reports.suppression import Grid, protect, protect_family, recoverable

from .attacker import feasible_ranges, recovered

K = 5


def grid_from(table, contributors=None):
    """A grid from a list of year rows of category counts; each count its own contributors by default."""
    rows = list(range(2015, 2015 + len(table)))
    cols = [f"c{j}" for j in range(len(table[0]))]
    cells = {(rows[i], cols[j]): v for i, line in enumerate(table) for j, v in enumerate(line)}
    contrib = contributors or table
    people = {(rows[i], cols[j]): v for i, line in enumerate(contrib) for j, v in enumerate(line)}
    row_people = {rows[i]: sum(line) for i, line in enumerate(contrib)}
    col_people = {cols[j]: sum(line[j] for line in contrib) for j in range(len(cols))}
    return Grid.build(rows, cols, cells, people, row_people, col_people, sum(map(sum, contrib)))


def test_a_small_cell_is_hidden_and_cannot_be_recovered_from_its_totals():
    grid = protect(grid_from([[40, 2, 30]]), K)
    assert grid.is_hidden(0, 1)
    assert len([j for j in range(3) if grid.is_hidden(0, j)]) >= 2  # never the only one in its row
    assert recovered(grid.values, grid.hidden) == []


def test_zero_cells_are_published():
    grid = protect(grid_from([[40, 0, 30], [12, 9, 0]]), K)
    assert not grid.is_hidden(0, 1) and not grid.is_hidden(1, 2)


def test_hidden_cells_of_a_line_hold_enough_that_none_is_shown_to_be_small():
    # 1 and 2 hidden alone would add up to 3 (= total - published): each would be shown to be < 5.
    grid = protect(grid_from([[1, 2, 50, 60]]), K)
    hidden = [grid.values[0][j] for j in range(4) if grid.is_hidden(0, j)]
    assert sum(hidden) - (len(hidden) - 1) >= K
    for p, (low, high) in feasible_ranges(grid.values, grid.hidden).items():
        assert high >= K


def test_the_differencing_attack_between_two_periods_recovers_nothing():
    """2018 had one torture case. Reports for "all years" and for "2017" are both published:
    subtracting them must not give 2018's hidden figure."""
    table = [[20, 15, 9],   # 2017: torture, detention, extortion
             [1, 12, 8]]    # 2018
    grid = protect(grid_from(table), K)
    i2017, i2018, every = 0, 1, grid.R
    assert grid.is_hidden(i2018, 0)
    # Naive differencing: for every category, all-years minus 2017 would be 2018.
    for j in range(grid.C + 1):
        if grid.is_hidden(i2018, j):
            assert grid.is_hidden(every, j) or grid.is_hidden(i2017, j)
    # And no cleverer combination of everything published under every filter works either.
    assert recovered(grid.values, grid.hidden) == []


def test_tables_sharing_year_totals_hide_them_together():
    violation = grid_from([[3, 30], [20, 20]])  # 2015 total 33
    place = grid_from([[33, 0], [1, 39]])  # the same incidents by place; 2015 total 33
    protect_family([violation, place], K)
    for i in range(violation.R + 1):
        assert violation.is_hidden(i, violation.C) == place.is_hidden(i, place.C)
    assert recovered(violation.values, violation.hidden) == []
    assert recovered(place.values, place.hidden) == []


def test_contributors_not_values_decide_what_is_small():
    # One survivor reported nine incidents: the cell is large but stands for one person.
    grid = protect(grid_from([[9, 40, 30]], contributors=[[1, 20, 15]]), K)
    assert grid.is_hidden(0, 0)


counts = st.integers(min_value=0, max_value=12) | st.integers(min_value=0, max_value=60)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4).flatmap(lambda rows: st.integers(1, 5).flatmap(
    lambda cols: st.lists(st.lists(counts, min_size=cols, max_size=cols), min_size=rows, max_size=rows))))
def test_no_suppressed_number_can_be_worked_out_from_everything_published(table):
    grid = protect(grid_from(table), K)
    for i in range(grid.R + 1):
        for j in range(grid.C + 1):
            if 0 < grid.contributors[i][j] < K:
                assert grid.is_hidden(i, j), "every small cell is suppressed"
            if grid.values[i][j] == 0:
                assert not grid.is_hidden(i, j)
    assert recoverable(grid) == []
    assert recovered(grid.values, grid.hidden) == []
