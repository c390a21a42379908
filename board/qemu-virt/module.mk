# QEMU riscv64 virt: the nominal machine of qemu.sh (-m 1G -smp 4) for the
# build-time partition check (hv/module.mk); board.h says the same to C.
ifeq ($(BOARD),qemu-virt)
BOARD_RAM_BASE := 0x80000000
BOARD_RAM_SIZE := 0x40000000
BOARD_HARTS    := 4
endif
