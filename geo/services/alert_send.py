"""Alert transports: plain-text e-mail over SMTP with STARTTLS and login, and a signed JSON webhook.

Nothing here reads the store. Every value put in a message passes :func:`safe` (letters, digits
and a few punctuation marks only), so no reporter identity, markup or script reaches a mailbox
or a receiver: the message is built only from ids, enumerated types, times and distances.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import smtplib
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage

from geo.config import AlertSettings

SIGNATURE_HEADER = "X-StageMap-Signature"
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._:/()+,@-]")


def safe(value: object, limit: int = 120) -> str:
    """Return ``value`` as text holding only letters, digits and ``._:/()+,@-`` (others become ``_``)."""
    return _UNSAFE.sub("_", "" if value is None else str(value))[:limit]


def signature(secret: str, body: bytes) -> str:
    """Return the webhook signature header value: ``sha256=<hex HMAC-SHA256 of body under secret>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """The result of one delivery attempt."""

    ok: bool
    detail: str


def send_mail(settings: AlertSettings, to: Sequence[str], subject: str, body: str) -> Outcome:
    """Send one plain-text message: connect, STARTTLS (certificate verified), log in, send.

    Returns a failed :class:`Outcome` (never raises) when SMTP is not configured, the server is
    unreachable, TLS or login fails, or a recipient is refused.
    """
    if not settings.smtp_host:
        return Outcome(False, "SMTP is not configured ($STAGEMAP_SMTP_HOST); the alert stays queued")
    if not to:
        return Outcome(False, "no recipient on file for this department; add its liaison's e-mail or an "
                              "entry in $STAGEMAP_ALERT_TABLE; the alert stays queued")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = settings.sender, ", ".join(to), safe(subject, 200)
    msg.set_content(body)  # text/plain only
    context = ssl.create_default_context(cafile=settings.smtp_cafile)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
            smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            refused = smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        return Outcome(False, f"SMTP {settings.smtp_host}:{settings.smtp_port}: {type(exc).__name__}: {exc}")
    if refused:
        return Outcome(False, f"refused recipients: {sorted(refused)}")
    return Outcome(True, f"sent to {len(to)} recipient(s) via {settings.smtp_host}:{settings.smtp_port}")


def post_webhook(settings: AlertSettings, payload: Mapping[str, object], *,
                 on_attempt: Callable[[int, Outcome], None], wait: threading.Event | None = None) -> Outcome:
    """POST ``payload`` as JSON with its HMAC signature, retrying with exponential backoff.

    Tries ``settings.webhook_attempts`` times; before retry ``k`` it waits ``backoff * 2**(k-1)``
    seconds on ``wait`` (an event: setting it cuts the wait short, for shutdown). ``on_attempt``
    hears every attempt (so each one is logged). Returns the last outcome; never raises.
    """
    if not settings.webhook_url or not settings.webhook_secret:
        return Outcome(False, "webhook not configured")
    body = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(settings.webhook_secret, body),
               "User-Agent": "StageMap-alerts"}
    pause = wait or threading.Event()
    outcome = Outcome(False, "not tried")
    for attempt in range(1, settings.webhook_attempts + 1):
        if attempt > 1:
            pause.wait(settings.webhook_backoff * 2 ** (attempt - 2))
        request = urllib.request.Request(settings.webhook_url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=settings.smtp_timeout) as response:
                outcome = Outcome(200 <= response.status < 300, f"HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            outcome = Outcome(False, f"HTTP {exc.code}")
        except (OSError, ValueError) as exc:
            outcome = Outcome(False, f"{type(exc).__name__}: {exc}")
        on_attempt(attempt, outcome)
        if outcome.ok:
            break
    return outcome
