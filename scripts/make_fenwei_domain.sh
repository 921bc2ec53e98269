#!/usr/bin/env bash
# Rebuilds input/fenwei/domain.nc (terrain, area masks, urban cores of the Fenwei
# default case) from public sources, with one command:
#   scripts/make_fenwei_domain.sh [SHARED_DATA_DIR]
# SHARED_DATA_DIR (default: $FWAQ_SHARED_DATA, else ../shared/data beside the clone)
# must hold boundaries/china-cities-js/*.geojson and obs-cnemc-2019/fenwei_stations.csv;
# ETOPO5 comes from the Debian package ferret-datasets (scripts/setup.sh installs it).
# The grid is the `domain` section of input/fenwei/default.yaml. Needs a built fwaq
# (scripts/setup.sh build); FWAQ=path overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${1:-${FWAQ_SHARED_DATA:-../shared/data}}"
fwaq="${FWAQ:-./build/release/fwaq}"
etopo=/usr/share/ferret-vis/data/etopo5.cdf

for need in "$fwaq" "$etopo" "$shared/boundaries/china-cities-js" \
  "$shared/obs-cnemc-2019/fenwei_stations.csv"; do
  if [ ! -e "$need" ]; then
    echo "make_fenwei_domain: missing $need" >&2
    exit 3
  fi
done

exec "$fwaq" prepare domain --case input/fenwei/default.yaml --etopo "$etopo" \
  --boundaries "$shared/boundaries/china-cities-js" \
  --stations "$shared/obs-cnemc-2019/fenwei_stations.csv" \
  --out input/fenwei/domain.nc
