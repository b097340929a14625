"""Audit chain: any edited, deleted or reordered entry is detected (property test)."""
from __future__ import annotations

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
    import sqlite3

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
    import sqlite3

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
