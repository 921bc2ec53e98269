#!/usr/bin/env bash
# The main job: the 2019-20 autumn-winter season over the Fenwei plain without and with
# the action plan's structural measures, then every city against its target.
#   scripts/main_job.sh [OUTPUT_FOLDER]      (default out/main)
# Needs a built fwaq (scripts/setup.sh build). The two seasons run side by side, each
# with half of the cores as OpenMP threads (on small grids two processes use two cores
# better than one process with two threads); progress is shown for the reference run.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/main}"
fwaq=./build/release/fwaq
cores=$(nproc)
threads=$(( cores >= 2 ? cores / 2 : 1 ))
mkdir -p "$out"
start=$(date +%s)
echo "== reference:   scenarios/fenwei-2019-20-reference.yaml -> $out/reference"
echo "== action plan: scenarios/action-plan-2019.yaml -> $out/action-plan-2019"
echo "   (both seasons side by side, $threads thread(s) each; log of the plan run: $out/action-plan-2019.log)"
OMP_NUM_THREADS=$threads "$fwaq" run scenarios/action-plan-2019.yaml --out "$out/action-plan-2019" \
  --quiet >"$out/action-plan-2019.log" 2>&1 &
plan_pid=$!
status=0
OMP_NUM_THREADS=$threads "$fwaq" run scenarios/fenwei-2019-20-reference.yaml --out "$out/reference" \
  >"$out/reference.log" || status=$?
wait "$plan_pid" || status=$?
if [ "$status" -ne 0 ]; then
  echo "main job: a run failed (exit $status); see $out/reference.log and $out/action-plan-2019.log" >&2
  tail -5 "$out/reference.log" "$out/action-plan-2019.log" >&2 || true
  exit "$status"
fi
echo
echo "== reference season, per city (summary: $out/reference/summary.json)"
cat "$out/reference.log"
echo
echo "== action-plan season, per city (summary: $out/action-plan-2019/summary.json)"
grep -v '^fwaq run:' "$out/action-plan-2019.log" || true
echo
echo "== targets (input/fenwei/targets.yaml, the plan's Appendix 1)"
"$fwaq" targets --reference "$out/reference" --scenario "$out/action-plan-2019"
echo
echo "main job: $(( $(date +%s) - start )) s; outputs in $out"
