# Boards suite (pytest): `make image` for every board and its output read
# back by tools that did not make it (sfdisk/sgdisk, mtools, dumpimage,
# dtc, fdtget); the flash flow: the qemu-virt disk image booted by Debian's
# U-Boot in QEMU, every FIT hash checked, the hv and its guests up; the
# same disk with one guest-image byte flipped refused by U-Boot. BOARDS'
# test_board_dts.py checks the board trees. Logs: build/test-logs/boards-*.
SUITES += boards
test-boards: all
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rfEs tests/boards
.PHONY: test-boards
