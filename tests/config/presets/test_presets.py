"""The shipped presets: each one is a valid config, `--preset` starts from it and --dry-run names it."""

import pytest
from click.testing import CliRunner

from gankit.algorithms.resolve import resolve
from gankit.cli import main
from gankit.config import Config
from gankit.config.presets import preset_names, preset_path, preset_summary
from gankit.data.catalog import dataset_kind
from gankit.errors import ConfigError


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_is_a_valid_config_that_says_what_it_is_for(name):
    config = Config.from_yaml(preset_path(name))
    resolve(config, dataset_kind(config.data.name))  # its values pass the same checks as a user's
    assert preset_summary(name) and "docs/" in preset_summary(name)  # and it points at the result it gives


def test_train_starts_from_a_preset_and_the_dry_run_says_which_values_it_set():
    result = CliRunner().invoke(main, ["train", "--preset", "fashion-rae-hour", "--seed", "3", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "  density_components: 100  # preset fashion-rae-hour" in result.output
    assert "  seed: 3  # command line" in result.output
    assert "  algorithm: rae  # preset fashion-rae-hour" in result.output


def test_presets_lists_each_with_its_command_and_a_bad_name_is_one_line():
    listed = CliRunner().invoke(main, ["presets"])
    assert listed.exit_code == 0 and all(f"gankit train --preset {n} --seed S" in listed.output for n in preset_names())
    with pytest.raises(ConfigError, match="unknown preset 'nope'; valid: "):
        preset_path("nope")
    both = CliRunner().invoke(main, ["train", "--preset", preset_names()[0], "--config", "x.yaml"])
    assert both.exit_code == 1 and "give --preset or --config, not both" in both.output
