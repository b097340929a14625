"""Session defaults are copied per session, never shared between users."""
from __future__ import annotations

from ui import state


def test_mutable_defaults_are_not_shared(monkeypatch):
    sessions = [{}, {}]
    for session in sessions:
        monkeypatch.setattr(state.st, "session_state", session)
        state.init_state()
    sessions[0][state.LIA_SEEN]["SYN-1"] = {"version": 1}
    assert sessions[1][state.LIA_SEEN] == {}
    assert sessions[0][state.INC_TYPES] is not sessions[1][state.INC_TYPES]
