"""The translation catalogues' toolchain: Babel extraction of ``_()``/``N_()``/``M()`` strings, what lacks Spanish, updates.

    python -m tools.i18n_catalog extract [--area core|pages]   every marked msgid, with where it is
    python -m tools.i18n_catalog missing --area core|pages     marked strings with no Spanish (exit 1 if any)
    python -m tools.i18n_catalog update --area core|pages      add new msgids to the area's .po, keep the rest
    python -m tools.i18n_catalog update --area core --po NAME [--under geo/io]  untranslated msgids into NAME.po
    python -m tools.i18n_catalog check                         missing in both areas + placeholder mismatches

Areas: ``core`` (geo/, ui/, layers/, stagemap_cli/ -> core.po) and ``pages`` (app_pages/, streamlit_app.py ->
pages.po). ``missing`` reads the merged catalogue (every .po), as the app does. ``update`` never drops an entry
silently: entries no longer marked in the code are kept and listed (``--prune`` removes them, and says so).
"""
from __future__ import annotations

import argparse
import string
import sys
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "geo" / "locale" / "es" / "LC_MESSAGES"
AREAS: dict[str, tuple[str, ...]] = {
    "core": ("geo", "ui", "layers", "stagemap_cli"),
    "pages": ("app_pages", "streamlit_app.py"),
}
KEYWORDS = {"_": None, "N_": None, "M": None}
#: The translator comment every machine-written entry carries until a person reviews it.
REVIEW = "machine translation: review"


@dataclass(frozen=True)
class Marked:
    """One marked string where it occurs in the code."""

    msgid: str
    path: str
    line: int


def python_files(area: str) -> list[Path]:
    """Return the Python files of ``area`` (sorted, locale and migration folders excluded)."""
    out: list[Path] = []
    for entry in AREAS[area]:
        path = ROOT / entry
        out.extend([path] if path.is_file() else sorted(path.rglob("*.py")))
    return [p for p in out if "locale" not in p.parts and "__pycache__" not in p.parts]


def extract(area: str) -> list[Marked]:
    """Return every string marked with ``_`` or ``N_`` in ``area``'s code, in file order."""
    found: list[Marked] = []
    for path in python_files(area):
        try:
            results = extract_from_file("python", path, keywords=KEYWORDS)
        except (tokenize.TokenError, SyntaxError) as exc:
            raise ValueError(f"{path.relative_to(ROOT)} cannot be read for extraction ({exc}); fix the file first.") \
                from None
        for line, message, _comments, _context in results:
            if isinstance(message, str) and message:
                found.append(Marked(message, path.relative_to(ROOT).as_posix(), line))
    return found


def po_path(area: str) -> Path:
    """Return the .po file of ``area``."""
    return LOCALE / f"{area}.po"


def read_catalog(path: Path) -> Catalog:
    """Read one .po file (an empty Spanish catalogue when it does not exist yet)."""
    if not path.exists():
        return Catalog(locale="es", project="StageMap", version="0.1", copyright_holder="City of Los Angeles",
                       msgid_bugs_address="stagemap@lacity.org", language_team="Spanish (Latin America)",
                       charset="utf-8", fuzzy=False)
    with path.open("rb") as fh:
        return read_po(fh, locale="es", abort_invalid=True)


def merged() -> dict[str, str]:
    """Return msgid -> Spanish from every .po file (non-empty, non-fuzzy entries)."""
    out: dict[str, str] = {}
    for path in sorted(LOCALE.glob("*.po")):
        for message in read_catalog(path):
            if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string \
                    and not message.fuzzy:
                out[message.id] = message.string
    return out


def missing(area: str) -> list[Marked]:
    """Return the marked strings of ``area`` with no Spanish in the merged catalogue (first place each)."""
    spanish = merged()
    seen: set[str] = set()
    out = []
    for item in extract(area):
        if item.msgid not in spanish and item.msgid not in seen:
            seen.add(item.msgid)
            out.append(item)
    return out


def placeholders(text: str) -> set[str] | None:
    """Return the ``str.format`` field names in ``text`` (``None`` when it is not a valid template)."""
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return None


