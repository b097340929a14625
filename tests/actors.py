"""Actors the tests act as: every write goes through geo.services, which checks the actor's role."""
from __future__ import annotations

from geo.access.roles import Actor

ADMIN = Actor("test-admin", "admin")
PLANNER = Actor("planner", "planner")
RECORDS = Actor("records1", "records")
COUNCIL = Actor("cd14", "council_office", district=14)


def liaison(department: str, name: str = "ana") -> Actor:
    """A liaison of ``department``."""
    return Actor(name, "liaison", department)


def records(name: str = "records1", *, source: str = "app") -> Actor:
    """A records (LAPD) user entering through ``source``."""
    return Actor(name, "records", source=source)
