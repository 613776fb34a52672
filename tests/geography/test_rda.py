import gzip

import numpy as np
import pytest
import shapely
from repo_paths import SHARED_DATA

from geo.errors import BoundaryError
from geo.geography.rda import NA_INTEGER, RObject, RType, _geometries, data_frame, read_rda

SOURCES = SHARED_DATA / "sources/vietnam63"
needs_sources = pytest.mark.skipif(
    not SOURCES.is_dir(), reason=f"vietnam63 source files not found at {SOURCES}"
)


def strings(*values):
    return RObject(RType.STR, list(values))


def ring(coords, *, hole=False, hole_flag=None, ring_dir=None):
    xy = np.asarray(coords, dtype=float)
    flag = int(hole) if hole_flag is None else hole_flag
    direction = (-1 if hole else 1) if ring_dir is None else ring_dir
    return RObject(
        RType.S4,
        None,
        {
            "coords": RObject(
                RType.REAL,
                xy.T.reshape(-1),  # R stores matrices column after column
                {"dim": RObject(RType.INT, np.array([len(xy), 2], dtype=np.int32))},
            ),
            "hole": RObject(RType.LGL, np.array([flag], dtype=np.int32)),
            "ringDir": RObject(RType.INT, np.array([direction], dtype=np.int32)),
        },
    )


def polygons(*rings, comment=None):
    attributes = {"Polygons": RObject(RType.VEC, list(rings))}
    if comment is not None:
        attributes["comment"] = strings(comment)
    return RObject(RType.S4, None, attributes)


def square(x0, y0, size):
    return [(x0, y0), (x0, y0 + size), (x0 + size, y0 + size), (x0 + size, y0), (x0, y0)]


def test_single_rings_holes_and_multipart():
    outer, inner, island = square(0, 0, 10), square(2, 2, 2), square(20, 0, 1)
    geoms, orphans = _geometries(
        [
            polygons(ring(outer)),
            polygons(ring(outer), ring(inner, hole=True), comment="0 1"),  # rgeos comment
            polygons(ring(outer), ring(inner, hole=True), ring(island)),  # no comment
            polygons(ring(outer), ring(inner, hole_flag=NA_INTEGER, ring_dir=-1)),  # NA flag
        ]
    )
    assert orphans == 0
    assert [g.area for g in geoms] == [100.0, 96.0, 97.0, 96.0]
    assert geoms[2].geom_type == "MultiPolygon" and len(geoms[2].geoms) == 2
    assert all(shapely.is_valid(geoms))


def test_orphan_holes_and_degenerate_rings_are_dropped():
    geoms, orphans = _geometries(
        [
            polygons(ring(square(0, 0, 1)), ring(square(5, 5, 1), hole=True)),
            polygons(ring(square(0, 0, 1)), ring([(0, 0), (1, 1), (0, 0)])),
        ]
    )
    assert orphans == 1
    assert [g.area for g in geoms] == [1.0, 1.0]


def test_invalid_rings_are_repaired():
    bow_tie = [(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)]
    geoms, _ = _geometries([polygons(ring(bow_tie))])
    assert shapely.is_valid(geoms[0]) and geoms[0].area == pytest.approx(0.5)


def test_data_frame_factors_and_missing_values():
    frame = RObject(
        RType.VEC,
        [
            RObject(RType.INT, np.array([1, NA_INTEGER], dtype=np.int32)),
            RObject(
                RType.INT,
                np.array([2, NA_INTEGER], dtype=np.int32),
                {"levels": strings("Xã A", "Xã B"), "class": strings("factor")},
            ),
            strings("Hòa Bình", None),
            RObject(RType.LGL, np.array([1, NA_INTEGER], dtype=np.int32)),
        ],
        {"names": strings("id", "name", "province", "ok")},
    )
    table = data_frame(frame)
    assert table["id"].tolist()[0] == 1 and table["id"].isna().tolist() == [False, True]
    assert table["name"].tolist()[0] == "Xã B" and table["name"].isna().tolist() == [False, True]
    assert table["province"].isna().tolist() == [False, True]
    assert table["ok"].tolist()[0] is True and table["ok"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("file_format", "compression", "version"),
    [("xdr", "gzip", 3), ("xdr", "bzip2", 2), ("xdr", "xz", 3), ("ascii", "gzip", 3)],
)
def test_files_written_by_rdata_read_the_same(tmp_path, file_format, compression, version):
    rdata = pytest.importorskip("rdata")
    path = tmp_path / "x.rda"
    rdata.write_rda(
        path,
        {
            "ints": np.array([7, 8], dtype=np.int32),
            "names": np.array(["Xã Tòng Đậu", "Phường 1"], dtype=object),
            "values": {"a": np.array([1.5, np.nan])},
        },
        file_format=file_format,  # "ascii" goes through the rdata fallback
        compression=compression,
        format_version=version,
    )
    objects = read_rda(path)
    assert objects["ints"].value.tolist() == [7, 8]
    assert objects["names"].value == ["Xã Tòng Đậu", "Phường 1"]
    values = objects["values"]
    assert values.strings("names") == ["a"]
    assert values.value[0].value[0] == 1.5 and np.isnan(values.value[0].value[1])


def test_not_an_r_file(tmp_path):
    path = tmp_path / "communes.rda"
    path.write_bytes(b"<html>404</html>")
    with pytest.raises(BoundaryError, match="not an R data file"):
        read_rda(path)


def test_damaged_r_file(tmp_path):
    path = tmp_path / "communes.rda"
    path.write_bytes(gzip.compress(b"RDX2\nX\n" + b"\x00\x00\x00\x02" * 3 + b"\x00\x00\x00"))
    with pytest.raises(BoundaryError, match=r"communes\.rda"):
        read_rda(path)


@needs_sources
def test_vietnam63_districts_fast_reader_equals_rdata():
    from geo.geography.rda import _read_with_rdata, read_spatial_polygons

    layer = read_spatial_polygons(SOURCES / "districts.rda")
    assert len(layer) == 703 and layer.crs.is_geographic
    assert {"district_id", "district_vn", "province_vn"} <= set(layer.columns)
    assert layer.geometry.is_valid.all() and not layer.geometry.is_empty.any()
    # the general reader (rdata) finds the same objects and values
    fast = read_rda(SOURCES / "districts.rda")["districts"]
    slow = _read_with_rdata(SOURCES / "districts.rda")["districts"]
    assert data_frame(fast.attr("data")).equals(data_frame(slow.attr("data")))
    fast_rings = fast.attr("polygons").value[5].attr("Polygons").value
    slow_rings = slow.attr("polygons").value[5].attr("Polygons").value
    assert np.array_equal(fast_rings[0].attr("coords").value, slow_rings[0].attr("coords").value)
