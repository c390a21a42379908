# make flash / scripts/flash.sh (pytest, root: loop devices, mounts, swap):
# files and loop devices written and read back identical; mounted, partition,
# swap, system, fixed, too-large and too-small targets refused and left
# unchanged; no terminal / an answer other than "yes" writes nothing; write
# errors (full tmpfs, read-only loop) and Ctrl-C end in one FAILED /
# INCOMPLETE line. A random stand-in image, so it does not wait for
# `make image`. About 30 s.
SUITES += flash
test-flash:
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rfEs tests/flash
.PHONY: test-flash
