# QEMU riscv64 virt (QEMU 7.2 hw/riscv/virt.c) as board/qemu-virt/qemu.sh
# starts it: -M virt -cpu rv64,h=true,sstc=true -smp 4 -m 1G.
# The variables are the board contract of board/README.md.
BOARD_DESC        := QEMU 7.2 virt (PLIC), 4 harts, 1 GiB, NIC port virtio-net, boot: OpenSBI + U-Boot + FIT on a virtio disk
BOARD_SOC         := QEMU 7.2 virt
# nominal machine for the build-time partition check (the real one comes
# from the device tree at boot)
BOARD_RAM_BASE    := 0x80000000
BOARD_RAM_SIZE    := 0x40000000
BOARD_HARTS       := 4
BOARD_ROLES       := 0: hypervisor console; 1,2: guests; 3: NIC core
BOARD_UART        := ns16550a @ 0x10000000, 3.6864 MHz
BOARD_IRQCHIP     := PLIC @ 0x0c000000 (guests get a virtual PLIC; the hv polls)
BOARD_NIC         := virtio-net-device on virtio-mmio (QEMU), driven by the NIC core
BOARD_DTS         := board/qemu-virt/qemu-virt.dts
BOARD_BOOT        := uboot-fit
# 512 MiB into RAM: far above the partitions of every config here (they
# are placed from just after the hypervisor at 0x80200000 and total under
# 100 MiB), below U-Boot's relocation near the top of RAM
BOARD_IMAGES_BASE := 0xa0000000
BOARD_QEMU        := board/qemu-virt/qemu.sh
