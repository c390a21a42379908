# End-to-end tests on QEMU (pytest): the guest apps on bare OpenSBI and
# under the hypervisor. Logs: build/test-logs/<test>.log.
SUITES += qemu
test-qemu: all
	@$(PY) -m pytest -q tests/qemu
.PHONY: test-qemu
