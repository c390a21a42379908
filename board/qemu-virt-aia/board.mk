# QEMU riscv64 virt with the AIA as board/qemu-virt-aia/qemu.sh starts it:
# -M virt,aia=aplic-imsic,aia-guests=7 -cpu rv64,h=true,sstc=true -smp 4 -m 1G.
# Same memory map and harts as qemu-virt; only the interrupt controllers
# differ (board/qemu-virt-aia/README.md).
BOARD_DESC        := QEMU 7.2 virt (APLIC + IMSIC, 7 guest files/hart), 4 harts, 1 GiB, NIC port virtio-net, boot: OpenSBI + U-Boot + FIT on a virtio disk
BOARD_SOC         := QEMU 7.2 virt, aia=aplic-imsic
BOARD_RAM_BASE    := 0x80000000
BOARD_RAM_SIZE    := 0x40000000
BOARD_HARTS       := 4
BOARD_ROLES       := 0: hypervisor console; 1,2: guests; 3: NIC core
BOARD_UART        := ns16550a @ 0x10000000, 3.6864 MHz
BOARD_IRQCHIP     := APLIC (MSI mode) M @ 0x0c000000, S @ 0x0d000000 + IMSIC M @ 0x24000000, S @ 0x28000000, 7 guest files
BOARD_NIC         := virtio-net-device on virtio-mmio (QEMU), driven by the NIC core
BOARD_DTS         := board/qemu-virt-aia/qemu-virt-aia.dts
BOARD_BOOT        := uboot-fit
BOARD_IMAGES_BASE := 0xa0000000
BOARD_QEMU        := board/qemu-virt-aia/qemu.sh
