#!/usr/bin/env bash
# `fwaq chem equilibrium` end to end: hand cases with known answers, the output columns
# and their order, totals conserved, stable vs metastable below deliquescence, and
# clear errors (exit 3, file/line/column/value named) with no output file left behind.
set -u
FWAQ="$1"
source "$(dirname "${BASH_SOURCE[0]}")/lib/checks.bash"

# near GOT WANT RELTOL ABSTOL: |got - want| <= max(rel*|want|, abs)
near() {
  awk -v g="$1" -v w="$2" -v r="$3" -v a="$4" 'BEGIN {
    d = g - w; if (d < 0) d = -d; t = r * (w < 0 ? -w : w); if (t < a) t = a; exit !(d <= t) }'
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

expect_exit 0 "chem --help" -- "$FWAQ" chem --help
echo "$LAST_OUTPUT" | grep -q "equilibrium" && ok || bad "chem --help does not list equilibrium"
expect_exit 0 "chem equilibrium --help" -- "$FWAQ" chem equilibrium --help
echo "$LAST_OUTPUT" | grep -qi "fraction" && ok || bad "--help does not say RH is a fraction"

# ---- hand cases ---------------------------------------------------------------------
# Molar masses [g mol-1] (chem/tracers.hpp).
M_SO4=96.06; M_HNO3=63.013; M_NH3=17.031; M_NH4=18.039; M_NO3=62.004
# Row 2: dry NH4NO3, 0.5 µmol m-3 each of NH3 and HNO3 at 298.15 K, RH 0.3 (stable):
#   p(NH3) p(HNO3) = K = 5.746e-17 atm2 -> gas = sqrt(K)/(R T 1e-6) µmol m-3 each.
# Row 3: the same at 273.15 K, K(T) = K0 exp(-74.38 (T0/T - 1) + 6.12 (1 + ln(T0/T) - T0/T)).
# Row 4: full neutralisation below deliquescence: 0.1 µmol SO4 + 0.5 µmol NH3 ->
#   (NH4)2SO4(s) 0.1, NH3 gas 0.3, no water.
# Columns in a different order, with an extra column that must be ignored.
awk -v ms=$M_SO4 -v mn=$M_HNO3 -v ma=$M_NH3 'BEGIN {
  print "site,NH3_total,RH,NO3_total,T_K,SO4_total"
  printf "a,%.10g,0.3,%.10g,298.15,0\n", 0.5 * ma, 0.5 * mn
  printf "b,%.10g,0.3,%.10g,273.15,0\n", 0.5 * ma, 0.5 * mn
  printf "c,%.10g,0.3,0,298.15,%.10g\n", 0.5 * ma, 0.1 * ms
  printf "d,%.10g,0.4,%.10g,285,%.10g\n", 0.4 * ma, 0.0, 0.1 * ms
}' > "$TMP/points.csv"

expect_exit 0 "stable run to stdout" -- "$FWAQ" chem equilibrium --input "$TMP/points.csv" --state stable
STABLE_OUT="$LAST_OUTPUT"
header=$(echo "$STABLE_OUT" | head -1)
[ "$header" = "NH4_p,NO3_p,SO4_p,NH3_g,HNO3_g,H2O_p" ] && ok || bad "header is '$header'"
rows=$(echo "$STABLE_OUT" | tail -n +2 | grep -c .)
[ "$rows" = 4 ] && ok || bad "expected 4 output rows, got $rows"

check_row() {  # check_row N NAME WANT_NH4 WANT_NO3 WANT_SO4 WANT_NH3 WANT_HNO3 WANT_H2O
  local line
  line=$(echo "$STABLE_OUT" | sed -n "$(($1 + 1))p")
  IFS=, read -r nh4 no3 so4 nh3 hno3 h2o <<< "$line"
  local i=0
  for pair in "$nh4:$3" "$no3:$4" "$so4:$5" "$nh3:$6" "$hno3:$7" "$h2o:$8"; do
    i=$((i + 1))
    near "${pair%%:*}" "${pair##*:}" 1e-4 1e-9 && ok || bad "$2 column $i: got ${pair%%:*}, want ${pair##*:}"
  done
}
for T in 298.15 273.15; do
  gas=$(awk -v T=$T 'BEGIN { r = 298.15 / T;
    k = 5.746e-17 * exp(-74.38 * (r - 1) + 6.12 * (1 + log(r) - r));
    print sqrt(k) / (8.2057366e-5 * T * 1e-6) }')
  row=1; [ "$T" = 273.15 ] && row=2
  check_row $row "dry NH4NO3 at $T K" \
    "$(awk -v g=$gas -v m=$M_NH4 'BEGIN{print (0.5 - g) * m}')" \
    "$(awk -v g=$gas -v m=$M_NO3 'BEGIN{print (0.5 - g) * m}')" 0 \
    "$(awk -v g=$gas -v m=$M_NH3 'BEGIN{print g * m}')" \
    "$(awk -v g=$gas -v m=$M_HNO3 'BEGIN{print g * m}')" 0
