#!/bin/bash
# Derives the emission profile tables of the built-in Fenwei case from the MEIC team's
# meic2ctm factor files (GPL-3.0) in the shared data folder:
#   input/fenwei/emissions/profiles_hour.csv      hour of day (UTC columns, as MEIC's)
#   input/fenwei/emissions/profiles_weekday.csv   day of week (Monday..Sunday)
#   input/fenwei/emissions/profiles_vertical.csv  height bands [m above ground]
# The vertical table turns MEIC's CMAQ layer fractions (factor/cmaq/layer.csv) into
# height bands: meic2ctm's CMAQ layers are sigma-pressure levels (config.ini `layers`,
# VGTOP = 10000 Pa in cmaq.py), p = p_top + sigma (p_s - p_top), converted to heights
# above ground with the U.S. Standard Atmosphere 1976 troposphere and p_s = 101325 Pa:
#   z(p) = (T0 / L) (1 - (p / p0)^(R L / g0)),  T0 = 288.15 K, L = 0.0065 K/m,
#   R L / g0 = 287.053 * 0.0065 / 9.80665 = 0.190263.
# Usage: scripts/make_fenwei_inventory.sh [SHARED_DATA_DIR]   (default: $FWAQ_SHARED_DATA
# or ../shared/data beside the repository). Outputs are written atomically.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
shared="${1:-${FWAQ_SHARED_DATA:-$here/../shared/data}}"
src="$shared/meic-profiles/factor"
out="$here/input/fenwei/emissions"
for f in "$src/hour.csv" "$src/day.csv" "$src/cmaq/layer.csv"; do
  [ -r "$f" ] || { echo "make_fenwei_inventory.sh: cannot read $f" >&2; exit 3; }
done
mkdir -p "$out"

notice() {
  cat <<NOTICE
# Derived from the MEIC team's meic2ctm emission-processing tool, file factor/$1
# (Tsinghua University MEIC team, https://github.com/meicmodel/meic2ctm; copy in the
# project's shared data meic-profiles/), licensed under the GNU General Public License
# version 3 (GPL-3.0; full text in meic-profiles/LICENSE). This table is a derived work
# under the same licence. Made by scripts/make_fenwei_inventory.sh; do not edit by hand.
NOTICE
}

tmp_hour="$out/.profiles_hour.csv.tmp.$$"
{
  notice hour.csv
  echo "# Hour-of-day factors by sector. Column utcHH is UTC hour HH, as in MEIC's hour.csv"
  echo "# (meic2ctm applies them to the model's UTC hour). fwaq converts them to local time"
  echo "# (UTC+8): the residential peaks at 09-12 UTC are 17-20 CST. Rows are normalised on load."
  printf "name"; for h in $(seq 0 23); do printf ",utc%02d" "$h"; done; echo
  awk -F, 'NR > 1 && $1 != "biogenic" { sub(/\r$/, ""); print }' "$src/hour.csv"
} > "$tmp_hour"
mv "$tmp_hour" "$out/profiles_hour.csv"

tmp_day="$out/.profiles_weekday.csv.tmp.$$"
{
  notice day.csv
  echo "# Day-of-week factors by sector; MEIC columns 1..7 are Monday..Sunday (meic2ctm"
  echo "# factor.py: weekday = column - 1 matched to Python's date.weekday(), Monday = 0)."
  echo "name,mon,tue,wed,thu,fri,sat,sun"
  awk -F, 'NR > 1 && $1 != "biogenic" { sub(/\r$/, ""); print }' "$src/day.csv"
} > "$tmp_day"
mv "$tmp_day" "$out/profiles_weekday.csv"

tmp_v="$out/.profiles_vertical.csv.tmp.$$"
{
  notice cmaq/layer.csv
  echo "# Vertical allocation by sector as height bands [m above ground]: MEIC's fractions of"
  echo "# its 28 CMAQ layers, whose sigma-pressure interfaces (meic2ctm config.ini) are"
  echo "# 1, .9975, .995, .992, .988, .984, .980, .975, .970, .963, .956, .938, .916, .893,"
  echo "# .868, .839, .808, .777, .744, .702, .648, .582, .500, .400, .300, .200, .120, .052, 0"
  echo "# with p_top = 10000 Pa, converted to heights with the U.S. Standard Atmosphere 1976"
  echo "# for p_s = 101325 Pa (see scripts/make_fenwei_inventory.sh). Bands with zero fraction"
  echo "# are left out."
  echo "name,z_bottom_m,z_top_m,fraction"
  awk -F, '
    BEGIN {
      n = split("1,0.9975,0.995,0.992,0.988,0.984,0.980,0.975,0.970,0.963,0.956,0.938,0.916,0.893,0.868,0.839,0.808,0.777,0.744,0.702,0.648,0.582,0.500,0.400,0.300,0.200,0.120,0.052,0", s, ",")
      ps = 101325.0; pt = 10000.0
      for (k = 1; k <= n; ++k) {
        p = pt + s[k] * (ps - pt)
        z[k - 1] = 44330.77 * (1.0 - (p / 101325.0) ^ 0.190263)
      }
    }
    NR > 1 {
      sub(/\r$/, "")
      for (i = 2; i <= NF; ++i) {
        if ($i + 0 > 0) printf "%s,%.1f,%.1f,%s\n", $1, z[i - 2], z[i - 1], $i
      }
    }' "$src/cmaq/layer.csv"
} > "$tmp_v"
mv "$tmp_v" "$out/profiles_vertical.csv"

echo "wrote $out/profiles_hour.csv, profiles_weekday.csv, profiles_vertical.csv"
