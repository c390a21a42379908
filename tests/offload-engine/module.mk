# Unit tests of the offload engines (cmocka), built twice: plain and with
# ASan/UBSan against the sanitized library. Suite: unit-offload (both).
OET_DIR  := tests/offload-engine
OET_SRCS := $(wildcard $(OET_DIR)/*.c)
OET_BIN	 := $(HOSTB)/tests/offload/test_offload
OET_SAN	 := $(HOSTB)/tests/offload/test_offload_san
OET_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I$(OE_INC) -I$(OET_DIR)

$(OET_BIN): $(OET_SRCS) $(wildcard $(OET_DIR)/*.h) $(OE_LIB_HOST)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(OET_CFLAGS) $(OET_SRCS) $(OE_LIB_HOST) -lcmocka -o $@

$(OET_SAN): $(OET_SRCS) $(wildcard $(OET_DIR)/*.h) $(OE_LIB_SAN)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(OET_CFLAGS) $(SAN_FLAGS) $(OET_SRCS) $(OE_LIB_SAN) -lcmocka -o $@

SUITES += unit-offload
.PHONY: test-unit-offload
test-unit-offload: $(OET_BIN) $(OET_SAN)
	@echo "--- offload unit tests (plain)"
	@$(OET_BIN)
	@echo "--- offload unit tests (ASan/UBSan)"
	@$(OET_SAN)

# The riscv64 library (the NIC core's build) on QEMU: a guest/ runtime app
# started by OpenSBI. Suite: unit-offload-rv.
OET_RV	   := $(RVB)/tests/offload/rv_selftest
OET_RV_OBJ := $(RVB)/tests/offload/rv
OET_RV_FW  := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin

$(OET_RV_OBJ)/%.o: $(OET_DIR)/%.c $(OET_DIR)/frames.h $(OE_HDRS) | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	$(RV_CC) $(GUEST_CFLAGS) -I$(OE_INC) -I$(OET_DIR) -c $< -o $@

$(OET_RV).elf: $(OET_RV_OBJ)/rv/rv_selftest.o $(OET_RV_OBJ)/frames.o $(GUEST_LIB) $(GUEST_LDS) \
		$(OE_LIB_RV) $(LIBFDT_RV)
	$(RV_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^) $(GUEST_LIB) $(OE_LIB_RV) $(LIBFDT_RV)

# RSC's reference (rsc_model.c, rsc_stream.c) runs there too.
$(OET_RV).elf: $(OET_RV_OBJ)/rsc_model.o $(OET_RV_OBJ)/rsc_stream.o
$(OET_RV_OBJ)/rsc_model.o $(OET_RV_OBJ)/rsc_stream.o $(OET_RV_OBJ)/rv/rv_selftest.o: \
	$(OET_DIR)/rsc_model.h

$(OET_RV).bin: $(OET_RV).elf $(GUEST_DIR)/mkimage.py
	$(PY) $(GUEST_DIR)/mkimage.py $< $@

SUITES += unit-offload-rv
.PHONY: test-unit-offload-rv
test-unit-offload-rv: $(OET_RV).bin
	@timeout 300 qemu-system-riscv64 -M virt -cpu rv64,sstc=true -m 256M -nographic \
	  -monitor none -bios $(OET_RV_FW) -kernel $< > $(OET_RV).log 2>&1; \
	grep "rv-selftest" $(OET_RV).log; \
	grep -q "rv-selftest: [0-9]* passed, 0 failed" $(OET_RV).log

# RSC super-frames checked by scapy: scapy's TCP streams through a small
# driver over the ASan/UBSan library (tests/offload-engine/scapy/).
# Suite: unit-offload-scapy.
OET_RSC_PCAP := $(HOSTB)/tests/offload/rsc_pcap
$(OET_RSC_PCAP): $(OET_DIR)/scapy/rsc_pcap.c $(OE_HDRS) $(OE_LIB_SAN)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(OET_CFLAGS) $(SAN_FLAGS) $< $(OE_LIB_SAN) -o $@

SUITES += unit-offload-scapy
.PHONY: test-unit-offload-scapy
test-unit-offload-scapy: $(OET_RSC_PCAP)
	@RSC_PCAP=$(OET_RSC_PCAP) PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider \
	  $(OET_DIR)/scapy

# libFuzzer targets (clang): the library sources are built into each fuzzer
# so coverage guides it. `make fuzz-oe-<x>` runs for FUZZ_SECONDS on a working
# corpus under build/ seeded from the committed tests/offload-engine/fuzz/seeds/<x>.
OE_FUZZ_CC   := clang
OE_FUZZ_FLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I$(OE_INC) \
		 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
OE_FUZZ_NAMES := rx tx gso
OE_FUZZ_OUT  := $(HOSTB)/fuzz/offload-engine

$(OE_FUZZ_OUT)/fuzz_%: tests/offload-engine/fuzz/fuzz_%.c $(OE_SRCS) $(OE_HDRS) $(wildcard $(OE_DIR)/src/*.h)
	@mkdir -p $(dir $@)
	$(OE_FUZZ_CC) $(OE_FUZZ_FLAGS) -I$(OE_DIR)/src $< $(OE_SRCS) -o $@

# The GSO fuzzer needs room for real super-frames.
OE_FUZZ_MAXLEN_rx  := 4096
OE_FUZZ_MAXLEN_tx  := 4096
OE_FUZZ_MAXLEN_gso := 16384
# RSC: a stream of frames described by records (tests/offload-engine/fuzz/fuzz_rsc.c).
OE_FUZZ_NAMES += rsc
OE_FUZZ_MAXLEN_rsc := 8192

define oe_fuzz_rule
FUZZERS += oe-$(1)
.PHONY: fuzz-oe-$(1)
fuzz-oe-$(1): $(OE_FUZZ_OUT)/fuzz_$(1)
	@mkdir -p $(OE_FUZZ_OUT)/corpus-$(1) $(OE_FUZZ_OUT)/artifacts-$(1)
	$(OE_FUZZ_OUT)/fuzz_$(1) $$(FUZZ_RUN) -max_len=$(OE_FUZZ_MAXLEN_$(1)) \
		-artifact_prefix=$(OE_FUZZ_OUT)/artifacts-$(1)/ \
		$(OE_FUZZ_OUT)/corpus-$(1) tests/offload-engine/fuzz/seeds/$(1)
endef
$(foreach f,$(OE_FUZZ_NAMES),$(eval $(call oe_fuzz_rule,$(f))))

