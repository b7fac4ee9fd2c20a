import socket
import urllib.request

import pytest

from gankit.errors import GankitError
from gankit.serve.server import bind, is_loopback, running, url_of


def test_loopback_names_and_addresses_are_told_from_the_others():
    assert [is_loopback(h) for h in ("localhost", "127.0.0.2", "::1", "0.0.0.0", "example.org")] == [
        True, True, True, False, False]


def test_the_url_is_the_bound_port_and_a_taken_port_is_one_line(tmp_path):
    sock = bind("127.0.0.1", 0)
    try:
        port = sock.getsockname()[1]
        assert url_of(sock) == f"http://127.0.0.1:{port}/"
        sock.listen()
        with pytest.raises(GankitError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind("127.0.0.1", port)
    finally:
        sock.close()


def test_running_serves_the_folder_until_the_block_ends(tmp_path):
    with running(tmp_path) as url:
        assert urllib.request.urlopen(url + "api/runs", timeout=10).status == 200
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1][:-1])), 1):
        pass
