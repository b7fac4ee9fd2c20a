import pytest

from gankit.world import ONE_PROCESS, World


def test_rank_zero_is_the_main_process_and_a_rank_must_lie_inside_the_world():
    assert ONE_PROCESS.is_main and World(rank=0, size=2).is_main and not World(rank=1, size=2).is_main
    for rank, size in ((2, 2), (-1, 1)):
        with pytest.raises(ValueError, match=f"rank {rank} is outside a world of {size}"):
            World(rank=rank, size=size)
