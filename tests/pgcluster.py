"""A throwaway PostgreSQL + PostGIS cluster for the tests.

``PgCluster.start()`` runs ``initdb`` into a fresh temporary directory, starts the server
with ``pg_ctl`` on a free port on 127.0.0.1 (its unix socket in the same directory), and
creates two roles the way a deployment would:

* ``stagemap_owner``: owns the database and runs migrations (``stagemap migrate``);
* ``stagemap_app``: the application's least-privilege role; owns nothing, gets rights
  only through ``geo.store.ddl_pg.apply_grants``.

``template_url()`` gives a database migrated to head that ``new_database()`` copies in
milliseconds, so each test gets an empty store. ``stop()`` stops the server and deletes
the directory. As root (CI containers) the server runs as the ``postgres`` OS user through
``runuser``, since PostgreSQL refuses to run as root.

Binaries: ``$STAGEMAP_PG_BIN``, else ``pg_config --bindir``, else the newest
``/usr/lib/postgresql/*/bin``, else ``PATH``.
"""
from __future__ import annotations

import contextlib
import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

OWNER, APP = "stagemap_owner", "stagemap_app"
TEMPLATE_DB = "stagemap_template"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL or PostGIS is not installed, or the cluster did not start."""


def find_bindir() -> Path:
    """Return the directory holding ``initdb`` and ``pg_ctl``, or raise :class:`ClusterUnavailable`."""
    candidates: list[str] = []
    if os.environ.get("STAGEMAP_PG_BIN"):
        candidates.append(os.environ["STAGEMAP_PG_BIN"])
    if shutil.which("pg_config"):
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            candidates.append(subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                                             check=True).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    if shutil.which("initdb"):
        candidates.append(str(Path(shutil.which("initdb") or "").parent))
    for c in candidates:
        if (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    raise ClusterUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; install postgresql-15 and "
        "postgresql-15-postgis-3 (apt-get install -y postgresql-15-postgis-3) or set STAGEMAP_PG_BIN."
    )


def postgis_available(bindir: Path) -> bool:
    """Return whether the PostGIS extension is installed for the server in ``bindir``."""
    sharedir = None
    pg_config = bindir / "pg_config"
    if pg_config.exists():
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            sharedir = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True,
                                      check=True).stdout.strip()
    if sharedir is None:
        sharedir = f"/usr/share/postgresql/{bindir.parent.name}"
    return Path(sharedir, "extension", "postgis.control").exists()


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgCluster:
    """One running throwaway cluster (see module docstring)."""

    bindir: Path
    root: Path
    port: int = 0
    owner_password: str = field(default_factory=lambda: secrets.token_hex(12))
    app_password: str = field(default_factory=lambda: secrets.token_hex(12))
    durable: bool = False
    _run_as: list[str] = field(default_factory=list)
    _counter: int = 0

    # --- lifecycle -------------------------------------------------------------------------
    @classmethod
    def start(cls, *, durable: bool = False) -> PgCluster:
        """Create, start and prepare a cluster; raise :class:`ClusterUnavailable` on failure.

        Tests run with ``fsync=off`` (a throwaway cluster; a killed server still keeps what the
        OS has); ``durable=True`` keeps PostgreSQL's defaults, for benchmarks and crash trials.
        """
        bindir = find_bindir()
        if not postgis_available(bindir):
            raise ClusterUnavailable(
                f"PostGIS is not installed for the PostgreSQL server in {bindir}; "
                "install postgresql-15-postgis-3 (apt-get install -y postgresql-15-postgis-3)."
            )
        root = Path(tempfile.mkdtemp(prefix="stagemap-pg-"))
        cluster = cls(bindir=bindir, root=root, durable=durable)
        try:
            cluster._init()
            cluster._launch()
            cluster._prepare()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _init(self) -> None:
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise ClusterUnavailable("running as root and there is no 'postgres' OS user to run the server as") \
                    from None
            os.chown(self.root, pw.pw_uid, pw.pw_gid)
            self._run_as = ["runuser", "-u", "postgres", "--"]
        pwfile = self.root / "superuser.pw"
        pwfile.write_text(secrets.token_hex(12))
        if self._run_as:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-E", "UTF8",
                   "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"])

    def _launch(self) -> None:
        last = ""
        for _ in range(5):
            self.port = free_port()
            opts = (f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories={self.root} "
                    "-c max_connections=200 -c shared_buffers=128MB")
            if not self.durable:
                opts += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
            proc = self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"),
                              "-w", "-t", "60", "-o", opts, "start"], check=False)
            if proc.returncode == 0:
                return
            last = proc.stdout + proc.stderr + self.log_tail()
            time.sleep(0.2)
        raise ClusterUnavailable(f"pg_ctl start failed: {last[-2000:]}")

    def _prepare(self) -> None:
        self.admin_sql("postgres", [
            f"CREATE ROLE {OWNER} LOGIN PASSWORD '{self.owner_password}'",
            f"CREATE ROLE {APP} LOGIN PASSWORD '{self.app_password}'",
            f"CREATE DATABASE {TEMPLATE_DB} OWNER {OWNER}",
        ])
        self.admin_sql(TEMPLATE_DB, [
            "CREATE EXTENSION postgis",
            f"REVOKE ALL ON DATABASE {TEMPLATE_DB} FROM PUBLIC",
            f"GRANT CONNECT, TEMPORARY ON DATABASE {TEMPLATE_DB} TO {APP}",
        ])
        from geo.store.pg import PostgresStore

        PostgresStore(self.owner_url(TEMPLATE_DB)).migrate()

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory."""
        if (self.data / "postmaster.pid").exists():
            self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"], check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    # --- databases ----------------------------------------------------------------------------
    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, user: str, password: str, db: str) -> str:
        return f"postgresql://{user}:{quote(password)}@127.0.0.1:{self.port}/{db}"

    def owner_url(self, db: str) -> str:
        """URL of ``db`` as the owner role (migrations)."""
        return self.url(OWNER, self.owner_password, db)

    def app_url(self, db: str) -> str:
        """URL of ``db`` as the least-privilege application role."""
        return self.url(APP, self.app_password, db)

    def superuser_url(self, db: str) -> str:
        """URL of ``db`` as the cluster superuser over the unix socket (trust)."""
        return f"postgresql://postgres@/{db}?host={quote(str(self.root))}&port={self.port}"

    def new_database(self, *, migrated: bool = True) -> str:
        """Create an empty database (a copy of the migrated template, or PostGIS only); return its name."""
        self._counter += 1
        name = f"t{os.getpid()}_{self._counter}"
        if migrated:
            self.admin_sql("postgres", [f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DB} OWNER {OWNER}"])
        else:
            self.admin_sql("postgres", [f"CREATE DATABASE {name} OWNER {OWNER}"])
            self.admin_sql(name, ["CREATE EXTENSION postgis"])
        self.admin_sql(name, [f"REVOKE ALL ON DATABASE {name} FROM PUBLIC",
                              f"GRANT CONNECT, TEMPORARY ON DATABASE {name} TO {APP}"])
        return name

    def drop_database(self, name: str) -> None:
        """Drop ``name``, disconnecting anyone still connected."""
        self.admin_sql("postgres", [f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])

    def admin_sql(self, db: str, statements: list[str]) -> None:
        """Run statements as the superuser, each in autocommit."""
        import psycopg

        with psycopg.connect(self.superuser_url(db), autocommit=True) as con:
            for sql in statements:
                con.execute(sql)

    # --- helpers ------------------------------------------------------------------------------
    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""

    def _run(self, argv: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([*self._run_as, *argv], capture_output=True, text=True, cwd=self.root)
        if check and proc.returncode != 0:
            raise ClusterUnavailable(f"{argv[0]} failed ({proc.returncode}): {proc.stdout[-1000:]} "
                                     f"{proc.stderr[-1000:]}")
        return proc


if __name__ == "__main__":  # manual use: start a cluster, print URLs, stop on Enter
    c = PgCluster.start()
    db = c.new_database()
    print("owner:", c.owner_url(db))
    print("app:  ", c.app_url(db))
    try:
        input("Enter stops the cluster. ")
    finally:
        c.stop()
