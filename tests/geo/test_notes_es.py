"""A sign photo's note and a boundary import's notes are stored (and printed) in English and read in Spanish.

The sign-photo note stays English text in the status history (as it always was, so the audit log and older
rows read the same); the history, the site panel's photo caption, the sign packet and ``stagemap status history``
recognise its template and show it in the reader's language. Boundary notes name the kind of boundary as a
word that translates with the note.
"""
from __future__ import annotations

import hashlib

from geo import schema
from geo.analysis.labels import describe_edit, value_text
from geo.analysis.photo_note import note_message, placement_message
from geo.i18n import localise
from geo.intake.photo_views import photo_refs
from geo.services.boundaries import WARNING
from geo.services.imports import import_file
from geo.services.photos import site_sign_photos
from geo.services.status import save_site_status
from geo.store.boundaries import KIND_WORDS
from stagemap_cli.main import main
from tests.actors import ADMIN
from tests.geo.test_boundaries import LINE_2012, LINE_2021, council_file
from tests.geo.test_intake import INSIDE, NEAR, add_sites, jpeg


def _photo_save(store, at: tuple[float, float], version: int, note: str | None = None) -> str:
    photo = jpeg(*at)
    changes: dict[str, object] = {schema.SIGN_STATUS: "posted"}
    if note is not None:
        changes[schema.STATUS_NOTE] = note
    save_site_status(store, ADMIN, "SYN-1", changes, expect_version=version, photo=("sign.jpg", photo))
    return hashlib.sha256(photo).hexdigest()[:16]


def test_the_sign_photo_note_is_stored_in_english_and_read_in_spanish(store, capsys):
    add_sites(store)
    sha = _photo_save(store, INSIDE, 1, note="Posted at gate {A}")
    edit = store.status_history("SYN-1")[-1]
    stored = edit.changes[schema.STATUS_NOTE][1]
    assert stored == f"Posted at gate {{A}}\nsign photo sha256:{sha} (inside site)"  # English, as before
    assert type(stored) is str
    assert value_text(stored, schema.STATUS_NOTE, "en") == stored
    assert value_text(stored, schema.STATUS_NOTE, "es") == \
        f"Posted at gate {{A}}\nfoto del letrero sha256:{sha} (dentro del sitio)"  # user text stays as typed
    assert f"sign photo sha256:{sha} (inside site)" in str(describe_edit(edit))
    assert f"foto del letrero sha256:{sha} (dentro del sitio)" in localise(describe_edit(edit), "es")
    assert main(["status", "history", "SYN-1", "--store", store.url]) == 0
    english = capsys.readouterr().out
    assert f"sign photo sha256:{sha} (inside site)" in english
    assert main(["--lang", "es", "status", "history", "SYN-1", "--store", store.url]) == 0
    spanish = capsys.readouterr().out
    assert f"foto del letrero sha256:{sha} (dentro del sitio)" in spanish and "sign photo" not in spanish
    (view,) = site_sign_photos(store, ADMIN, "SYN-1")
    assert view.placement == "inside site"
    assert localise(placement_message(view.placement), "es") == "dentro del sitio"


def test_a_photo_near_the_site_keeps_its_distance_in_both_languages(store):
    add_sites(store)
    sha = _photo_save(store, NEAR, 1)
    stored = store.status_history("SYN-1")[-1].changes[schema.STATUS_NOTE][1]
    ((prefix, where),) = photo_refs(stored)
    assert prefix == sha and where.startswith("within 150 ft of site (") and where.endswith(" ft)")
    feet = where.removeprefix("within 150 ft of site (").removesuffix(" ft)")
    assert localise(placement_message(where), "es") == f"a menos de 150 pies del sitio ({feet} pies)"
    assert localise(note_message(stored), "es") == \
        f"foto del letrero sha256:{sha} (a menos de 150 pies del sitio ({feet} pies))"
    (view,) = site_sign_photos(store, ADMIN, "SYN-1")
    assert view.placement == where  # the whole placement, its parenthesis included
    assert localise(note_message("typed by hand: no photo here"), "es") == "typed by hand: no photo here"


def test_boundary_notes_name_the_kind_in_spanish(store, tmp_path, cli_accounts, capsys):
    old = council_file(tmp_path / "Council_Districts_2012.geojson", LINE_2012, older=True)
    new = council_file(tmp_path / "Council_Districts_2021.geojson", LINE_2021, older=False)
    args = ["--store", store.url, "--user", "admin"]
    assert main(["import", "districts", str(new), "--vintage", "2021", *args]) == 0
    capsys.readouterr()
    assert main(["import", "districts", str(old), *args]) == 0
    english = capsys.readouterr().out
    assert "note: WARNING: this council districts set (vintage 2012-07-01) looks OLDER than the current set " \
           "'council_districts 2021' (vintage 2021): stored, NOT made current" in english
    assert main(["--lang", "es", "import", "districts", str(old), *args]) == 0
    spanish = capsys.readouterr().out
    assert "nota: ADVERTENCIA: este conjunto de distritos del Concejo Municipal (vigencia 2012-07-01) parece MÁS " \
           "ANTIGUO que el conjunto vigente 'council_districts 2021' (vigencia 2021): se guardó, pero NO se hizo " \
           "vigente" in spanish
    assert "los mismos límites (distritos del Concejo Municipal) ya están guardados como el conjunto " \
           "'council_districts 2012-07-01'" in spanish  # the second import of the same file
    assert "council districts" not in spanish and "WARNING" not in spanish
    assert "note: note:" not in english and "nota: nota:" not in spanish  # a set's own notes are prefixed once
    report = import_file(store, ADMIN, schema.DISTRICTS, old)
    notes = [n for n in report.notes if n.startswith(WARNING)]
    assert notes and localise(notes[0], "es").startswith("ADVERTENCIA: este conjunto de distritos del Concejo")
    assert [localise(KIND_WORDS[k], "es") for k in ("council_districts", "lapd_divisions", "neighborhood_councils")] \
        == ["distritos del Concejo Municipal", "divisiones del LAPD", "concejos vecinales"]
