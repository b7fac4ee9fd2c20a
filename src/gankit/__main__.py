"""`python -m gankit` is the `gankit` command (and what `torchrun -m gankit` will start)."""

from gankit.cli import main

if __name__ == "__main__":
    main()
