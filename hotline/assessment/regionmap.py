"""A schematic map of regions drawn from the platform's own region data (pure: no ORM).

The platform stores a centre point (lat, lon) for each region, not its boundary, and the repository
holds no boundary data. The map therefore draws each region as the cell of its centre in the
Voronoi diagram of all the centres (every point nearer to that centre than to any other), clipped
to the box around the centres. It is labelled as schematic wherever it is shown: the cells tell
which region lies north or east of which, never where a border runs.

Regions without a centre are laid out as squares in a row under the others.

The result is a GeoJSON FeatureCollection (lon, lat order), which ECharts draws with
``registerMap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Point = tuple[float, float]  # (x, y) = (lon, lat)


@dataclass(frozen=True)
class Site:
    code: str
    name: str
    lat: float | None
    lon: float | None


def _clip(polygon: list[Point], a: float, b: float, c: float) -> list[Point]:
    """The part of ``polygon`` where a·x + b·y <= c (Sutherland-Hodgman, one half-plane)."""
    out: list[Point] = []
    n = len(polygon)
    for i in range(n):
        p, q = polygon[i], polygon[(i + 1) % n]
        fp = a * p[0] + b * p[1] - c
        fq = a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def voronoi_cells(points: Sequence[Point], box: tuple[float, float, float, float]) -> list:
    """For each point, its Voronoi cell inside ``box`` = (x0, y0, x1, y1), as a list of corners."""
    x0, y0, x1, y1 = box
    cells = []
    for i, (px, py) in enumerate(points):
        cell: list[Point] = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        for j, (qx, qy) in enumerate(points):
            if i == j or (qx, qy) == (px, py):
                continue
            # nearer to p than to q: 2(q-p)·z <= |q|² - |p|²
            cell = _clip(cell, 2 * (qx - px), 2 * (qy - py), qx * qx + qy * qy - px * px - py * py)
            if not cell:
                break
        cells.append(cell)
    return cells


def _ring(corners: Sequence[Point]) -> list[list[float]]:
    ring = [[round(x, 5), round(y, 5)] for x, y in corners]
    return [*ring, ring[0]] if ring else ring


def schematic_map(sites: Sequence[Site], margin: float = 0.08) -> dict:
    """GeoJSON of the sites' cells: ``properties.name`` is the site's code (what ECharts matches
    data by), ``properties.label`` its name."""
    placed = [s for s in sites if s.lat is not None and s.lon is not None]
    loose = [s for s in sites if s.lat is None or s.lon is None]
    features = []
    if placed:
        xs = [float(s.lon) for s in placed]  # type: ignore[arg-type]
        ys = [float(s.lat) for s in placed]  # type: ignore[arg-type]
        pad = max(max(xs) - min(xs), max(ys) - min(ys), 0.1) * margin
        box = (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)
        cells = voronoi_cells(list(zip(xs, ys, strict=True)), box)
        for site, cell in zip(placed, cells, strict=True):
            features.append(_feature(site, cell))
        bottom, left, size = box[1] - pad, box[0], pad * 1.6
    else:
        bottom, left, size = 0.0, 0.0, 1.0
    for k, site in enumerate(loose):
        x = left + k * size * 1.2
        square = [(x, bottom - size), (x + size, bottom - size), (x + size, bottom), (x, bottom)]
        features.append(_feature(site, square))
    return {"type": "FeatureCollection", "features": features}


def _feature(site: Site, corners: Sequence[Point]) -> dict:
    return {
        "type": "Feature",
        "properties": {"name": site.code, "label": site.name},
        "geometry": {"type": "Polygon", "coordinates": [_ring(corners)]},
    }
