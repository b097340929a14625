"""Upload handling: hostile names are flattened, oversize uploads refused."""
from __future__ import annotations

import pytest

from geo.errors import UnsafeFileError
from ui.uploads import safe_upload_name, save_upload


@pytest.mark.parametrize(
    ("name", "expected"),
    [("parcels.geojson", "parcels.geojson"), ("../../etc/passwd", "passwd"), ("C:\\x\\..\\evil.zip", "evil.zip"),
     (".hidden.csv", "hidden.csv"), ("a b;rm -rf.csv", "a_b_rm_-rf.csv"), ("", "upload")],
    ids=["plain", "traversal", "windows", "dotfile", "shell", "empty"],
)
def test_safe_upload_name(name, expected):
    assert safe_upload_name(name) == expected


def test_save_upload_stays_in_its_own_folder_and_refuses_oversize(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    path = save_upload("../x.csv", b"a,b\n", max_bytes=10)
    assert path.name == "x.csv" and path.read_bytes() == b"a,b\n" and "stagemap-upload-" in str(path.parent)
    with pytest.raises(UnsafeFileError, match="over the upload limit"):
        save_upload("big.csv", b"x" * 11, max_bytes=10)
