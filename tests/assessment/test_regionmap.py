"""The schematic region map: one cell per region, each cell holding its own centre and nearer
to it than to any other centre; regions without a centre get a square."""

from __future__ import annotations

from hotline.assessment.regionmap import Site, schematic_map, voronoi_cells


def _inside(point, ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_each_cell_holds_its_centre_and_the_cells_tile_the_box():
    points = [(0.0, 0.0), (2.0, 0.0), (1.0, 2.0), (3.0, 3.0)]
    cells = voronoi_cells(points, (-1.0, -1.0, 4.0, 4.0))
    assert len(cells) == 4
    for point, cell in zip(points, cells, strict=True):
        ring = [*cell, cell[0]]
        assert _inside(point, ring)

    # the cells' areas add up to the box's
    def area(c):
        return (
            abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(c, c[1:] + c[:1], strict=True)))
            / 2
        )

    assert abs(sum(area(c) for c in cells) - 25.0) < 1e-6


def test_the_geojson_names_each_region_by_its_code():
    geo = schematic_map(
        [
            Site("jiangan", "江岸区", 30.62, 114.31),
            Site("wuchang", "武昌区", 30.55, 114.32),
            Site("nowhere", "无坐标区", None, None),
        ]
    )
    names = [f["properties"]["name"] for f in geo["features"]]
    assert names == ["jiangan", "wuchang", "nowhere"]
    assert geo["features"][2]["properties"]["label"] == "无坐标区"
    for feature in geo["features"]:
        ring = feature["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1] and len(ring) >= 4
    assert _inside((114.31, 30.62), geo["features"][0]["geometry"]["coordinates"][0])


def test_no_sites_no_features():
    assert schematic_map([]) == {"type": "FeatureCollection", "features": []}
