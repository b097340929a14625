"""Audit chain: any edited, deleted or reordered entry is detected (property test)."""
from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.store.audit import AUDIT_COLUMNS, GENESIS, append_audit, chain_head, entry_hash, verify_chain
from stagemap_cli.main import main


class _Log:
    """A list-backed stand-in for the audit table, exercising the same append function."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def execute(self, sql: str, params: tuple = ()):
        if sql.startswith("SELECT"):
            last = self.rows[-1] if self.rows else None
            return _Cursor(None if last is None else (last["seq"], last["entry_hash"]))
        self.rows.append(dict(zip(AUDIT_COLUMNS, params, strict=True)))
        return _Cursor(None)


class _Cursor:
    def __init__(self, row):
        self.row = row

    def fetchone(self):
        return self.row


def _chain(n: int) -> list[dict]:
    log = _Log()
    for i in range(n):
        append_audit(log, actor=f"user{i % 3}", role="liaison", action="status.update", entity="site_status",
                     entity_id=f"SYN-{i}", old={"sign_status": "none"}, new={"sign_status": "posted"}, source="app")
    return log.rows


def test_intact_chain_verifies():
    rows = _chain(5)
    assert rows[0]["prev_hash"] == GENESIS
    assert verify_chain(rows) == (5, None)


@settings(max_examples=1000, deadline=None)
@given(data=st.data(), n=st.integers(2, 12))
def test_any_single_tamper_is_detected(data, n):
    rows = [dict(r) for r in _chain(n)]
    head = chain_head(rows)
    how = data.draw(st.sampled_from(["edit", "delete", "swap", "rehash-edit"]))
    i = data.draw(st.integers(0, n - 1))
    if how == "edit":
        field = data.draw(st.sampled_from(["actor", "at", "new", "old", "entity_id", "action", "source"]))
        rows[i][field] = str(rows[i][field]) + "x"
    elif how == "rehash-edit":  # an attacker recomputes the edited entry's own hash
        rows[i]["actor"] = "mallory"
        rows[i]["entry_hash"] = entry_hash(rows[i]["prev_hash"], rows[i])
    elif how == "delete":
        del rows[i]
    else:
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i))
        rows[i], rows[j] = rows[j], rows[i]
    _, broken = verify_chain(rows, head=head)
    assert broken is not None
    if i < n - 1 and how != "rehash-edit":  # mid-chain tampering is caught even without the head
        assert verify_chain(rows)[1] is not None


def test_cli_verify_names_the_first_broken_entry(store, capsys):
    store.log_event(actor="ana", role="planner", action="export.csv", entity="sites")
    store.log_event(actor="ana", role="planner", action="export.csv", entity="sites")
    con = sqlite3.connect(store.path)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
    con.commit()
    con.close()
    assert main(["audit", "verify", "--store", store.url]) == 1
    assert "audit entry 1: content does not match its hash" in capsys.readouterr().err


def test_cli_verify_against_a_recorded_head_catches_a_removed_tail(store, capsys):
    for _ in range(3):
        store.log_event(actor="ana", role="planner", action="export.csv", entity="sites")
    assert main(["audit", "head", "--store", store.url]) == 0
    head = capsys.readouterr().out.strip()
    con = sqlite3.connect(store.path)
    con.execute("DROP TRIGGER audit_log_no_delete")
    con.execute("DELETE FROM audit_log WHERE seq = 3")
    con.commit()
    con.close()
    assert main(["audit", "verify", "--store", store.url]) == 0  # consistent in itself
    assert main(["audit", "verify", "--head", head, "--store", store.url]) == 1
    assert "entries were removed from the end" in capsys.readouterr().err


# --- signed checkpoints of the chain head, kept outside the store ------------------------------------
KEY = "6b" * 32  # 32 bytes as hex


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("STAGEMAP_CHECKPOINT_KEY", KEY)
    monkeypatch.delenv("STAGEMAP_CHECKPOINT_KEY_FILE", raising=False)


def _events(store, n: int = 3) -> None:
    for _ in range(n):
        store.log_event(actor="ana", role="planner", action="export.csv", entity="sites")


def _raw(store):
    con = sqlite3.connect(store.path)
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    con.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    return con


@pytest.mark.parametrize(("env", "message"), [
    ({}, "No audit checkpoint key is configured: set $STAGEMAP_CHECKPOINT_KEY"),
    ({"STAGEMAP_CHECKPOINT_KEY": "too short"}, "$STAGEMAP_CHECKPOINT_KEY holds a 9-byte key"),
    ({"STAGEMAP_CHECKPOINT_KEY": "cd" * 15}, "holds a 30-byte key"),
    ({"STAGEMAP_CHECKPOINT_KEY_FILE": "/nonexistent/key"}, "$STAGEMAP_CHECKPOINT_KEY_FILE=/nonexistent/key: cannot read"),
    ({"STAGEMAP_CHECKPOINT_KEY": KEY, "STAGEMAP_CHECKPOINT_KEY_FILE": "/k"}, "Both $STAGEMAP_CHECKPOINT_KEY"),
], ids=["none", "short-text", "short-hex", "unreadable-file", "both"])
def test_checkpoint_needs_a_configured_key_and_has_no_default(store, tmp_path, monkeypatch, capsys, env, message):
    monkeypatch.delenv("STAGEMAP_CHECKPOINT_KEY", raising=False)
    monkeypatch.delenv("STAGEMAP_CHECKPOINT_KEY_FILE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    _events(store)
    out = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "--out", str(out), "--store", store.url]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_checkpoint_round_trip_prints_the_head_and_a_key_file_works(store, tmp_path, monkeypatch, capsys):
    key_file = tmp_path / "checkpoint.key"
    key_file.write_text(KEY + "\n")
    monkeypatch.delenv("STAGEMAP_CHECKPOINT_KEY", raising=False)
    monkeypatch.setenv("STAGEMAP_CHECKPOINT_KEY_FILE", str(key_file))
    _events(store)
    out = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "--out", str(out), "--store", store.url]) == 0
    data = json.loads(out.read_text())
    assert (data["seq"], data["store"], data["alg"]) == (3, store.display_url, "HMAC-SHA256")
    assert KEY not in out.read_text() and bytes.fromhex(KEY).decode() not in out.read_text()
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(out), "--store", store.url]) == 0
    printed = capsys.readouterr().out
    assert "checkpoint signature ok: entry 3" in printed and f"head: 3:{data['entry_hash']}" in printed
    monkeypatch.setenv("STAGEMAP_CHECKPOINT_KEY", KEY)  # the same key given as hex text
    monkeypatch.delenv("STAGEMAP_CHECKPOINT_KEY_FILE")
    assert main(["audit", "verify", "--checkpoint", str(out), "--store", store.url]) == 0


@pytest.mark.parametrize("alter", ["seq", "entry_hash", "time", "store", "signature", "other-key", "not-json",
                                   "not-a-checkpoint"])
def test_an_altered_or_foreign_checkpoint_is_refused(store, tmp_path, keyed, monkeypatch, capsys, alter):
    _events(store)
    out = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "--out", str(out), "--store", store.url]) == 0
    data = json.loads(out.read_text())
    if alter == "other-key":
        monkeypatch.setenv("STAGEMAP_CHECKPOINT_KEY", "7c" * 32)
    elif alter == "not-json":
        out.write_text("{not json")
    elif alter == "not-a-checkpoint":
        out.write_text(json.dumps({"seq": 3}))
    else:
        text = str(data[alter])
        first = "x" if alter == "time" else ("1" if text[0] == "0" else "0")  # always a different first character
        data[alter] = (data[alter] + 1) if alter == "seq" else first + text[1:]
        out.write_text(json.dumps(data))
    capsys.readouterr()
    code = main(["audit", "verify", "--checkpoint", str(out), "--store", store.url])
    err = capsys.readouterr().err
    if alter in ("not-json", "not-a-checkpoint"):
        assert code == 2 and "give the file written by `stagemap audit checkpoint --out`" in err
    else:
        assert code == 1 and "the signature does not verify" in err
        assert ("it names key" in err) == (alter == "other-key")


def test_truncation_and_full_recomputation_are_caught_against_a_checkpoint(store, tmp_path, keyed, capsys):
    from tests.geo.test_state_binding import recompute_chain

    _events(store, 5)
    out = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "--out", str(out), "--store", store.url]) == 0
    con = _raw(store)
    con.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    recompute_chain(con, 2)
    con.commit()
    assert main(["audit", "verify", "--store", store.url]) == 0  # consistent in itself
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(out), "--store", store.url]) == 1
    assert "audit entry 5: differs from the chain head recorded outside the store" in capsys.readouterr().err
    con.execute("DELETE FROM audit_log WHERE seq >= 4")
    con.commit()
    con.close()
    assert main(["audit", "verify", "--store", store.url]) == 0
    capsys.readouterr()
    assert main(["audit", "verify", "--checkpoint", str(out), "--store", store.url]) == 1
    assert "entries were removed from the end" in capsys.readouterr().err


def test_verify_checks_the_state_without_a_head_and_checkpoint_refuses_a_tampered_store(store, tmp_path, keyed,
                                                                                         capsys):
    from tests.geo.test_intake import add_sites

    add_sites(store)
    store.save_status("SYN-1", {"sign_status": "posted"}, expect_version=1, user="ana")
    assert main(["audit", "verify", "--store", store.url]) == 0
    assert "state ok:" in capsys.readouterr().out
    con = sqlite3.connect(store.path)
    con.execute("UPDATE site_status SET gate_status = 'closed_locked' WHERE site_id = 'SYN-1'")
    con.commit()
    con.close()
    assert main(["audit", "verify", "--store", store.url]) == 1
    err = capsys.readouterr().err
    assert "FINDING site_status SYN-1: live row differs from its history version 2 (gate_status)" in err
    assert "restore the named rows" in err
    out = tmp_path / "head.json"
    assert main(["audit", "checkpoint", "--out", str(out), "--store", store.url]) == 1
    assert "not signing a checkpoint" in capsys.readouterr().err and not out.exists()


def test_verify_and_checkpoint_are_denied_to_other_roles(store, tmp_path, keyed, cli_accounts, capsys):
    cli_accounts("pat", "planner")
    _events(store)
    for argv in (["audit", "verify"], ["audit", "checkpoint", "--out", str(tmp_path / "h.json")]):
        assert main([*argv, "--user", "pat", "--store", store.url]) == 4
    assert not (tmp_path / "h.json").exists()
    with pytest.raises(SystemExit) as info:  # one anchor at a time
        main(["audit", "verify", "--head", "3:" + "0" * 64, "--checkpoint", "x", "--store", store.url])
    assert info.value.code == 2
