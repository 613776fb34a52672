"""Shared-edge topology: arcs, references, varint text, outlines."""

import numpy as np
import pytest
import shapely

from geo.web.topology import (
    ALPHABET,
    build_topology,
    decode_topology,
    decode_varints,
    encode_varints,
    outline_arcs,
    unzigzag,
    zigzag,
)


def _multi(geoms):
    """As MultiPolygons, the form the decoder gives back."""
    return [shapely.MultiPolygon(shapely.get_parts(g)) for g in geoms]


def _voronoi_cells(n=40, seed=3):
    """A coverage of ``n`` Voronoi cells on a 1000-step integer grid (vertices rounded, then
    made a valid coverage again), the kind of layer the web pipeline hands over."""
    rng = np.random.default_rng(seed)
    points = shapely.multipoints(rng.uniform(0, 1000, (n, 2)))
    cells = shapely.get_parts(
        shapely.voronoi_polygons(points, extend_to=shapely.box(0, 0, 1000, 1000))
    )
    cells = shapely.intersection(cells, shapely.box(0, 0, 1000, 1000))
    cells = shapely.set_precision(cells, 1.0)
    assert shapely.coverage_is_valid(cells)
    return cells


def test_varints_known_values():
    assert zigzag(np.array([0, -1, 1, -2, 2, -16, 15])).tolist() == [0, 1, 2, 3, 4, 31, 30]
    assert unzigzag(zigzag(np.arange(-5000, 5000))).tolist() == list(range(-5000, 5000))
    # 5 bits a character, low bits first; "g" = 32 + 0 says "more follows".
    assert encode_varints([0, 31, 32, 1023, 1024]) == "AfgB" + "_f" + "ggB"
    values = [0, 1, 15, 16, 31, 32, 1000, 2**20, 2**40]
    assert decode_varints(encode_varints(values)).tolist() == values
    assert set(encode_varints(values)) <= set(ALPHABET)
    assert encode_varints([]) == "" and decode_varints("").tolist() == []


@pytest.mark.parametrize("text", ["A!", "g", "é"])
def test_bad_varint_text_is_refused(text):
    with pytest.raises(ValueError):
        decode_varints(text)


def test_negative_varints_are_refused():
    with pytest.raises(ValueError, match="zigzag"):
        encode_varints([3, -1])


def test_two_neighbours_share_one_arc():
    left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    topology = build_topology([left, right], 1.0)
    # The common side once, each outer part once.
    assert len(topology.arcs) == 3
    assert topology.arc_sides().tolist() == [[0, 1], [0, -1], [1, -1]]
    shared = topology.arcs[0].tolist()
    assert sorted(shared) == [[1, 0], [1, 1]]
    # Left walks the shared arc one way, right the other.
    assert topology.features[0][0][0][0] == 0 and topology.features[1][0][0][0] == ~0
    assert all(shapely.equals(topology.geometries(1.0), _multi([left, right])))


def test_island_in_a_hole_is_one_closed_arc_shared():
    outer = shapely.Polygon(
        [(0, 0), (4, 0), (4, 4), (0, 4)], holes=[[(1, 1), (1, 3), (3, 3), (3, 1)]]
    )
    island = shapely.box(1, 1, 3, 3)
    topology = build_topology([outer, island], 1.0)
    assert len(topology.arcs) == 2  # the outer ring; the hole's ring = the island's ring
    assert topology.arc_sides().tolist() == [[0, -1], [0, 1]]
    hole_arc = topology.arcs[1]
    assert (hole_arc[0] == hole_arc[-1]).all()  # closed
    assert all(shapely.equals(topology.geometries(1.0), _multi([outer, island])))


def test_coverage_round_trip_and_every_inner_border_once():
    cells = _voronoi_cells()
    topology = build_topology(cells, 1.0)
    data = topology.encode()
    back = decode_topology(data)
    assert all(shapely.equals(back.geometries(1.0, (data["x0"], data["y0"])), _multi(cells)))
    sides = topology.arc_sides()
    # Each arc borders one cell (the square's edge) or two; no two arcs repeat a border.
    inner = sides[:, 1] >= 0
    boundary_length = sum(
        shapely.LineString(a).length for a, s in zip(topology.arcs, sides, strict=True) if s[1] < 0
    )
    assert boundary_length == pytest.approx(4000.0)
    inner_length = sum(
        shapely.LineString(a).length for a in np.array(topology.arcs, dtype=object)[inner]
    )
    total_rings = float(shapely.length(cells).sum())
    assert inner_length == pytest.approx((total_rings - 4000.0) / 2)
    # A planar map of cells meeting in threes has about 3 arcs a cell.
    assert len(topology.arcs) < 3.5 * len(cells)


def test_layer_that_is_not_a_coverage_is_still_exact():
    overlapping = [shapely.box(0, 0, 2, 2), shapely.box(1, 1, 3, 3), shapely.box(5, 5, 6, 6)]
    topology = build_topology(overlapping, 1.0)
    back = decode_topology(topology.encode())
    assert all(shapely.equals(back.geometries(1.0, (0, 0)), _multi(overlapping)))


def test_multipolygon_and_empty_features():
    parts = shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(3, 0, 4, 1)])
    topology = build_topology([parts, shapely.Polygon(), shapely.box(1, 0, 2, 1)], 1.0)
    assert [len(f) for f in topology.features] == [2, 0, 1]
    back = decode_topology(topology.encode())
    assert [len(f) for f in back.features] == [2, 0, 1]
    assert back.geometries(1.0)[1].is_empty


def test_repeated_and_degenerate_vertices_are_dropped():
    spiky = shapely.Polygon([(0, 0), (0.2, 0), (2, 0), (2, 2), (0, 2)])  # (0.2, 0) rounds to (0, 0)
    topology = build_topology([spiky], 1.0)
    assert sum(len(a) for a in topology.arcs) == 5  # 4 corners + closing
    assert topology.geometries(1.0)[0].equals(shapely.box(0, 0, 2, 2))


def test_outlines_of_groups():
    cells = [shapely.box(i, 0, i + 1, 1) for i in range(4)]
    topology = build_topology(cells, 1.0)
    outlines = outline_arcs(topology, ["A", "A", "B", "B"])
    for group, members in (("A", cells[:2]), ("B", cells[2:])):
        lines = shapely.union_all([shapely.LineString(topology.arcs[a]) for a in outlines[group]])
        assert lines.length == pytest.approx(shapely.union_all(members).boundary.length)
    # The border between A and B outlines both; the one inside A outlines neither.
    border = next(i for i, a in enumerate(topology.arcs) if sorted(a[:, 0].tolist()) == [2, 2])
    inner = next(i for i, a in enumerate(topology.arcs) if sorted(a[:, 0].tolist()) == [1, 1])
    assert border in outlines["A"] and border in outlines["B"]
    assert inner not in outlines["A"] and inner not in outlines["B"]


def test_encoding_is_small_for_small_steps():
    cells = _voronoi_cells()
    data = build_topology(cells, 1.0).encode()
    # Every character is a varint digit; coordinates cost well under the decimal text.
    assert set(data["arcs"]) <= set(ALPHABET)
    decimal = sum(len(f"{x},{y},") for x, y in shapely.get_coordinates(cells))
    assert len(data["arcs"]) < decimal / 2
