#!/usr/bin/env bash
# The main job: the 2019-20 autumn-winter season over the Fenwei plain without and with
# the action plan's structural measures, then every city against its target.
#   scripts/main_job.sh [OUTPUT_FOLDER]      (default out/main)
# Needs a built fwaq (scripts/setup.sh build). Uses every core by OpenMP threads.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/main}"
fwaq=./build/release/fwaq
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
start=$(date +%s)
echo "== reference: scenarios/fenwei-2019-20-reference.yaml -> $out/reference"
"$fwaq" run scenarios/fenwei-2019-20-reference.yaml --out "$out/reference"
echo
echo "== action plan: scenarios/action-plan-2019.yaml -> $out/action-plan-2019"
"$fwaq" run scenarios/action-plan-2019.yaml --out "$out/action-plan-2019"
echo
echo "== targets (input/fenwei/targets.yaml, the plan's Appendix 1)"
"$fwaq" targets --reference "$out/reference" --scenario "$out/action-plan-2019"
echo
echo "main job: $(( $(date +%s) - start )) s; outputs in $out"
