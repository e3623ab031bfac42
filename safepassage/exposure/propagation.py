"""Everything an exposed person could name: a breadth-first walk of the graph to a given depth.

Pure: the links come from a callable (``graph.links_of`` in the platform, a dict in tests), so the
walk costs one lookup per hop however large the graph. People are reached through connections up to
`depth` hops, each at the smallest hop it can be reached at. Houses, routes and staff count only when
the exposed person knows them directly: the people one hop away are not (yet) in the adversary's hands.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import vocabulary as V


@dataclass
class Reached:
    """A person reached at `hop` through `via` (the person who can name them), who knew `knows` of them."""

    hop: int
    via: object
    knows: int = 0


@dataclass
class Reach:
    origin: object
    people: dict = field(default_factory=dict)  # person id -> Reached (the origin is not in it)
    houses: dict = field(default_factory=dict)  # house id -> set of bases
    plans: dict = field(default_factory=dict)  # plan id -> set of bases
    legs: dict = field(default_factory=dict)  # leg id -> set of bases
    staff: dict = field(default_factory=dict)  # user id -> set of bases
    lookups: int = 0  # graph lookups made (one per hop walked)

    def add_thing(self, kind: int, target, basis: int) -> None:
        bucket = {V.LINK_HOUSE: self.houses, V.LINK_PLAN: self.plans, V.LINK_LEG: self.legs,
                  V.LINK_STAFF: self.staff}.get(kind)
        if bucket is not None:
            bucket.setdefault(target, set()).add(basis)


def reach(origin, depth: int, links_of) -> Reach:
    """`links_of(person ids)` -> {person id: [graph.Link, ...]}; `depth` at least 1."""
    result = Reach(origin=origin)
    frontier = [origin]
    seen = {origin}
    for hop in range(1, max(depth, 0) + 1):
        if not frontier:
            break
        links = links_of(frontier)
        result.lookups += 1
        following = []
        for holder in frontier:
            for link in links.get(holder, ()):
                if link.kind != V.LINK_PERSON:
                    if hop == 1:
                        result.add_thing(link.kind, link.target, link.basis)
                    continue
                target = link.target
                if target in seen:
                    found = result.people.get(target)
                    if found is not None and found.hop == hop:
                        found.knows |= link.knows  # reached twice at the same distance: all that is known
                    continue
                seen.add(target)
                result.people[target] = Reached(hop=hop, via=holder, knows=link.knows)
                following.append(target)
        frontier = following
    return result
