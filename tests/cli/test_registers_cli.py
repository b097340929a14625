"""``stagemap registers``: set, import, list, export, history, compliance and flags act as named accounts."""
from __future__ import annotations

import pytest

from geo.store import open_store
from stagemap_cli.main import main


@pytest.fixture
def env(tmp_path, cli_accounts):
    """A store path and named records, planner and council accounts."""
    cli_accounts("clerk", "records")
    cli_accounts("plan", "planner")
    cli_accounts("cd", "council_office")
    path = str(tmp_path / "s.gpkg")
    open_store(path)
    return path


def run(store: str, user: str, *args: str) -> int:
    return main(["registers", *args, "--store", store, "--user", user])


def test_section_c_by_the_records_role(env, tmp_path, capsys):
    policy = tmp_path / "policy.pdf"
    policy.write_bytes(b"%PDF-1.7 posted policy")
    assert run(env, "clerk", "set", "agency", "--field", "agency_id=dhs-cbp", "--field",
               "name=U.S. Customs and Border Protection", "--field", "kind=federal", "--expect-version", "0") == 0
    assert run(env, "clerk", "set", "agency_policy", "--field", "agency_id=dhs-cbp", "--field",
               "requirement=face_covering", "--field", "posted=yes", "--field", "url=https://cbp.gov/id-policy",
               "--field", "compliance=not_assessed", "--expect-version", "0", "--document", str(policy)) == 0
    assert run(env, "plan", "set", "agency", "--field", "agency_id=x", "--field", "name=X", "--field", "kind=other",
               "--expect-version", "0") == 4
    assert run(env, "clerk", "set", "agency", "--field", "agency_id=dhs-cbp", "--field", "name=CBP",
               "--field", "kind=federal", "--expect-version", "0") == 3
    assert run(env, "clerk", "set", "agency", "--field", "agency_id=x", "--field", "kind=planet",
               "--expect-version", "0") == 2
    capsys.readouterr()
    assert run(env, "clerk", "compliance") == 0
    out = capsys.readouterr().out
    assert "enjoined" in out and "2026-02-09" in out
    assert run(env, "cd", "compliance", "--public") == 0
    assert "enjoined since 2026-02-09" in capsys.readouterr().out
    assert run(env, "clerk", "history", "agency", "dhs-cbp") == 0
    assert run(env, "clerk", "export", "agency_policy", "--out", str(tmp_path / "out")) == 0
    assert (tmp_path / "out" / "register_agency_policy.csv").exists()


def test_section_e_import_flags_and_export_by_planners(env, tmp_path, capsys):
    sheet = tmp_path / "disclosures.csv"
    sheet.write_text("contract_id,bidder,dhs_agreement,dhs_agency,renewal_date\n"
                     "C-9,Acme,yes,,2026-04-01\n")
    assert run(env, "plan", "import", "contractor_disclosure", str(sheet)) == 2
    assert "row 2" in capsys.readouterr().out
    sheet.write_text("contract_id,bidder,dhs_agreement,dhs_agency,renewal_date\n"
                     "C-9,Acme,yes,ICE,2026-04-01\n")
    assert run(env, "plan", "import", "contractor_disclosure", str(sheet)) == 0
    assert "1 created" in capsys.readouterr().out
    assert run(env, "clerk", "import", "contractor_disclosure", str(sheet)) == 4
    assert main(["registers", "flags", "--as-of", "2026-03-01", "--store", env, "--user", "plan"]) == 0
    assert "renewal_without_disclosure\tC-9" in capsys.readouterr().out
    assert run(env, "plan", "export", "contractor_disclosure", "--format", "xlsx", "--out", str(tmp_path)) == 0
    assert run(env, "plan", "list", "private_parcel") == 0
    assert run(env, "clerk", "list", "private_parcel") == 4
