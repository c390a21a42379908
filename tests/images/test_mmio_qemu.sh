#!/usr/bin/env bash
# Boots mmio_guest (beside a hello VM) under the real hypervisor on QEMU and
# checks the console: all guest checks passed (stdin feeds it Ctrl-T twice
# and "ok"), the refused FP load stopped only the test VM with the one-line
# report, and the machine powered off (exit 0). The same again on a CPU
# without Sstc, then on 2 harts, which the boot-time config check must refuse
# (exit 1).
#   test_mmio_qemu.sh HV_BIN
set -uo pipefail
usage="usage: tests/images/test_mmio_qemu.sh HV_BIN   (make test-hv-mmio builds it)
       tests/images/test_mmio_qemu.sh -h | --help"
case ${1-} in
-h | --help)
	sed -n '2,/^#   test_mmio_qemu.sh HV_BIN/s/^# \{0,1\}//p' "$0"
	echo "Exit status: 0 every check passed, 1 one failed, 2 bad usage."
	exit 0
	;;
esac
why=
(($# == 1)) || why="expected one HV_BIN, got $# arguments"
[[ -n $why || -f $1 ]] || why="$1: no such file"
if [[ -n $why ]]; then
	printf 'test_mmio_qemu.sh: %s\n%s\n' "$why" "$usage" >&2
	exit 2
fi
hv=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_mmio [qemu args]: boots $hv, feeds stdin once the guest waits for it;
# sets out (console without CRs) and rc
run_mmio() {
	rm -f "$tmp/in" "$tmp/out"
	mkfifo "$tmp/in"
	exec 3<>"$tmp/in" # held open: QEMU never sees EOF
	timeout 60 board/qemu-virt/qemu.sh "$hv" "$@" <"$tmp/in" >"$tmp/out" 2>&1 &
	local qemu=$!
	for _ in $(seq 300); do
		grep -qs 'mmio: waiting for input' "$tmp/out" && break
		sleep 0.1
	done
	printf '\024\024ok' >&3 # Ctrl-T twice: focus to hello and back
	wait $qemu
	rc=$?
	exec 3>&-
	out=$(cat "$tmp/out")
	out=${out//$'\r'/} # the UART sends CR LF
}

run_mmio
pass=0 fail=0
check() { # description, command...
	local what=$1; shift
	if "$@"; then pass=$((pass + 1)); echo "ok: $what"; else fail=$((fail + 1)); echo "FAIL: $what"; fi
}
has() { grep -qE -- "$1" <<<"$out"; }
check "qemu exited 0 (rc=$rc)" test "$rc" -eq 0
check "all 33 MMIO/SBI/input checks passed" has '^\[mmio\] mmio: 33 checks, 00 failed'
check "no failed check" bash -c "! grep -q 'FAIL check' <<<\"\$0\"" "$out"
check "wide stores reached THR byte by byte" has '^\[mmio\] SCP$'
# ESC, the 8-bit CSI 0x9b and its UTF-8 form c2 9b (both read as CSI by
# terminals) become '?'; an ordinary UTF-8 letter (c3 a9) stays
check "control characters from a guest are neutralized" \
	bash -c 'LC_ALL=C grep -qaxF -- "$1" <<<"$0"' "$out" "$(printf '[mmio] esc:?[2J ?2J ??2J \303\251')"
check "DBCN write printed" has '^\[mmio\] dbcn$'
check "Ctrl-T moved the input focus to hello" has '^hv: console input to vm hello$'
check "...and back to mmio" has '^hv: console input to vm mmio$'
check "FP load stops the VM with one line" \
	has '^hv: vm mmio stopped: mmio: not an integer load/store sepc=0x800[0-9a-f]+ addr=0x10000000$'
check "exactly one stop line" test "$(grep -c '^hv: vm mmio stopped' <<<"$out")" -eq 1
check "the guest never ran past the refusal" bash -c "! grep -q 'not refused' <<<\"\$0\"" "$out"
check "the other VM finished normally" has '^hv: vm hello shut down$'
check "power off after the last VM" has '^hv: no VM running, powering off$'
if ((fail)); then echo "--- console:"; echo "$out"; fi

# Without Sstc: the probe's trap is absorbed (the expected-fault path that
# also guards hlvx), timers go through SBI and hvip.VSTIP.
before=$fail
run_mmio -cpu rv64,h=true,sstc=false
check "no Sstc detected (rc=$rc)" has '^hv: rvhv on hart [0-9]+, .*sstc no$'
check "no Sstc: all 33 checks passed" has '^\[mmio\] mmio: 33 checks, 00 failed$'
check "no Sstc: hello slept on the SBI timer and shut down" \
	bash -c "grep -q '^\[hello\] hello: slept' <<<\"\$0\" && grep -q '^hv: vm hello shut down$' <<<\"\$0\"" "$out"
check "no Sstc: clean power-off" test "$rc" -eq 0
if ((fail > before)); then echo "--- console (sstc=false):"; echo "$out"; fi

# Boot-time validation against the real machine: with 2 harts, hello's hart 2
# is missing, so nothing boots and QEMU exits non-zero.
out2=$(timeout 60 board/qemu-virt/qemu.sh "$hv" -smp 2 </dev/null 2>&1)
rc2=$?
out2=${out2//$'\r'/}
check "boot-time check names the VM and its missing hart" \
	grep -qx 'hv: config error: vm hello: hart 2 not present' <<<"$out2"
check "a failed boot exits QEMU with status 1 (rc=$rc2)" test "$rc2" -eq 1
check "no VM ran" bash -c "! grep -q '^\[' <<<\"\$0\"" "$out2"
if ((fail)); then echo "--- console (-smp 2):"; echo "$out2"; fi
echo "hv-mmio: $pass passed, $fail failed"
((fail == 0))
