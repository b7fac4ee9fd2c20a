from __future__ import annotations


def test_the_host_header_is_read_for_every_loopback_name():
    from gankit.serve.guard import host_name
    from gankit.serve.server import LOOPBACK_NAMES

    assert [host_name(h) for h in ("[::1]:8000", "localhost:80", "127.0.0.1", "[::1]")] == \
        ["::1", "localhost", "127.0.0.1", "::1"]
    assert host_name("rebound.example:8000") not in LOOPBACK_NAMES
