# Linux guest tests on QEMU (pytest, root): guest/linux's kernel and busybox
# under the hypervisor with a VF, against Linux in a network namespace on a
# TAP (the e2e harness). Console logs: build/test-logs/e2e/linux*.log.
SUITES += linux
test-linux: all linux-guest
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rfEx tests/linux
.PHONY: test-linux
