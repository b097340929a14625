"""Imports run off the page: one worker process per upload, with progress, cancel and a server-wide queue.

The page starts an :class:`ImportJob` and returns at once; a fragment polls it. The import
itself (:func:`run_import`, the same ``geo.services.imports.import_file`` the CLI uses, with
the app's :class:`~geo.config.UploadLimits`) runs in a spawned process, so a heavy or hostile
file costs that process, never the server or another user's session: its memory, a crash,
and the GIL stay there. At most :data:`MAX_WORKERS` imports run at once; later ones wait.
Cancelling sets a flag the reader checks between batches (the store is untouched until the
single write transaction, which is never interrupted); a worker that does not stop within
:data:`KILL_AFTER_S` is killed, which the transaction also survives.

No streamlit here: the worker process imports this module and must stay light.
"""
from __future__ import annotations

import multiprocessing
import shutil
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from geo.access.roles import Actor
from geo.config import ImportLimits
from geo.errors import AccessDenied, GeoDataError
from geo.i18n import N_
from geo.io.budget import ImportCancelled
from geo.io.ingest import IngestReport
from geo.messages import M, message_of

MAX_WORKERS = 2
KILL_AFTER_S = 15.0
#: The session-state key of the session's current import job.
SESSION_KEY = "data_import_job"
_SLOTS = threading.BoundedSemaphore(MAX_WORKERS)
_CONTEXT = multiprocessing.get_context("spawn")


@dataclass(frozen=True)
class ImportRequest:
    """One upload to import: where the store is, who imports, what and how."""

    store_url: str
    actor: Actor
    kind: str
    path: str
    limits: ImportLimits
    crs: str | None = None
    department: str | None = None
    cleanup: str | None = None  # a folder to remove when the job ends (the saved upload)
    columns: tuple[tuple[str, str], ...] = ()  # canonical name -> the file's column (the CLI's --map)
    vintage: str | None = None  # boundary kinds: the CLI's --vintage
    make_current: bool = False  # boundary kinds: the CLI's --make-current


@dataclass(frozen=True)
class Outcome:
    """How a job ended: ``stored``, ``rejected``, ``cancelled`` or ``failed`` (with the message to show).

    ``message`` is a :class:`geo.messages.Message` where it can be (it pickles across the worker's pipe), so the
    page shows it in the reader's language with ``ui.i18n.error_text``.
    """

    status: str
    message: str = ""
    report: IngestReport | None = None


def run_import(request: ImportRequest, *, progress: Any = None, cancelled: Any = None) -> Outcome:
    """Import one upload as the app does and return the outcome (never raises for a bad file)."""
    from geo.services.imports import import_file
    from geo.store import open_store

    try:
        report = import_file(open_store(request.store_url), request.actor, request.kind, request.path,
                             crs=request.crs, department=request.department, limits=request.limits,
                             progress=progress, cancelled=cancelled, columns=dict(request.columns),
                             vintage=request.vintage, make_current=request.make_current)
    except ImportCancelled as exc:
        return Outcome("cancelled", message_of(exc))
    except (GeoDataError, AccessDenied) as exc:
        return Outcome("rejected", message_of(exc))
    except MemoryError:
        return Outcome("failed", M("{file}: the import ran out of memory and stopped; nothing was stored. Split the "
                                   "file, or ask an administrator to run `stagemap import`.",
                                   file=Path(request.path).name))
    return Outcome("stored", report=report)


def _worker(request: ImportRequest, conn: Connection, cancel: Any) -> None:
    """Body of the worker process: run the import, stream progress and the outcome back through ``conn``."""
    def progress(fraction: float, text: str) -> None:
        conn.send(("progress", fraction, text))

    try:
        outcome = run_import(request, progress=progress, cancelled=cancel.is_set)
    except Exception as exc:  # anything unexpected still reaches the page, not a traceback in a log only
        outcome = Outcome("failed", M("{file}: the import failed ({error}: {why}); nothing was stored.",
                                      file=Path(request.path).name, error=type(exc).__name__, why=message_of(exc)))
    conn.send(("outcome", outcome))
    conn.close()


@dataclass
class ImportJob:
    """A running (or queued, or finished) import; thread-safe to read from any script run."""

    request: ImportRequest
    fraction: float = 0.0
    text: str = N_("Waiting for another import to finish...")  # shown through _() by the page
    outcome: Outcome | None = None
    done: threading.Event = field(default_factory=threading.Event)
    #: set at the worker's first progress report: the file is being read
    running: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)
    _cancel: Any = field(default_factory=_CONTEXT.Event)
    _process: Any = None
    _cancel_at: float | None = None

    @property
    def cancelling(self) -> bool:
        """Whether the user asked to stop and the job has not ended yet."""
        return self._cancel_at is not None and not self.done.is_set()

    def cancel(self) -> None:
        """Ask the import to stop (it stops between batches; killed if it does not within KILL_AFTER_S)."""
        if not self.done.is_set() and self._cancel_at is None:
            self._cancel_at = time.monotonic()
            self._cancel.set()
            self.text = N_("Cancelling...")

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (for scripts and tests); return whether it did."""
        return self.done.wait(timeout)


def start(request: ImportRequest) -> ImportJob:
    """Queue ``request`` and return its job at once; a monitor thread runs it when a slot is free."""
    job = ImportJob(request)
    threading.Thread(target=_monitor, args=(job,), name=f"import-{Path(request.path).name}", daemon=True).start()
    return job


def _monitor(job: ImportJob) -> None:
    try:
        with _SLOTS:
            if job._cancel.is_set():
                job.outcome = Outcome("cancelled", M("{file}: import cancelled before it started; nothing was "
                                                     "stored.", file=Path(job.request.path).name))
                return
            job.text = N_("Starting the import...")
            _run(job)
    finally:
        if job.request.cleanup:
            shutil.rmtree(job.request.cleanup, ignore_errors=True)
        job.done.set()


def _run(job: ImportJob) -> None:
    parent, child = _CONTEXT.Pipe(duplex=False)
    process = _CONTEXT.Process(target=_worker, args=(job.request, child, job._cancel), daemon=True)
    job._process = process
    process.start()
    child.close()
    while job.outcome is None:
        if parent.poll(0.5):
            try:
                message = parent.recv()
            except EOFError:
                break
            if message[0] == "progress":
                # keep a Message as it is: the page shows it in the session's language
                job.fraction, job.text = float(message[1]), message[2] if isinstance(message[2], str) else str(message[2])
                job.running.set()
            else:
                job.outcome = message[1]
        elif not process.is_alive():
            break
        elif job._cancel_at is not None and time.monotonic() - job._cancel_at > KILL_AFTER_S:
            process.kill()  # the store write is one transaction: a killed worker leaves it unchanged
            job.outcome = Outcome("cancelled", M("{file}: import cancelled (stopped); nothing was stored.",
                                                 file=Path(job.request.path).name))
    process.join(timeout=30)
    if job.outcome is None:
        code = process.exitcode
        why = M("it ran out of memory") if code in (-9, 137) else M("exit code {code}", code=code)
        job.outcome = Outcome("failed", M("{file}: the import process ended unexpectedly ({why}); nothing was "
                                          "stored. Split the file, or ask an administrator to run `stagemap import`.",
                                          file=Path(job.request.path).name, why=why))
    parent.close()
