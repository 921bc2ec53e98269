#!/usr/bin/env bash
# `fwaq run` end to end on a short period of the built-in case (36-km cells): outputs and
# their keys, bit-for-bit identical results on 1, 2 and 4 MPI ranks and 1 or 2 threads,
# scenario scaling that lowers PM2.5, and clear errors that leave no output behind.
set -u
FWAQ="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$(dirname "${BASH_SOURCE[0]}")/lib/checks.bash"
export OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

REF="$ROOT/scenarios/fenwei-2019-20-reference.yaml"
PLAN="$ROOT/scenarios/action-plan-2019.yaml"
SHORT=(--start 2019-12-10 --end 2019-12-12 --set run.spinup_hours=12 --quiet)

run() {  # run OUT NP THREADS CASE [args...]
  local out="$1" np="$2" th="$3" case="$4"
  shift 4
  OMP_NUM_THREADS="$th" mpirun --allow-run-as-root --oversubscribe -np "$np" \
    "$FWAQ" run "$case" --out "$out" "$@" >"$out.log" 2>&1
}

run "$tmp/r1" 1 2 "$REF" "${SHORT[@]}" || bad "1-rank run failed: $(tail -5 "$tmp/r1.log")"
for f in fields.nc cities_daily.csv cities_hourly.csv summary.json; do
  [ -s "$tmp/r1/$f" ] && ok || bad "missing output $f"
done
ls "$tmp/r1" | grep -q tmp && bad "temporary file left: $(ls "$tmp/r1")" || ok

# summary.json keys and values.
python3 - "$tmp/r1/summary.json" <<'PY' && ok || bad "summary.json content"
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("state_hash", "wall_seconds", "cities", "region", "mass_budget"):
    assert k in s, k
assert len(s["state_hash"]) == 16
names = {"Jinzhong", "Yuncheng", "Linfen", "Lüliang", "Luoyang", "Sanmenxia", "Xi'an",
         "Tongchuan", "Baoji", "Xianyang", "Weinan", "Yangling", "Xixian New Area", "Hancheng"}
assert set(s["cities"]) == names, set(s["cities"]) ^ names
for c in s["cities"].values():
    assert c["pm25_mean"] > 0 and isinstance(c["heavy_days"], int) and c["days"] == 2
assert s["region"]["pm25_mean"] > 0 and isinstance(s["region"]["heavy_city_days"], int)
# The mass budget closes to round-off for every tracer.
for t, b in s["mass_budget"].items():
    assert abs(b["relative_residual"]) < 1e-9, (t, b)
PY

# cities_daily.csv: header, 14 cities x 2 days, AQI consistent with PM2.5 alone at least.
python3 - "$tmp/r1/cities_daily.csv" <<'PY' && ok || bad "cities_daily.csv content"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
assert list(rows[0].keys()) == ["city", "date", "pm25", "pm10", "so2", "no2", "co", "aqi",
                                "primary_pollutant", "category"], rows[0].keys()
assert len(rows) == 28, len(rows)
assert {r["date"] for r in rows} == {"2019-12-10", "2019-12-11"}
bp = [0, 35, 75, 115, 150, 250, 350, 500]; lv = [0, 50, 100, 150, 200, 300, 400, 500]
for r in rows:
    c = float(r["pm25"])
    for i in range(7):
        if c <= bp[i + 1]:
            iaqi = lv[i] + (lv[i + 1] - lv[i]) * (c - bp[i]) / (bp[i + 1] - bp[i]); break
    else:
        iaqi = 500
    assert int(r["aqi"]) >= int(iaqi) - 1, (r, iaqi)
PY

# fields.nc: CF metadata and variables.
if command -v ncdump >/dev/null; then
  hdr=$(ncdump -h "$tmp/r1/fields.nc")
  for want in 'Conventions = "CF-1.8"' 'float pm25(time, y, x)' 'float pm25_daily(day, y, x)' \
      'grid_mapping_name = "lambert_conformal_conic"' 'fwaq_version' 'input_checksums' 'configuration'; do
    echo "$hdr" | grep -qF "$want" && ok || bad "fields.nc lacks: $want"
  done
fi

# fields.nc opens in xarray with decoded CF times and coordinates.
if /usr/bin/python3 -c "import xarray" 2>/dev/null; then
  /usr/bin/python3 - "$tmp/r1/fields.nc" <<'PY' && ok || bad "fields.nc in xarray"
