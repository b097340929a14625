"""Whether a process of this machine still runs (its scratch files and locks are then still in use)."""
from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Return whether process ``pid`` runs (one we may not signal runs too); ``pid <= 0`` never does."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
