"""Reading and checking a config's values: a value typed as a string is taken literally for a text field (a
name, a path, a device) and read as YAML for the others; a value that does not fit is one line naming it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from conftest import tiny_config
from gankit.cli import main
from gankit.config import Config
from gankit.errors import ConfigError

TEXT = ["runs/exp #2", "null", "~", "&a", "@x", "%x", "[a", "!foo", "yes", "123", "2024-01-01", "*alias", "a: b"]


@pytest.mark.parametrize("text", TEXT)
def test_a_typed_name_or_path_is_taken_as_it_is(text):
    config = Config().override({"train.out": text, "data.name": text, "data.root": text})
    assert (config.train.out, config.data.name, config.data.root) == (text, text, text)


@pytest.mark.parametrize("key, text, value", [("train.steps", "12", 12), ("optim.lr_g", "1e-3", 1e-3),
                                              ("model.spectral_norm", "true", True), ("train.threads", "auto", "auto"),
                                              ("train.threads", "3", 3), ("train.progress_steps", "[1, 5]", [1, 5])])
def test_other_fields_read_yaml_scalars_as_a_config_file_would(key, text, value):
    section, name = key.split(".")
    assert getattr(getattr(Config().override({key: text}), section), name) == value


@pytest.mark.parametrize("key, text, words", [
    ("train.steps", "[a", "train.steps: cannot read '[a'"), ("train.steps", "@x", "train.steps: cannot read"),
    ("train.device", "*x", "train.device must be auto, cpu"), ("objective.name", "!tag", "unknown objective '!tag'"),
    ("train.bogus", "1", "unknown field train.bogus"), ("train.threads", "many", "train.threads must be int or auto"),
])
def test_a_value_that_does_not_fit_is_one_line(key, text, words):
    result = CliRunner().invoke(main, ["train", "--set", f"{key}={text}", "--dry-run"])
    assert result.exit_code == 1 and words in result.output and len(result.output.strip().splitlines()) == 1


def test_an_out_with_a_hash_trains_into_the_folder_named_and_leaves_the_other_alone(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    first = runner.invoke(main, ["train", "--out", "runs/exp", "--steps", "6", "--no-progress"])
    assert first.exit_code == 0, first.output
    before = (tmp_path / "runs" / "exp" / "checkpoints" / "last.json").read_text()
    second = runner.invoke(main, ["train", "--out", "runs/exp #2", "--steps", "3", "--no-progress", "--overwrite"])
    assert second.exit_code == 0, second.output
    assert (tmp_path / "runs" / "exp #2" / "config.yaml").is_file()
    assert (tmp_path / "runs" / "exp" / "checkpoints" / "last.json").read_text() == before  # untouched


def test_an_unknown_config_key_is_still_named(tmp_path):
    with pytest.raises(ConfigError, match="unknown config key 'nope'"):
        Config.from_dict(tiny_config(tmp_path)).override({"nope": "1"})


@pytest.mark.parametrize("key, value, words", [("vae.density_components", 0, "vae.density_components must be"),
                                               ("vae.density_examples", 3, "vae.density_examples must be at least"),
                                               ("vae.code_penalty", -1.0, "vae.code_penalty must be >= 0")])
def test_bad_density_and_penalty_settings_are_one_line(key, value, words):
    with pytest.raises(ConfigError, match=words):
        Config().override({"model.algorithm": "rae", key: value})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"train": {"stepz": 3}}, "unknown field train.stepz; valid: .*steps"),
        ({"train": {"steps": "many"}}, "train.steps must be int"),
        ({"train": {"steps": 0}}, "train.steps must be positive"),
        ({"gan": {"order": "sideways"}}, "gan.order must be one of d_first, g_first"),
        ({"optim": {"beta1": 1.5}}, r"optim.beta1 must be in \[0, 1\)"),
        ({"data": {"channels": 2}}, "data.channels must be 1 or 3"),
        ({"train": {"device": "tpu"}}, "train.device must be"),
        ({"bogus": {}}, "unknown field bogus"),
    ],
)
def test_bad_values_name_the_field(values, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_dict(values)


def test_renamed_keys_still_load_with_a_warning():
    with pytest.warns(FutureWarning, match="train.d_steps is now gan.d_steps"):
        config = Config.from_dict({"train": {"d_steps": 3, "steps": 7}})
    assert (config.gan.d_steps, config.train.steps) == (3, 7)
    with pytest.warns(FutureWarning, match="train.order is now gan.order"):
        assert Config().override({"train.order": "g_first"}).gan.order == "g_first"


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_rates_are_refused(value):
    with pytest.raises(ConfigError, match="optim.lr_d must be positive"):
        Config().override({"optim.lr_d": value})


@pytest.mark.parametrize(("key", "value", "message"), [
    ("objective.penalty", "r3", "objective.penalty must be one of"),
    ("objective.penalty_final", 2.0, "objective.penalty_final must be in"),
    ("objective.gamma_r2", -1.0, "objective.gamma_r2 must be >= 0"),
    ("augment.ada_target", 1.0, "augment.ada_target must be in"),
    ("optim.lr_final", 1.5, "optim.lr_final must be in"),
    ("optim.beta2_start", 1.0, "optim.beta2_start must be in"),
    ("optim.decay_steps", -3, "optim.decay_steps must be >= 0"),
    ("model.recipe", "r3gan", "model.recipe must be one of"),
])
def test_bad_modern_settings_name_the_field(key, value, message):
    with pytest.raises(ConfigError, match=message):
        Config().override({key: value})


def test_d_norm_accepts_instance_and_names_the_field_otherwise():
    assert Config.from_dict({"model": {"d_norm": "instance"}}).model.d_norm == "instance"
    with pytest.raises(ConfigError, match="model.d_norm"):
        Config.from_dict({"model": {"d_norm": "layer"}})
