import click
import pytest
from click.testing import CliRunner

from gankit.cli.common import LiveChoice, parse_sets
from gankit.errors import GankitError


def test_set_pairs_split_at_the_first_equals_sign_and_a_pair_without_one_is_refused():
    assert parse_sets(("train.out=runs/a=b", " model.width =8")) == {"train.out": "runs/a=b", "model.width": "8"}
    with pytest.raises(GankitError, match="--set expects KEY=VALUE"):
        parse_sets(("train.steps",))


def test_a_live_choice_accepts_names_registered_after_the_command_was_defined():
    names = ["a"]

    @click.command()
    @click.option("--pick", type=LiveChoice(lambda: names))
    def pick(pick):
        click.echo(pick)

    names.append("b")
    assert CliRunner().invoke(pick, ["--pick", "b"]).output == "b\n"
    assert CliRunner().invoke(pick, ["--pick", "c"]).exit_code == 2
