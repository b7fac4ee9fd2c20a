"""Where this process sits in a data-parallel run: its rank among `size` processes, and how they meet.

torchrun describes it in the environment; `gankit.environment` reads that once at start-up and passes a
World down, so nothing below the entry points reads variables. One process is `World()`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class World:
    rank: int = 0  # this process, 0 .. size-1; rank 0 alone writes the run folder
    size: int = 1  # processes that train together, each on its slice of every global batch
    local_rank: int = 0  # this process on its machine: which GPU it uses
    master_addr: str = "127.0.0.1"  # where the processes rendezvous (torchrun's MASTER_ADDR/MASTER_PORT)
    master_port: int = 29500

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def __post_init__(self) -> None:
        if not 0 <= self.rank < self.size:
            raise ValueError(f"rank {self.rank} is outside a world of {self.size} processes")


ONE_PROCESS = World()  # a run that is not data-parallel

__all__ = ["ONE_PROCESS", "World"]
