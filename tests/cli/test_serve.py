from __future__ import annotations

import pytest
from click.testing import CliRunner

from gankit.cli import main


def test_the_serve_command_refuses_a_missing_folder_in_one_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", str(tmp_path / "nowhere")])
    assert result.exit_code == 1 and "is not a folder of runs" in result.output and len(result.output.splitlines()) == 1


@pytest.mark.parametrize(("host", "warned"), [("127.0.0.1", False), ("0.0.0.0", True)])
def test_the_serve_command_listens_on_loopback_unless_told_and_prints_the_url(tmp_path, monkeypatch, host, warned):
    import gankit.serve.server

    served = []
    monkeypatch.setattr(gankit.serve.server, "serve", lambda runs, sock: served.append(sock.getsockname()[:2]))
    args = ["serve", str(tmp_path), "--port", "0"] + ([] if host == "127.0.0.1" else ["--host", host])
    result = CliRunner().invoke(main, args)
    (address, port), = served
    assert result.exit_code == 0 and address == host and f"http://{host}:{port}/" in result.output
    assert ("warning: listening on 0.0.0.0" in result.output) == warned
