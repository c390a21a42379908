# make image BOARD=<name> [DEMO=x | CONFIG=x.cfg | GUESTS="a.bin ..."]
#   what goes on the board's boot medium, into build/<name>/ (the board's
#   default.cfg) or build/<name>/<config>/ (any other config), by the
#   board's BOARD_BOOT (board/README.md): disk.img, plus fw_payload.{bin,elf}
#   and for U-Boot boards the FIT rvhv.itb, boot.scr and the DTB. The steps
#   are in scripts/mkimage-board.sh; board/IMAGES.md says how to boot them.
#
#   IMG_OUT=dir        another output folder
#   IMG_PART_MB=n      size of partition 1 (default per layout: 16/32/64)
#   IMG_FW_FDT=y|n     embed the board's DTB in fw_payload (default per
#                      layout, see scripts/mkimage-board.sh)
#
# Recursive (=) variables: hv/module.mk, which sets HV_CONFIG and hv_cfg_name,
# is read after this file.
IMG_CFG_NAME = $(call hv_cfg_name,$(HV_CONFIG))
IMG_OUT = $(if $(filter default,$(IMG_CFG_NAME)),$(BOARD_OUT),$(BOARD_OUT)/$(IMG_CFG_NAME))

image: deps
	@BOARD='$(BOARD)' BOARD_BOOT='$(BOARD_BOOT)' BOARD_DTS='$(BOARD_DTS)' \
	 BOARD_IMAGES_BASE='$(BOARD_IMAGES_BASE)' BOARD_RAM_BASE='$(BOARD_RAM_BASE)' BOARD_RAM_SIZE='$(BOARD_RAM_SIZE)' CFG='$(HV_CONFIG)' OUT='$(IMG_OUT)' \
	 PART_MB='$(IMG_PART_MB)' FW_FDT='$(IMG_FW_FDT)' MAKE='$(MAKE)' PY='$(PY)' \
	 scripts/mkimage-board.sh
