#!/usr/bin/env bash
# Runs every synthetic experiment of the paper with the settings of docs/paper-reproduction.md and writes the
# outputs under ${1:-out/paper}. Each line is also a command on its own.
set -euo pipefail
out="${1:-out/paper}"
trials="${TRIALS:-5}"
cd "$(dirname "$0")/.."
dotnet build -c Release src/FarcastCallback.Cli --nologo -v quiet
farcast() { dotnet run -c Release --no-build --project src/FarcastCallback.Cli -- "$@"; }
time farcast paper syn1 --update gd --trials "$trials" --out "$out/syn1-gd"
time farcast paper syn1 --update sgd --trials "$trials" --out "$out/syn1-sgd"
time farcast paper syn1 --update gd --dim 3 --trials "$trials" --out "$out/syn1-gd-d3"
time farcast paper syn2 --update sgd --trials "$trials" --out "$out/syn2-sgd"
time farcast paper syn2 --update adam --trials "$trials" --out "$out/syn2-adam"
time farcast paper ablations --trials "$trials" --out "$out/ablations"
