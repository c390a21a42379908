#!/usr/bin/env bash
# Suite `rtl`: each step prints ok/FAILED, then "N passed, N failed".
#   run-suite.sh TB_BINARY CORPUS_DIR OUT_DIR RTL_DIR
# Exit status: 0 every step passed, 1 one failed, 2 bad usage.
set -u
(($# == 4)) || { echo "usage: run-suite.sh TB_BINARY CORPUS_DIR OUT_DIR RTL_DIR" >&2; exit 2; }
tb=$1 corpus=$2 out=$3 rtl=$4
COV_MIN=${COV_MIN:-95} # per cent of RTL lines the bench must reach
pass=0 fail=0
step() { # name, status
  if (($2 == 0)); then pass=$((pass + 1)); echo "rtl $1: ok"; else fail=$((fail + 1)); echo "rtl $1: FAILED"; fi
}

verilator --lint-only -Wall -I"$rtl" --top-module oe_top "$rtl"/*.v >"$out/lint.log" 2>&1
r=$?; ((r)) && head -20 "$out/lint.log"
step "lint (verilator --lint-only -Wall)" $r

nice -n 19 "$tb" "$corpus" --coverage "$out/coverage.dat" >"$out/bench.log" 2>&1
r=$?
grep -v '^FAIL' "$out/bench.log" | grep -v 'passed,' | sed 's/^/  /'
grep '^FAIL' "$out/bench.log" | head -20
echo "  bench: $(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out/bench.log" || echo 'no summary')"
step "bench (RTL vs C engine, frame by frame)" $r

rm -rf "$out/coverage"
cov=$(verilator_coverage --annotate-min 1 --annotate "$out/coverage" "$out/coverage.dat" 2>&1 | grep -o 'Total coverage.*')
pct=$(echo "$cov" | grep -o '[0-9.]*%' | tr -d '%')
echo "  line coverage (lines run at least once): $cov (uncovered: grep -n '^%000000' $out/coverage/*.v)"
awk -v p="${pct:-0}" -v m="$COV_MIN" 'BEGIN { exit !(p >= m) }'
step "line coverage >= $COV_MIN%" $?

# A deliberately broken engine must fail the comparison and name the frame.
for e in tx rx; do
  nice -n 19 "$tb" "$corpus" "+oe_break_$e" >"$out/break-$e.log" 2>&1
  r=$?
  first=$(grep -m1 "^FAIL $e " "$out/break-$e.log")
  echo "  +oe_break_$e: exit $r, $(grep -c '^FAIL' "$out/break-$e.log") frames differ; first: ${first:-none}"
  [[ $r -ne 0 && -n $first ]]
  step "broken $e engine is caught" $?
done

nice -n 19 "$rtl/synth/rtl-synth.sh" "$out/synth-smoke" --smoke >"$out/synth-smoke.log" 2>&1
r=$?
((r)) && tail -5 "$out/synth-smoke.log"
grep '^| tx_csum' "$out/synth-smoke.log" | sed 's/^/  7-series: /'
step "synthesis smoke (Yosys synth_xilinx, TX engine)" $r

echo "$pass passed, $fail failed"
((fail == 0))
