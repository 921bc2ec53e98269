# Shared helpers of the command-line checks (sourced by tests/cli/*.sh): pass/fail
# counters, expect_exit, the Open MPI settings for running as root, and the closing line.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAILED: $*"; }

expect_exit() {  # expect_exit CODE DESCRIPTION -- command...
  local want="$1" what="$2"
  shift 3
  local out
  out=$("$@" 2>&1)
  local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, expected $want; output: $out"; fi
  LAST_OUTPUT="$out"
}
