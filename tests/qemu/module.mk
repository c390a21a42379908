# End-to-end tests on QEMU (pytest): the guest apps on bare OpenSBI and
# under the hypervisor. Logs: build/test-logs/<test>.log.
SUITES += qemu
test-qemu: all
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rf tests/qemu
.PHONY: test-qemu
