"""AppTest: errors reach a Spanish session in Spanish (issue 17 item 5).

Real errors are provoked through the real forms in a Spanish session (a malformed column mapping and a file in
feet on the Data page, an incident report placed in New York, a status both sessions changed on the Liaison
page); the error shown must be the exception's text localised by ``geo.i18n.localise`` (in Spanish where its
raising module builds it with ``geo.messages.M``). In the pseudo-language the same errors carry the ⟪ ⟫ marks,
which proves they went through the catalogue. The import worker's own messages travel as ``Message`` objects
across its pipe; ``stagemap user list`` shows each account's language.
"""
from __future__ import annotations

import contextlib
import json
import multiprocessing
import threading
from collections.abc import Callable
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from geo import i18n
from geo.access.accounts import add_account, set_language
from geo.access.roles import Actor
from geo.config import UploadLimits
from geo.messages import Message, message_of
from tests.app.test_liaison_page import _unsigned_site
from tests.app.test_overview_page import APP, small_store  # noqa: F401  (fixture)
from ui import i18n as ui_i18n
from ui import jobs
from ui.text import md_escape

LIMITS = UploadLimits()


def _app(role: str, lang: str, monkeypatch: pytest.MonkeyPatch, page: str, **state: object) -> AppTest:
    """Open ``page`` as ``role`` in ``lang`` (as tests/app/test_spanish.py walks pages)."""
    monkeypatch.setattr(ui_i18n, "lang", lambda: lang)  # AppTest re-applies format_func outside the script run
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["demo_role"] = role
    at.session_state["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    at = at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


def _converted(value: object) -> bool:
    """True when ``value`` (an exception or a message) is a Message whose template has Spanish in the catalogue."""
    msg = message_of(value) if isinstance(value, BaseException) else value
    return isinstance(msg, Message) and msg.template in i18n.catalogue("es")


def _assert_shown_localised(shown: str, value: object) -> None:
    """``shown`` holds ``value`` localised into Spanish (and escaped); Spanish, not English, once it is converted."""
    spanish = i18n.localise(value, "es")
    assert md_escape(spanish) in shown, (shown, spanish)
    english = str(value)
    if _converted(value):
        assert spanish != english and md_escape(english) not in shown, shown
    else:  # the raising module's helper has not converted this message yet: the page still routes it through
        pytest.skip(f"not yet built with M() or without Spanish: {english[:120]!r} (shown through localise)")


class _Spy:
    """Records what a real service function raises (the function still runs; nothing is replaced)."""

    def __init__(self, func: Callable[..., Any]) -> None:
        self.func, self.raised = func, []  # type: list[BaseException]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return self.func(*args, **kwargs)
        except Exception as exc:
            self.raised.append(exc)
            raise


def _feet_geojson() -> bytes:
    feats = [{"type": "Feature", "properties": {"District": d, "District_Name": f"CD {d}"},
              "geometry": {"type": "Polygon", "coordinates": [[[6488151 + d * 100, 1842013], [6488151 + d * 100 + 90,
                                                                1842013], [6488151 + d * 100 + 90, 1842103],
                                                               [6488151 + d * 100, 1842103], [6488151 + d * 100, 1842013]]]}}
             for d in (5, 6)]
    return json.dumps({"type": "FeatureCollection", "features": feats}).encode()


def _data_page_with_mapping(lang: str, monkeypatch: pytest.MonkeyPatch, text: str) -> AppTest:
    at = _app("admin", lang, monkeypatch, "data")
    at.selectbox(key="data_kind").set_value("districts")
    at.file_uploader[0].set_value(("cd.geojson", _feet_geojson(), "application/octet-stream"))
    at.run()
    at.text_input(key="data_map_text").input(text)
    return at.button(key="data_import").click().run()


def _mapping_error(text: str) -> BaseException:
    from geo.services.imports import parse_pairs

    with pytest.raises(Exception) as caught:
        parse_pairs([p for p in text.split(";") if p.strip()], "cd.geojson")
    return caught.value


def test_a_malformed_column_mapping_is_refused_in_spanish(small_store, monkeypatch):  # noqa: F811
    at = _data_page_with_mapping("es", monkeypatch, "nonsense")
    assert at.error, "the malformed --map entry is refused"
    shown = at.error[0].value
    assert shown.endswith(i18n.translate("Nothing was stored.", "es")) and "Nothing was stored." not in shown, shown
    _assert_shown_localised(shown, _mapping_error("nonsense"))


def test_a_malformed_column_mapping_goes_through_the_catalogue(small_store, monkeypatch):  # noqa: F811
    """In the pseudo-language the error itself (not only the words around it) carries the marks."""
    at = _data_page_with_mapping(i18n.PSEUDO, monkeypatch, "nonsense")
    shown = at.error[0].value
    exc = _mapping_error("nonsense")
    assert isinstance(message_of(exc), Message), "parse_pairs raises with M()"
    marked = i18n.localise(exc, i18n.PSEUDO)
    assert marked.startswith(i18n.PSEUDO_OPEN) and shown.startswith(md_escape(marked)), shown


def test_a_rejected_import_reads_in_spanish(small_store, monkeypatch):  # noqa: F811
    """A file in feet declared as degrees: the background job's outcome is localised when the page shows it."""
    at = _app("admin", "es", monkeypatch, "data")
    at.selectbox(key="data_kind").set_value("districts")
    at.file_uploader[0].set_value(("cd.geojson", _feet_geojson(), "application/octet-stream"))
    at.run()
    at = at.button(key="data_import").click().run()
    job: jobs.ImportJob = at.session_state[jobs.SESSION_KEY]
    assert job.wait(180), "the background import did not finish"
    at = at.run()
    assert not at.exception, at.exception
    outcome = job.outcome
    assert outcome is not None and outcome.status == "rejected"
    shown = at.error[0].value
    title, stored = i18n.translate("Rejected.", "es"), i18n.translate("Nothing was stored.", "es")
    assert title != "Rejected." and shown.startswith(title) and shown.endswith(stored), shown
    _assert_shown_localised(shown, outcome.message)


def test_an_invalid_incident_report_is_refused_in_spanish(sample_store, monkeypatch):
    from geo.services import intake

    spy = _Spy(intake.submit_incident)
    monkeypatch.setattr(intake, "submit_incident", spy)
    at = _app("records", "es", monkeypatch, "report", rep_lat=40.7, rep_lon=-74.0)  # New York
    next(b for b in at.button if b.label == i18n.translate("Submit report", "es")).click().run()
    assert not at.exception, at.exception
    assert spy.raised, "the report was refused by the service"
    assert len(sample_store.read_layer("incidents")) == 250  # nothing written
    _assert_shown_localised(at.error[0].value, spy.raised[0])


def test_a_status_both_sessions_changed_reads_in_spanish(sample_store, monkeypatch):
    dept = "Transportation (LADOT)"
    site = _unsigned_site(sample_store, dept)
    at = _app("liaison", "es", monkeypatch, "liaison", demo_dept=dept, user_name="ana")
    at.selectbox(key="selected_site").set_value(site).run()
    was = sample_store.read_status().set_index("site_id").loc[site, "sign_status"]
    mine = next(v for v in ("damaged", "none", "unknown") if v != was)
    sample_store.save_status(site, {"sign_status": "posted", "gate_status": "open"}, expect_version=1, user="bo")
    next(r for r in at.radio if r.label == i18n.translate("Sign", "es")).set_value(mine)
    next(b for b in at.button if b.label == i18n.translate("Save", "es")).click().run()
    assert not at.exception, at.exception
    template = ("Site {site} changed since you loaded it ({newer}). Nothing was saved. The fields below were changed "
                "by both of you: choose which value to keep. Your other changes are kept.")
    spanish = i18n.translate(template, "es")
    assert spanish != template
    head = spanish.split("{site}")[0]
    assert at.error and at.error[0].value.startswith(head), at.error[0].value if at.error else "no error"
    assert "Nothing was saved" not in at.error[0].value
    assert sample_store.read_status().set_index("site_id").loc[site, "version"] == 2  # bo's save stands


def _worker_outcome(request: jobs.ImportRequest) -> jobs.Outcome:
    """Run the import worker's body in this process and return the outcome it sends through its pipe."""
    parent, child = multiprocessing.Pipe(duplex=False)
    jobs._worker(request, child, threading.Event())
    sent = []
    with contextlib.suppress(EOFError):  # progress reports first (they may be Messages too), the outcome last
        while True:
            sent.append(parent.recv())
    assert sent and sent[-1][0] == "outcome", sent
    return sent[-1][1]


def test_the_import_workers_messages_are_messages_across_the_pipe(tmp_path):
    """A refused file and an unexpected failure both reach the page as translatable Messages, after pickling."""
    path = tmp_path / "cd.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')
    refused = _worker_outcome(jobs.ImportRequest(store_url=str(tmp_path / "x.gpkg"), actor=Actor("kim", "admin"),
                                                 kind="districts", path=str(path), limits=LIMITS))
    assert refused.status == "rejected" and isinstance(refused.message, Message)
    crashed = _worker_outcome(jobs.ImportRequest(store_url=str(tmp_path / "x.gpkg"), actor=None,  # type: ignore[arg-type]
                                                 kind="districts", path=str(path), limits=LIMITS))
    assert crashed.status == "failed" and isinstance(crashed.message, Message)
    assert crashed.message.template == "{file}: the import failed ({error}: {why}); nothing was stored."
    spanish = i18n.localise(crashed.message, "es")
    assert spanish.startswith("cd.geojson: la importación falló (AttributeError: ") and "no se guardó nada" in spanish
    assert str(crashed.message).startswith("cd.geojson: the import failed (AttributeError: ")  # English unchanged


def test_the_job_outcomes_of_the_app_are_in_spanish():
    """Every message ui/jobs.py builds itself has Spanish (a cancelled or killed import, a crashed worker)."""
    from geo.messages import M

    samples = [M("{file}: import cancelled before it started; nothing was stored.", file="a.csv"),
               M("{file}: import cancelled (stopped); nothing was stored.", file="a.csv"),
               M("{file}: the import process ended unexpectedly ({why}); nothing was stored. Split the file, or ask "
                 "an administrator to run `stagemap import`.", file="a.csv", why=M("it ran out of memory"))]
    for msg in samples:
        spanish = i18n.localise(msg, "es")
        assert "a.csv" in spanish and "no se guardó nada" in spanish, spanish
    assert "se quedó sin memoria" in i18n.localise(samples[2], "es")


def test_user_list_shows_each_accounts_language(tmp_path, capsys):
    from stagemap_cli.main import main

    users = tmp_path / "users.json"
    add_account(users, "root", "a long passphrase 42", role="admin")
    add_account(users, "ana", "a long passphrase 42", role="liaison", department="Transportation (LADOT)")
    add_account(users, "bo", "a long passphrase 42", role="planner")
    set_language(users, "ana", "es")
    set_language(users, "bo", "en")
    assert main(["user", "list", "--users", str(users), "--user", "root"]) == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.splitlines()}
    assert rows["ana"][-1] == "es (Español)"
    assert rows["bo"][-1] == "en (English)"
    assert rows["root"][-1] == "-"  # no choice saved: the link's language, else English


