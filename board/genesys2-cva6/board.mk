# CVA6 cv64a6_imafdch_sv39 on the Digilent Genesys2: openhwgroup/cva6
# corev_apu/fpga, one hart. Facts and their sources: README.md here.
BOARD_DESC        := CVA6 cv64a6_imafdch_sv39 on Genesys2, 1 hart, 1 GiB DDR3, NIC none yet (1 GbE lowRISC MAC), boot: SD card GPT partition 1 = OpenSBI fw_payload.bin
BOARD_SOC         := CVA6 cv64a6_imafdch_sv39 on Digilent Genesys2
BOARD_RAM_BASE    := 0x80000000
# 1 GiB less the 8 MiB tag table of recent bitstreams (see the dts)
BOARD_RAM_SIZE    := 0x3f800000
BOARD_HARTS       := 1
BOARD_ROLES       := 0: hypervisor and the one guest (no console hart, no NIC core)
BOARD_UART        := ns16550a @ 0x10000000 (reg-shift 2, 32-bit access), 50 MHz, 115200
BOARD_IRQCHIP     := PLIC @ 0x0c000000, 30 sources (guests get a virtual PLIC; the hv polls)
BOARD_NIC         := none driven yet (1 GbE lowRISC MAC @ 0x30000000, no port driver)
BOARD_DTS         := board/genesys2-cva6/genesys2-cva6.dts
BOARD_BOOT        := sd-gpt-payload
# The boot ROM copies GPT partition 1 whole to 0x80000000 (32 MiB with the
# documented 2048..67583 layout) and jumps there; whatever rides with the
# payload must lie in that copy, and below 0x81000000 to stay within the
# 16 MiB bound newer ROMs pass. Images go between the hypervisor
# (0x80200000, under 6 MiB) and the VM, which default.cfg places at
# 0x81000000. (make image links the images into the hv for this layout.)
BOARD_IMAGES_BASE := 0x80800000
BOARD_QEMU        :=
