#!/usr/bin/env bash
# Installs fwaq's dependencies (Debian 12 packages), builds the Release preset,
# then runs what was asked:
#   scripts/setup.sh run    the main job (scripts/main_job.sh: the 2019-20 season without and
#                           with the action plan, and the per-city table against targets)
#   scripts/setup.sh test   the whole test suite (ctest)
#   scripts/setup.sh build  only install and build
set -euo pipefail
cd "$(dirname "$0")/.."
action="${1:-build}"

packages=(
  build-essential cmake pkg-config git clang-format zlib1g-dev
  libopenmpi-dev openmpi-bin libhdf5-dev libnetcdf-dev libnetcdf-c++4-dev netcdf-bin
  libeigen3-dev libgtest-dev libbenchmark-dev libyaml-cpp-dev libcli11-dev
  nlohmann-json3-dev libproj-dev proj-data libspdlog-dev libfmt-dev ferret-datasets
  python3-xarray python3-netcdf4
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

jobs="$(nproc)"
cmake --preset release >/dev/null
if [ "$action" = run ]; then
  # The main job needs only the fwaq program; the tests and benchmarks build with `test`.
  cmake --build --preset release -j "$jobs" --target fwaq
else
  cmake --build --preset release -j "$jobs"
fi

case "$action" in
  run)
    exec bash scripts/main_job.sh
    ;;
  test)
    # Open MPI refuses root without these; harmless otherwise.
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    exec ctest --preset release -j "$jobs"
    ;;
  build) ;;
  *)
    echo "usage: scripts/setup.sh [run|test|build]" >&2
    exit 2
    ;;
esac
