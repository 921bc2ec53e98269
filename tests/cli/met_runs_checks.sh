#!/usr/bin/env bash
# `fwaq run` with domain.from_met: true on meteorology away from the built-in case:
#   * the real WRF V3.3.1 sample (8 x 10 cells at 30 km over Tibet, 27 levels, 4 records
#     00-09 UTC on 2005-09-21) with an inventory of one small gridded NetCDF file and no
#     cities: the run completes with no cities and no region mean, outputs written, and
#     the mass budget of every tracer closes to BUDGET_MAX (relative);
#   * the same domain with the built-in inventory (its cities have no mask there): exit 3
#     naming the city;
#   * ERA5-layout CF files written here (0.25-degree latitude-longitude grid, a
#     pressure-level file with packed int16 temperature and a surface file), 6 hours: the
#     run's grid is the file's latitude-longitude grid and the mass budget closes.
# The files are made by tests/cli/lib/gridded_inventory.py and lib/era5_layout.py.
set -u
FWAQ="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")/lib" && pwd)"
source "$LIB/checks.bash"
SHARED="${FWAQ_SHARED_DATA:-$ROOT/../shared/data}"
export FWAQ_SHARED_DATA="$SHARED"
PY=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
BUDGET_MAX=1e-10
REF_INV="$ROOT/input/fenwei/emissions/inventory.yaml"
cd "$tmp"

# The case's layers: those of the built-in case (20 layers to 10 km).
layers='  z_w: [0, 35, 75, 125, 190, 270, 370, 500, 660, 850, 1080, 1350, 1700, 2150, 2700,
        3400, 4300, 5400, 6700, 8200, 10000]'
write_case() {  # write_case FILE SOURCE FILES INVENTORY START
  cat >"$1" <<YAML
domain:
  from_met: true
vertical:
$layers
emissions:
  inventory: $4
met:
  source: $2
  files: $3
run:
  start: "$5"
  end: "$5"
  spinup_hours: 0
  sync_step_s: 3600
  coarsen: 1
scenario:
  name: met-runs-check
YAML
}

budget_py='
import json, sys
s = json.load(open(sys.argv[1]))
b = s["mass_budget"]
assert len(b) > 10, list(b)
worst = max(abs(v["relative_residual"]) for v in b.values())
wall = s["wall_seconds"]
print(f"met_runs_checks: {sys.argv[2]}: {len(b)} tracers, worst relative residual {worst:.2e}, "
      f"run wall {wall} s")
assert worst < float(sys.argv[3]), worst
assert b["SO2"]["emitted_kg"] > 0 and b["NO"]["emitted_kg"] > 0, "no emission entered the grid"
'

# -- 1. the WRF V3.3.1 sample, a gridded inventory without cities
WRF="$SHARED/wrf-samples/wrf_d01_allvars_cropped.nc"
$PY "$LIB/gridded_inventory.py" "$REF_INV" inv-wrf.yaml inv-wrf.nc 2005 09 84.5 89.5 28.0 32.0 \
  >mk1.log 2>&1 || bad "gridded inventory for the WRF sample: $(tail -3 mk1.log)"
write_case wrf.yaml wrf "[$WRF]" inv-wrf.yaml 2005-09-21
t0=$(date +%s%N)
"$FWAQ" run wrf.yaml --out out-wrf --start 2005-09-21T00:00:00Z --end 2005-09-21T09:00:00Z \
  >wrf.log 2>&1 && ok || bad "run on the WRF sample failed: $(tail -5 wrf.log)"
t1=$(date +%s%N)
echo "met_runs_checks: WRF sample, 9 h: $(((t1 - t0) / 1000000)) ms"
$PY -c "$budget_py" out-wrf/summary.json "WRF sample" "$BUDGET_MAX" && ok ||
  bad "WRF sample: mass budget"
