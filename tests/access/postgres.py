"""A throwaway PostgreSQL server for the account store's tests: initdb into a new folder, started with
pg_ctl on a Unix socket in that folder only (no TCP port), trust authentication, stopped and deleted at
the end. PostgreSQL refuses to run as root, and CI runs as root: then the server runs as the `postgres`
user that Debian's package creates (runuser), in a folder that user owns.

Missing PostgreSQL is a failure, never a skip: `.ci/run` installs it (apt-get install postgresql).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest

USER = "healthdash"


def binary(name: str) -> str:
    """Where `name` (initdb, pg_ctl) is: Debian keeps the server's programs off PATH."""
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        pytest.fail(f"PostgreSQL's {name} is not installed: `apt-get install postgresql` (.ci/run does); "
                    "the account store's PostgreSQL tests cannot run without it", pytrace=False)
    return found


def _as_server_user() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs a program as a user PostgreSQL accepts, and that user (None: us)."""
    if os.geteuid() != 0:
        return [], None
    try:
        owner = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("running as root and there is no `postgres` user to run PostgreSQL as "
                    "(Debian's postgresql package creates it)", pytrace=False)
    return [shutil.which("runuser") or "/usr/sbin/runuser", "-u", "postgres", "--"], owner


def _free_port() -> int:
    # Only names the socket file (.s.PGSQL.<port>) and the shared memory key: still, one nobody uses.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    folder: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{USER}@/{database}?host={quote(str(self.folder), safe='')}&port={self.port}"

    @contextmanager
    def database(self) -> Iterator[str]:
        """A new, empty database on this server for one test; its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'create database "{name}"')  # a name made here, not input
        try:
            yield self.url(name)
        finally:
            with psycopg.connect(self.url(), autocommit=True) as admin:
                admin.execute(f'drop database if exists "{name}" with (force)')


@contextmanager
def server() -> Iterator[Server]:
    initdb, pg_ctl = binary("initdb"), binary("pg_ctl")
    prefix, owner = _as_server_user()
    folder = Path(tempfile.mkdtemp(prefix="healthdash-pg-"))
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data, log, port = folder / "data", folder / "server.log", _free_port()

    def run(*command: str) -> None:
        done = subprocess.run([*prefix, *command], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                        f"{log.read_text() if log.exists() else ''}", pytrace=False)

    try:
        run(initdb, "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync")
        options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        run(pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options, "start")
        try:
            yield Server(folder, port)
        finally:
            run(pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
