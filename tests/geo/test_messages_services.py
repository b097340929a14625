"""Errors of the one door (geo/services, geo/access) read in Spanish: real errors on a real store, English unchanged.

Each test provokes the error through the service a page or the CLI calls, on a temporary embedded store,
and checks the text a Spanish session shows (``geo.i18n.localise``) and the English ``str(exc)`` every
other test and the log read.
"""
from __future__ import annotations

import pickle

import pytest
import shapely

from geo import i18n, schema
from geo.access.roles import ACTIONS, Actor, require_page
from geo.access.wording import ACTION_WORDS
from geo.errors import AccessDenied, SchemaError, StatusConflict
from geo.messages import Message, message_of
from geo.records import Edit
from geo.services.measures import save_measure
from geo.services.preferences import save_language
from geo.services.registers import save_entry
from geo.services.status import import_status, save_site_status
from tests.actors import ADMIN, PLANNER, RECORDS, liaison
from tests.conftest import canonical_frame

LADOT = "Transportation (LADOT)"
HARBOR = "Harbor (Port of LA)"


@pytest.fixture
def sited(store):
    """Two LADOT sites and one Harbor site, each at status version 1."""
    sites = canonical_frame(schema.SITES, [shapely.box(-118.25, 34.05, -118.249, 34.051)] * 3,
                            site_id=["SYN-1", "SYN-2", "HAR-1"], owning_dept=[LADOT, LADOT, HARBOR],
                            area_sqft=100.0, site_origin="asset_list")
    store.write_layers({schema.SITES: sites})
    return store


def _es(exc: BaseException) -> str:
    return i18n.localise(exc, "es")


def test_a_role_denied_an_action_reads_why_in_spanish(sited):
    with pytest.raises(AccessDenied) as info:
        save_site_status(sited, PLANNER, "SYN-1", {"sign_status": "posted"}, expect_version=1)
    assert str(info.value) == "The planner role may not edit status."
    assert _es(info.value) == ("La función Personal de Planificación no tiene permiso para cambiar el estado de letreros "
                               "y portones.")
    assert sited.read_status().set_index("site_id").loc["SYN-1", "version"] == 1


def test_a_role_denied_a_page_reads_in_spanish():
    with pytest.raises(AccessDenied) as info:
        require_page(RECORDS, "liaison")
    assert str(info.value) == "The records role cannot open the liaison page."
    assert _es(info.value) == "La función Registros del LAPD no tiene permiso para abrir la página Enlace."


def test_a_liaison_saving_another_departments_site_is_told_whose_it_is(sited):
    with pytest.raises(AccessDenied) as info:
        save_site_status(sited, liaison(HARBOR, "hana"), "SYN-1", {"sign_status": "posted"}, expect_version=1)
    assert str(info.value) == (f"hana is the liaison for {HARBOR}; this belongs to {LADOT}. "
                               "Ask that department's liaison.")
    assert _es(info.value) == (f"hana es el enlace de {HARBOR}; esto pertenece a {LADOT}. "
                               "Pídaselo al enlace de ese departamento.")


def test_a_stale_save_describes_the_newer_edit_in_spanish(sited):
    ana = liaison(LADOT, "ana")
    save_site_status(sited, ana, "SYN-1", {"sign_status": "posted"}, expect_version=1)
    with pytest.raises(StatusConflict) as info:
        save_site_status(sited, liaison(LADOT, "bo"), "SYN-1", {"gate_status": "closed_locked"}, expect_version=1)
    english, spanish = str(info.value), _es(info.value)
    assert english.startswith("Site SYN-1 changed since you loaded version 1: version 2 by ana at ")
    assert english.endswith(": sign_status unknown -> posted. Your change was not saved. Review the newer edit and "
                            "re-apply your change on top of version 2.")
    assert spanish.startswith("Sitio SYN-1 cambió desde que usted cargó la versión 1: versión 2 por ana el ")
    assert spanish.endswith(": sign_status unknown -> posted. Su cambio no se guardó. Revise la edición más reciente "
                            "y vuelva a aplicar su cambio sobre la versión 2.")
    # the message itself survives the trip to a background job and back
    assert i18n.localise(pickle.loads(pickle.dumps(message_of(info.value))), "es") == spanish
    assert sited.read_status().set_index("site_id").loc["SYN-1", "gate_status"] == "unknown"


