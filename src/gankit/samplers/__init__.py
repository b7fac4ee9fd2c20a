"""Samplers: Langevin dynamics on any score (`langevin`) and the replay buffer of past chains (`replay`)."""
