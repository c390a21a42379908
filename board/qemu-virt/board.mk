# QEMU riscv64 virt (QEMU 7.2 hw/riscv/virt.c) as board/qemu-virt/qemu.sh
# starts it: -M virt -cpu rv64,h=true,sstc=true -smp 4 -m 1G.
BOARD_DESC      := QEMU virt (PLIC), 4 harts, 1 GiB, NIC port virtio-net, boot: OpenSBI + U-Boot + FIT on a virtio disk
# nominal machine for the build-time partition check (the real one comes
# from the device tree at boot)
BOARD_RAM_BASE  := 0x80000000
BOARD_RAM_SIZE  := 0x40000000
BOARD_HARTS     := 4
