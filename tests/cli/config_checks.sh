#!/usr/bin/env bash
# Case configuration from the command line: `fwaq run --dry-run` prints the resolved
# configuration (every default filled in) and checks the inputs; --set reaches keys the
# case leaves out; misspelt keys stop the run before any work with the nearest valid key
# (exit 3 in a case file, 2 in --set); the user guide's plan-plus-residential example
# keeps the plan's rules; the scenario's name reaches summary.json and fields.nc.
set -u
FWAQ="$1"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$(dirname "${BASH_SOURCE[0]}")/lib/checks.bash"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

REF="$ROOT/scenarios/fenwei-2019-20-reference.yaml"
PLAN="$ROOT/scenarios/action-plan-2019.yaml"

# The dry run: resolved YAML with every default, all inputs found, exit 0, no outputs.
expect_exit 0 "dry run of the reference case" -- "$FWAQ" run "$REF" --dry-run
echo "$LAST_OUTPUT" >"$tmp/ref.yaml"
python3 - "$tmp/ref.yaml" <<'PY' && ok || bad "dry-run output is not the resolved configuration: $(head -5 "$tmp/ref.yaml")"
import sys, yaml
text = open(sys.argv[1]).read()
c = yaml.safe_load(text)
for s in ("run", "domain", "vertical", "inputs", "emissions", "met", "chemistry", "deposition", "scenario"):
    assert s in c, s
assert c["run"]["coarsen"] == 3 and c["run"]["spinup_hours"] == 120
assert c["chemistry"]["rtol"] == 0.001 and c["chemistry"]["method"] == "ros3"  # defaults
assert c["deposition"]["wet_scavenging"] is True
assert c["scenario"]["name"] == "reference"
assert c["inputs"]["domain_file"].startswith("/")  # resolved
assert "rtol: 0.001  # relative tolerance" in text and "(default)" in text
assert "# Input files (all found and readable):" in text
for f in ("inputs.domain_file", "emissions.inventory", "profiles.hour", "emissions.calibration"):
    assert "#   " + f in text or ": " + f in text, f
PY
# The printed configuration is itself a case that loads to the same values.
expect_exit 0 "dry run of the printed configuration" -- "$FWAQ" run "$tmp/ref.yaml" --dry-run
[ "$(echo "$LAST_OUTPUT" | grep -v '^#' | sed 's/ (default)$//')" = "$(grep -v '^#' "$tmp/ref.yaml" | sed 's/ (default)$//')" ] \
  && ok || bad "the printed configuration does not reload to the same values"

# --set of a key the case leaves out, on a shipped case.
expect_exit 0 "--set chemistry.rtol=1e-3" -- "$FWAQ" run "$REF" --dry-run --set chemistry.rtol=1e-3 \
  --set deposition.winter_snow=true
echo "$LAST_OUTPUT" | grep -qx '  rtol: 1e-3  # relative tolerance of the solver \[1\], (0, 0.1\]' && ok \
  || bad "--set chemistry.rtol not in the resolved configuration: $(echo "$LAST_OUTPUT" | grep rtol)"
echo "$LAST_OUTPUT" | grep -q '^  winter_snow: true  #' && ok || bad "--set deposition.winter_snow lost"
expect_exit 0 "--start/--end in the dry run" -- "$FWAQ" run "$REF" --dry-run --start 2019-12-01 --end 2019-12-02
echo "$LAST_OUTPUT" | grep -q '^# period: 2019-11-30T16:00:00Z to 2019-12-01T16:00:00Z' && ok \
  || bad "dry-run period: $(echo "$LAST_OUTPUT" | grep period)"

# Misspelt keys: an error before any work, naming file, key and the nearest valid key.
cat >"$tmp/typo.yaml" <<YAML
base: $REF
chemistry:
  rtoll: 1.0e-3
YAML
expect_exit 3 "misspelt key in a case file" -- "$FWAQ" run "$tmp/typo.yaml" --out "$tmp/typo_out" \
  --start 2019-12-01 --end 2019-12-02 --quiet
echo "$LAST_OUTPUT" | grep -qF "$tmp/typo.yaml: variable 'chemistry.rtoll': unknown key; did you mean 'rtol'?" \
  && ok || bad "misspelt-key message: $LAST_OUTPUT"
[ ! -e "$tmp/typo_out" ] && ok || bad "a run with a misspelt key created its output folder"
expect_exit 3 "misspelt key, dry run" -- "$FWAQ" run "$tmp/typo.yaml" --dry-run
cat >"$tmp/typo2.yaml" <<YAML
base: $REF
deposition:
  below_cloud_scavening: false
