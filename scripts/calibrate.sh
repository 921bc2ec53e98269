#!/usr/bin/env bash
# Recalibrates the built-in inventory: runs the reference season 2018-19 (synthetic 2018-19
# meteorology, reference emissions) over January-March 2019 until every city's mean PM2.5
# is within 5 % of the CNEMC observations, then writes the city factors to
# input/fenwei/emissions/calibration.yaml (docs/science/calibration.md).
#   scripts/calibrate.sh [OUTPUT_FOLDER]     (default out/calibration)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/calibration}"
obs="${FWAQ_SHARED_DATA:-../shared/data}/obs-cnemc-2019/fenwei_city_daily_pm25_2019-01_to_09.csv"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$(nproc)}"
# Starts from factors 1 (no calibration), so the result does not depend on the previous
# one; add --initial input/fenwei/emissions/calibration.yaml to continue from it.
./build/release/fwaq calibrate scenarios/fenwei-2018-19-reference.yaml --obs "$obs" \
  --out "$out" --write input/fenwei/emissions/calibration.yaml \
  --start 2019-01-01 --end 2019-04-01 --spinup-hours 240 --iterations 8 --tolerance 0.05
