import pytest
from click.testing import CliRunner

from conftest import HOME_FEATURES
from gankit.cli import main


def test_features_fetch_refuses_a_file_that_is_not_the_inception_network(tmp_path):
    wrong = tmp_path / "default_1.pt"
    wrong.write_bytes(b"not the network")
    result = CliRunner().invoke(main, ["features", "fetch", "inception", "--from", str(wrong)])
    assert result.exit_code == 1 and "is not the FID Inception network's" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.skipif(not (HOME_FEATURES / "inception").is_dir(), reason="Inception weights not fetched on this machine")
def test_features_fetch_installs_the_network_from_a_local_file(tmp_path, monkeypatch):
    (source,) = (HOME_FEATURES / "inception").glob("*.pt")
    monkeypatch.setenv("GANKIT_CACHE", str(tmp_path / "cache"))
    result = CliRunner().invoke(main, ["features", "fetch", "inception", "--from", str(source)])
    assert result.exit_code == 0, result.output
    installed = tmp_path / "cache" / "features" / "inception" / source.name
    assert installed.read_bytes() == source.read_bytes()


def test_features_train_command(tmp_path):
    result = CliRunner().invoke(main, ["features", "train", "digits", "--epochs", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "digits: test accuracy 0." in result.output and (tmp_path / "digits.json").is_file()
