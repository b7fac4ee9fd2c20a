import torch

from gankit.data.shard import ShardedGenerator, per_example_randn


def test_each_process_draws_its_slice_of_what_one_process_draws_for_the_global_batch():
    like = torch.empty(3, 2)
    whole = per_example_randn(torch.empty(6, 2), torch.Generator().manual_seed(7))
    shards = [per_example_randn(like, ShardedGenerator(rank=r, size=2).manual_seed(7)) for r in (0, 1)]
    assert torch.equal(torch.cat(shards), whole)
    alone = per_example_randn(like, ShardedGenerator(rank=0, size=1).manual_seed(7))
    assert torch.equal(alone, per_example_randn(like, torch.Generator().manual_seed(7)))
