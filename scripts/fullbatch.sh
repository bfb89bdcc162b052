#!/usr/bin/env bash
# The full-batch measurements of docs/benchmarks.md, in three stages (all by default):
#   grid       the honest baseline: plain Adam's rate per task on seeds 1-3 (to the 0.001 run's best smoothed target)
#   heldout    farcast vs plain at each task's tuned rate, appsettings.fullbatch.json, held-out seeds 11-15 (and two moons)
#   ablations  the same seeds, one mechanism changed per row (search, reuse, pooling, stride, guard, the old defaults)
#   lambda     the profile's Lambda chosen on seeds 1-3: each task at Lambda 0 (the library default) and 0.01
#   delayed    the delayed guard on seeds 1-3 (issue 19): judged after 32 real steps, at stride 1 and at a long cadence (stride 8),
#              by forward passes or by the step's own loss (--step-loss-guard); DELAYED_ROWS picks rows
#   average    the weight-average control on seeds 1-3 (issue 19): every row keeps an EMA of both runs' weights (--ema-decay),
#              the profile at decays 0.9 and 0.99, unguarded, the smoothing-only control and the INR's long-cadence row; AVERAGE_ROWS picks
#   cost       the wrapper's own time on the held-out seeds (issue 20): today's guard (a forward pass per check) and the
#              step-loss guard (--step-loss-guard, judged by the loss of the step after the jump)
# Outputs under ${1:-out/fullbatch}/<stage>-<task>[-<row>]/. FARCAST_DLL runs a prebuilt farcast.dll instead of building;
# ABLATION_SEEDS (default 5) runs the ablation rows on fewer of the held-out seeds.
# Wall-clock ratios are only meaningful on an otherwise idle machine.
set -euo pipefail
out="${1:-out/fullbatch}"
shift || true
stages="${*:-grid lambda heldout ablations}"   # delayed, average and cost run only when named
cd "$(dirname "$0")/.."
source scripts/farcast-command.sh
tasks=(inr pinn classifier)
heldout=(--seed 11 --seeds 5)
ablation=(--seed 11 --seeds "${ABLATION_SEEDS:-5}")
for stage in $stages; do
  case "$stage" in
    grid)
      # Plain Adam's rate per task, to the best smoothed target of the run at 1e-3 (the INR's runs are slow: four rates).
      farcast fullbatch --task classifier --seed 1 --seeds 3 --lr-grid 1e-3,2e-3,5e-3,1e-2,2e-2,5e-2 --out "$out/grid-classifier"
      farcast fullbatch --task classifier --dataset Moons --seed 1 --seeds 3 --lr-grid 1e-3,2e-3,5e-3,1e-2,2e-2,5e-2,0.1 --out "$out/grid-classifier-moons"
      farcast fullbatch --task pinn --seed 1 --seeds 3 --lr-grid 1e-3,2e-3,5e-3,1e-2,2e-2,5e-2 --out "$out/grid-pinn"
      farcast fullbatch --task inr --seed 1 --seeds 3 --lr-grid 5e-3,1e-2,2e-2,5e-2 --out "$out/grid-inr" ;;
    heldout)
      for task in "${tasks[@]}"; do
        farcast fullbatch --task "$task" "${heldout[@]}" --out "$out/heldout-$task"
      done
      farcast fullbatch --task classifier --dataset Moons "${heldout[@]}" --out "$out/heldout-classifier-moons" ;;
    ablations)
      declare -A rows=(
        [no-search]="--Farcast:MinJump=64"
        [no-reuse]="--Farcast:RefitEvery=0"
        [no-pooling]="--Farcast:MinTensorSize=0"
        [stride-2]="--Farcast:Stride=2"
        [no-guard]="--no-guard"
        [old-defaults]="--Farcast:Horizon=10 --Farcast:MinJump=10 --Farcast:RefitEvery=0 --Farcast:MinTensorSize=0 --Farcast:Lambda=0.01"
      )
      for task in "${tasks[@]}"; do
        for row in no-search no-reuse no-pooling stride-2 no-guard old-defaults; do
          # shellcheck disable=SC2086
          farcast fullbatch --task "$task" "${ablation[@]}" ${rows[$row]} --out "$out/ablation-$task-$row"
        done
      done ;;
    lambda)
      for task in "${tasks[@]}"; do
        for lambda in 0 0.01; do
          farcast fullbatch --task "$task" --seed 1 --seeds 3 --Farcast:Lambda="$lambda" --out "$out/lambda-$task-$lambda"
        done
      done ;;
    delayed)
      declare -A delayed=(
        [judge-32]="--Farcast:JudgeAfterSteps=32"
        [judge-32-stride-8]="--Farcast:JudgeAfterSteps=32 --Farcast:Stride=8 --Farcast:Horizon=16 --Farcast:WarmupSteps=200"
        [step-loss-32]="--step-loss-guard --Farcast:JudgeAfterSteps=32"
        [step-loss-32-stride-8]="--step-loss-guard --Farcast:JudgeAfterSteps=32 --Farcast:Stride=8 --Farcast:Horizon=16 --Farcast:WarmupSteps=200"
      )
      for task in "${tasks[@]}"; do
        for row in ${DELAYED_ROWS:-judge-32 judge-32-stride-8 step-loss-32 step-loss-32-stride-8}; do
          [[ -n "${delayed[$row]+set}" ]] || { echo "unknown DELAYED_ROWS row '$row' (${!delayed[*]})" >&2; exit 2; }
          # shellcheck disable=SC2086
          farcast fullbatch --task "$task" --seed 1 --seeds 3 ${delayed[$row]} --out "$out/delayed-$task-$row"
        done
      done ;;
    average)
      declare -A averaged=(
        [profile-ema-0.99]="--ema-decay 0.99"
        [profile-ema-0.9]="--ema-decay 0.9"
        [no-guard-ema-0.99]="--no-guard --ema-decay 0.99"
        [smoothing-ema-0.99]="--Farcast:Map=Smoothing --ema-decay 0.99"
        [step-loss-32-stride-8-ema-0.99]="--step-loss-guard --Farcast:JudgeAfterSteps=32 --Farcast:Stride=8 --Farcast:Horizon=16 --Farcast:WarmupSteps=200 --ema-decay 0.99"
      )
      for task in "${tasks[@]}"; do
        for row in ${AVERAGE_ROWS:-profile-ema-0.99 profile-ema-0.9 no-guard-ema-0.99 smoothing-ema-0.99 step-loss-32-stride-8-ema-0.99}; do
          [[ -n "${averaged[$row]+set}" ]] || { echo "unknown AVERAGE_ROWS row '$row' (${!averaged[*]})" >&2; exit 2; }
          # shellcheck disable=SC2086
          farcast fullbatch --task "$task" --seed 1 --seeds 3 ${averaged[$row]} --out "$out/average-$task-$row"
        done
      done ;;
    cost)
      for task in "${tasks[@]}"; do
        farcast fullbatch --task "$task" "${heldout[@]}" --out "$out/cost-$task-forward"
        farcast fullbatch --task "$task" "${heldout[@]}" --step-loss-guard --Farcast:JudgeAfterSteps=1 --out "$out/cost-$task-step-loss"
      done ;;
    *) echo "unknown stage '$stage' (grid, heldout, ablations, lambda, delayed, average, cost)" >&2; exit 2 ;;
  esac
done
