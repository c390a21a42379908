#!/usr/bin/env bash
# Boot a hypervisor image on QEMU riscv64 virt, console on stdio.
#   board/qemu-virt/qemu.sh HV_BIN [extra qemu args...]
# Exit status is QEMU's: 0 after the hypervisor powers off cleanly.
set -euo pipefail
hv=${1:?usage: $0 HV_BIN [qemu args...]}
shift
exec qemu-system-riscv64 -M virt -cpu rv64,h=true,sstc=true -smp 4 -m 1G -nographic \
	-bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin \
	-kernel "$hv" "$@"
