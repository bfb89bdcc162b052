#!/usr/bin/env bash
# The text host's measurements of issue 19 (docs/benchmarks.md, "LoRA: the delayed guard and the weight average"):
# LoRA rank 8 on the offline MiniLM and the five fortune categories, AdamW 2e-3 with warm-up and linear decay over
# 200 steps (the rate chosen on seeds 1-3, "LoRA fine-tuning"), held-out seeds 11-13, every row with an EMA of both
# runs' weights (--ema-decay, default 0.9: a 10-step average for a 200-step run, not tuned) evaluated beside them.
#   immediate  the guard as before (64 verification texts, checked right after each jump)
#   delayed    judged 20 real steps after the jump against the trend of the guard's readings
#   race       judged 20 real steps after the jump against a twin trained from the pre-jump weights on the same batches
#   no-guard   every finite forecast kept (--verify-texts 0)
# ROWS picks rows; outputs under ${1:-out/lora}/<row>/. FARCAST_DLL runs a prebuilt farcast.dll instead of building.
# FULL=1 fine-tunes all 22.7 M parameters instead of a rank-8 adapter, at the text job's rate 1e-4 (the full fine-tuning
# row of "Held-out seeds 11-13 at lr 2e-3"); outputs then go under ${1:-out/lora}/full-<row>/.
set -euo pipefail
out="${1:-out/lora}"
cd "$(dirname "$0")/.."
source scripts/farcast-command.sh
if [[ "${FULL:-0}" == 1 ]]; then adapter=(--lr 1e-4); prefix=full-; else adapter=(--lora 8 --lr 2e-3); prefix=; fi
common=("${adapter[@]}" --steps 200 --eval-every 20 --max-length 32 --seed 11 --seeds 3 --ema-decay "${EMA_DECAY:-0.9}"
  --Farcast:WarmupSteps=20 --Farcast:Horizon=16 --Farcast:MinJump=1 --Farcast:RefitEvery=4 --Farcast:MinTensorSize=64)
declare -A rows=(
  [immediate]=""
  [delayed]="--Farcast:JudgeAfterSteps=20"
  [race]="--Farcast:JudgeAfterSteps=20 --Farcast:JudgeAgainst=Race"
  [no-guard]="--verify-texts 0"
)
for row in ${ROWS:-immediate delayed race no-guard}; do
  [[ -n "${rows[$row]+set}" ]] || { echo "unknown row '$row' (immediate, delayed, race, no-guard)" >&2; exit 2; }
  # shellcheck disable=SC2086
  farcast text "${common[@]}" ${rows[$row]} --out "$out/$prefix$row"
done
