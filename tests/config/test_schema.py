import pytest

from gankit.config import Config
from gankit.errors import ConfigError


def test_yaml_round_trip(tmp_path):
    config = Config().override({"train.steps": 7, "data.name": "grid25", "optim.lr_g": "1e-3"})
    path = tmp_path / "c.yaml"
    path.write_text(config.to_yaml())
    again = Config.from_yaml(path)
    assert again == config
    assert again.optim.lr_g == pytest.approx(1e-3) and isinstance(again.optim.lr_g, float)


def test_override_rejects_unknown_section():
    with pytest.raises(ConfigError, match="unknown config key"):
        Config().override({"steps": 3})


def test_bad_yaml_file(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("train: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML"):
        Config.from_yaml(path)
    with pytest.raises(ConfigError, match="does not exist"):
        Config.from_yaml(tmp_path / "missing.yaml")