YAML
expect_exit 3 "misspelt deposition key" -- "$FWAQ" run "$tmp/typo2.yaml" --dry-run
echo "$LAST_OUTPUT" | grep -qF "did you mean 'below_cloud_scavenging'?" && ok || bad "deposition message: $LAST_OUTPUT"
expect_exit 2 "misspelt --set key" -- "$FWAQ" run "$REF" --dry-run --set chemistry.rtoll=1e-3
echo "$LAST_OUTPUT" | grep -qF "no key 'chemistry.rtoll' in a case file (unknown key; did you mean 'rtol'?)" \
  && ok || bad "--set message: $LAST_OUTPUT"
expect_exit 3 "mistyped --set value" -- "$FWAQ" run "$REF" --dry-run --set chemistry.rtol=tight
echo "$LAST_OUTPUT" | grep -qF "'tight' is of the wrong type; expected a number" && ok || bad "type message: $LAST_OUTPUT"
expect_exit 2 "run without --out" -- "$FWAQ" run "$REF" --quiet

# A misspelt component and a missing input file.
cat >"$tmp/component.yaml" <<YAML
base: $PLAN
scenario:
  name: bad-component
  emission_scaling_append:
    - {component: residential_coal_converted_2091, factor: 0.5}
YAML
expect_exit 3 "unknown component" -- "$FWAQ" run "$tmp/component.yaml" --dry-run
echo "$LAST_OUTPUT" | grep -qF "'residential_coal_converted_2091' is not a component of the inventory (did you mean 'residential_coal_converted_2019'?)" \
  && ok || bad "component message: $LAST_OUTPUT"
expect_exit 3 "missing domain file" -- "$FWAQ" run "$REF" --dry-run --set inputs.domain_file=/nonexistent/domain.nc
echo "$LAST_OUTPUT" | grep -qF "inputs.domain_file: /nonexistent/domain.nc: not found" && ok || bad "missing-file message: $LAST_OUTPUT"

# The user guide's plan-plus-residential example (its base made absolute) keeps the
# plan's rules and adds its own.
python3 - "$ROOT/docs/user-guide.md" "$PLAN" "$tmp/ppr.yaml" <<'PY' && ok || bad "guide example not found"
import sys
guide, plan, out = sys.argv[1:]
text = open(guide).read()
start = text.index("base: action-plan-2019.yaml\nscenario:\n  name: plan-plus-residential")
block = text[start:text.index("```", start)]
open(out, "w").write(block.replace("base: action-plan-2019.yaml", "base: " + plan, 1))
PY
expect_exit 0 "dry run of the guide's example" -- "$FWAQ" run "$tmp/ppr.yaml" --dry-run
echo "$LAST_OUTPUT" >"$tmp/ppr_resolved.yaml"
"$FWAQ" run "$PLAN" --dry-run >"$tmp/plan_resolved.yaml"
python3 - "$tmp/plan_resolved.yaml" "$tmp/ppr_resolved.yaml" <<'PY' && ok || bad "plan-plus-residential rules"
import sys, yaml
plan = yaml.safe_load(open(sys.argv[1]))["scenario"]
ppr = yaml.safe_load(open(sys.argv[2]))["scenario"]
assert len(plan["emission_scaling"]) > 20
assert ppr["emission_scaling"][:-1] == plan["emission_scaling"], "plan rules lost"
assert ppr["emission_scaling"][-1]["sector"] == "residential"
assert ppr["name"] == "plan-plus-residential" and plan["name"] == "action-plan-2019"
PY

# The scenario's name and description in summary.json and fields.nc (a one-day run).
"$FWAQ" run "$PLAN" --out "$tmp/plan" --start 2019-12-01 --end 2019-12-02 --set run.spinup_hours=0 \
  --quiet >"$tmp/plan.log" 2>&1 || bad "short plan run failed: $(tail -3 "$tmp/plan.log")"
python3 - "$tmp/plan/summary.json" <<'PY' && ok || bad "summary.json scenario"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["scenario"] == {"name": "action-plan-2019",
                         "description": "structural measures of the 2019-20 Fenwei autumn-winter action plan"}, s.get("scenario")
PY
if command -v ncdump >/dev/null; then
  hdr=$(ncdump -h "$tmp/plan/fields.nc")
  echo "$hdr" | grep -qF ':scenario_name = "action-plan-2019"' && ok || bad "fields.nc lacks scenario_name"
  echo "$hdr" | grep -qF ':scenario_description = "structural measures' && ok || bad "fields.nc lacks scenario_description"
fi

echo "config: $pass passed, $fail failed"
[ "$fail" = 0 ]
