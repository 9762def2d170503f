"""The suite runs offline: the autouse `no_network` fixture (conftest.py) fails any network access."""

from __future__ import annotations

import socket
import urllib.request

import pytest
from click.testing import CliRunner

from isms_tui.cli import main

from .conftest import NetworkBlocked


def test_name_lookups_are_blocked():
    with pytest.raises(NetworkBlocked):
        socket.getaddrinfo("example.com", 443)
    with pytest.raises(NetworkBlocked):
        socket.gethostbyname("example.com")


def test_tcp_connects_are_blocked_even_by_ip_and_on_loopback():
    for family, address in (
        (socket.AF_INET, ("93.184.216.34", 80)),
        (socket.AF_INET, ("127.0.0.1", 9)),
        (socket.AF_INET6, ("::1", 9, 0, 0)),
    ):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            with pytest.raises(NetworkBlocked):
                s.connect(address)
            with pytest.raises(NetworkBlocked):
                s.connect_ex(address)


def test_udp_datagrams_are_blocked():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(NetworkBlocked):
        s.sendto(b"\0" * 12, ("8.8.8.8", 53))


def test_high_level_clients_fail_too():
    with pytest.raises(NetworkBlocked):
        socket.create_connection(("example.com", 80), timeout=1)
    with pytest.raises(NetworkBlocked):
        urllib.request.urlopen("https://example.com", timeout=1)


def test_local_ipc_still_works():
    a, b = socket.socketpair()  # Unix-domain: what event loops use to wake themselves
    with a, b:
        a.sendall(b"ping")
        assert b.recv(4) == b"ping"


def test_the_cli_works_offline(tmp_path):
    db = tmp_path / "w.db"
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--no-tui", "--db", str(db)]).exit_code == 0
    for args in (["status", "--json"], ["journal", "verify"], ["evidence", "verify"], ["backup"]):
        result = runner.invoke(main, [*args, "--db", str(db)])
        assert result.exit_code == 0, (args, result.output)
