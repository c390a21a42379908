# Offload benchmark (`make bench-offload`, not part of `make test`): host
# throughput against DPDK, and the checksum's instructions per byte on
# riscv64 in QEMU. One run rewrites results.md and results.csv here.
#
# Each side is built as its own project builds it for release, and
# report.py prints the flags from the objects themselves (DW_AT_producer):
#   liboe  the project's own build of it (offload-engine/module.mk: -O3,
#          generic x86-64); the benchmark does not rebuild it.
#   DPDK   meson's default buildtype=release (-O3) with the -march its
#          pkg-config gives (Debian's platform=generic: corei7). DPDK's
#          inline functions (rte_raw_cksum, rte_ipv4_udptcp_cksum_mbuf, the
#          mbuf fast paths) are compiled in the benchmark's own files, so
#          those files take DPDK's flags; rte_gso_segment is rebuilt the
#          same way from Debian's source of the installed version, because
#          Debian's shared library is built -O2 (buildtype=plain).
BOFF_DIR  := bench/offload
BOFF_OUT  := $(B)/bench-offload
BOFF_HOST := $(BOFF_OUT)/bench-offload
BOFF_RV   := $(RVB)/bench-offload/rv_bench
# Deferred: pkg-config only runs when the benchmark is built.
BOFF_DPDK_CFLAGS = $(shell pkg-config --cflags libdpdk)
BOFF_DPDK_LIBS   = $(shell pkg-config --libs libdpdk)
BOFF_REF_CFLAGS  = -std=gnu11 -O3 -g -Wall -Wextra -Werror $(BOFF_DPDK_CFLAGS)
BOFF_FW   := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin
# Process runs of the host benchmark; report.py takes the median of each
# figure over them (each run is itself the median of 9 timed runs).
BOFF_REPEAT ?= 5

# DPDK's GSO library, from the Debian source package of the installed DPDK,
# with the flags lib/meson.build gives a library in a release build.
BOFF_GSO_SRC := $(SRC)/dpdk-gso
BOFF_GSO_LIB := $(BOFF_OUT)/gso/librte_gso.a
$(BOFF_GSO_SRC)/.unpacked: | deps-bench
	@scripts/debsrc.sh $(BOFF_GSO_SRC) dpdk:lib/gso
	@grep -q "_$$(pkg-config --modversion libdpdk)" $@ || { \
	  echo "bench-offload: $$(cat $@) is not the installed DPDK $$(pkg-config --modversion libdpdk)"; \
	  rm -f $@; exit 1; }

$(BOFF_GSO_LIB): $(BOFF_GSO_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@set -e; for f in $(BOFF_GSO_SRC)/*.c; do \
	  $(HOST_CC) -O3 -g -w -fPIC $(BOFF_DPDK_CFLAGS) -I$(BOFF_GSO_SRC) -D_GNU_SOURCE \
	    -DALLOW_EXPERIMENTAL_API -DALLOW_INTERNAL_API -DRTE_LOG_DEFAULT_LOGTYPE=lib.gso \
	    -c $$f -o $(dir $@)$$(basename $$f .c).o; done
	@rm -f $@; ar rcs $@ $(dir $@)*.o
	@echo "  AR      $@ (DPDK lib/gso, -O3)"

$(BOFF_HOST): $(wildcard $(BOFF_DIR)/*.c) $(BOFF_DIR)/bench.h $(OE_LIB_HOST) $(OE_HDRS) \
		$(BOFF_GSO_LIB) | deps-bench
	@mkdir -p $(dir $@)
	$(HOST_CC) $(BOFF_REF_CFLAGS) -I$(OE_INC) $(wildcard $(BOFF_DIR)/*.c) \
	  $(OE_LIB_HOST) $(BOFF_GSO_LIB) $(BOFF_DPDK_LIBS) -o $@

$(BOFF_RV).o: $(BOFF_DIR)/rv/rv_bench.c $(OE_HDRS) | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	$(RV_CC) $(GUEST_CFLAGS) -I$(OE_INC) -c $< -o $@

$(BOFF_RV).elf: $(BOFF_RV).o $(GUEST_LIB) $(GUEST_LDS) $(OE_LIB_RV) $(LIBFDT_RV)
	$(RV_CC) $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB) $(OE_LIB_RV) $(LIBFDT_RV)

$(BOFF_RV).bin: $(BOFF_RV).elf $(GUEST_DIR)/mkimage.py
	$(PY) $(GUEST_DIR)/mkimage.py $< $@

bench-offload: deps-bench $(BOFF_HOST) $(BOFF_RV).bin
	@rm -f $(BOFF_OUT)/host.csv
	@set -e; for i in $$(seq $(BOFF_REPEAT)); do \
	  echo "bench-offload: host run $$i of $(BOFF_REPEAT)"; \
	  $(BOFF_HOST) >> $(BOFF_OUT)/host.csv; done
	timeout 900 qemu-system-riscv64 -M virt -cpu rv64,sstc=true -m 256M -nographic \
	  -monitor none -icount shift=0 -bios $(BOFF_FW) -kernel $(BOFF_RV).bin > $(BOFF_OUT)/rv.log
	$(PY) $(BOFF_DIR)/report.py $(BOFF_OUT)/host.csv $(BOFF_OUT)/rv.log \
	  $(BOFF_DIR)/results.md $(BOFF_DIR)/results.csv $(OE_LIB_HOST) $(BOFF_HOST)

BENCHES += offload
.PHONY: bench-offload
