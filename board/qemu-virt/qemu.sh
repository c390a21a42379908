#!/usr/bin/env bash
# Boot a hypervisor image on QEMU riscv64 virt, console on stdio.
#   [NET=none|user|tap:IFNAME] board/qemu-virt/qemu.sh HV_BIN [extra qemu args...]
# NET gives the NIC core its physical port, a virtio-net-device (modern
# virtio-mmio: the NIC firmware drives version 2 registers):
#   none (default here; `make run` passes user)  no port
#   user   QEMU user-mode network 192.0.2.0/24 (host 192.0.2.2), with
#          127.0.0.1:8080 -> 192.0.2.10:80 (httpd) and
#          127.0.0.1:5001 -> 192.0.2.11:5001 (iperf); HV_FWD overrides them
#   tap:IF an existing TAP device IF (no scripts run)
# QEMU's own escape key moves from Ctrl-A to Ctrl-] (-echr 0x1d; Ctrl-] x
# quits QEMU, Ctrl-] c its monitor), so that Ctrl-A reaches the
# hypervisor's console (Ctrl-A c commands, Ctrl-A 0..9 input focus, Ctrl-A x
# power off).
# Exit status is QEMU's: 0 after the hypervisor powers off cleanly.
# Variables for other boards built on this machine (unset: plain virt):
#   HV_QEMU_MACHINE=virt,aia=...   the -M value (board/qemu-virt-aia/qemu.sh)
#   HV_QEMU_DUMPDTB=FILE           QEMU writes its device tree to FILE and
#                                  exits (tests/boards/test_board_dts.py)
set -euo pipefail
# the AIA board's qemu.sh runs this one: usage names the script called
prog=${HV_QEMU_PROG:-$0}
usage="usage: [NET=none|user|tap:IFNAME] $prog HV_BIN [extra qemu args...]
       $prog -h | --help"
case ${1-} in
-h | --help)
	# the usage, then the comment at the top
	printf '%s\n\n' "$usage"
	sed -n '2,/^#  *exits (tests/s/^# \{0,1\}//p' "$(dirname "$0")/qemu.sh"
	exit 0
	;;
"") printf '%s: no HV_BIN\n%s\n' "$prog" "$usage" >&2; exit 2 ;;
-*) printf "%s: unknown option '%s' (qemu's own go after HV_BIN)\n%s\n" "$prog" "$1" "$usage" >&2; exit 2 ;;
esac
[[ -f $1 ]] || { printf '%s: %s: no such file\n%s\n' "$prog" "$1" "$usage" >&2; exit 2; }
hv=$1
shift
net=${NET:-none}
port_mac=02:00:00:00:01:00
fwd=${HV_FWD-hostfwd=tcp:127.0.0.1:8080-192.0.2.10:80,hostfwd=tcp:127.0.0.1:5001-192.0.2.11:5001}
case $net in
none | "") netargs=() ;;
user)
	netargs=(-netdev "user,id=port0,net=192.0.2.0/24,host=192.0.2.2${fwd:+,$fwd}")
	# how the host reaches the guests (the demo: curl http://127.0.0.1:8080/,
	# iperf -c 127.0.0.1 -p 5001)
	for f in ${fwd//,/ }; do
		f=${f#hostfwd=}
		echo "qemu.sh: NET=user forwards ${f%-*} to ${f##*-}"
	done
	;;
tap:?*)
	netargs=(-netdev "tap,id=port0,ifname=${net#tap:},script=no,downscript=no")
	;;
*)
	printf '%s: NET=%s: expected none, user or tap:IFNAME\n%s\n' "$prog" "$net" "$usage" >&2
	exit 2
	;;
esac
if [ ${#netargs[@]} -gt 0 ]; then
	netargs+=(-global virtio-mmio.force-legacy=false
		-device "virtio-net-device,netdev=port0,mac=$port_mac")
fi
machine=${HV_QEMU_MACHINE:-virt}${HV_QEMU_DUMPDTB:+,dumpdtb=$HV_QEMU_DUMPDTB}
exec qemu-system-riscv64 -M "$machine" -cpu rv64,h=true,sstc=true -smp 4 -m 1G -nographic -echr 0x1d \
	-bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin \
	-kernel "$hv" "${netargs[@]}" "$@"
