#!/usr/bin/env bash
# The FM-16 measurements of issue 19 (docs/benchmarks.md, "FM-16: the delayed guard and the weight average"):
#   tune     seeds 1-3, one row per setting: the delayed guard at 200 steps (trend at 2 SE and 0 SE, race) and 400, no guard (constant
#            and shrinking horizon), the smoothing-only control (unguarded), the immediate guard, no guard fitted to an EMA
#            of the weights (ObservedAverageDecay 0.99), no guard with the farcast run's average restarted 50 steps after
#            each jump or never (--ema-restart-delay); TUNE_ROWS picks
#   heldout  seeds 11-15 with the row chosen on seeds 1-3 (so far: no guard, EMA 0.99; HELDOUT_ROW, default no-guard)
#   transfer FM-32 and the paper's CNN (CnnFashion) on seeds 11-15 with the same settings, untouched (CnnFashion's 3,000 steps
#            take NiNo's cadence scaled to its length, appsettings.cnnfashion.json: at FM-16's the first jump would come at 3,400)
#   cnn-rate plain AdamW's rate for CnnFashion on seeds 1-3 (farcast mnist --lr-grid: plain runs only, judged on the guard's
#            pool of held-out training images, never the test set); transfer then trains at its best_learning_rate
# Every run also keeps an EMA (decay 0.99) of both runs' weights, evaluated beside them. Outputs under
# ${1:-out/fm16}/<stage>-<row>/. FARCAST_DLL runs a prebuilt farcast.dll instead of building; EVAL_EVERY (default 25)
# sets the evaluation grid (the tuning round used 50 to halve the evaluations' cost). Needs Debian's
# dataset-fashion-mnist. One FM-16 seed takes about 10 minutes on 2 cores at EVAL_EVERY=50, 17 at 25; an FM-32 seed 40 at
# 50; a CnnFashion seed 24, its rate grid (cnn-rate) 70 minutes. A stage cut off (a session's end, Ctrl-C) goes on where it stopped when rerun: a folder that
# already holds a summary is resumed (farcast mnist --resume), its finished seeds kept.
set -euo pipefail
out="${1:-out/fm16}"
shift || true
stages="${*:-tune heldout}"
cd "$(dirname "$0")/.."
source scripts/farcast-command.sh
grid=(--eval-every "${EVAL_EVERY:-25}")
# The presets run unguarded by default (the setting this script chose); the guarded rows name their guard's chunk.
guard="--verify-images 1000"
declare -A rows=(
  [delayed-200]="$guard --Farcast:JudgeAfterSteps=200"
  [delayed-400]="$guard --Farcast:JudgeAfterSteps=400"
  [delayed-200-0se]="$guard --Farcast:JudgeAfterSteps=200 --Farcast:VerifyStandardErrors=0"
  [delayed-200-race]="$guard --Farcast:JudgeAfterSteps=200 --Farcast:JudgeAgainst=Race"
  [no-guard]="--verify-images 0"
  [no-guard-shrinking]="--verify-images 0 --Farcast:HorizonSchedule=Shrinking --Farcast:TotalSteps=10000"
  [smoothing]="--verify-images 0 --Farcast:Map=Smoothing"
  [no-guard-observed-ema]="--verify-images 0 --Farcast:ObservedAverageDecay=0.99"
  [no-guard-ema-restart-50]="--verify-images 0 --ema-restart-delay 50"
  [no-guard-ema-never-restart]="--verify-images 0 --ema-restart-delay 10000"
  [immediate]="$guard"
)
# farcast mnist ... --out DIR, resumed when DIR already holds finished seeds (nothing is rerun once it is complete).
mnist() { local dir="${*: -1}"; if [[ -f "$dir/summary.json" ]]; then farcast mnist "$@" --resume; else farcast mnist "$@"; fi; }
# CnnFashion's rate: CNN_LR, else the best rate of the cnn-rate stage's grid (which must have finished).
cnn_rate() {
  if [[ -n "${CNN_LR:-}" ]]; then echo "$CNN_LR"; return; fi
  local grid="$out/cnn-rate/lr-grid.json" rate
  grep -q '"complete": true' "$grid" 2>/dev/null || { echo "no CnnFashion rate: $grid is missing or unfinished; run the cnn-rate stage first (or set CNN_LR)" >&2; exit 2; }
  rate=$(grep -oE '"best_learning_rate": [0-9.eE+-]+' "$grid" | grep -oE '[0-9.eE+-]+$') ||
    { echo "no CnnFashion rate: every rate of $grid diverged (set CNN_LR)" >&2; exit 2; }
  echo "$rate"
}
known_row() { [[ -n "${rows[$1]+set}" ]] || { echo "unknown row '$1' (${!rows[*]})" >&2; exit 2; }; }
for stage in $stages; do
  case "$stage" in
    tune)
      for row in ${TUNE_ROWS:-delayed-200 delayed-200-0se delayed-200-race no-guard no-guard-shrinking smoothing no-guard-observed-ema delayed-400 immediate}; do
        known_row "$row"
        # shellcheck disable=SC2086
        mnist --preset Fm16 --seed 1 --seeds 3 "${grid[@]}" ${rows[$row]} --out "$out/tune-$row"
      done ;;
    heldout)
      known_row "${HELDOUT_ROW:-no-guard}"
      # shellcheck disable=SC2086
      mnist --preset Fm16 --seed 11 --seeds 5 "${grid[@]}" ${rows[${HELDOUT_ROW:-no-guard}]} --out "$out/heldout" ;;
    transfer)
      mnist --preset Fm32 --seed 11 --seeds 5 "${grid[@]}" --out "$out/transfer-fm32"
      rate=$(cnn_rate)
      mnist --preset CnnFashion --lr "$rate" --seed 11 --seeds 5 --out "$out/transfer-cnn" ;;
    cnn-rate)
      # A grid cut off is run again whole (it cannot be resumed); a finished one is kept.
      if ! grep -q '"complete": true' "$out/cnn-rate/lr-grid.json" 2>/dev/null; then
        farcast mnist --preset CnnFashion --lr-grid 3e-4,1e-3,3e-3 --seed 1 --seeds 3 --out "$out/cnn-rate" --force
      fi ;;
    *) echo "unknown stage '$stage' (tune, heldout, transfer, cnn-rate)" >&2; exit 2 ;;
  esac
done
