"""DuckDB spatial as a side-by-side reference, loaded offline from the PyPI extension wheel."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely


class DuckCounts:
    """Parcels and incident points loaded into an in-memory DuckDB with the spatial extension.

    The extension binary comes from the ``duckdb-extension-spatial`` wheel (pinned with the
    matching ``duckdb``), so nothing is downloaded (PERFORMANCE.md, 'DuckDB offline').
    """

    def __init__(self, parcels: np.ndarray, points: np.ndarray, *, threads: int = 2) -> None:
        import duckdb
        import duckdb_extension_spatial

        version = duckdb.__version__
        ext = Path(duckdb_extension_spatial.__file__).parent / "extensions" / f"v{version}" / "spatial.duckdb_extension"
        if not ext.exists():
            raise FileNotFoundError(f"{ext} missing: install the pinned pair from requirements-bench.txt")
        self.con = duckdb.connect()
        self.con.execute(f"SET threads = {threads}")
        self.con.execute(f"LOAD '{ext}'")
        self.n = len(parcels)
        par = pa.table({"id": np.arange(self.n), "wkb": shapely.to_wkb(parcels)})
        inc = pa.table({"x": points[:, 0], "y": points[:, 1]})
        self.con.register("par_arrow", par)
        self.con.register("inc_arrow", inc)
        self.con.execute("CREATE TABLE parcels AS SELECT id, ST_GeomFromWKB(wkb) AS geom FROM par_arrow")
        self.con.execute("CREATE TABLE inc AS SELECT ST_Point(x, y) AS geom FROM inc_arrow")

    def count_within(self, radius_ft: float) -> np.ndarray:
        """Return, per parcel, the number of points within ``radius_ft`` (exact ST_DWithin)."""
        res = self.con.execute(
            "SELECT p.id, count(*) AS n FROM parcels p JOIN inc i ON ST_DWithin(p.geom, i.geom, ?) GROUP BY p.id",
            [radius_ft],
        ).fetchnumpy()
        out = np.zeros(self.n, dtype=np.int64)
        out[res["id"]] = res["n"]
        return out
