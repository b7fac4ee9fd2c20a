#!/usr/bin/env bash
# Does a faster precision cost quality? The 3 000-step Fashion-MNIST DCGAN (gankit's defaults) in fp32 and in
# bf16 + channels_last, 3 seeds each, one after another; then the classifier-feature FID of each final model
# (10 000 samples vs the test split) and each run's training time. Prints one line per run.
#     bash bench/precision_quality.sh [OUT_DIR]      # about 20 min on 2 CPU cores
set -euo pipefail
out=${1:-runs/precision-quality}
gankit=${GANKIT:-.venv/bin/gankit}
for setting in fp32 bf16-channels-last; do
  extra=()
  [ "$setting" = fp32 ] || extra=(--set train.precision=bf16 --set train.channels_last=true)
  for seed in 0 1 2; do
    run="$out/$setting-seed$seed"
    start=$(date +%s.%N)
    "$gankit" train --data fashion-mnist --net dcgan --steps 3000 --seed "$seed" --out "$run" --overwrite \
      --no-progress "${extra[@]}" > /dev/null
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    fid=$("$gankit" eval "$run" --n 10000 | sed -E 's/.*: fid ([0-9.]+),.*/\1/')
    printf '%-20s seed %s  FID %8s  train %6.0f s\n' "$setting" "$seed" "$fid" "$seconds"
  done
done