def _stand_in_app() -> None:
    """A two-page app whose navigation adds the stand-in for the address ``gaps`` (not one of its pages)."""
    import streamlit as st

    from ui import not_found

    pages = [st.Page(lambda: st.title("Home"), title="Home", url_path="home", default=True)]
    missing = not_found.stand_in(pages, "gaps")
    assert missing is not None
    st.navigation([*pages, missing]).run()


def test_an_unknown_address_gets_a_page_in_spanish_not_streamlits_dialog(monkeypatch):
    """An address that names no page of the navigation is answered by a hidden stand-in page, in Spanish."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.util import calc_hash

    monkeypatch.setattr(ui_i18n, "lang", lambda: "es")
    at = AppTest.from_function(_stand_in_app, default_timeout=60).run()
    assert not at.exception, at.exception
    at._page_hash = calc_hash("gaps")  # the page Streamlit resolves for the browser's /gaps (a page's hash is its path's)
    at = at.run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [i18n.translate("Page not found", "es")]
    assert "gaps" in at.error[0].value and "su rol no puede abrirla" in at.error[0].value, at.error[0].value
    # Streamlit's own resolution of a browser's /gaps by name finds the stand-in, so it sends no page_not_found
    manager = PagesManager(APP)
    manager.set_script_intent("", "gaps")
    info = {"page_script_hash": calc_hash("gaps"), "page_name": "x", "icon": "", "script_path": APP,
            "url_pathname": "gaps"}
    assert manager.set_pages_and_resolve({calc_hash("gaps"): info}) == info  # type: ignore[arg-type]


def _stand_in_rules_app() -> None:
    """Shows, for four addresses, whether a stand-in page would be made (st.Page needs a script run)."""
    import streamlit as st

    from ui import not_found

    pages = [st.Page(lambda: None, title="Public", url_path="public", default=True),
             st.Page(lambda: None, title="Gaps", url_path="gaps")]
    for path in ("gaps", "", "a/b", "inbox"):
        st.text(f"{path}={not_found.stand_in(pages, path) is not None}")


def test_the_stand_in_is_only_for_addresses_no_page_answers():
    at = AppTest.from_function(_stand_in_rules_app, default_timeout=60).run()
    assert not at.exception, at.exception
    # a page of the role answers "gaps"; the root is the default page's; a nested path cannot be a page's address
    # (Streamlit's dialog stays for it); "inbox" names no page here: the stand-in answers it
    assert [t.value for t in at.text] == ["gaps=False", "=False", "a/b=False", "inbox=True"]


def test_import_progress_reads_in_spanish(small_store, monkeypatch, tmp_path):  # noqa: F811
    """A running import's step (a Message sent by geo/io through the worker's pipe) is shown in Spanish."""
    from geo.messages import M

    job = jobs.ImportJob(jobs.ImportRequest(store_url=small_store.url, actor=Actor("kim", "admin"), kind="districts",
                                            path=str(tmp_path / "cd.geojson"), limits=LIMITS))
    job.fraction, job.text = 0.5, M("Validating {count:,} rows", count=1200)  # what the pipe hands the monitor
    at = _app("admin", "es", monkeypatch, "data", **{jobs.SESSION_KEY: job})
    bars = [e for e in at.get("progress")]
    assert bars, "the running import shows its progress"
    shown = bars[0].proto.text
    assert shown == md_escape(i18n.localise(job.text, "es")), shown
    if _converted(job.text):
        assert "1,200" in shown and shown != str(job.text)
    job.done.set()  # nothing runs: the job was never started
