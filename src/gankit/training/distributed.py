"""The processes of a data-parallel run, on torch.distributed (launched by torchrun): gloo on CPU, nccl on CUDA.

Each process computes its phase losses on its slice of the global batch; the loop then averages each
network's gradients over the processes between backward() and the optimizer step, so every process takes
the same step and holds the same weights. That is what DistributedDataParallel does, written out in the
loop rather than by wrapping the networks, because gankit's phases need what the wrapper cannot do: the
same D is updated in one phase and held fixed (no gradients) while G trains through it in the next,
gradient penalties differentiate D twice, and GAN losses call D's `evaluate` rather than its forward.
(StyleGAN2-ADA trains its GANs the same way, for the same reasons.)

Besides gradients, the processes share: what `after_update` applies (per-example tensors gathered in rank
order, so a replay buffer, BEGAN's k or an AE's code statistics are the same everywhere), the logged means,
and each decision to stop, roll back or keep a checkpoint. With one process every method is a no-op.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import torch
from torch import Tensor, nn

from gankit.world import World

TIMEOUT = datetime.timedelta(minutes=30)  # a rank waiting longer than this for the others gives up


class Group:
    def __init__(self, world: World) -> None:
        """Join the other processes (a no-op for one). Tensors on the CPU go through gloo, on a GPU through
        nccl, so that small flags never wait on a GPU and the group exists before the device is chosen."""
        self.world = world
        if world.size == 1:
            return
        import torch.distributed as dist

        backend = "cpu:gloo,cuda:nccl" if torch.cuda.is_available() and dist.is_nccl_available() else "gloo"
        dist.init_process_group(backend, init_method=f"tcp://{world.master_addr}:{world.master_port}",
                                rank=world.rank, world_size=world.size, timeout=TIMEOUT)

    @property
    def is_main(self) -> bool:
        return self.world.is_main

    @property
    def parallel(self) -> bool:
        return self.world.size > 1

    def average_gradients(self, network: nn.Module) -> None:
        """Every process's gradients replaced by their mean over the processes (one flat all-reduce)."""
        if not self.parallel:
            return
        import torch.distributed as dist

        grads = [p.grad for p in network.parameters() if p.grad is not None]
        if not grads:
            return
        flat = torch.cat([g.reshape(-1) for g in grads])
        dist.all_reduce(flat)
        flat /= self.world.size
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()

    def gather(self, values: dict[str, Any]) -> dict[str, Any]:
        """Per-example tensors (dim 0 this process's examples) concatenated over the processes in rank order;
        anything else as it is."""
        if not self.parallel:
            return values
        import torch.distributed as dist

        gathered = {}
        for key, value in values.items():
            if isinstance(value, Tensor) and value.dim() > 0:
                parts = [torch.empty_like(value) for _ in range(self.world.size)]
                dist.all_gather(parts, value.contiguous())
                value = torch.cat(parts)
            gathered[key] = value
        return gathered

    def mean(self, values: dict[str, Tensor]) -> dict[str, Tensor]:
        """Scalar tensors averaged over the processes (the numbers rank 0 logs)."""
        if not self.parallel or not values:
            return values
        import torch.distributed as dist

        keys = sorted(values)
        device = next(v.device for v in values.values() if isinstance(v, Tensor))
        flat = torch.stack([torch.as_tensor(values[k], dtype=torch.float64, device=device) for k in keys])
        dist.all_reduce(flat)
        flat /= self.world.size
        return dict(zip(keys, flat.unbind(), strict=True))

    def any(self, flag: bool) -> bool:
        """Whether `flag` holds in any process (all processes get the same answer)."""
        if not self.parallel:
            return flag
        import torch.distributed as dist

        value = torch.tensor([int(flag)])
        dist.all_reduce(value, op=dist.ReduceOp.MAX)
        return bool(value.item())

    def share_text(self, text: str | None) -> str:
        """Rank 0's text in every process."""
        return self.share(None if text is None else text.encode()).decode()

    def share(self, payload: bytes | None) -> bytes:
        """Rank 0's bytes in every process (a checkpoint, so that only rank 0 needs the run folder)."""
        if not self.parallel:
            assert payload is not None
            return payload
        import torch.distributed as dist

        size = torch.tensor([len(payload) if self.is_main and payload is not None else 0])
        dist.broadcast(size, 0)
        buffer = torch.zeros(int(size.item()), dtype=torch.uint8)
        if self.is_main:
            assert payload is not None
            buffer = torch.frombuffer(bytearray(payload), dtype=torch.uint8)
        dist.broadcast(buffer, 0)
        return buffer.numpy().tobytes()

    def share_checkpoint(self, checkpoint: tuple[dict[str, Tensor], dict[str, Any]] | None,
                         ) -> tuple[dict[str, Tensor], dict[str, Any]]:
        """Rank 0's (tensors, meta) in every process, as safetensors bytes and JSON."""
        if not self.parallel:
            assert checkpoint is not None
            return checkpoint
        from safetensors.torch import load, save

        tensors_bytes = meta_bytes = None
        if self.is_main:
            assert checkpoint is not None
            tensors_bytes = save({k: v.contiguous().cpu() for k, v in checkpoint[0].items()})
            meta_bytes = json.dumps(checkpoint[1]).encode()
        tensors = load(self.share(tensors_bytes))
        return tensors, json.loads(self.share(meta_bytes))

    def check_same_weights(self, module: nn.Module) -> None:
        """Raise if any process holds different weights than rank 0 (they must be bitwise equal)."""
        if not self.parallel:
            return
        import torch.distributed as dist

        flat = torch.cat([p.detach().reshape(-1).double() for p in module.parameters()])
        low, high = flat.clone(), flat.clone()
        dist.all_reduce(low, op=dist.ReduceOp.MIN)
        dist.all_reduce(high, op=dist.ReduceOp.MAX)
        if not torch.equal(low, high):
            raise RuntimeError("the processes' weights differ: data-parallel training went out of step")

    def close(self) -> None:
        if self.parallel:
            import torch.distributed as dist

            if dist.is_initialized():
                dist.destroy_process_group()


__all__ = ["Group"]
