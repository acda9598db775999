"""Shared fixtures: a database URL per backend, and a real PostgreSQL for the run.

``db_url`` is parametrised over ``sqlite`` and ``postgresql``; the PostgreSQL
case carries the ``postgres`` marker. PostgreSQL comes from, in order:

1. ``DGW_TEST_PG_URL`` (an admin URL, e.g. ``postgresql://postgres@host:5432/postgres``);
2. a server at 127.0.0.1:5432, user ``postgres``, trust authentication;
3. a throwaway server started from Debian's binaries (``initdb``/``pg_ctl`` under
   ``/usr/lib/postgresql/*/bin``) in a temporary directory on a free port, run as
   the ``postgres`` user when the tests run as root; stopped at the end.

``DGW_TEST_PG=start`` skips 2 and always starts a throwaway server. If none of
this works the PostgreSQL tests FAIL with the reason: they are never skipped.

One fresh database is created per run and dropped at the end; each test gets
its own schema in it (through the URL's ``search_path``), dropped after the test.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from disclosure_gateway.store.engine import Store, open_store

_PG_DEFAULT = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3"


@dataclass
class PgServer:
    host: str
    port: int
    user: str
    stop: list[str] | None = None  # command that stops a throwaway server
    workdir: Path | None = None

    def conninfo(self, dbname: str) -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname} connect_timeout=5"

    def url(self, dbname: str, schema: str | None = None) -> str:
        base = f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"
        return f"{base}?options=-csearch_path%3D{schema}" if schema else base


def _try_connect(conninfo: str) -> str | None:
    try:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SELECT 1")
        return None
    except psycopg.Error as e:
        return str(e).strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_throwaway() -> PgServer:
    initdbs = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                     key=lambda p: int(Path(p).parts[-3]))
    if not initdbs:
        raise RuntimeError("no PostgreSQL binaries under /usr/lib/postgresql/*/bin "
                           "(apt-get install postgresql, or run scripts/install-system-deps.sh)")
    bindir = Path(initdbs[-1]).parent
    workdir = Path(tempfile.mkdtemp(prefix="dgw-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root.
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
            pw = pwd.getpwnam("postgres")
        os.chown(workdir, pw.pw_uid, pw.pw_gid)
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = workdir / "data", _free_port()
    run = lambda *cmd: subprocess.run([*as_user, *cmd], check=True, capture_output=True,  # noqa: E731
                                      text=True, timeout=120)
    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--no-sync")
        run(str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60", "-l",
            str(workdir / "server.log"), "-o",
            f"-p {port} -k {workdir} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    except subprocess.CalledProcessError as e:
        raise RuntimeError(f"could not start a throwaway PostgreSQL: {e.stderr or e.stdout}") from e
    stop = [*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
    return PgServer("127.0.0.1", port, "postgres", stop=stop, workdir=workdir)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    reasons: list[str] = []
    server: PgServer | None = None
    env_url = os.environ.get("DGW_TEST_PG_URL")
    if env_url:
        info = psycopg.conninfo.conninfo_to_dict(env_url.replace("postgresql+psycopg", "postgresql"))
        server = PgServer(str(info.get("host", "127.0.0.1")), int(info.get("port", 5432)),
                          str(info.get("user", "postgres")))
        problem = _try_connect(server.conninfo(str(info.get("dbname", "postgres"))))
        if problem:
            pytest.fail(f"DGW_TEST_PG_URL={env_url} is not reachable: {problem}")
    elif os.environ.get("DGW_TEST_PG") != "start":
        problem = _try_connect(_PG_DEFAULT)
        if problem is None:
            server = PgServer("127.0.0.1", 5432, "postgres")
        else:
            reasons.append(f"127.0.0.1:5432 as postgres: {problem}")
    if server is None:
        try:
            server = _start_throwaway()
        except (RuntimeError, OSError, subprocess.SubprocessError) as e:
            reasons.append(str(e))
            pytest.fail("PostgreSQL tests need a server and none could be found or started:\n  "
                        + "\n  ".join(reasons))
    try:
        yield server
    finally:
        if server.stop:
            subprocess.run(server.stop, capture_output=True, check=False, timeout=60)
        if server.workdir:
            shutil.rmtree(server.workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """A database created for this test run, dropped at its end."""
    name = f"dgw_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_server.conninfo("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(pg_server.conninfo("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url(pg_server: PgServer, pg_database: str) -> Iterator[str]:
    """A URL to an empty schema of the run's database, dropped after the test."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.conninfo(pg_database), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield pg_server.url(pg_database, schema)
    finally:
        with psycopg.connect(pg_server.conninfo(pg_database), autocommit=True) as conn:
            conn.execute("SET lock_timeout = '20s'")
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend, for tests that must pass on both."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """A migrated store on each backend, closed after the test."""
    st = open_store(db_url, create=True)
    try:
        yield st
    finally:
        st.close()


#: `dgw ARGS` run by the ``dgw`` fixture: (exit code, stdout, stderr)
RunDgw = Callable[..., tuple[int, str, str]]


@pytest.fixture
def dgw(capsys: pytest.CaptureFixture[str]) -> RunDgw:
    """`dgw ARGS` through the CLI's own entry point (``cli.main.main``), in this process:
    the real exit code and stderr line, without starting an interpreter per command."""
    from disclosure_gateway.cli.main import main

    def run(*args: str) -> tuple[int, str, str]:
        umask = os.umask(0o022)  # main() sets the CLI's umask: the tests keep their own
        os.umask(umask)
        argv, sys.argv = sys.argv, ["dgw", *args]
        try:
            main()
            code = 0
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
        finally:
            sys.argv = argv
            os.umask(umask)
        out, err = capsys.readouterr()
        return code, out, err

    return run
