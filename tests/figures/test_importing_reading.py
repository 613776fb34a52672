"""Files the importer cannot use say so, naming the file and what to do."""

from __future__ import annotations

import pytest

from geo.errors import DataError
from geo.figures.importing import UnreadableFileError, import_file


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "importer.error.unreadable"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "importer.error.xls"),
        (b"PK\x03\x04 not really a zip", "importer.error.unreadable"),
        (b"", "importer.error.empty"),
        (b"   \r\n", "importer.error.empty"),
        ("Họ tên,Tuổi\nAn,30\n".encode(), "importer.error.no_header"),
        ("STT,Kinh tế,Văn hóa - xã hội\n1,2,3\n".encode(), "importer.error.no_commune_column"),
    ],
)
def test_unreadable_files_say_what_to_do(data, key):
    with pytest.raises(DataError) as caught:
        import_file(data, family="models", period=2024, file_name="so_lieu.dat")
    error = caught.value
    assert isinstance(error, UnreadableFileError)
    assert error.key == key
    assert error.source == "so_lieu.dat"
    assert "so_lieu.dat" in error.message and "so_lieu.dat" in error.text("vi")
    assert error.text("vi") != error.text("en") == error.message
