"""A PostgreSQL server of the test's own, on a free port, that a test (or a fault benchmark) may stop and start.

Never touch the machine's own cluster in a fault test: this one lives in a temporary directory, listens on
127.0.0.1 at a port of its own with its socket in that directory, and is stopped with ``pg_ctl -D <its dir>``.
PostgreSQL refuses to run as root: when we are root, its commands run as the ``postgres`` system user, who
owns the directory.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.redis_server import free_port


def postgres_bin_dir() -> Path:
    """Where initdb and pg_ctl live: $PG_BIN, else the newest /usr/lib/postgresql/<version>/bin, else $PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl is None:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) not found; set PG_BIN")
    return Path(pg_ctl).parent


class PostgresServer:
    """``PostgresServer().start()``, then ``create_database(name)``, ``stop()``, ``start()``, ``restart()``;
    ``close()`` stops it and removes its directory. Also a context manager."""

    user = "postgres"  # the database superuser (trust authentication on 127.0.0.1 only)

    def __init__(self, port: int | None = None, *, initdb: bool = True, fsync: bool = False) -> None:
        self.port = port or free_port()
        # Tests need no durability (off: faster); a benchmark of commits or replication does (on).
        self.fsync = fsync
        self.bin = postgres_bin_dir()
        self.dir = Path(tempfile.mkdtemp(prefix="test-postgres-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        if initdb:
            self._run("initdb", "-D", str(self.data), "-U", self.user, "-A", "trust", "-E", "UTF8", "--no-sync")

    @property
    def url(self) -> str:
        """The URL of the ``postgres`` maintenance database; see ``database_url`` for others."""
        return self.database_url("postgres")

    def database_url(self, name: str) -> str:
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{name}"

    @property
    def pid(self) -> int | None:
        """The postmaster's pid while it runs (first line of postmaster.pid)."""
        try:
            return int((self.data / "postmaster.pid").read_text().split("\n", 1)[0])
        except (FileNotFoundError, ValueError):
            return None

    def start(self) -> PostgresServer:
        """Start and wait until it accepts connections."""
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync={'on' if self.fsync else 'off'}"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")
        return self

    def stop(self, mode: str = "fast") -> None:
        """Stop it and wait: ``fast`` disconnects clients and shuts down cleanly; ``immediate`` is a crash."""
        if self.pid is not None:
            self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "fast") -> PostgresServer:
        self.stop(mode)
        return self.start()

    def create_database(self, name: str) -> str:
        """Create a database on this server; returns its URL."""
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name)
        return self.database_url(name)

    def close(self) -> None:
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.dir, check=False)
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}\n{log}")


class PostgresReplica(PostgresServer):
    """A streaming standby of ``primary``: a copy by ``pg_basebackup -R`` (which writes the standby's
    ``primary_conninfo``), on a port of its own. ``initdb``'s trust rules let 127.0.0.1 replicate."""

    def __init__(self, primary: PostgresServer, port: int | None = None) -> None:
        super().__init__(port, initdb=False, fsync=primary.fsync)
        self.primary = primary
        self._run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", self.user,
            "-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
