"""Real servers for the alert tests: an aiosmtpd SMTP server (STARTTLS, AUTH LOGIN) and a webhook receiver.

Nothing is mocked: StageMap's smtplib client negotiates TLS against a self-signed certificate
made here, logs in, and sends; the receiver checks every request's HMAC signature itself. Tests
wait on conditions (a message arriving), never on the clock.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import socket
import ssl
import threading
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

SMTP_USER, SMTP_PASSWORD = "stagemap-alerts", "correct horse battery"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and its key; return (cert, key) paths."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                                                        x509.DNSName("localhost")]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Mailbox:
    """The SMTP handler: keeps every message and who logged in; wakes waiters on each one."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.logins: list[str] = []
        self.tls: list[bool] = []
        self.changed = threading.Condition()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.changed:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
            self.tls.append(session.ssl is not None)
            self.changed.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        """Wait until at least ``count`` messages arrived."""
        with self.changed:
            return self.changed.wait_for(lambda: len(self.messages) >= count, timeout)

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        ok = (mechanism in ("LOGIN", "PLAIN") and isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == SMTP_USER and auth_data.password.decode() == SMTP_PASSWORD)
        if ok:
            self.logins.append(mechanism)
        return AuthResult(success=ok, handled=False)


class SmtpServer:
    """An aiosmtpd server on 127.0.0.1 that requires STARTTLS before AUTH and AUTH before mail."""

    def __init__(self, directory: Path) -> None:
        self.cert, key = self_signed(directory)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(self.cert, key)
        self.port = free_port()
        self.box = Mailbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.box, hostname="127.0.0.1", port=self.port, tls_context=self.context,
                                     require_starttls=True, authenticator=self.box.authenticate,
                                     auth_required=True, auth_require_tls=True)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self) -> dict[str, str]:
        """The StageMap settings that point at this server."""
        return {"STAGEMAP_SMTP_HOST": "127.0.0.1", "STAGEMAP_SMTP_PORT": str(self.port),
                "STAGEMAP_SMTP_USER": SMTP_USER, "STAGEMAP_SMTP_PASSWORD": SMTP_PASSWORD,
                "STAGEMAP_SMTP_CAFILE": str(self.cert), "STAGEMAP_ALERT_FROM": "stagemap@example.org",
                "STAGEMAP_SMTP_TIMEOUT": "10"}


class WebhookReceiver:
    """An HTTP server that checks each POST's HMAC-SHA256 signature and records the bodies it accepts."""

    def __init__(self, secret: str, *, fail_first: int = 0) -> None:
        self.secret = secret
        self.fail_first = fail_first
        self.accepted: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.requests = 0
        self.changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                want = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                got = self.headers.get("X-StageMap-Signature", "")
                with receiver.changed:
                    receiver.requests += 1
                    if receiver.requests <= receiver.fail_first:
                        code = 503
                    elif not hmac.compare_digest(want, got):
                        receiver.rejected.append(got)
                        code = 401
                    else:
                        receiver.accepted.append(json.loads(body))
                        code = 200
                    receiver.changed.notify_all()
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
