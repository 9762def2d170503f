"""Shared fixtures: a pinned clock, private config/data dirs and a fresh workspace."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

TODAY = date(2026, 11, 28)


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never touch the real user folders; pin 'today' so dates and snapshots are stable."""
    base = tmp_path_factory.mktemp("userdirs")
    monkeypatch.setenv("ISMS_TODAY", TODAY.isoformat())
    monkeypatch.setenv("ISMS_CONFIG_DIR", str(base / "config"))
    monkeypatch.setenv("ISMS_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("ISMS_KEYS_DIR", str(base / "keys"))  # signing keys: never the user's own
    monkeypatch.delenv("ISMS_PASSPHRASE", raising=False)
    monkeypatch.delenv("ISMS_ACTOR", raising=False)  # the acting person comes from each test


class NetworkBlocked(RuntimeError):
    """Raised on any network access during tests (not an OSError, so nothing swallows it)."""


_LOCAL_NAMES = frozenset({None, "", "localhost", "127.0.0.1", "::1", b"localhost", b"127.0.0.1", b"::1"})


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The product is offline: any IP connect, datagram or non-local name lookup fails the test.

    Unix-domain sockets stay allowed (local IPC, not network); nothing in the suite needs
    loopback TCP, so it is blocked too.
    """
    import socket

    def refuse(what: str, target: object) -> None:
        raise NetworkBlocked(f"network access is blocked in tests: {what} {target!r}")

    def guarded(name: str):
        original = getattr(socket.socket, name)

        def method(self, address, *args, **kwargs):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                refuse(name, address if name != "sendto" else args[-1] if args else address)
            return original(self, address, *args, **kwargs)

        return method

    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, guarded(name))
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host not in _LOCAL_NAMES:
            refuse("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "gethostbyname", lambda host: refuse("gethostbyname", host))
    monkeypatch.setattr(socket, "gethostbyname_ex", lambda host: refuse("gethostbyname_ex", host))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "workspace.db"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace with its evidence store, built once per run; tests get copies."""
    from isms_tui.services.demo import create_demo

    from .db_helpers import workspace_session

    path = tmp_path_factory.mktemp("demo") / "template.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ISMS_TODAY", TODAY.isoformat())
        with workspace_session(path, "demo") as s:
            create_demo(s, TODAY)
    return path


@pytest.fixture
def demo_workspace(demo_template: Path, db_path: Path) -> Path:
    """A fresh copy of the demo workspace (and its evidence) at `db_path`."""
    import shutil

    shutil.copyfile(demo_template, db_path)
    shutil.copytree(demo_template.with_name("template.db.evidence"), db_path.with_name(db_path.name + ".evidence"))
    return db_path


@pytest.fixture(scope="module")
def demo_engine(demo_template: Path, tmp_path_factory: pytest.TempPathFactory):
    """An engine on one module's own copy of the demo, for tests that read it (and the few
    that change it knowingly, module-wide)."""
    import shutil

    from .db_helpers import fresh_engine

    path = tmp_path_factory.mktemp("demo-copy") / "w.db"
    shutil.copyfile(demo_template, path)
    shutil.copytree(demo_template.with_name("template.db.evidence"), path.with_name("w.db.evidence"))
    with fresh_engine(path) as engine:
        yield engine


@pytest.fixture
def demo(demo_engine):
    """A session on the module's demo copy."""
    from isms_tui.models.db import session_scope

    with session_scope(demo_engine) as s:
        yield s


@pytest.fixture
def engine(db_path: Path):
    """A new, initialised workspace at `db_path`; its engine is disposed at teardown."""
    from .db_helpers import fresh_engine

    with fresh_engine(db_path) as eng:
        yield eng


@pytest.fixture
def open_workspace():
    """Opens workspaces by path (as `open_engine` does) for one test; each engine is disposed
    at teardown, so a test that needs several needs no clean-up of its own."""
    from contextlib import ExitStack

    from .db_helpers import fresh_engine

    with ExitStack() as engines:
        yield lambda path, read_only=False: engines.enter_context(fresh_engine(path, read_only))


@pytest.fixture
def session(engine):
    """A session on the `engine` workspace as "tester", committed at teardown."""
    from isms_tui.models.db import session_scope

    with session_scope(engine, "tester") as s:
        yield s


@pytest.fixture(autouse=True)
def stable_screenshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Merge same-style segments in snapshot SVGs.

    The SVG's ids hash the raw segments, whose splits depend on which partial repaints ran
    first (a matter of timing under load); merged segments depend only on what is shown.
    """
    from textual.app import App

    original = App.export_screenshot

    def export_screenshot(self, *, title=None, simplify=False):
        return original(self, title=title, simplify=True)

    monkeypatch.setattr(App, "export_screenshot", export_screenshot)


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs of our own, to fill up (the full-disk tests), unmounted afterwards."""
    if os.geteuid() != 0:
        message = "mounting a small tmpfs to fill needs root"
        if os.environ.get("CI"):  # CI runs as root: there the full-disk tests must run
            pytest.fail(message + "; CI must run the tests as root")
        pytest.skip(message)
    folder = tmp_path / "disk"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
