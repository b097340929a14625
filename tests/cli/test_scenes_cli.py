"""``stagemap incident add`` with B.1-B.6, ``incident scene set|show`` and ``referral send|move|list|overdue``."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from geo import duties
from geo.store import open_store
from stagemap_cli.main import main


@pytest.fixture
def accounts(cli_accounts):
    cli_accounts("rec", "records")
    cli_accounts("plan", "planner")
    return cli_accounts


def run(argv: list[str], store, user: str = "rec") -> int:
    return main([*argv, "--store", store.url, "--user", user])


def add_officer_report(store, capsys, *scene: str) -> str:
    code = run(["incident", "add", "--type", "arrest", "--lat", "34.05", "--lon", "-118.25", "--occurred",
                "2026-03-01T09:00", "--source", "officer", *scene], store)
    out = capsys.readouterr()
    assert code == 0, out.err
    return re.search(r"stored (INC-\S+)", out.out).group(1)


def test_an_officer_report_from_the_cli_carries_every_b1_to_b6_field(tmp_path, accounts, capsys):
    store = open_store(str(tmp_path / "s.gpkg"))
    inc = add_officer_report(store, capsys, "--camera", "yes", "--video-preserved", "yes", "--video-ref", "DEMS-991",
                             "--supervisor-identified", "yes", "--supervisor-name", "J. Doe", "--supervisor-badge",
                             "ICE-7781", "--deescalation", "yes", "--bystanders", "no", "--injuries", "yes",
                             "--aid-summoned", "yes", "--aid-to", "LAFD paramedics", "--public-report", "yes",
                             "--report-number", "260412345")
    row = store.read_scenes().set_index(duties.INCIDENT_ID).loc[inc]
    assert (row[duties.VIDEO_REF], row[duties.SUPERVISOR_BADGE], row[duties.AID_TO], row[duties.REPORT_NUMBER],
            bool(row[duties.BYSTANDERS_INFORMED]), int(row["version"])) == ("DEMS-991", "ICE-7781", "LAFD paramedics",
                                                                           "260412345", False, 1)
    assert run(["incident", "scene", "set", inc, "--bystanders", "yes"], store) == 0
    assert "saved at version 2" in capsys.readouterr().out
    assert run(["incident", "scene", "set", inc, "--bystanders", "no", "--expect-version", "1"], store) == 3
    assert run(["incident", "scene", "show", inc], store) == 0
    out = capsys.readouterr().out
    assert "bystanders_informed: True" in out and "v2" in out
    assert run(["incident", "scene", "set", inc, "--camera", "no"], store, "plan") == 4
    assert store.verify_state().ok


def test_a_contradictory_scene_on_incident_add_stores_nothing(tmp_path, accounts, capsys):
    store = open_store(str(tmp_path / "s.gpkg"))
    code = run(["incident", "add", "--type", "arrest", "--lat", "34.05", "--lon", "-118.25", "--occurred",
                "2026-03-01T09:00", "--source", "officer", "--supervisor-identified", "no"], store)
    assert code == 2 and "supervisor_reason" in capsys.readouterr().out
    assert store.counts().get("incidents", 0) == 0 and store.read_scenes().empty


def test_a_referral_through_its_states_from_the_cli(tmp_path, accounts, capsys):
    store = open_store(str(tmp_path / "s.gpkg"))
    inc = add_officer_report(store, capsys)
    assert run(["referral", "send", inc, "--to", "district_attorney", "--sent-on", "2026-03-02", "--package",
                "PKG-1"], store) == 0
    rid = f"REF-{inc}-01"
    assert rid in capsys.readouterr().out
    assert run(["referral", "overdue", "--as-of", "2026-04-15", "--days", "30"], store) == 0
    assert rid in capsys.readouterr().out
    assert run(["referral", "move", rid, "charged", "--on", "2026-03-09"], store) == 2
    assert "cannot move from sent to charged" in capsys.readouterr().err
    for state, extra in (("acknowledged", []), ("declined", ["--outcome", "insufficient evidence"]), ("closed", [])):
        assert run(["referral", "move", rid, state, "--on", "2026-03-20", *extra], store) == 0
    assert run(["referral", "list"], store) == 0
    assert "closed\tinsufficient evidence" in capsys.readouterr().out
    assert [e["action"] for e in store.read_audit() if e["entity"] == "referrals"] == \
        ["referral.create"] + ["referral.update"] * 3


def test_report_commission_writes_the_internal_and_the_public_pdf(tmp_path, accounts, capsys):
    store = open_store(str(tmp_path / "s.gpkg"))
    add_officer_report(store, capsys, "--camera", "yes")
    out = tmp_path / "out"
    assert run(["report", "commission", "--month", "2026-03", "--as-of", "2026-04-02", "--out", str(out)], store) == 0
    assert "INTERNAL" in capsys.readouterr().out
    assert run(["report", "commission", "--month", "2026-03", "--as-of", "2026-04-02", "--out", str(out),
                "--public"], store) == 0
    assert sorted(p.name for p in out.iterdir()) == ["commission_section_b_2026-03.pdf",
                                                     "commission_section_b_2026-03_public.pdf"]
    assert run(["report", "commission", "--month", "2026-03", "--out", str(out)], store, "plan") == 4


def test_retention_hold_report_run_and_release_from_the_cli(tmp_path, accounts, capsys):
    store = open_store(str(tmp_path / "s.gpkg"))
    code = run(["incident", "add", "--type", "arrest", "--lat", "34.05", "--lon", "-118.25", "--occurred",
                "2026-03-01T09:00", "--source", "public", "--reporter-email", "cli.canary3301@example.org"], store)
    assert code == 0
    inc = re.search(r"stored (INC-\S+)", capsys.readouterr().out).group(1)
    later = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    assert run(["retention", "hold", inc, "--reason", "subpoena 26-9"], store) == 0
    hold = re.search(r"legal hold (HOLD-\S+)", capsys.readouterr().out).group(1)
    assert run(["retention", "report", "--as-of", later], store) == 0
    out = capsys.readouterr().out
    assert f"HOLD {hold}" in out and "canary3301" not in out
    assert run(["retention", "run", "--as-of", later], store) == 0
    assert "0 reporter contact(s) deleted" in capsys.readouterr().out
    assert run(["retention", "release", hold, "--reason", "closed"], store) == 0
    assert run(["retention", "run", "--as-of", later], store) == 0
    assert "1 reporter contact(s) deleted" in capsys.readouterr().out
    assert run(["retention", "hold", inc, "--reason", "x"], store, "plan") == 4
    assert b"canary3301" not in Path(store.url).read_bytes()
