#!/usr/bin/env bash
# The CUDA path end to end, timed: train (2D and images, fp32 and bf16), resume, sample, eval (classifier and
# Inception features), a smoke bench, and the throughput table on the GPU. One line per check, then the table.
# Meant for a machine with one GPU (a few minutes). To try the script itself on a CPU, make it small:
#     DEVICE=cpu STEPS=20 EVAL_N=200 THROUGHPUT="--steps 2 --warmup 1 --rounds 1 --batch-sizes 16" bash bench/gpu.sh
#     bash bench/gpu.sh [OUT_DIR]
set -euo pipefail
out=${1:-runs/gpu-check}
device=${DEVICE:-cuda}
steps=${STEPS:-2000}
eval_n=${EVAL_N:-10000}
read -r -a throughput <<< "${THROUGHPUT:---batch-sizes 64,1024}"
gankit=${GANKIT:-.venv/bin/gankit}
python=${PYTHON:-.venv/bin/python}
mkdir -p "$out"
if [ "$device" = cuda ]; then
  "$python" -c "import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)" \
    || { echo "gpu.sh: no CUDA device here (set DEVICE=cpu to run the checks on the CPU)" >&2; exit 1; }
  "$python" -c "import torch; print('device:', torch.cuda.get_device_name(0), '| torch', torch.__version__)"
fi

check() {  # check NAME COMMAND...: run it, print its wall-clock and its last line, stop on failure
  local name=$1 start end
  shift
  start=$(date +%s.%N)
  if ! "$@" > "$out/$name.log" 2>&1; then
    echo "FAILED $name (log: $out/$name.log)"; tail -n 5 "$out/$name.log"; exit 1
  fi
  end=$(date +%s.%N)
  printf '%-28s %7.1f s  %s\n' "$name" "$(echo "$end - $start" | bc)" "$(tail -n 1 "$out/$name.log" | cut -c1-90)"
}

common=(--device "$device" --no-progress --overwrite)
check train-ring8 "$gankit" train --data ring8 --steps "$steps" --out "$out/ring8" "${common[@]}"
check train-fashion-fp32 "$gankit" train --data fashion-mnist --net dcgan --steps "$steps" --out "$out/fm-fp32" \
  "${common[@]}"
check train-fashion-bf16 "$gankit" train --data fashion-mnist --net dcgan --steps "$steps" --out "$out/fm-bf16" \
  --set train.precision=bf16 --set train.channels_last=true "${common[@]}"
check resume "$gankit" resume "$out/fm-fp32" --steps "$((steps + steps / 10))" --device "$device" --no-progress
check sample "$gankit" sample "$out/fm-fp32" --n 64 --out "$out/samples.png"
check eval-classifier "$gankit" eval "$out/fm-fp32" --n "$eval_n"
check features-fetch "$gankit" features fetch inception
check eval-inception "$gankit" eval "$out/fm-bf16" --n "$eval_n" --features inception
check bench-smoke "$gankit" bench objectives --budget smoke --out "$out/bench" --no-progress
check throughput "$python" bench/throughput.py --device "$device" "${throughput[@]}"
cat "$out/throughput.log"
