# make flash BOARD=<board> DEV=/dev/sdX [YES=1] [MAX_SIZE=64G | FORCE_SIZE=1] [ALLOW_FIXED=1]
#
# Writes the board's boot image (build/<board>/disk.img from `make image`) to
# a card, refusing mounted, system, fixed, partition and too-large targets,
# and verifies it by reading it back: scripts/flash.sh, board/FLASH.md.
# The image is the one `make image` makes with the same variables (BOARD=,
# DEMO=/CONFIG=, IMG_OUT=: board/image.mk's IMG_OUT). FLASH_IMAGE=path on the
# command line writes another image file instead (no `make image` first).
FLASH_IMAGE ?= $(or $(IMG_OUT),$(BOARD_OUT))/disk.img

ifneq ($(filter flash,$(MAKECMDGOALS)),)
ifeq ($(strip $(DEV)),)
$(error make flash: DEV= not given (the card's whole disk, e.g. DEV=/dev/sdX or DEV=/dev/mmcblk0; lsblk lists disks))
endif
endif

flash: $(if $(filter command line,$(origin FLASH_IMAGE)),,image)
	@scripts/flash.sh $(if $(filter 1,$(YES)),--yes) \
	  $(if $(MAX_SIZE),--max-size '$(MAX_SIZE)') \
	  $(if $(filter 1,$(FORCE_SIZE)),--force-size) \
	  $(if $(filter 1,$(ALLOW_FIXED)),--allow-fixed) \
	  -- '$(FLASH_IMAGE)' '$(DEV)'
