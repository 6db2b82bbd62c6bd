"""A throwaway PostgreSQL cluster started from the installed server binaries.

``initdb`` refuses to run as root, so under root the cluster is created and run as an
unprivileged system user (``postgres`` when it exists, else ``nobody``) through ``runuser``.
The cluster lives in a temporary folder, listens on a free local port with trust
authentication, runs with fsync off (tests need no durability) and is removed at the end.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SUPERUSER = "postgres"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> tuple[list[str], pwd.struct_passwd | None]:
    """Command prefix and the account to run the server as (none when not root)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            account = pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--"], account
    raise RuntimeError("running as root and no unprivileged account to run PostgreSQL")


class PostgresCluster:
    def __init__(self) -> None:
        if shutil.which("initdb") is None or shutil.which("pg_ctl") is None:
            raise FileNotFoundError("initdb / pg_ctl are not on the PATH")
        self.prefix, account = _run_as()
        self.root = Path(tempfile.mkdtemp(prefix="ib-pg-"))
        if account is not None:
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.data = self.root / "data"
        self.port = _free_port()
        self._names = itertools.count(1)

    def _run(self, *args: str) -> None:
        completed = subprocess.run(
            [*self.prefix, *args], capture_output=True, text=True, check=False, timeout=60
        )
        if completed.returncode != 0:
            log = self.root / "server.log"
            server_log = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed:\n{completed.stdout}\n{completed.stderr}\n{server_log}"
            )

    def start(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", SUPERUSER,
            "-E", "UTF8", "--locale=C", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _admin(self, sql: str) -> None:
        import psycopg

        dsn = f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        name = f"ib_test_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = PostgresCluster()
    except FileNotFoundError as exc:
        pytest.skip(f"PostgreSQL server binaries not installed: {exc}")
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def postgres_url(postgres_cluster: PostgresCluster) -> str:
    """URL of a database in the session's throwaway cluster (``postgresql+psycopg://...``)."""
    return postgres_cluster.url(postgres_cluster.create_database())


@pytest.fixture
def pg_env(
    postgres_cluster: PostgresCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """Like ``ib_env`` but ``IB_DATABASE_URL`` points at a fresh PostgreSQL database; yields it."""
    from industrybrain.config import reset_settings
    from industrybrain.plugins import reset_plugin_manager
    from industrybrain.runtime import reset_runtime

    def reset() -> None:
        reset_runtime()
        reset_settings()
        reset_plugin_manager()

    name = postgres_cluster.create_database()
    url = postgres_cluster.url(name)
    monkeypatch.setenv("IB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("IB_MODE", "test")
    monkeypatch.setenv("IB_EMBEDDED_WORKER", "false")
    monkeypatch.setenv("IB_DATABASE_URL", url)
    reset()
    yield url
    reset()
    postgres_cluster.drop_database(name)
