"""`python -m gankit` is the `gankit` command (and what `torchrun -m gankit` will start)."""

from gankit.cli import entry

if __name__ == "__main__":
    entry()
