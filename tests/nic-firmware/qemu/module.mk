# nicq: the NIC core's qemu backend. Host part (cmocka, ASan/UBSan): the DT
# reader on dtc-compiled trees and the DMA window check. QEMU part (pytest,
# needs root for the namespace): nicfw on bare OpenSBI, its port a TAP in a
# namespace; the self-test's frames checked by tshark and scapy on the TAP.
# Logs and captures: build/test-logs/nicq-*.
NQT_DIR := tests/nic-firmware/qemu
NQT_OUT := $(HOSTB)/tests/nicq
NQT_BIN := $(NQT_OUT)/test_nq_host
NQT_DTB := $(patsubst $(NQT_DIR)/%.dts,$(NQT_OUT)/%.dtb,$(wildcard $(NQT_DIR)/*.dts))

$(NQT_BIN): $(NQT_DIR)/test_nq_host.c nic-firmware/qemu/nq_dt.c nic-firmware/qemu/nq_win.c \
	    nic-firmware/qemu/nq_idle.c \
	    $(wildcard nic-firmware/qemu/*.h) $(NF_HDRS) $(LIBFDT_HOST)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NF_INC) -I$(LIBFDT_INC) \
	  -o $@ $(filter %.c,$^) $(LIBFDT_HOST) -lcmocka
$(NQT_OUT)/%.dtb: $(NQT_DIR)/%.dts
	@mkdir -p $(dir $@)
	@dtc -q -I dts -O dtb -o $@ $<

ALL += $(NQT_BIN) $(NQT_DTB)
SUITES += nicq
.PHONY: test-nicq
test-nicq: $(NQT_BIN) $(NQT_DTB) $(RVB)/apps/nicfw.bin
	@fail=0; $(NQT_BIN) $(NQT_OUT) || fail=$$((fail + 1)); \
	 PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rf $(NQT_DIR) || \
	   fail=$$((fail + 1)); \
	 echo "nicq: 2 programs, $$fail failed"; test $$fail -eq 0

BENCHES += nicq
NICQ_BENCH_N ?= 200
.PHONY: bench-nicq
bench-nicq: $(RVB)/apps/nicfw.bin
	@cd $(NQT_DIR) && PYTHONDONTWRITEBYTECODE=1 $(PY) bench.py $(NICQ_BENCH_N)