import sys
import numpy as np
import xarray as xr
ds = xr.open_dataset(sys.argv[1])
assert ds.time.dtype.kind == "M" and ds.sizes["time"] == 48 and ds.sizes["day"] == 2
assert str(ds.time.values[0]).startswith("2019-12-09T16:00"), ds.time.values[0]
for v in ("pm25", "pm10", "so2", "no2", "so4", "no3", "nh4", "pm25_daily"):
    assert ds[v].attrs["units"] == "ug m-3" and ds[v].attrs["grid_mapping"] == "crs", v
    assert set(ds[v].coords) >= {"lat", "lon"}, v
assert float(ds.pm25.min()) >= 0.0
# The daily mean field is the mean of its 24 hourly fields (local days from 16:00 UTC).
d0 = ds.pm25.isel(time=slice(0, 24)).mean("time")
assert np.allclose(d0.values, ds.pm25_daily.isel(day=0).values, rtol=1e-5, atol=1e-4)
# PM2.5 is the sum of its components.
comp = sum(ds[v] for v in ("so4", "no3", "nh4", "poa", "soa", "bc", "opm"))
assert np.allclose(comp.values, ds.pm25.values, rtol=1e-5, atol=1e-3)
PY
else
  echo "note: python3-xarray missing, xarray check skipped"
fi

# Bit-for-bit identical on 2 and 4 ranks, and with 1 thread.
hash1=$(python3 -c "import json;print(json.load(open('$tmp/r1/summary.json'))['state_hash'])")
for cfg in "2 1" "4 1" "1 1"; do
  set -- $cfg
  out="$tmp/r_np$1_t$2"
  run "$out" "$1" "$2" "$REF" "${SHORT[@]}" || bad "run np=$1 threads=$2 failed: $(tail -5 "$out.log")"
  h=$(python3 -c "import json;print(json.load(open('$out/summary.json'))['state_hash'])" 2>/dev/null)
  [ "$h" = "$hash1" ] && ok || bad "state hash np=$1 threads=$2: $h != $hash1"
  cmp -s "$tmp/r1/cities_hourly.csv" "$out/cities_hourly.csv" && ok || bad "cities_hourly.csv differs np=$1 threads=$2"
  cmp -s "$tmp/r1/cities_daily.csv" "$out/cities_daily.csv" && ok || bad "cities_daily.csv differs np=$1 threads=$2"
done

# The plan's scaling lowers every city's PM2.5.
run "$tmp/plan" 1 2 "$PLAN" "${SHORT[@]}" || bad "plan run failed: $(tail -5 "$tmp/plan.log")"
python3 - "$tmp/r1/summary.json" "$tmp/plan/summary.json" <<'PY' && ok || bad "plan does not lower PM2.5"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
for c in a["cities"]:
    assert b["cities"][c]["pm25_mean"] < a["cities"][c]["pm25_mean"], c
PY

# Errors: clear message, non-zero exit, no output left behind.
expect_fail() {  # expect_fail CODE WHAT PATTERN -- args...
  local want="$1" what="$2" pat="$3"
  shift 4
  local out
  out=$("$FWAQ" "$@" 2>&1)
  local got=$?
  [ "$got" = "$want" ] && ok || bad "$what: exit $got, expected $want: $out"
  echo "$out" | grep -qE "$pat" && ok || bad "$what: message lacks /$pat/: $out"
}
expect_fail 2 "end before start" "before it starts" -- run "$REF" --out "$tmp/e1" --start 2019-12-10 --end 2019-12-01 --quiet
expect_fail 2 "unknown override" "no key" -- run "$REF" --out "$tmp/e2" --set run.nonsense=1 --quiet
cat >"$tmp/bad_region.yaml" <<YAML
base: $ROOT/scenarios/fenwei-2019-20-reference.yaml
scenario:
  name: bad
  emission_scaling:
    - {region: Atlantis, factor: 0.5}
YAML
expect_fail 3 "unknown region" "Atlantis.*not a region" -- run "$tmp/bad_region.yaml" --out "$tmp/e3" "${SHORT[@]}"
[ ! -e "$tmp/e3/summary.json" ] && [ ! -e "$tmp/e3/fields.nc" ] && ok || bad "output left after an error"
cat >"$tmp/bad_factor.yaml" <<YAML
base: $ROOT/scenarios/fenwei-2019-20-reference.yaml
scenario:
  name: bad
  emission_scaling:
    - {sector: industry, factor: -1}
YAML
expect_fail 3 "negative factor" "factor.*expected a number >= 0" -- run "$tmp/bad_factor.yaml" --out "$tmp/e4" "${SHORT[@]}"

echo "run: $pass passed, $fail failed"
[ "$fail" = 0 ]
