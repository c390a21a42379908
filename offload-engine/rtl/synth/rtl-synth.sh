#!/usr/bin/env bash
# Synthesis figures of the RTL offload engines: Yosys synth_xilinx (7-series:
# the Kintex-7 of Genesys2, the Artix-7 of Nexys Video) per engine, LUTs /
# FFs / block RAMs; nextpnr-ice40 (HX8K) placed-and-routed Fmax for the
# engines with a 2 KiB frame store (AW=8).
#   rtl-synth.sh OUTDIR [--smoke] [--readme FILE] [--cycles FILE]
# --smoke: the TX engine for 7-series only (the suite's check that synthesis
# completes); --readme: replace the figures block of FILE with the table;
# --cycles: the bench's "cycles/frame" lines, copied beside the table.
# Exit status: 0 done, 1 a tool failed, 2 bad usage.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1-}
[[ -n $out && $out != -* ]] || { echo "usage: rtl-synth.sh OUTDIR [--smoke] [--readme FILE] [--cycles FILE]" >&2; exit 2; }
shift
smoke=0 readme="" cycles=""
while (($#)); do
  case $1 in
  --smoke) smoke=1 ;;
  --readme) readme=$2; shift ;;
  --cycles) cycles=$2; shift ;;
  *) echo "rtl-synth.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"

# engine name, top module, sources
declare -A top=([tx_csum]=oe_tx_csum [rx_check+rss]=oe_rx_check [rx_fields]=oe_rx_fields
  [regs]=oe_regs)
declare -A src=([tx_csum]="oe_frame_ram.v oe_tx_csum.v"
  [rx_check+rss]="oe_frame_ram.v oe_toeplitz.v oe_rx_store.v oe_rx_fields.v oe_rx_check.v"
  [rx_fields]="oe_rx_fields.v" [regs]="oe_regs.v")
# The whole RX engine is twice an HX8K: its iCE40 check is the header walk
# alone (FAST=0), and the fast path's field logic has a row of its own.
declare -A fmax_engine=([tx_csum]=0 [rx_check+rss]=1 [rx_fields]=2)
declare -A fmax_label=([rx_check+rss]="header walk only: ")
engines=(tx_csum rx_check+rss rx_fields regs)
((smoke)) && engines=(tx_csum)

count() { # sum of the cell counts in a Yosys stat file whose names match $2
  awk -v re="$2" '$1 ~ ("^" re "$") { n += $2 } END { print n + 0 }' "$1"
}

rows=()
for e in "${engines[@]}"; do
  files=$(for f in ${src[$e]}; do printf '%s/%s ' "$here" "$f"; done)
  log="$out/$e.x7.log"
  yosys -q -l "$log" -p "read_verilog -I$here $files; synth_xilinx -top ${top[$e]} -family xc7 -flatten; tee -o $out/$e.x7.stat stat" >/dev/null 2>&1 ||
    { echo "rtl-synth: yosys synth_xilinx failed for $e (see $log)" >&2; exit 1; }
  s="$out/$e.x7.stat"
  lut=$(count "$s" 'LUT[1-6]')
  lutram=$(count "$s" 'RAM(32|64|128|256)[MX].*')
  ff=$(count "$s" 'FD[RSCP]E')
  b36=$(count "$s" 'RAMB36E1')
  b18=$(count "$s" 'RAMB18E1')
  fm="n/a"
  if ((!smoke)) && [[ -n ${fmax_engine[$e]+x} ]]; then
    yosys -q -l "$out/$e.ice40.log" -p "read_verilog -I$here $files $here/synth/fmax_wrap.v; chparam -set ENGINE ${fmax_engine[$e]} fmax_wrap; synth_ice40 -top fmax_wrap -json $out/$e.ice40.json" >/dev/null 2>&1 ||
      { echo "rtl-synth: yosys synth_ice40 failed for $e" >&2; exit 1; }
    if nextpnr-ice40 --hx8k --package ct256 --json "$out/$e.ice40.json" --freq 100 --seed 1 --timing-allow-fail \
      --log "$out/$e.nextpnr.log" --quiet >/dev/null 2>&1; then
      fm=$(grep -o "Max frequency for clock[^:]*: [0-9.]* MHz" "$out/$e.nextpnr.log" | tail -1 | grep -o "[0-9.]* MHz$")
    else
      # An engine larger than the part is a figure too, not a failed run.
      grep -q "no BELs remaining\|Unable to place" "$out/$e.nextpnr.log" ||
        { echo "rtl-synth: nextpnr-ice40 failed for $e (see $out/$e.nextpnr.log)" >&2; exit 1; }
      fm="does not fit"
    fi
    lc=$(grep -o "ICESTORM_LC: *[0-9]*/ *[0-9]*" "$out/$e.nextpnr.log" | tail -1 | tr -s ' ')
    ram=$(grep -o "ICESTORM_RAM: *[0-9]*/ *[0-9]*" "$out/$e.nextpnr.log" | tail -1 | tr -s ' ')
    fm="${fmax_label[$e]-}$fm ($lc, $ram)"
  fi
  rows+=("| $e | $lut | $lutram | $ff | $b36 | $b18 | $fm |")
done

{
  echo "| engine | LUTs | LUTRAM | FFs | RAMB36 | RAMB18 | iCE40 HX8K Fmax (AW=8) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "7-series: \`synth_xilinx -family xc7 -flatten\`, Yosys $(yosys -V | awk '{print $2}'), AW=11 (16 KiB store);"
  echo "iCE40: \`synth_ice40\` + \`nextpnr-ice40 --hx8k --package ct256 --seed 1\` through \`synth/fmax_wrap.v\`."
  if [[ -n $cycles && -s $cycles ]]; then
    echo
    echo "Cycles per frame from the Verilator bench (no gaps, no back-pressure):"
    echo
    sed 's/^/    /' "$cycles"
  fi
} >"$out/figures.md"
cat "$out/figures.md"

if [[ -n $readme ]]; then
  awk -v fig="$out/figures.md" '
    /<!-- synth-figures begin -->/ { print; while ((getline l < fig) > 0) print l; skip = 1; next }
    /<!-- synth-figures end -->/ { skip = 0 }
    !skip { print }' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
fi
