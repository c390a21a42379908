#!/usr/bin/env bash
# Boot a hypervisor image on QEMU riscv64 virt with the AIA (APLIC + IMSIC,
# 7 guest interrupt files per hart) instead of the PLIC, console on stdio.
#   [NET=none|user|tap:IFNAME] board/qemu-virt-aia/qemu.sh HV_BIN [extra qemu args...]
# Same interface, network options and exit status as board/qemu-virt/qemu.sh,
# which does the work: only the machine differs.
set -euo pipefail
HV_QEMU_MACHINE=virt,aia=aplic-imsic,aia-guests=7 \
	exec "$(dirname "$0")/../qemu-virt/qemu.sh" "$@"
