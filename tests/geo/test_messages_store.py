"""Store and configuration errors read in Spanish: raised by the real code on a real temporary store.

Each error keeps its English text (``str(exc)``, what the CLI, the logs and older tests read) and is shown in
the reader's language through ``geo.i18n.localise`` (the page's ``error_text``): template translated first,
then filled with the values, which are data (site ids, paths, variable names) and stay as they are.
"""
from __future__ import annotations

import sqlite3

import geopandas as gpd
import pytest
import shapely

from geo import config, i18n, schema
from geo.errors import GeoDataError, SchemaError, StatusConflict, StoreError
from geo.records import BoundarySet
from geo.store import open_store
from geo.store import sqlite as sqlite_store
from tests.conftest import canonical_frame


def _spanish(exc: BaseException, english: str, *spanish_words: str) -> str:
    """Assert the English text is unchanged and the Spanish one is a real translation; return the Spanish."""
    assert str(exc) == english
    text = i18n.localise(exc, "es")
    assert text != english
    for word in spanish_words:
        assert word in text, text
    assert i18n.localise(exc, "en") == english
    return text


@pytest.fixture
def sited(tmp_path):
    """A store with one synthetic site, its sign and gate at version 1."""
    store = open_store(str(tmp_path / "store.gpkg"))
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)], site_id=["SYN-1"],
                            owning_dept="Transportation (LADOT)", area_sqft=100.0, site_origin="asset_list")
    store.write_layers({schema.SITES: sites})
    return store


def test_a_store_at_the_wrong_path_is_explained_in_spanish(tmp_path):
    path = tmp_path / "nowhere" / "store.gpkg"
    with pytest.raises(StoreError) as info:
        open_store(str(path), create=False)
    _spanish(info.value, f"No store at {path}. Build one with `stagemap sample` or import data into it.",
             "No hay ningún almacén de datos en", str(path), "`stagemap sample`")
    assert not path.exists()
    with pytest.raises(StoreError) as info:
        open_store("ftp://user:secret@example.org/store")
    text = _spanish(info.value, "Unsupported store URL 'example.org/store': give a file path or a postgresql:// URL.",
                    "URL de almacén de datos no admitida 'example.org/store'")
    assert "secret" not in text  # the credentials never reach the message, in either language


def test_bad_status_values_and_an_anonymous_save_change_nothing_and_read_in_spanish(sited):
    with pytest.raises(SchemaError) as info:
        sited.save_status("SYN-1", {"sign_status": "maybe"}, expect_version=1, user="ana")
    english = (f"Site SYN-1: sign status 'maybe' is not one of {list(schema.SIGN_STATUSES)}.")
    _spanish(info.value, english, "Sitio SYN-1: el estado del letrero 'maybe' no es uno de")
    with pytest.raises(SchemaError) as info:
        sited.save_status("SYN-1", {"sign_posted_on": "2099-01-01"}, expect_version=1, user="ana")
    _spanish(info.value, "Site SYN-1: sign_posted_on 2099-01-01 is in the future; give the date it happened.",
             "está en el futuro", "sign_posted_on")
    with pytest.raises(SchemaError) as info:
        sited.save_status("SYN-1", {"gate_status": "open"}, expect_version=1, user=" ")
    _spanish(info.value, "Site SYN-1: say who is saving (user name); edits are never anonymous.",
             "nunca son anónimas")
    with pytest.raises(StoreError) as info:
        sited.save_status("SYN-9", {"gate_status": "open"}, expect_version=1, user="ana")
    _spanish(info.value, "No site 'SYN-9' in the store; check the site id (stagemap info lists counts).",
             "No existe el sitio 'SYN-9' en el almacén de datos")
    assert [e.version for e in sited.status_history("SYN-1")] == [1]


def test_a_stale_status_save_is_refused_and_names_the_site_in_spanish(sited):
    sited.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    with pytest.raises(StatusConflict) as info:
        sited.save_status("SYN-1", {"gate_status": "closed_locked"}, expect_version=1, user="bo")
    english = str(info.value)
    assert english.startswith("Site SYN-1 changed since you loaded version 1: ") and "ana" in english
    assert english.endswith("Your change was not saved. Review the newer edit and re-apply your change on top of "
                            "version 2.")
    spanish = i18n.localise(info.value, "es")
    assert spanish.startswith("Sitio SYN-1 ") and spanish != english  # the row word is translated, the id is data
    assert i18n.localise(info.value, "en") == english
    assert sited.read_status().set_index("site_id").loc["SYN-1", "gate_status"] == "unknown"


def test_a_determination_without_a_reason_names_the_site_in_spanish(sited):
    with pytest.raises(SchemaError) as info:
        sited.save_control("SYN-1", {schema.DETERMINATION: schema.NOT_CANDIDATE}, expect_version=0, user="ana")
    text = _spanish(info.value, "Site SYN-1: 'not a candidate' needs a reason (why it cannot serve as a staging "
                                "area, processing location or operations base); add one and save again.",
                    "Sitio SYN-1:", "necesita un motivo")
    assert "Site" not in text  # the nested row label is translated too
    with pytest.raises(SchemaError) as info:
        sited.save_control("SYN-1", {schema.DETERMINATION: "perhaps"}, expect_version=0, user="ana")
    assert i18n.localise(info.value, "es").startswith("Sitio SYN-1: el valor 'perhaps' de determination no es uno de")
    assert sited.control_history("SYN-1") == []