done
check_row 3 "full neutralisation" "$(awk -v m=$M_NH4 'BEGIN{print 0.2 * m}')" 0 \
  "$(awk -v m=$M_SO4 'BEGIN{print 0.1 * m}')" "$(awk -v m=$M_NH3 'BEGIN{print 0.3 * m}')" 0 0

# Totals conserved on every row (each species counted back to its total).
expect_exit 0 "metastable run" -- "$FWAQ" chem equilibrium --input "$TMP/points.csv"
META_OUT="$LAST_OUTPUT"
paste -d, <(tail -n +2 "$TMP/points.csv") <(echo "$META_OUT" | tail -n +2) | awk -F, \
  -v ms=$M_SO4 -v mn=$M_HNO3 -v ma=$M_NH3 -v m4=$M_NH4 -v m3=$M_NO3 '
  function bad(x, y) { d = x - y; if (d < 0) d = -d; return d > 1e-7 * (y > 1e-9 ? y : 1e-9) }
  { if (bad($7 / m4 + $10 / ma, $2 / ma) || bad($8 / m3 + $11 / mn, $4 / mn) || bad($9 / ms, $6 / ms)) nbad++ }
  END { exit nbad > 0 }' && ok || bad "totals not conserved: $META_OUT"

# Below deliquescence (row 4: (NH4)2SO4 with ammonia at RH 0.4) the stable state is dry
# and the metastable one holds water.
w_stable=$(echo "$STABLE_OUT" | sed -n 5p | cut -d, -f6)
w_meta=$(echo "$META_OUT" | sed -n 5p | cut -d, -f6)
near "$w_stable" 0 0 1e-12 && ok || bad "stable water below deliquescence: $w_stable"
awk -v w="$w_meta" 'BEGIN { exit !(w > 1) }' && ok || bad "metastable water below deliquescence: $w_meta"
[ "$STABLE_OUT" != "$META_OUT" ] && ok || bad "--state stable and metastable gave the same output"

# --output: the same CSV in a file.
expect_exit 0 "--output" -- "$FWAQ" chem equilibrium --input "$TMP/points.csv" --output "$TMP/out.csv"
[ "$(cat "$TMP/out.csv")" = "$META_OUT" ] && ok || bad "--output differs from stdout"
ls "$TMP" | grep -q '\.tmp' && bad "temporary file left behind" || ok

# ---- errors --------------------------------------------------------------------------
bad_input() {  # bad_input NAME CSV_CONTENT EXPECTED_TEXT...
  local name="$1" content="$2"
  shift 2
  printf '%b' "$content" > "$TMP/$name.csv"
  rm -f "$TMP/$name.out"
  expect_exit 3 "$name" -- "$FWAQ" chem equilibrium --input "$TMP/$name.csv" --output "$TMP/$name.out"
  for text in "$@"; do
    echo "$LAST_OUTPUT" | grep -qF -- "$text" && ok || bad "$name: message lacks '$text': $LAST_OUTPUT"
  done
  [ -e "$TMP/$name.out" ] && bad "$name: output file left behind" || ok
  ls "$TMP" | grep -q "$name.out.tmp" && bad "$name: temporary file left behind" || ok
}
bad_input rh_percent 'T_K,RH,SO4_total,NO3_total,NH3_total\n280,0.5,1,1,1\n280,45,1,1,1\n' \
  "rh_percent.csv" "line 3" "'RH'" "'45'" "[0, 1]"
bad_input negative 'T_K,RH,SO4_total,NO3_total,NH3_total\n280,0.5,1,-2,1\n' \
  "negative.csv" "line 2" "'NO3_total'" "'-2'" ">= 0"
bad_input cold 'T_K,RH,SO4_total,NO3_total,NH3_total\n150,0.5,1,1,1\n' \
  "cold.csv" "line 2" "'T_K'" "'150'" "[200, 330]"
bad_input text_value 'T_K,RH,SO4_total,NO3_total,NH3_total\n280,humid,1,1,1\n' \
  "text_value.csv" "line 2" "'RH'" "'humid'"
bad_input missing_column 'T_K,RH,SO4_total,NH3_total\n280,0.5,1,1\n' \
  "missing_column.csv" "'NO3_total'" "missing column"
bad_input short_row 'T_K,RH,SO4_total,NO3_total,NH3_total\n280,0.5,1\n' \
  "short_row.csv" "line 2" "'NO3_total'"
expect_exit 3 "missing input file" -- "$FWAQ" chem equilibrium --input "$TMP/nonexistent.csv"
echo "$LAST_OUTPUT" | grep -q "nonexistent.csv" && ok || bad "missing-file message: $LAST_OUTPUT"
expect_exit 2 "unknown state" -- "$FWAQ" chem equilibrium --input "$TMP/points.csv" --state solid
expect_exit 2 "missing --input" -- "$FWAQ" chem equilibrium

echo "chem: $pass passed, $fail failed"
[ "$fail" = 0 ]
