"""Shared-edge topology of a polygon coverage, and its compact text encoding for the browser.

In a coverage (communes: no gaps, no overlaps) almost every border belongs to two polygons.
Sent polygon by polygon, every border travels twice, and a district outline a third time.
Like TopoJSON, :func:`build_topology` cuts the rings into *arcs* — maximal runs of border with
the same polygons on either side — and keeps each arc once; a ring becomes a list of arc
references (``i``, or ``~i`` for arc ``i`` walked backwards). District outlines are then the
arcs whose two sides lie in different districts (:func:`outline_arcs`): no extra geometry.

The encoding (:meth:`Topology.encode`) writes integers on the quantisation grid as *varints*:
5 bits per character of a URL-safe base-64 alphabet, a sixth bit saying "more follows", signed
values zigzag-mapped. Arc coordinates are deltas from the previous point (the first point of an
arc from the last point of the previous arc, usually the same junction). Most deltas at the
atlas's grids are below 16 grid steps: one character per number, no separators, nothing to
escape in JSON or HTML. :data:`TOPOLOGY_JS` decodes it in the browser in milliseconds.

Pure numpy and shapely; nothing here imports Streamlit or folium.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import shapely

__all__ = [
    "ALPHABET",
    "TOPOLOGY_JS",
    "Topology",
    "build_topology",
    "decode_topology",
    "decode_varints",
    "encode_varints",
    "outline_arcs",
    "unzigzag",
    "zigzag",
]

#: 64 characters that need no escaping in JSON, HTML or Jinja: value = position.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_ENCODE = np.frombuffer(ALPHABET.encode("ascii"), dtype=np.uint8)
_DECODE = np.full(128, -1, dtype=np.int64)
_DECODE[_ENCODE] = np.arange(64)


# --------------------------------------------------------------------------------------------
# Varints


def zigzag(values: np.ndarray) -> np.ndarray:
    """Signed integers as non-negative ones: 0, -1, 1, -2, … → 0, 1, 2, 3, ….

    Examples
    --------
    >>> zigzag(np.array([0, -1, 1, -2, 2])).tolist()
    [0, 1, 2, 3, 4]
    """
    values = np.asarray(values, dtype=np.int64)
    return np.where(values < 0, -2 * values - 1, 2 * values)


def unzigzag(values: np.ndarray) -> np.ndarray:
    """The inverse of :func:`zigzag`."""
    values = np.asarray(values, dtype=np.int64)
    return np.where(values % 2 == 1, -(values + 1) // 2, values // 2)


def encode_varints(values: Sequence[int] | np.ndarray) -> str:
    """Non-negative integers as text: 5 bits a character, low bits first, bit 6 = "more".

    Examples
    --------
    >>> encode_varints([0, 1, 31, 32, 1000])
    'ABfgBof'
    >>> decode_varints('ABfgBof').tolist()
    [0, 1, 31, 32, 1000]
    """
    v = np.asarray(values, dtype=np.int64)
    if v.size and int(v.min()) < 0:
        raise ValueError("varints are non-negative; zigzag signed values first")
    chunks = np.ones(len(v), dtype=np.int64)
    rest = v >> 5
    while rest.any():
        chunks += rest > 0
        rest >>= 5
    starts = np.cumsum(chunks) - chunks
    out = np.empty(int(chunks.sum()), dtype=np.int64)
    for j in range(int(chunks.max()) if len(v) else 0):
        sel = chunks > j
        more = np.where(chunks[sel] - 1 > j, 32, 0)
        out[starts[sel] + j] = ((v[sel] >> (5 * j)) & 31) | more
    return _ENCODE[out].tobytes().decode("ascii")


def decode_varints(text: str) -> np.ndarray:
    """The integers of :func:`encode_varints` text."""
    codes = _DECODE[np.frombuffer(text.encode("ascii"), dtype=np.uint8)]
    if codes.size and int(codes.min()) < 0:
        raise ValueError("not varint text")
    if not codes.size:
        return np.zeros(0, dtype=np.int64)
    if codes[-1] & 32:
        raise ValueError("varint text ends in the middle of a number")
    ends = np.flatnonzero((codes & 32) == 0)
    starts = np.r_[0, ends[:-1] + 1]
    position = np.arange(len(codes)) - np.repeat(starts, ends - starts + 1)
    return np.add.reduceat((codes & 31) << (5 * position), starts)


# --------------------------------------------------------------------------------------------
# Topology


@dataclass(frozen=True)
class Topology:
    """Polygons as references to shared arcs of integer coordinates.

    Attributes
    ----------
    arcs : list of numpy.ndarray
        Each an ``(n, 2)`` int64 array of grid coordinates; a closed arc (a whole ring with the
        same neighbour all round) ends where it starts.
    features : list
        Per feature a list of polygons, each a list of rings (exterior first), each a list of
        arc references: ``i`` walks arc ``i`` forwards, ``~i`` backwards.
    """

    arcs: list[np.ndarray]
    features: list[list[list[list[int]]]]

    def arc_sides(self) -> np.ndarray:
        """Per arc the features on its two sides, ``-1`` where it borders nothing.

        Returns
        -------
        numpy.ndarray
            ``(len(arcs), 2)`` int64: the first feature that references the arc, then the
            second (or ``-1``).
        """
        sides = np.full((len(self.arcs), 2), -1, dtype=np.int64)
        for feature, polygons in enumerate(self.features):
            for rings in polygons:
                for refs in rings:
                    for ref in refs:
                        arc = ~ref if ref < 0 else ref
                        sides[arc, 0 if sides[arc, 0] < 0 else 1] = feature
        return sides

    def rings_xy(self) -> list[list[list[np.ndarray]]]:
        """Per feature, polygon and ring its closed coordinate array (grid units)."""
        return [
            [[_ring_xy(self.arcs, refs) for refs in rings] for rings in polygons]
            for polygons in self.features
        ]

    def geometries(self, grid: float, origin: tuple[int, int] = (0, 0)) -> np.ndarray:
        """The features as shapely (Multi)Polygons in degrees (``(xy + origin) * grid``)."""
        shift = np.asarray(origin, dtype=np.int64)
        out = []
        for polygons in self.rings_xy():
            parts = [
                shapely.Polygon((rings[0] + shift) * grid, [(r + shift) * grid for r in rings[1:]])
                for rings in polygons
            ]
            out.append(shapely.MultiPolygon(parts) if parts else shapely.MultiPolygon())
        return np.array(out, dtype=object)

    def encode(self, *, origin: tuple[int, int] | None = None) -> dict[str, Any]:
        """Varint text of the arcs and the rings (see the module doc).

        Returns
        -------
        dict
            ``{"x0", "y0", "n", "arcs", "rings"}``: the origin in grid units (default the
            smallest coordinates), the number of features, and two varint texts. ``arcs``: per
            arc its number of points, then zigzag deltas ``dx, dy`` from the previous point
            (the first from the origin). ``rings``: per feature its number of polygons; per
            polygon its number of rings; per ring its number of arcs, then per reference
            ``zigzag(i - previous i) * 2 + backwards``.
        """
        lengths = np.array([len(a) for a in self.arcs], dtype=np.int64)
        points = np.concatenate(self.arcs) if self.arcs else np.zeros((0, 2), dtype=np.int64)
        if origin is None:
            origin = tuple(int(v) for v in points.min(axis=0)) if len(points) else (0, 0)
        deltas = np.diff(points, axis=0, prepend=np.asarray([origin], dtype=np.int64))
        # Per arc: its length, then its deltas (x, y interleaved).
        stream = np.empty(len(lengths) + 2 * len(points), dtype=np.int64)
        head = np.cumsum(np.r_[0, 2 * lengths[:-1] + 1]) if len(lengths) else lengths
        stream[head] = lengths
        body = np.ones(len(stream), dtype=bool)
        body[head] = False
        stream[body] = zigzag(deltas.ravel())

        rings: list[int] = []
        previous = 0
        for polygons in self.features:
            rings.append(len(polygons))
            for polygon in polygons:
                rings.append(len(polygon))
                for refs in polygon:
                    rings.append(len(refs))
                    for ref in refs:
                        arc = ~ref if ref < 0 else ref
                        step = arc - previous
                        rings.append((2 * step if step >= 0 else -2 * step - 1) * 2 + (ref < 0))
                        previous = arc
        return {
            "x0": int(origin[0]),
            "y0": int(origin[1]),
            "n": len(self.features),
            "arcs": encode_varints(stream),
            "rings": encode_varints(rings),
        }


def decode_topology(data: dict[str, Any]) -> Topology:
    """The :class:`Topology` of :meth:`Topology.encode` output (coordinates from the origin)."""
    stream = decode_varints(data["arcs"])
    arcs: list[np.ndarray] = []
    cursor = np.array([data["x0"], data["y0"]], dtype=np.int64)
    k = 0
    while k < len(stream):
        n = int(stream[k])
        deltas = unzigzag(stream[k + 1 : k + 1 + 2 * n]).reshape(-1, 2)
        arc = cursor + np.cumsum(deltas, axis=0)
        arcs.append(arc)
        cursor = arc[-1]
        k += 1 + 2 * n
    values = decode_varints(data["rings"]).tolist()
    features: list[list[list[list[int]]]] = []
    k, previous = 0, 0
    for _ in range(int(data["n"])):
        polygons = []
        n_polygons = values[k]
        k += 1
        for _ in range(n_polygons):
            n_rings = values[k]
            k += 1
            rings = []
            for _ in range(n_rings):
                n_refs = values[k]
                k += 1
                refs = []
                for value in values[k : k + n_refs]:
                    backwards, step = value % 2, value // 2
                    arc = previous + (-(step + 1) // 2 if step % 2 else step // 2)
                    refs.append(~arc if backwards else arc)
                    previous = arc
                k += n_refs
                rings.append(refs)
            polygons.append(rings)
        features.append(polygons)
    return Topology(arcs=arcs, features=features)


def _ring_xy(arcs: list[np.ndarray], refs: list[int]) -> np.ndarray:
    """A closed ring from its arcs (each next arc starts where the previous one ended)."""
    pieces = []
    for j, ref in enumerate(refs):
        arc = arcs[~ref][::-1] if ref < 0 else arcs[ref]
        pieces.append(arc if j == 0 else arc[1:])
    return np.concatenate(pieces)


def build_topology(geoms: Sequence[shapely.Geometry] | np.ndarray, grid: float) -> Topology:
    """Cut the rings of a quantised coverage into shared arcs.

    Parameters
    ----------
    geoms : array of shapely (Multi)Polygons
        Coordinates on multiples of ``grid`` (e.g. from :func:`geo.web.geometry.web_geometry`);
        a valid coverage shares most arcs, anything else is still encoded exactly, with fewer
        arcs shared.
    grid : float
        Quantisation step in degrees.

    Returns
    -------
    Topology
        Arcs in grid units and, per feature, its rings as arc references. Vertices repeated
        after rounding are dropped; rings left with fewer than three vertices are dropped (a
        polygon without its exterior ring with them).

    Examples
    --------
    >>> left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    >>> topology = build_topology([left, right], 1.0)
    >>> len(topology.arcs), topology.arc_sides().tolist()
    (3, [[0, 1], [0, -1], [1, -1]])
    """
    geoms = np.asarray(geoms, dtype=object)
    polygons, polygon_feature = shapely.get_parts(geoms, return_index=True)
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    xy = np.rint(np.asarray(coords) / grid).astype(np.int64)
    if not len(xy):
        return Topology(arcs=[], features=[[] for _ in geoms])
    first = np.r_[True, ring_of[1:] != ring_of[:-1]]
    last = np.r_[ring_of[1:] != ring_of[:-1], True]
    repeated = np.r_[False, (xy[1:] == xy[:-1]).all(axis=1)] & ~first
    keep = ~last & ~repeated  # the closing vertex is the first again
    xy, ring_of = xy[keep], ring_of[keep]

    # One id per distinct point.
    low = xy.min(axis=0)
    span = int(xy[:, 1].max() - low[1]) + 1
    point_key = (xy[:, 0] - low[0]) * span + (xy[:, 1] - low[1])
    _, first_at, point = np.unique(point_key, return_index=True, return_inverse=True)
    point_xy = xy[first_at]

    # Each segment (vertex → next in its ring) and the other ring that walks it, if any.
    starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
    ends = np.r_[starts[1:], len(ring_of)]
    following = np.arange(len(point)) + 1
    following[ends - 1] = starts
    preceding = np.arange(len(point)) - 1
    preceding[starts] = ends - 1
    a, b = point, point[following]
    n_points = len(point_xy)
    segment = np.minimum(a, b) * n_points + np.maximum(a, b)
    order = np.argsort(segment, kind="stable")
    same = np.flatnonzero(segment[order][1:] == segment[order][:-1])
    other = np.full(len(point), -1, dtype=np.int64)
    other[order[same]] = ring_of[order[same + 1]]
    other[order[same + 1]] = ring_of[order[same]]
    # The pair of rings along a segment, the same seen from either side.
    n_rings = len(rings) + 2
    pair = (np.minimum(ring_of, other) + 1) * n_rings + (np.maximum(ring_of, other) + 1)
    cut = pair != pair[preceding]

    arc_index: dict[tuple[int, ...], int] = {}
    arcs: list[np.ndarray] = []
    ring_refs: dict[int, list[int]] = {}
    point_list = point.tolist()
    cut_at = np.flatnonzero(cut)
    ring_cuts = np.split(cut_at, np.searchsorted(cut_at, starts[1:]))
    for start, end, cuts in zip(starts.tolist(), ends.tolist(), ring_cuts, strict=True):
        ring = point_list[start:end]
        if len(ring) < 3:
            continue
        if not len(cuts):  # one neighbour all round: one closed arc, from its smallest point
            k = ring.index(min(ring))
            pieces = [ring[k:] + ring[:k] + [ring[k]]]
        else:
            at = (cuts - start).tolist()
            pieces = [ring[i : j + 1] for i, j in pairwise(at)]
            pieces.append(ring[at[-1] :] + ring[: at[0] + 1])
        refs = []
        for piece in pieces:
            forward = tuple(piece)
            closed = piece[0] == piece[-1]
            backward = (piece[0], *piece[-2:0:-1], piece[0]) if closed else forward[::-1]
            canonical = min(forward, backward)
            index = arc_index.get(canonical)
            if index is None:
                index = arc_index[canonical] = len(arcs)
                arcs.append(point_xy[list(canonical)])
            refs.append(index if canonical == forward else ~index)
        ring_refs[int(ring_of[start])] = refs

    features: list[list[list[list[int]]]] = [[] for _ in geoms]
    ring_numbers, first_ring = np.unique(ring_polygon, return_index=True)
    ring_counts = np.diff(np.r_[first_ring, len(ring_polygon)])
    for polygon, ring0, count in zip(
        ring_numbers.tolist(), first_ring.tolist(), ring_counts.tolist(), strict=True
    ):
        if ring0 not in ring_refs:  # exterior ring degenerate: no polygon
            continue
        polygon_rings = [ring_refs[r] for r in range(ring0, ring0 + count) if r in ring_refs]
        features[int(polygon_feature[polygon])].append(polygon_rings)
    return Topology(arcs=arcs, features=features)


def outline_arcs(topology: Topology, groups: Sequence[object]) -> dict[object, list[int]]:
    """Per group, the arcs of its outline: those whose two sides are not both in the group.

    An arc on the edge of the layer (one side only) belongs to its side's outline. An arc
    between two groups belongs to both outlines.

    Examples
    --------
    >>> cells = [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1), shapely.box(2, 0, 3, 1)]
    >>> topology = build_topology(cells, 1.0)
    >>> {g: len(arcs) for g, arcs in outline_arcs(topology, ["A", "A", "B"]).items()}
    {'A': 4, 'B': 2}
    """
    sides = topology.arc_sides()
    values = list(groups)
    out: dict[object, list[int]] = {}
    for arc, (left, right) in enumerate(sides.tolist()):
        if left < 0:
            continue
        g_left = values[left]
        g_right = values[right] if right >= 0 else None
        if right >= 0 and g_left == g_right:
            continue
        out.setdefault(g_left, []).append(arc)
        if right >= 0:
            out.setdefault(g_right, []).append(arc)
    return out


#: JavaScript: ``atlasTopology(data)`` decodes :meth:`Topology.encode` output (plus ``grid``)
#: to ``{arcs, features, sides}`` (arcs as ``[lon, lat]`` arrays); ``atlasRing(arcs, refs)``
#: joins a ring; ``atlasOutlines(topology, groupOf, name)`` gives one MultiLineString feature
#: per group (its value as property ``name``), like :func:`outline_arcs`.
TOPOLOGY_JS = """
var ATLAS_B64 = (function () {
  var table = new Int8Array(128), a = "ALPHABET";
  for (var i = 0; i < a.length; i++) table[a.charCodeAt(i)] = i;
  return table;
})();
function atlasVarints(s) {
  var out = new Array(s.length), n = 0, v = 0, m = 1;
  for (var i = 0; i < s.length; i++) {
    var c = ATLAS_B64[s.charCodeAt(i)];
    v += (c & 31) * m;
    if (c & 32) { m *= 32; } else { out[n++] = v; v = 0; m = 1; }
  }
  out.length = n;
  return out;
}
function atlasZig(v) { return v % 2 ? -(v + 1) / 2 : v / 2; }
function atlasTopology(data) {
  var g = data.grid, a = atlasVarints(data.arcs), arcs = [], x = data.x0, y = data.y0;
  for (var k = 0; k < a.length;) {
    var n = a[k++], arc = new Array(n);
    for (var p = 0; p < n; p++) {
      x += atlasZig(a[k++]); y += atlasZig(a[k++]);
      arc[p] = [x * g, y * g];
    }
    arcs.push(arc);
  }
  var r = atlasVarints(data.rings), features = new Array(data.n), sides = [], prev = 0;
  for (var f = 0, k = 0; f < data.n; f++) {
    var polys = new Array(r[k++]);
    for (var p = 0; p < polys.length; p++) {
      var rings = new Array(r[k++]);
      for (var q = 0; q < rings.length; q++) {
        var refs = new Array(r[k++]);
        for (var j = 0; j < refs.length; j++) {
          var v = r[k++], back = v % 2, i = prev + atlasZig((v - back) / 2);
          prev = i;
          refs[j] = back ? ~i : i;
          if (sides[i] === undefined) sides[i] = [f, -1]; else sides[i][1] = f;
        }
        rings[q] = refs;
      }
      polys[p] = rings;
    }
    features[f] = polys;
  }
  return {arcs: arcs, features: features, sides: sides};
}
function atlasRing(arcs, refs) {
  var out = [];
  for (var j = 0; j < refs.length; j++) {
    var i = refs[j], arc = arcs[i < 0 ? ~i : i], n = arc.length;
    for (var p = j ? 1 : 0; p < n; p++) out.push(i < 0 ? arc[n - 1 - p] : arc[p]);
  }
  return out;
}
function atlasOutlines(topology, groupOf, name) {
  var lines = new Map();
  function add(group, arc) {
    if (!lines.has(group)) lines.set(group, []);
    lines.get(group).push(topology.arcs[arc]);
  }
  for (var i = 0; i < topology.sides.length; i++) {
    var s = topology.sides[i];
    if (s === undefined) continue;
    var left = groupOf(s[0]), right = s[1] < 0 ? null : groupOf(s[1]);
    if (s[1] >= 0 && left === right) continue;
    add(left, i);
    if (s[1] >= 0) add(right, i);
  }
  var out = [];
  lines.forEach(function (coordinates, group) {
    var properties = {};
    properties[name] = group;
    out.push({type: "Feature", properties: properties,
              geometry: {type: "MultiLineString", coordinates: coordinates}});
  });
  return out;
}
""".replace("ALPHABET", ALPHABET)
