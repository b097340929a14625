"""Frozen configuration: the two CRSs, directive dates, store location and import limits."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from geo.errors import GeoDataError
from geo.messages import M

#: Measurement CRS: NAD83 / California zone V, US survey feet (native to City and County GIS).
ANALYSIS_CRS = "EPSG:2229"
#: Storage and display CRS.
DISPLAY_CRS = "EPSG:4326"
#: The City\'s time zone: every date shown, counted or exported is Los Angeles local.
LOCAL_TZ = "America/Los_Angeles"

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_ROOT / "data"
DEFAULT_STORE_PATH = DATA_DIR / "stagemap.gpkg"
COUNTY_OUTLINE_PATH = DATA_DIR / "la_county_outline.geojson"

SYNTHETIC_SOURCE = "SYNTHETIC DEMO DATA - not City records"

#: LA County envelope in EPSG:4326 (including the Channel Islands), from DATA.md section 1.
COUNTY_LON = (-118.95, -117.64)
COUNTY_LAT = (32.80, 34.83)
#: The same envelope in EPSG:2229 feet.
COUNTY_X_FT = (6.2e6, 6.8e6)
COUNTY_Y_FT = (1.6e6, 2.3e6)


@dataclass(frozen=True)
class Directive:
    """Executive Directive No. 17 dates; 'within N days' counts calendar days."""

    issued: dt.date = dt.date(2026, 2, 10)
    identify_days: int = 15
    sign_days: int = 25

    @property
    def identify_by(self) -> dt.date:
        """Day 15: 25 Feb 2026."""
        return self.issued + dt.timedelta(days=self.identify_days)

    @property
    def sign_by(self) -> dt.date:
        """Day 25: 7 Mar 2026."""
        return self.issued + dt.timedelta(days=self.sign_days)


SIGN_TEXT_EN = (
    "This property is owned or controlled by the City of Los Angeles. It may only be used for "
    "its intended City purpose and not used for immigration enforcement as a staging area, "
    "processing location, or operations base."
)


@dataclass(frozen=True)
class ImportLimits:
    """Safety limits checked before GDAL, SQLite or pandas parses a file (SECURITY.md R10).

    The defaults fit the CLI's bulk import on a 2-core, 4 GB server: a County parcel file
    (2.4M features, ~100 columns) passes; :class:`UploadLimits` tightens them for the app.
    Files are read in batches of ``batch_rows``, only the columns an import kind uses, so memory
    follows the accepted rows, not the file. A file over a limit is refused before it is parsed,
    naming the limit, the value found and the fix.
    """

    max_file_bytes: int = 4_000_000_000
    max_archive_entries: int = 50
    max_uncompressed_bytes: int = 4_000_000_000
    max_compression_ratio: float = 100.0
    max_features: int = 3_000_000
    max_vertices: int = 60_000_000
    #: columns (fields, properties) of one table; the County Parcels layer has ~100
    max_columns: int = 1_000
    #: one value (a CSV field, a JSON string, a GeoPackage text cell)
    max_field_bytes: int = 1_000_000
    #: one physical line of a CSV or text file
    max_line_bytes: int = 2_000_000
    #: JSON nesting ({ and [); a GeoJSON MultiPolygon needs 8
    max_nesting_depth: int = 32
    #: text stored per field, as the app's forms allow; longer values are cut with a marker
    max_text_chars: int = 5_000
    #: the whole read of one file (every GDAL, SQLite and pandas step), then it is cancelled
    max_read_seconds: float = 1_800.0
    #: one metadata query on a GeoPackage/SQLite input (SQLite progress handler)
    max_query_seconds: float = 10.0
    batch_rows: int = 100_000


@dataclass(frozen=True)
class UploadLimits(ImportLimits):
    """Tighter limits for uploads through the app (50 MB, ``server.maxUploadSize``)."""

    max_file_bytes: int = 50_000_000
    max_uncompressed_bytes: int = 200_000_000
    max_features: int = 250_000
    max_vertices: int = 5_000_000
    max_read_seconds: float = 120.0
    batch_rows: int = 50_000


def accounts_path(explicit: str | None = None) -> Path:
    """Return the local accounts file: ``explicit``, else ``$STAGEMAP_USERS``, else ``data/users.json``."""
    return Path(explicit or os.environ.get("STAGEMAP_USERS") or DATA_DIR / "users.json")


def store_url(explicit: str | None = None) -> str:
    """Return the store URL: ``explicit``, else ``$STAGEMAP_STORE``, else the default file."""
    return explicit or os.environ.get("STAGEMAP_STORE") or str(DEFAULT_STORE_PATH)


@dataclass(frozen=True)
class LockoutPolicy:
    """Sign-in lockout: ``attempts`` failures for one name within ``window_minutes`` lock it for ``lock_minutes``."""

    attempts: int = 5
    window_minutes: float = 15.0
    lock_minutes: float = 15.0


def lockout_policy() -> LockoutPolicy:
    """Return the lockout policy from ``$STAGEMAP_LOCKOUT_ATTEMPTS``, ``_WINDOW_MINUTES`` and ``_MINUTES``.

    Raises
    ------
    ValueError
        When a setting is not a positive number (a whole number for the attempts).
    """
    default = LockoutPolicy()
    values: dict[str, float] = {}
    for field, env, fallback in (("attempts", "STAGEMAP_LOCKOUT_ATTEMPTS", default.attempts),
                                 ("window_minutes", "STAGEMAP_LOCKOUT_WINDOW_MINUTES", default.window_minutes),
                                 ("lock_minutes", "STAGEMAP_LOCKOUT_MINUTES", default.lock_minutes)):
        raw = os.environ.get(env, "").strip()
        try:
            value = float(raw) if raw else float(fallback)
        except ValueError:
            value = -1.0
        if not value > 0 or (field == "attempts" and not value.is_integer()):
            if field == "attempts":
                raise ValueError(M("{variable}={value} is not valid: use a positive whole number.",
                                   variable=env, value=repr(raw)))
            raise ValueError(M("{variable}={value} is not valid: use a positive number of minutes.",
                               variable=env, value=repr(raw)))
        values[field] = value
    return LockoutPolicy(int(values["attempts"]), values["window_minutes"], values["lock_minutes"])


#: The key that signs audit-chain checkpoints (HMAC-SHA256): hex (64+ digits) or text (32+ bytes).
CHECKPOINT_KEY_ENV = "STAGEMAP_CHECKPOINT_KEY"
#: A file holding that key instead (hex text, plain text or raw bytes).
CHECKPOINT_KEY_FILE_ENV = "STAGEMAP_CHECKPOINT_KEY_FILE"
MIN_CHECKPOINT_KEY_BYTES = 32


def _key_bytes(text: str) -> bytes:
    """Return a key given as text: 64 or more hex digits are decoded, anything else is UTF-8."""
    if len(text) >= 2 * MIN_CHECKPOINT_KEY_BYTES and len(text) % 2 == 0:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    return text.encode("utf-8")


def checkpoint_key() -> bytes:
    """Return the audit checkpoint signing key from ``$STAGEMAP_CHECKPOINT_KEY`` or ``$STAGEMAP_CHECKPOINT_KEY_FILE``.

    There is no default key: a checkpoint signed with a key everyone knows proves nothing.

    Raises
    ------
    GeoDataError
        When neither or both variables are set, the key file cannot be read, or the key is
        shorter than 32 bytes; the message names the variable and how to set it.
    """
    value = os.environ.get(CHECKPOINT_KEY_ENV, "").strip()
    path = os.environ.get(CHECKPOINT_KEY_FILE_ENV, "").strip()
    make = "python -c 'import secrets; print(secrets.token_hex(32))'"
    if value and path:
        raise GeoDataError(M("Both ${variable} and ${file_variable} are set; unset one so it is clear which key "
                             "signs audit checkpoints.", variable=CHECKPOINT_KEY_ENV, file_variable=CHECKPOINT_KEY_FILE_ENV))
    if value:
        key, where = _key_bytes(value), f"${CHECKPOINT_KEY_ENV}"
    elif path:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise GeoDataError(M("${file_variable}={path}: cannot read the checkpoint key file ({why}); check the path "
                                 "and its permissions.", file_variable=CHECKPOINT_KEY_FILE_ENV, path=path,
                                 why=exc.strerror)) from None
        try:
            key = _key_bytes(data.decode("utf-8").strip())
        except UnicodeDecodeError:
            key = data  # raw key bytes
        where = M("the key file {path} (${file_variable})", path=path, file_variable=CHECKPOINT_KEY_FILE_ENV)
    else:
        raise GeoDataError(M("No audit checkpoint key is configured: set ${variable} to at least {n} random bytes as "
                             "hex (e.g. {command}) or ${file_variable} to a file holding it. StageMap has no default "
                             "key.", variable=CHECKPOINT_KEY_ENV, n=MIN_CHECKPOINT_KEY_BYTES, command=make,
                             file_variable=CHECKPOINT_KEY_FILE_ENV))
    if len(key) < MIN_CHECKPOINT_KEY_BYTES:
        raise GeoDataError(M("{where} holds a {size}-byte key; an audit checkpoint key needs at least {n} bytes "
                             "(e.g. {command}).", where=where, size=len(key), n=MIN_CHECKPOINT_KEY_BYTES, command=make))
    return key


@dataclass(frozen=True)
class AlertSettings:
    """How liaison alerts leave StageMap (``alert_settings`` reads them from the environment).

    E-mail goes by SMTP with STARTTLS and a login (``$STAGEMAP_SMTP_HOST``, ``_PORT`` default 587,
    ``_USER``, ``_PASSWORD`` - the password only ever from the environment, ``_CAFILE`` to trust a
    private CA, ``_TIMEOUT`` seconds) from ``$STAGEMAP_ALERT_FROM``. ``$STAGEMAP_ALERT_TABLE`` names a
    JSON file ``{"DEPARTMENT": {"recipients": ["a@city"], "digest": true}}``; a department not in it
    goes to its liaison's e-mail on file. The optional webhook (``$STAGEMAP_WEBHOOK_URL``) gets a JSON
    body signed with HMAC-SHA256 under ``$STAGEMAP_WEBHOOK_SECRET``, tried ``_ATTEMPTS`` times with
    exponential backoff starting at ``_BACKOFF`` seconds.
    """

    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_cafile: str | None = None
    smtp_timeout: float = 10.0
    sender: str = "stagemap-alerts@lacity.org"
    recipients: tuple[tuple[str, tuple[str, ...]], ...] = ()
    digest_departments: frozenset[str] = frozenset()
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_attempts: int = 3
    webhook_backoff: float = 1.0

    def recipients_of(self, department: str) -> tuple[str, ...] | None:
        """Return the configured recipients of ``department`` (``None``: use its liaison's e-mail)."""
        return dict(self.recipients).get(department)


def alert_settings(env: dict[str, str] | None = None) -> AlertSettings:
    """Return the alert settings from ``env`` (default ``os.environ``).

    Raises
    ------
    GeoDataError
        When a number is not a number, the department table cannot be read, or a webhook has no secret.
    """
    import json

    env = dict(os.environ) if env is None else env
    table: dict[str, dict[str, object]] = {}
    if path := env.get("STAGEMAP_ALERT_TABLE"):
        try:
            table = json.loads(Path(path).read_text(encoding="utf-8"))
            assert isinstance(table, dict) and all(isinstance(v, dict) for v in table.values())
        except (OSError, ValueError, AssertionError) as exc:
            raise GeoDataError(M("$STAGEMAP_ALERT_TABLE={path}: not a readable JSON object of departments ({why}); "
                                 "write {example}.", path=path, why=str(exc),
                                 example='{"DEPARTMENT": {"recipients": ["name@lacity.org"], "digest": false}}')) \
                from None
    try:
        numbers = {"smtp_port": int(env.get("STAGEMAP_SMTP_PORT") or 587),
                   "smtp_timeout": float(env.get("STAGEMAP_SMTP_TIMEOUT") or 10.0),
                   "webhook_attempts": max(1, int(env.get("STAGEMAP_WEBHOOK_ATTEMPTS") or 3)),
                   "webhook_backoff": max(0.0, float(env.get("STAGEMAP_WEBHOOK_BACKOFF") or 1.0))}
    except ValueError as exc:
        raise GeoDataError(M("An alert setting is not a number ({why}); check $STAGEMAP_SMTP_PORT, _TIMEOUT, "
                             "$STAGEMAP_WEBHOOK_ATTEMPTS and _BACKOFF.", why=str(exc))) from None
    if env.get("STAGEMAP_WEBHOOK_URL") and not str(env["STAGEMAP_WEBHOOK_URL"]).startswith(("https://", "http://")):
        raise GeoDataError(M("$STAGEMAP_WEBHOOK_URL must be an https:// (or http://) address."))
    if env.get("STAGEMAP_WEBHOOK_URL") and not env.get("STAGEMAP_WEBHOOK_SECRET"):
        raise GeoDataError(M("$STAGEMAP_WEBHOOK_URL is set but $STAGEMAP_WEBHOOK_SECRET is not; a webhook is always "
                             "signed: set a shared secret."))
    return AlertSettings(
        smtp_host=env.get("STAGEMAP_SMTP_HOST") or None, smtp_user=env.get("STAGEMAP_SMTP_USER") or None,
        smtp_password=env.get("STAGEMAP_SMTP_PASSWORD") or None, smtp_cafile=env.get("STAGEMAP_SMTP_CAFILE") or None,
        sender=env.get("STAGEMAP_ALERT_FROM") or AlertSettings.sender,
        recipients=tuple((str(d), tuple(str(r) for r in v.get("recipients", []) or []))  # type: ignore[attr-defined]
                         for d, v in table.items() if v.get("recipients")),
        digest_departments=frozenset(str(d) for d, v in table.items() if v.get("digest")),
        webhook_url=env.get("STAGEMAP_WEBHOOK_URL") or None, webhook_secret=env.get("STAGEMAP_WEBHOOK_SECRET") or None,
        **numbers)  # type: ignore[arg-type]


#: The key that signs evidence-package manifests (HMAC-SHA256), set like the checkpoint key; no default.
PACKAGE_KEY_ENV = "STAGEMAP_PACKAGE_KEY"
#: A file holding that key instead.
PACKAGE_KEY_FILE_ENV = "STAGEMAP_PACKAGE_KEY_FILE"


def package_key() -> bytes:
    """Return the evidence-package signing key from ``$STAGEMAP_PACKAGE_KEY`` or ``$STAGEMAP_PACKAGE_KEY_FILE``.

    Read exactly as :func:`checkpoint_key` reads its key (hex or text, at least 32 bytes, one of
    the two variables); there is no default key.

    Raises
    ------
    GeoDataError
        When the key is missing, doubly set, unreadable or too short; the message says how to set it.
    """
    value = os.environ.get(PACKAGE_KEY_ENV, "").strip()
    path = os.environ.get(PACKAGE_KEY_FILE_ENV, "").strip()
    make = "python -c 'import secrets; print(secrets.token_hex(32))'"
    if value and path:
        raise GeoDataError(M("Both ${variable} and ${file_variable} are set; unset one so it is clear which key signs "
                             "evidence packages.", variable=PACKAGE_KEY_ENV, file_variable=PACKAGE_KEY_FILE_ENV))
    if not value and not path:
        raise GeoDataError(M("No evidence-package key is configured: set ${variable} to at least {n} random bytes as "
                             "hex (e.g. {command}) or ${file_variable} to a file holding it. StageMap has no default "
                             "key; nothing was packaged or verified.", variable=PACKAGE_KEY_ENV,
                             n=MIN_CHECKPOINT_KEY_BYTES, command=make, file_variable=PACKAGE_KEY_FILE_ENV))
    if value:
        key, where = _key_bytes(value), f"${PACKAGE_KEY_ENV}"
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise GeoDataError(M("${file_variable}={path}: cannot read the package key file ({why}); check the path "
                                 "and its permissions.", file_variable=PACKAGE_KEY_FILE_ENV, path=path,
                                 why=exc.strerror)) from None
        try:
            key = _key_bytes(data.decode("utf-8").strip())
        except UnicodeDecodeError:
            key = data
        where = M("the key file {path} (${file_variable})", path=path, file_variable=PACKAGE_KEY_FILE_ENV)
    if len(key) < MIN_CHECKPOINT_KEY_BYTES:
        raise GeoDataError(M("{where} holds a {size}-byte key; an evidence-package key needs at least {n} bytes "
                             "(e.g. {command}).", where=where, size=len(key), n=MIN_CHECKPOINT_KEY_BYTES, command=make))
    return key


DEFAULT_PUBLIC_URL = "http://localhost:8501"


def public_base_url(explicit: str | None = None) -> str:
    """Return the address StageMap is reached at, for links printed on paper (sign-packet QR codes).

    ``explicit`` (``--base-url``), else ``$STAGEMAP_PUBLIC_URL``, else ``$STAGEMAP_BASE_URL``, else localhost.
    """
    base = explicit or os.environ.get("STAGEMAP_PUBLIC_URL") or os.environ.get("STAGEMAP_BASE_URL") or DEFAULT_PUBLIC_URL
    return base.strip().rstrip("/")
