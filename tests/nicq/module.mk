# nicq: the NIC core image (nicfw) on bare OpenSBI in QEMU, its port a TAP
# in a network namespace; the self-test's frames checked by tshark and scapy
# on the TAP (pytest, needs root for the namespace). Logs and captures:
# build/test-logs/nicq-*.
SUITES += nicq
.PHONY: test-nicq
test-nicq: $(RVB)/apps/nicfw.bin
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rf tests/nicq