def test_a_write_while_another_writer_holds_the_lock_is_refused_in_spanish(sited, monkeypatch):
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 0)  # fail at once instead of waiting for the writer
    holder = sqlite3.connect(sited.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as info:
            sited.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    english = str(info.value)
    assert english.startswith(f"Store {sited.path} stayed locked by another writer for 0 s (")
    assert english.endswith("); nothing was written. Retry in a moment.")
    _spanish(info.value, english, f"El almacén de datos {sited.path} estuvo bloqueado", "no se escribió nada")
    assert [e.version for e in sited.status_history("SYN-1")] == [1]


def test_real_data_into_the_synthetic_sample_is_forbidden_in_spanish(sited):
    real = canonical_frame(schema.SITES, [shapely.box(-118.24, 34.05, -118.239, 34.051)], site_id=["REAL-1"],
                           owning_dept="Transportation (LADOT)", area_sqft=100.0, site_origin="asset_list",
                           is_synthetic=False)
    with pytest.raises(StoreError) as info:
        sited.write_layers({schema.SITES: real})
    _spanish(info.value, f"Store {sited.display_url} holds the synthetic sample; this file is real data. Demo and "
                         "real layers never mix: import into another store (--store data/real.gpkg or "
                         "STAGEMAP_STORE).",
             "contiene la muestra sintética", "nunca se mezclan", "--store data/real.gpkg")
    assert list(sited.read_layer(schema.SITES)[schema.SITE_ID]) == ["SYN-1"]


def test_bad_boundaries_are_refused_in_spanish(sited):
    squares = [shapely.box(-118.25 + i * 0.01, 34.05, -118.24 + i * 0.01, 34.06) for i in range(2)]
    twice = gpd.GeoDataFrame({"code": [4, 4], "name": ["A", "B"]}, geometry=squares, crs="EPSG:4326")
    spec = BoundarySet("cd-2031", "council_districts", "Plan 2031", "2031", is_synthetic=True)
    with pytest.raises(StoreError) as info:
        sited.add_boundary_set(spec, twice, make_current=True, user="ana")
    _spanish(info.value, "boundary set 'cd-2031': codes must be unique and present; dissolve first.",
             "conjunto de límites 'cd-2031'", "disuelva")
    with pytest.raises(StoreError) as info:
        sited.add_boundary_set(BoundarySet("w-1", "wards", "Wards", None, is_synthetic=True), twice,
                               make_current=False, user="ana")
    _spanish(info.value, "boundary kind 'wards' is unknown; use one of "
                         f"{', '.join(['council_districts', 'lapd_divisions', 'neighborhood_councils'])}.",
             "el tipo de límite 'wards' es desconocido")
    with pytest.raises(StoreError) as info:
        sited.make_boundary_current("cd-2031", user="ana")
    text = _spanish(info.value, "No boundary set 'cd-2031'; stored sets: none. List them with "
                                "`stagemap boundaries list`.", "conjuntos guardados: ninguno.")
    assert "none" not in text


def test_bad_configuration_reads_in_spanish(monkeypatch, tmp_path):
    with pytest.raises(GeoDataError) as info:
        config.alert_settings({"STAGEMAP_WEBHOOK_URL": "ftp://hooks.example.org/x"})
    _spanish(info.value, "$STAGEMAP_WEBHOOK_URL must be an https:// (or http://) address.", "debe ser una dirección")
    with pytest.raises(GeoDataError) as info:
        config.alert_settings({"STAGEMAP_SMTP_PORT": "five"})
    assert str(info.value).startswith("An alert setting is not a number (")
    assert i18n.localise(info.value, "es").startswith("Un ajuste de las alertas no es un número (")
    monkeypatch.delenv(config.CHECKPOINT_KEY_FILE_ENV, raising=False)
    monkeypatch.setenv(config.CHECKPOINT_KEY_ENV, "short")
    with pytest.raises(GeoDataError) as info:
        config.checkpoint_key()
    _spanish(info.value, "$STAGEMAP_CHECKPOINT_KEY holds a 5-byte key; an audit checkpoint key needs at least 32 "
                         "bytes (e.g. python -c 'import secrets; print(secrets.token_hex(32))').",
             "contiene una clave de 5 bytes", "p. ej. python -c")
    key_file = tmp_path / "absent.key"
    monkeypatch.delenv(config.PACKAGE_KEY_ENV, raising=False)
    monkeypatch.setenv(config.PACKAGE_KEY_FILE_ENV, str(key_file))
    with pytest.raises(GeoDataError) as info:
        config.package_key()
    _spanish(info.value, f"$STAGEMAP_PACKAGE_KEY_FILE={key_file}: cannot read the package key file (No such file "
                         "or directory); check the path and its permissions.",
             "no se puede leer el archivo de la clave", str(key_file))
    monkeypatch.setenv("STAGEMAP_LOCKOUT_ATTEMPTS", "2.5")
    with pytest.raises(ValueError) as bad:
        config.lockout_policy()
    _spanish(bad.value, "STAGEMAP_LOCKOUT_ATTEMPTS='2.5' is not valid: use a positive whole number.",
             "número entero positivo")
