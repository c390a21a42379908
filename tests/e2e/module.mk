# End-to-end tests on QEMU (pytest, root): the hypervisor, the NIC core and
# lwIP guests with VFs, against Linux in a network namespace on a TAP, with
# tshark on the TAP and the hv console on QEMU's stdio. Console logs:
# build/test-logs/e2e/<scenario>.log; captures in pytest's tmp folders.
SUITES += e2e
test-e2e: all
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rfEx tests/e2e
.PHONY: test-e2e