def test_an_edit_without_changes_or_time_reads_in_spanish():
    edit = Edit("S-1", 2, None, None)
    assert edit.describe() == "version 2 by unknown at unknown time: no field changes"
    assert i18n.localise(edit.describe(), "es") == "versión 2 por desconocido el hora desconocida: sin cambios en los campos"
    conflict = StatusConflict("S-1", 1, {"version": 3}, [], what="Alert")
    assert str(conflict) == ("Alert S-1 changed since you loaded version 1: now at version 3. Your change was not "
                             "saved. Review the newer edit and re-apply your change on top of version 3.")
    assert _es(conflict).startswith("Alerta S-1 cambió desde que usted cargó la versión 1: ahora en la versión 3.")


def test_a_bad_register_value_names_the_problem_in_spanish(sited):
    with pytest.raises(SchemaError) as info:
        save_entry(sited, PLANNER, "contractor_disclosure", {"contract_id": "C-1", "bidder": "Acme",
                                                             "dhs_agreement": "no", "site_ids": "NOPE-1"},
                   expect_version=0)
    assert str(info.value) == ("Contractor disclosures (section E): site_ids ['NOPE-1'] are not City sites in the "
                               "store; check the site ids. Nothing was saved.")
    spanish = _es(info.value)
    assert "site_ids ['NOPE-1'] no son sitios de la Ciudad en el almacén de datos" in spanish
    assert spanish.endswith("No se guardó nada.")


def test_a_bulk_sheet_with_another_departments_rows_is_refused_in_spanish(sited, tmp_path):
    sheet = tmp_path / "status.csv"
    sheet.write_text("site_id,expect_version,sign_status\nSYN-1,1,posted\nHAR-1,1,posted\n")
    with pytest.raises(AccessDenied) as info:
        import_status(sited, liaison(LADOT, "ana"), sheet)
    assert str(info.value) == (f"status.csv: ana (liaison, {LADOT}) may not change 1 row(s): row 3 (HAR-1, {HARBOR}). "
                               "Nothing was saved; remove those rows or ask that department's liaison.")
    assert _es(info.value) == (f"status.csv: ana (liaison, {LADOT}) no tiene permiso para cambiar 1 fila(s): "
                               f"fila 3 (HAR-1, {HARBOR}). No se guardó nada; elimine esas filas o pídaselo al "
                               "enlace de ese departamento.")
    assert sited.read_status().set_index("site_id").loc["SYN-1", "version"] == 1


def test_a_board_measure_for_a_department_without_a_board_reads_in_spanish(sited):
    with pytest.raises(SchemaError) as info:
        save_measure(sited, ADMIN, LADOT, {"measure_type": "signage", "description": "x"})
    assert str(info.value).startswith(f"{LADOT} does not report to the Airport, Harbor or Recreation and Parks board")
    assert _es(info.value).startswith(f"{LADOT} no rinde cuentas a la junta de Aeropuertos")


def test_a_visitor_cannot_save_a_language_and_is_told_so_in_spanish(sited, tmp_path):
    with pytest.raises(AccessDenied) as info:
        save_language(sited, tmp_path / "users.json", Actor("anyone", "public"), "es")
    assert str(info.value) == "Visitors keep their language in the link (?lang=); only accounts save a choice."
    assert "Los visitantes conservan su idioma" in _es(info.value)


def test_every_action_reads_as_its_name_in_english_and_has_spanish_words():
    assert set(ACTION_WORDS) == set(ACTIONS)
    for action, words in ACTION_WORDS.items():
        assert words == action.replace("_", " ")
        assert i18n.localise(words, "es") != words, action
    denied = message_of(_denied(Actor("p", "planner"), "manage_users"))
    assert isinstance(denied, Message) and isinstance(denied.values["action"], Message)


def _denied(actor: Actor, action: str) -> AccessDenied:
    from geo.access.roles import authorize

    try:
        authorize(actor, action)
    except AccessDenied as exc:
        return exc
    raise AssertionError(f"{actor.role} may {action}")
