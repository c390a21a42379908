#!/usr/bin/env bash
# Boot a hypervisor image on QEMU riscv64 virt with the AIA (APLIC + IMSIC,
# 7 guest interrupt files per hart) instead of the PLIC, console on stdio.
#   [NET=none|user|tap:IFNAME] board/qemu-virt-aia/qemu.sh HV_BIN [extra qemu args...]
# Same interface, network options and exit status as board/qemu-virt/qemu.sh,
# which does the work: only the machine differs.
set -euo pipefail
case ${1-} in
-h | --help)
	printf 'usage: [NET=none|user|tap:IFNAME] %s HV_BIN [extra qemu args...]\n\n' "$0"
	sed -n '2,/^# which does/s/^# \{0,1\}//p' "$0"
	exit 0
	;;
esac
HV_QEMU_MACHINE=virt,aia=aplic-imsic,aia-guests=7 HV_QEMU_PROG=$0 \
	exec "$(dirname "$0")/../qemu-virt/qemu.sh" "$@"
