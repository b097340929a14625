"""The language the ``stagemap`` command speaks, and printing in it.

The language is ``--lang`` (before the verb: ``stagemap --lang es audit verify``), else ``$STAGEMAP_LANG``, else
the language the acting account saved (``--user``/``$STAGEMAP_USER``, shown by ``stagemap user list``), else
English. Every line a verb prints is a :func:`geo.messages.M` message (or plain data) passed to :func:`say`,
which prints it in that language; English output is the message's English text, unchanged. argparse's own
usage and help texts stay English.
"""
from __future__ import annotations

import argparse
import os
import sys

from geo import schema
from geo.access.accounts import load_accounts
from geo.analysis.photo_note import note_message
from geo.config import accounts_path
from geo.errors import GeoDataError
from geo.i18n import DEFAULT_LANGUAGE, LANGUAGES, localise, normalise

LANG_ENV = "STAGEMAP_LANG"
USER_ENV = "STAGEMAP_USER"
_current = {"lang": DEFAULT_LANGUAGE}


def add_lang(parser: argparse.ArgumentParser) -> None:
    """Add the global ``--lang`` option (given before the verb; a report verb's own ``--lang`` is its PDF's)."""
    parser.add_argument("--lang", dest="cli_lang", choices=LANGUAGES,
                        help=f"language of the messages printed: en or es (default ${LANG_ENV}, else the acting "
                             "account's saved language, else en); give it before the verb. Help texts stay in "
                             "English; a report verb's own --lang chooses its PDF's language")


def account_language(args: argparse.Namespace) -> str | None:
    """Return the saved language of the account the command acts as (``None``: no account, or none saved)."""
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV) or "").strip()
    if not name:
        return None
    try:
        account = load_accounts(accounts_path(getattr(args, "users", None))).get(name)
    except (GeoDataError, OSError, TypeError, ValueError):  # the verb itself reports a broken accounts file
        return None
    return account.language if account is not None else None


def choose_language(args: argparse.Namespace) -> str:
    """Return the output language for this run: ``--lang``, ``$STAGEMAP_LANG``, the account's, else English."""
    given = getattr(args, "cli_lang", None) or os.environ.get(LANG_ENV, "").strip() or account_language(args)
    return normalise(given) if given else DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Make ``lang`` the language :func:`say` prints in (set once per run by ``stagemap_cli.main``)."""
    _current["lang"] = normalise(lang)


def language() -> str:
    """Return the language of this run's output."""
    return _current["lang"]


def text(value: object) -> str:
    """Return a message (or an exception raised with one) in this run's language; other values as text."""
    return localise(value, language())


def say(value: object = "", *, err: bool = False, end: str = "\n", flush: bool = False) -> None:
    """Print ``value`` in this run's language to standard output (``err``: standard error)."""
    print(text(value), end=end, file=sys.stderr if err else sys.stdout, flush=flush)


def history_value(value: object, column: str) -> str:
    """Return a saved value as ``history`` verbs print it: as stored; a note's sign-photo lines translatable."""
    return note_message(value) if column == schema.STATUS_NOTE and isinstance(value, str) else str(value)
