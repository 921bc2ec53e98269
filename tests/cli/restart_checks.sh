#!/usr/bin/env bash
# Checkpoints and restarts of `fwaq run` on the built-in case (72-km cells to stay quick):
# a 48-h run equals 24 h + restart + 24 h bit for bit (state hash, summary season figures,
# the continued hours of fields.nc and the CSV rows, the day cut by the restart), also
# with other rank counts and a restart time that is not a whole day; SIGTERM writes a
# checkpoint and leaves no temporary file; corrupt and mismatched checkpoints are refused
# without output.
set -u
FWAQ="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$(dirname "${BASH_SOURCE[0]}")/lib/checks.bash"
export OMPI_MCA_rmaps_base_oversubscribe=1 OMP_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

REF="$ROOT/scenarios/fenwei-2019-20-reference.yaml"
# 2019-12-01 local = 2019-11-30T16:00Z; 12 h of spin-up before it.
COMMON=(--set run.coarsen=6 --set run.spinup_hours=12 --quiet)

wait_for_output() {  # until the run writing into $1 has started its outputs (30 s at most)
  for _ in $(seq 1 600); do
    ls "$1" 2>/dev/null | grep -q fields.nc && return
    sleep 0.05
  done
}

run() {  # run NP OUT [args...]
  local np="$1" out="$2"
  shift 2
  mpirun --allow-run-as-root --oversubscribe -np "$np" "$FWAQ" run "$REF" --out "$out" \
    "${COMMON[@]}" "$@" >"$out.log" 2>&1
}

# The uninterrupted 48-h run, with checkpoints every 6 h (one of them mid-day local time).
run 1 "$tmp/full" --start 2019-12-01 --end 2019-12-03 --checkpoint-every 6 ||
  bad "full run failed: $(tail -3 "$tmp/full.log")"
ls "$tmp/full/checkpoints" >"$tmp/list"
want="20191130T2200Z.nc 20191201T0400Z.nc 20191201T1000Z.nc 20191201T1600Z.nc 20191201T2200Z.nc 20191202T0400Z.nc 20191202T1000Z.nc 20191202T1600Z.nc"
[ "$(tr '\n' ' ' <"$tmp/list" | sed 's/ $//')" = "$want" ] && ok ||
  bad "checkpoints: $(tr '\n' ' ' <"$tmp/list"), expected $want (none in spin-up, only checkpoints)"

# compare FULL CONT: state hash and season figures equal; the continued segment's CSV rows
# and fields.nc hours are those of the uninterrupted run.
compare() {
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
import xarray as xr
full, cont = sys.argv[1], sys.argv[2]
f = json.load(open(f"{full}/summary.json"))
c = json.load(open(f"{cont}/summary.json"))
assert c["state_hash"] == f["state_hash"], (c["state_hash"], f["state_hash"])
assert c["cities"] == f["cities"], "season figures differ"
assert c["region"] == f["region"], "region figures differ"
for name in ("cities_hourly.csv", "cities_daily.csv"):
    fr = open(f"{full}/{name}").read().splitlines()
    cr = open(f"{cont}/{name}").read().splitlines()
    assert cr[0] == fr[0]
    assert len(cr) > 1 and set(cr[1:]) <= set(fr[1:]), f"{name}: rows differ"
    # the continued rows are the last rows of each city in the full run
    for city in {r.split(",")[0] for r in cr[1:]}:
        fc = [r for r in fr[1:] if r.split(",")[0] == city]
        cc = [r for r in cr[1:] if r.split(",")[0] == city]
        assert fc[-len(cc):] == cc, f"{name}: {city} rows are not the tail of the full run"
a = xr.open_dataset(f"{full}/fields.nc", decode_times=False)
b = xr.open_dataset(f"{cont}/fields.nc", decode_times=False)
assert len(b.time) > 0
sel = a.sel(time=b.time.values)
for v in ("pm25", "so4", "no2"):
    assert (sel[v].values == b[v].values).all(), v
bd = a.sel(day=b.day.values)
assert (bd["pm25_daily"].fillna(-1).values == b["pm25_daily"].fillna(-1).values).all(), "daily"
PY
}

# 1 → 1 rank at a whole local day (16:00Z = local midnight), mid-day (10:00Z = 18:00 local).
for ck in 20191201T1600Z 20191201T1000Z; do
  run 1 "$tmp/c1_$ck" --end 2019-12-03 --restart "$tmp/full/checkpoints/$ck.nc" ||
    bad "restart from $ck failed: $(tail -3 "$tmp/c1_$ck.log")"
  compare "$tmp/full" "$tmp/c1_$ck" && ok || bad "restart 1 -> 1 rank from $ck differs"
done
# 1 → 2 ranks and 2 → 1 rank.
run 2 "$tmp/c2" --end 2019-12-03 --restart "$tmp/full/checkpoints/20191201T1000Z.nc" ||
  bad "2-rank restart failed: $(tail -3 "$tmp/c2.log")"
compare "$tmp/full" "$tmp/c2" && ok || bad "restart 1 -> 2 ranks differs"
run 2 "$tmp/half2" --start 2019-12-01 --end 2019-12-02 --checkpoint-every 20 ||
  bad "2-rank first half failed"