def placeholder_mismatches() -> list[tuple[str, str]]:
    """Return (msgid, msgstr) pairs whose format placeholders differ."""
    return [(k, v) for k, v in merged().items() if placeholders(k) != placeholders(v)]


def update(area: str, *, prune: bool = False, po: str | None = None,
           under: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """Add ``area``'s new msgids to its .po (empty Spanish), keep every translation; return (added, unused).

    Entries the code no longer marks are kept unless ``prune`` (then they are removed); either way listed.
    ``po`` names another .po file of the language (e.g. ``errors_io``): only msgids that no .po translates yet
    are added to it, so several people can each fill their own file; ``under`` keeps only msgids marked in
    those paths (e.g. ``("geo/io",)``).
    """
    path = po_path(po or area)
    if po:
        translated = merged()
    catalog = read_catalog(path)
    marked: dict[str, list[tuple[str, int]]] = {}
    for item in extract(area):
        if not under or any(item.path == u or item.path.startswith(u.rstrip("/") + "/") for u in under):
            marked.setdefault(item.msgid, []).append((item.path, item.line))
    added = []
    for msgid, where in marked.items():
        message = catalog.get(msgid)
        if message is None and po and msgid in translated:
            continue
        if message is None:
            catalog.add(msgid, "", locations=sorted(set(where)), auto_comments=[REVIEW])
            added.append(msgid)
        else:
            message.locations = sorted(set(where))
    unused = [str(m.id) for m in catalog if m.id and m.id not in marked and not po]
    if prune:
        for msgid in unused:
            catalog.delete(msgid)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=110, include_lineno=False, sort_output=False, omit_header=False)
    return added, unused


def _lines(items: Iterator[Marked] | list[Marked]) -> str:
    return "\n".join(f"{m.path}:{m.line}\t{m.msgid!r}" for m in items)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tools.i18n_catalog", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ext = sub.add_parser("extract", help="list every marked msgid")
    ext.add_argument("--area", choices=sorted(AREAS))
    for name in ("missing", "update"):
        cmd = sub.add_parser(name)
        cmd.add_argument("--area", choices=sorted(AREAS), required=True)
        if name == "update":
            cmd.add_argument("--prune", action="store_true", help="remove entries the code no longer marks")
            cmd.add_argument("--po", help="write to this .po of the language (name without .po) instead of "
                                          "the area's; only msgids no .po translates yet are added")
            cmd.add_argument("--under", nargs="*", default=[], help="only msgids marked in these paths")
    sub.add_parser("check", help="missing Spanish in every area and placeholder mismatches (exit 1 if any)")
    args = parser.parse_args(argv)
    if args.command == "extract":
        for area in [args.area] if args.area else sorted(AREAS):
            items = extract(area)
            if items:
                print(_lines(items))
        return 0
    if args.command == "missing":
        gaps = missing(args.area)
        if gaps:
            print(_lines(gaps))
        print(f"{len(gaps)} marked string(s) in {args.area} without Spanish.", file=sys.stderr)
        return 1 if gaps else 0
    if args.command == "update":
        added, unused = update(args.area, prune=args.prune, po=args.po, under=tuple(args.under))
        print(f"{po_path(args.po or args.area).relative_to(ROOT)}: {len(added)} new msgid(s) added (no Spanish yet).")
        for msgid in unused:
            print(f"{'removed' if args.prune else 'kept, no longer marked'}: {msgid!r}")
        return 0
    status = 0
    for area in sorted(AREAS):
        gaps = missing(area)
        if gaps:
            status = 1
            print(f"{area}: {len(gaps)} marked string(s) without Spanish (python -m tools.i18n_catalog missing "
                  f"--area {area}):\n{_lines(gaps[:20])}")
    for msgid, msgstr in placeholder_mismatches():
        status = 1
        print(f"placeholders differ: {msgid!r} -> {msgstr!r}")
    print("i18n: every marked string has Spanish." if status == 0 else "i18n: FAILED", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