$PY - out-wrf <<'PY' && ok || bad "WRF sample: grid, cities, region or outputs"
import json, os, sys
d = sys.argv[1]
s = json.load(open(d + "/summary.json"))
g = s["grid"]
assert (g["nx"], g["ny"], g["dx_m"]) == (10, 8, 30000.0), g
assert s["cities"] == {}, list(s["cities"])
r = s["region"]
assert r["areas"] == 0 and r["pm25_mean"] is None and "no area" in r["note"], r
assert s["period"]["end"] == "2005-09-21T09:00:00Z", s["period"]
for f in ("fields.nc", "cities_daily.csv", "cities_hourly.csv"):
    assert os.path.getsize(f"{d}/{f}") > 0, f
PY
grep -q "^region .*no area of the region in the domain" wrf.log && ok ||
  bad "WRF sample: the city table does not say that the domain has no area: $(tail -3 wrf.log)"

# -- the built-in inventory on the same domain: its cities have no mask there
write_case wrf-cities.yaml wrf "[$WRF]" "$REF_INV" 2005-09-21
expect_exit 3 "built-in inventory on the WRF sample" -- "$FWAQ" run wrf-cities.yaml \
  --out out-wc --start 2005-09-21T00:00:00Z --end 2005-09-21T03:00:00Z --quiet
echo "$LAST_OUTPUT" | grep -q "variable 'Xi'an': no such area: the model domain has no area" &&
  ok || bad "cities without masks: $LAST_OUTPUT"

# -- 2. ERA5 layout (pressure levels + surface file, packed int16) on latitude-longitude
$PY "$LIB/era5_layout.py" . 2019-12-06T00:00:00 6 >mk2.log 2>&1 &&
  $PY "$LIB/gridded_inventory.py" "$REF_INV" inv-era.yaml inv-era.nc 2019 12 106.0 112.0 33.0 \
    37.0 >>mk2.log 2>&1 || bad "ERA5-layout files: $(tail -3 mk2.log)"
write_case era.yaml cf "[era5_pl.nc, era5_sfc.nc]" inv-era.yaml 2019-12-06
t0=$(date +%s%N)
"$FWAQ" run era.yaml --out out-era --start 2019-12-06T00:00:00Z --end 2019-12-06T06:00:00Z \
  >era.log 2>&1 && ok || bad "run on the ERA5-layout files failed: $(tail -5 era.log)"
t1=$(date +%s%N)
echo "met_runs_checks: ERA5 layout, 6 h: $(((t1 - t0) / 1000000)) ms"
$PY -c "$budget_py" out-era/summary.json "ERA5 layout" "$BUDGET_MAX" && ok ||
  bad "ERA5 layout: mass budget"
$PY - out-era era5_pl.nc <<'PY' && ok || bad "ERA5 layout: the run's grid is not the file's"
import json, math, sys
import netCDF4, numpy as np
d, pl = sys.argv[1], sys.argv[2]
with netCDF4.Dataset(pl) as f:
    assert f["t"].dtype == np.int16 and "scale_factor" in f["t"].ncattrs()  # packed as ERA5
    lat = np.sort(np.asarray(f["latitude"][:], dtype=float))
    lon = np.asarray(f["longitude"][:], dtype=float)
s = json.load(open(d + "/summary.json"))
g = s["grid"]
assert (g["nx"], g["ny"]) == (lon.size, lat.size), (g, lon.size, lat.size)
dx = math.radians(0.25) * 6370e3  # the reader's sphere
assert abs(g["dx_m"] - dx) < 1e-6 * dx, (g["dx_m"], dx)
with netCDF4.Dataset(d + "/fields.nc") as f:
    la, lo = np.asarray(f["lat"][:]), np.asarray(f["lon"][:])
assert la.shape == (lat.size, lon.size), la.shape
# Cell centres: the file's coordinates (float32 in the file: 1e-5 degree).
assert np.abs(la - lat[:, None]).max() < 1e-5, np.abs(la - lat[:, None]).max()
assert np.abs(lo - lon[None, :]).max() < 1e-5, np.abs(lo - lon[None, :]).max()
assert s["period"]["end"] == "2019-12-06T06:00:00Z", s["period"]
PY

echo "met_runs_checks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