run 1 "$tmp/c21" --end 2019-12-03 --restart "$tmp/half2/checkpoints/20191201T1200Z.nc" ||
  bad "2 -> 1 restart failed: $(tail -3 "$tmp/c21.log")"
compare "$tmp/full" "$tmp/c21" && ok || bad "restart 2 -> 1 rank differs"
# 4 → 3 ranks, with the case's run.end extended by --end only.
run 4 "$tmp/half4" --start 2019-12-01 --end 2019-12-02 --checkpoint-every 12 ||
  bad "4-rank first half failed"
run 3 "$tmp/c43" --end 2019-12-03 --restart "$tmp/half4/checkpoints/20191201T0400Z.nc" ||
  bad "4 -> 3 restart failed: $(tail -3 "$tmp/c43.log")"
compare "$tmp/full" "$tmp/c43" && ok || bad "restart 4 -> 3 ranks differs"

# SIGTERM (what Slurm sends at the time limit), here to mpirun, which passes it on: a
# checkpoint at the time reached, a non-zero exit, no temporary file left, and a restart
# from it reproduces the uninterrupted run.
run 1 "$tmp/full7" --start 2019-12-01 --end 2019-12-08 || bad "7-day run failed"
mpirun --allow-run-as-root --oversubscribe -np 2 "$FWAQ" run "$REF" --out "$tmp/term" \
  "${COMMON[@]}" --start 2019-12-01 --end 2019-12-08 >"$tmp/term.log" 2>&1 &
pid=$!
wait_for_output "$tmp/term"
sleep 1.5
kill -TERM "$pid"
wait "$pid"
code=$?
[ "$code" != 0 ] && ok || bad "SIGTERM: exit 0 (did the run end before the signal?)"
grep -q "checkpoint $tmp/term/checkpoints/.*\.nc" "$tmp/term.log" && ok ||
  bad "SIGTERM message does not name the checkpoint: $(tail -3 "$tmp/term.log")"
ck=$(ls "$tmp/term/checkpoints" 2>/dev/null | head -1)
[ -n "$ck" ] && ok || bad "SIGTERM left no checkpoint"
left=$(find "$tmp/term" -name '*.tmp*')
[ -z "$left" ] && ok || bad "SIGTERM left temporary files: $left"
if [ -n "$ck" ]; then
  run 1 "$tmp/cterm" --end 2019-12-08 --restart "$tmp/term/checkpoints/$ck" ||
    bad "restart after SIGTERM failed: $(tail -3 "$tmp/cterm.log")"
  compare "$tmp/full7" "$tmp/cterm" && ok || bad "restart after SIGTERM differs"
fi
# Without mpirun, the exit code is 143 (128 + SIGTERM).
"$FWAQ" run "$REF" --out "$tmp/term1" "${COMMON[@]}" --start 2019-12-01 --end 2019-12-08 \
  >"$tmp/term1.log" 2>&1 &
pid=$!
wait_for_output "$tmp/term1"
sleep 1
kill -TERM "$pid"
wait "$pid"
code=$?
[ "$code" = 143 ] && ok || bad "SIGTERM without mpirun: exit $code, expected 143"

# Corrupt, truncated and mismatched checkpoints: exit 3, a clear message, no output.
good="$tmp/full/checkpoints/20191201T1000Z.nc"
head -c 20000 "$good" >"$tmp/truncated.nc"
expect_exit 3 "truncated checkpoint" -- "$FWAQ" run "$REF" --out "$tmp/e1" "${COMMON[@]}" \
  --end 2019-12-03 --restart "$tmp/truncated.nc"
[ ! -e "$tmp/e1/summary.json" ] && ok || bad "truncated checkpoint wrote a summary"
echo "not netcdf" >"$tmp/junk.nc"
expect_exit 3 "corrupt checkpoint" -- "$FWAQ" run "$REF" --out "$tmp/e2" "${COMMON[@]}" \
  --end 2019-12-03 --restart "$tmp/junk.nc"
expect_exit 3 "other grid" -- "$FWAQ" run "$REF" --out "$tmp/e3" --set run.coarsen=3 \
  --set run.spinup_hours=12 --quiet --end 2019-12-03 --restart "$good"
echo "$LAST_OUTPUT" | grep -q "another grid" && ok || bad "other grid message: $LAST_OUTPUT"
expect_exit 3 "other case" -- "$FWAQ" run "$ROOT/scenarios/action-plan-2019.yaml" \
  --out "$tmp/e4" "${COMMON[@]}" --end 2019-12-03 --restart "$good"
echo "$LAST_OUTPUT" | grep -q "another case" && ok || bad "other case message: $LAST_OUTPUT"
[ ! -e "$tmp/e4/summary.json" ] && [ ! -e "$tmp/e4/fields.nc" ] && ok || bad "mismatch wrote output"
expect_exit 2 "nothing to continue" -- "$FWAQ" run "$REF" --out "$tmp/e5" "${COMMON[@]}" \
  --end 2019-12-01 --restart "$good"

echo "restart: $pass passed, $fail failed"
[ "$fail" = 0 ]
