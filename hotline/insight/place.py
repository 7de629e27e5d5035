"""Where a ticket is: its address and text resolved to a node of the region tree (pure, no ORM).

The platform's own region tree is the gazetteer: every region's name, a few forms derived from
it (江岸区 -> 江岸, 大智街道 -> 大智街) and the aliases admins keep (roads, estates,
landmarks: 大智路 -> 大智街道). The longest names are matched first and a span of text is
used once, so 汉阳大道 never also counts as 汉阳. Among the nodes found, the one most of the
other matches agree with (its ancestors were named too) wins, then the deepest, then the
longest name: "江岸区大智路" is the street of 大智路, inside 江岸区.

The address is read before the text (a typed address is what the citizen meant); an explicit
region code is the starting node and a deeper match inside it refines it. A map point wins
over both when regions have coordinates: the nearest node with a centre (within
``POINT_RADIUS_KM``) is the place, and a text match inside that node's district refines it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from .text import normalize

POINT_RADIUS_KM = 30.0
# Derived short forms shorter than this are not used (一元 is fine, 东湖 too; 江 is not).
MIN_SHORT = 2
SUFFIXES = ("街道办事处", "街道", "社区", "网格", "区", "县")


@dataclass(frozen=True, slots=True)
class RegionNode:
    code: str
    name: str
    level: str  # city, district, street, community, grid
    parent: str | None
    lat: float | None = None
    lon: float | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Place:
    region: str  # code of the node
    name: str
    level: str
    district: str | None  # code of the district the node is in (itself for a district)
    via: str  # "point", "address", "text", "region"
    words: tuple[str, ...] = field(default=())  # the names matched

    def describe(self) -> str:
        if self.via == "point":
            return "the map point"
        if self.via == "region":
            return "the region given"
        where = "the address" if self.via == "address" else "the text"
        return f"{'、'.join(self.words)} in {where}" if self.words else where


LEVEL_DEPTH = {"city": 0, "district": 1, "street": 2, "community": 3, "grid": 4}


def derived_names(node: RegionNode) -> list[str]:
    """The node's name and the short forms citizens write."""
    out = [node.name]
    if node.level == "city":
        return out
    for suffix in SUFFIXES:
        if node.name.endswith(suffix) and len(node.name) - len(suffix) >= MIN_SHORT:
            short = node.name[: -len(suffix)]
            if suffix == "街道":
                out.append(short + "街")
            if node.level == "district":
                out.append(short)
            break
    # 武汉开发区（汉南区）: each part is a name of its own.
    if "（" in node.name and node.name.endswith("）"):
        head, _, inner = node.name[:-1].partition("（")
        out += [head, inner]
        if inner.endswith("区") and len(inner) - 1 >= MIN_SHORT:
            out.append(inner[:-1])
    return out


class PlaceIndex:
    """The region tree as a gazetteer. Build once per catalogue change; ``resolve`` is cheap
    (a substring test per name, a few hundred names for a city)."""

    def __init__(self, nodes: Iterable[RegionNode]):
        self.nodes: dict[str, RegionNode] = {n.code: n for n in nodes}
        names: dict[str, set[str]] = {}
        for node in self.nodes.values():
            if node.level == "city":
                continue
            for name in [*derived_names(node), *node.aliases]:
                key = normalize(name)
                if len(key) >= MIN_SHORT:
                    names.setdefault(key, set()).add(node.code)
        # Longest first: a longer name claims its span before any name inside it.
        self.names = sorted(names.items(), key=lambda item: (-len(item[0]), item[0]))
        self.first_chars = {name[0] for name, _ in self.names}
        self.points = [
            (n.code, math.radians(n.lat), math.radians(n.lon))
            for n in self.nodes.values()
            if n.lat is not None and n.lon is not None
        ]

    # --- the tree

    def ancestors(self, code: str) -> list[str]:
        """The node and its ancestors, the node first."""
        out = []
        node = self.nodes.get(code)
        while node is not None:
            out.append(node.code)
            node = self.nodes.get(node.parent) if node.parent else None
        return out

    def district_of(self, code: str) -> str | None:
        for c in self.ancestors(code):
            if self.nodes[c].level == "district":
                return c
        return None

    def within(self, code: str, ancestor: str) -> bool:
        return ancestor in self.ancestors(code)

    def _place(self, code: str, via: str, words: tuple[str, ...] = ()) -> Place:
        node = self.nodes[code]
        return Place(code, node.name, node.level, self.district_of(code), via, words)

    # --- matching

    def matches(self, text: str) -> list[tuple[str, set[str]]]:
        """The names found in ``text``, longest first, each span used once."""
        text = normalize(text)
        if not text:
            return []
        present = set(text)
        taken = [False] * len(text)
        found = []
        for name, codes in self.names:
            if name[0] not in present:
                continue
            start = text.find(name)
            while start >= 0:
                end = start + len(name)
                if not any(taken[start:end]):
                    for i in range(start, end):
                        taken[i] = True
                    found.append((name, codes))
                    break
                start = text.find(name, start + 1)
        return found

    def best(self, text: str, inside: str | None = None) -> tuple[str, tuple[str, ...]] | None:
        """The node the names in ``text`` point to (restricted to the sub-tree of ``inside``
        when given) and the words that chose it."""
        found = self.matches(text)
        if not found:
            return None
        named: dict[str, str] = {}
        for name, codes in found:
            for code in codes:
                if inside is None or self.within(code, inside):
                    named.setdefault(code, name)
        if not named:
            return None

        def rank(code: str) -> tuple[int, int, int]:
            chain = self.ancestors(code)
            support = sum(1 for c in chain if c in named)
            return (support, LEVEL_DEPTH.get(self.nodes[code].level, 0), len(named[code]))

        code = max(sorted(named), key=rank)
        words = tuple(named[c] for c in reversed(self.ancestors(code)) if c in named)
        return code, words

    def nearest(self, lat: float, lon: float) -> str | None:
        """The node whose centre is nearest to the point, within ``POINT_RADIUS_KM``."""
        if not self.points:
            return None
        la, lo = math.radians(lat), math.radians(lon)
        best, best_d = None, float("inf")
        for code, plat, plon in self.points:
            x = (lo - plon) * math.cos((la + plat) / 2)
            d = math.hypot(x, la - plat) * 6371.0
            # A deeper node wins a tie (a street's centre inside its district).
            if d < best_d - 1e-9:
                best, best_d = code, d
        return best if best_d <= POINT_RADIUS_KM else None

    def resolve(
        self,
        *,
        text: str = "",
        address: str = "",
        region: str | None = None,
        lat: float | None = None,
        lon: float | None = None,
    ) -> Place | None:
        """The place of a ticket: the map point, else the address, else the region given,
        else the text; a deeper match inside the chosen node's district refines it."""
        if lat is not None and lon is not None:
            code = self.nearest(lat, lon)
            if code is not None:
                scope = self.district_of(code) or code
                for source in (address, text):
                    hit = self.best(source, inside=scope)
                    if (
                        hit
                        and LEVEL_DEPTH[self.nodes[hit[0]].level]
                        > LEVEL_DEPTH[self.nodes[code].level]
                    ):
                        return self._place(hit[0], "point", hit[1])
                return self._place(code, "point")
        given = region if region in self.nodes else None
        for source, via in ((address, "address"), (text, "text")):
            hit = self.best(source, inside=given)
            if hit:
                return self._place(hit[0], via, hit[1])
        if given:
            return self._place(given, "region")
        return None
