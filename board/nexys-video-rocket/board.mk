# Rocket Chip with the hypervisor extension (rocket64b2 + WithHypervisor)
# on the Digilent Nexys Video, as eugene-tarassov/vivado-risc-v builds it.
# Facts and their sources: README.md here.
BOARD_DESC        := Rocket rocket64b2 + H (vivado-risc-v) on Nexys Video, 2 harts, 512 MiB DDR3, NIC none yet (1 GbE MAC), boot: SD card FAT partition, BOOT.ELF = OpenSBI fw_payload.elf
BOARD_SOC         := Rocket Chip rocket64b2 with WithHypervisor (vivado-risc-v) on Digilent Nexys Video
BOARD_RAM_BASE    := 0x80000000
BOARD_RAM_SIZE    := 0x20000000
BOARD_HARTS       := 2
BOARD_ROLES       := 0: hypervisor console; 1: guest (no NIC core: no port driver)
BOARD_UART        := riscv,axi-uart-1.0 (UART Lite registers) @ 0x60010000, 115200: not an ns16550, so the hv uses the SBI console
BOARD_IRQCHIP     := PLIC @ 0x0c000000, 8 sources (guests get a virtual PLIC; the hv polls)
BOARD_NIC         := none driven yet (1 GbE riscv,axi-ethernet-1.0 @ 0x60020000, no port driver)
BOARD_DTS         := board/nexys-video-rocket/nexys-video-rocket.dts
BOARD_BOOT        := sd-fat-elf
# The boot ROM loads BOOT.ELF's segments where they say, so images may go
# anywhere in RAM but 0x8ff00000-0x8ff0ffff (the ROM's buffer for what
# belongs at 0x80000000); the top 256 MiB of the 512 are theirs, the
# partitions stay below.
BOARD_IMAGES_BASE := 0x90000000
BOARD_QEMU        :=
