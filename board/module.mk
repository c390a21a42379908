# Boards: board/<name>/board.mk describes one board (see board/README.md);
# the selected one (BOARD=, default qemu-virt) is read here, before the
# modules that use its values (hv/module.mk: nominal machine for the
# build-time partition check).
#
#   make boards                     one line per board
#   make image BOARD=<name>         its boot image(s) into build/<name>/
#   make flash BOARD=<name> DEV=..  write the image to a card (board/flash.mk)

BOARDS_ALL := $(sort $(patsubst board/%/board.mk,%,$(wildcard board/*/board.mk)))
ifeq ($(filter $(BOARD),$(BOARDS_ALL)),)
$(error BOARD=$(BOARD): no such board (have: $(BOARDS_ALL)); `make boards` lists them)
endif
include board/$(BOARD)/board.mk
BOARD_OUT := $(B)/$(BOARD)

.PHONY: boards image flash
boards:
	@$(foreach b,$(BOARDS_ALL),printf '%-20s %s\n' '$(b)' "$$(sed -n 's/^BOARD_DESC *:= *//p' board/$(b)/board.mk)";)

# image and flash rules (each in its own file)
-include board/image.mk board/flash.mk
