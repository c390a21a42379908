# Offload benchmark (`make bench-offload`, not part of `make test`): host
# throughput against DPDK, and the checksum's instructions per byte on
# riscv64 in QEMU. One run rewrites results.md and results.csv here.
BOFF_DIR  := bench/offload
BOFF_OUT  := $(B)/bench-offload
BOFF_HOST := $(BOFF_OUT)/bench-offload
BOFF_RV   := $(RVB)/bench-offload/rv_bench
# Deferred: pkg-config only runs when the benchmark is built.
BOFF_DPDK_CFLAGS = $(shell pkg-config --cflags libdpdk)
BOFF_DPDK_LIBS   = $(shell pkg-config --libs libdpdk)
BOFF_FW   := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin

$(BOFF_HOST): $(wildcard $(BOFF_DIR)/*.c) $(BOFF_DIR)/bench.h $(OE_LIB_HOST) $(OE_HDRS) | deps-bench
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(BOFF_DPDK_CFLAGS) -I$(OE_INC) $(wildcard $(BOFF_DIR)/*.c) \
	  $(OE_LIB_HOST) $(BOFF_DPDK_LIBS) -o $@

$(BOFF_RV).o: $(BOFF_DIR)/rv/rv_bench.c $(OE_HDRS) | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	$(RV_CC) $(GUEST_CFLAGS) -I$(OE_INC) -c $< -o $@

$(BOFF_RV).elf: $(BOFF_RV).o $(GUEST_LIB) $(GUEST_LDS) $(OE_LIB_RV) $(LIBFDT_RV)
	$(RV_CC) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB) $(OE_LIB_RV) $(LIBFDT_RV)

$(BOFF_RV).bin: $(BOFF_RV).elf $(GUEST_DIR)/mkimage.py
	$(PY) $(GUEST_DIR)/mkimage.py $< $@

bench-offload: deps-bench $(BOFF_HOST) $(BOFF_RV).bin
	$(BOFF_HOST) > $(BOFF_OUT)/host.csv
	timeout 900 qemu-system-riscv64 -M virt -cpu rv64,sstc=true -m 256M -nographic \
	  -monitor none -icount shift=0 -bios $(BOFF_FW) -kernel $(BOFF_RV).bin > $(BOFF_OUT)/rv.log
	$(PY) $(BOFF_DIR)/report.py $(BOFF_OUT)/host.csv $(BOFF_OUT)/rv.log \
	  $(BOFF_DIR)/results.md $(BOFF_DIR)/results.csv

BENCHES += offload
.PHONY: bench-offload
