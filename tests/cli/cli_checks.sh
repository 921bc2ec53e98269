#!/usr/bin/env bash
# The command line as users and scripts call it: help, version, JSON keys, clear
# errors with non-zero exit codes, and equal state hashes under mpirun.
set -u
FWAQ="$1"
source "$(dirname "${BASH_SOURCE[0]}")/lib/checks.bash"

expect_exit 0 "version" -- "$FWAQ" --version
echo "$LAST_OUTPUT" | grep -Eq '^fwaq [0-9]+\.[0-9]+\.[0-9]+ \(git [^)]+\)$' && ok || bad "version text: $LAST_OUTPUT"
expect_exit 0 "help" -- "$FWAQ" --help
for sub in verify bench inspect met emissions prepare; do
  expect_exit 0 "$sub --help" -- "$FWAQ" "$sub" --help
done

# JSON keys of a verification case.
json=$("$FWAQ" verify advection-1d-square --json)
for key in l1 l2 linf min max mass_error state_hash; do
  echo "$json" | grep -q "\"$key\"" && ok || bad "verify --json lacks key $key"
done
json=$("$FWAQ" verify deformation-2d-gaussian-hills --cells 16 --json)
echo "$json" | grep -q '"order"' && ok || bad "convergence case lacks order"

# Bad input: a clear message naming the problem and a non-zero exit.
expect_exit 2 "unknown case" -- "$FWAQ" verify no-such-case
echo "$LAST_OUTPUT" | grep -q "unknown verification case 'no-such-case'" && ok || bad "unknown-case message: $LAST_OUTPUT"
expect_exit 2 "negative cells" -- "$FWAQ" verify advection-1d-square --cells -5
echo "$LAST_OUTPUT" | grep -q -- "--cells" && ok || bad "negative-cells message: $LAST_OUTPUT"
expect_exit 2 "zero Courant" -- "$FWAQ" verify advection-1d-square --courant 0
echo "$LAST_OUTPUT" | grep -q -- "--courant must be > 0" && ok || bad "Courant message: $LAST_OUTPUT"
expect_exit 2 "negative Courant" -- "$FWAQ" verify advection-1d-square --courant -0.5
expect_exit 2 "unknown option" -- "$FWAQ" verify advection-1d-square --bogus 3
echo "$LAST_OUTPUT" | grep -qi "bogus" && ok || bad "unknown-option message: $LAST_OUTPUT"
expect_exit 2 "non-numeric cells" -- "$FWAQ" verify advection-1d-square --cells many
expect_exit 2 "missing subcommand" -- "$FWAQ"

# A failing threshold exits 1 (a 2-cell wave is too narrow for the square-wave norms).
expect_exit 1 "threshold failure" -- "$FWAQ" verify advection-1d-square --width 2 --revolutions 10

# fwaq inspect: a missing file is unusable input (exit 3); the real WRF sample is recognised.
expect_exit 3 "inspect missing file" -- "$FWAQ" inspect /nonexistent/file.nc
SHARED="$(cd "$(dirname "$0")/../../.." && pwd)/shared/data"
if [ -f "$SHARED/wrf-samples/wrf_d01_allvars_cropped.nc" ]; then
  expect_exit 0 "inspect WRF sample" -- "$FWAQ" inspect "$SHARED/wrf-samples/wrf_d01_allvars_cropped.nc"
  echo "$LAST_OUTPUT" | grep -qi "wrf" && ok || bad "inspect does not call the WRF sample WRF output: $LAST_OUTPUT"
fi

# The built-in case's inventory prints totals by city x sector x species.
CASE="$(cd "$(dirname "$0")/../.." && pwd)/input/fenwei/default.yaml"
json=$("$FWAQ" emissions summary --case "$CASE" --json)
for key in '"cities"' "\"Xi'an\"" '"residential"' '"SO2"' '"domain_total"'; do
  echo "$json" | grep -q "$key" && ok || bad "emissions summary --json lacks $key"
done
expect_exit 3 "emissions summary of a missing case" -- "$FWAQ" emissions summary --case /nonexistent.yaml

# The same state hash on 1, 2, 3 and 4 ranks from the command line.
if command -v mpirun >/dev/null; then
  h1=$("$FWAQ" verify rotation-2d-slotted-cylinder --cells 40 --json | grep state_hash)
  for n in 2 3 4; do
    hn=$(mpirun --allow-run-as-root --oversubscribe -np "$n" "$FWAQ" verify rotation-2d-slotted-cylinder --cells 40 --json | grep state_hash)
    [ -n "$h1" ] && [ "$h1" = "$hn" ] && ok || bad "state hash on $n ranks: $hn vs $h1"
  done
fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
