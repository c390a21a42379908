# Guest network tests (pytest): the lwIP apps on bare OpenSBI with QEMU's
# virtio-net, user-mode net and a TAP in network namespaces, offloads on
# and off, checked by Linux and tshark. Logs/pcaps: build/test-logs/net/.
SUITES += net
test-net: $(RVB)/apps/httpd.bin $(RVB)/apps/iperf.bin $(RVB)/apps/echo.bin $(RVB)/apps/badvf.bin
	@PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rf tests/net
.PHONY: test-net
