# offload-engine: freestanding library, built for riscv64 (firmware), the
# host (tools, benchmarks) and the host with ASan/UBSan (unit tests).
OE_DIR	    := offload-engine
OE_INC	    := $(OE_DIR)/include
OE_SRCS	    := $(wildcard $(OE_DIR)/src/*.c)
OE_HDRS	    := $(wildcard $(OE_INC)/*.h)
# -O3 lets the checksum loop vectorize where the target has vectors.
OE_OPT	    := -O3 -I$(OE_INC)

$(eval $(call lib_rules,oe,$(OE_SRCS),$(OE_OPT),-ffreestanding -fPIC))
OE_LIB_RV   := $(LIB_RV_oe)
OE_LIB_HOST := $(LIB_HOST_oe)
OE_LIB_SAN  := $(LIB_SAN_oe)

# libFuzzer targets (clang): the library sources are built into each fuzzer
# so coverage guides it. `make fuzz-oe-<x>` runs for FUZZ_SECONDS on a working
# corpus under build/ seeded from the committed offload-engine/fuzz/seeds/<x>.
FUZZ_SECONDS ?= 60
OE_FUZZ_CC   := clang
OE_FUZZ_FLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -I$(OE_INC) \
		 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
OE_FUZZ_NAMES := rx tx gso
OE_FUZZ_OUT  := $(HOSTB)/fuzz/offload-engine

$(OE_FUZZ_OUT)/fuzz_%: $(OE_DIR)/fuzz/fuzz_%.c $(OE_SRCS) $(OE_HDRS) $(wildcard $(OE_DIR)/src/*.h)
	@mkdir -p $(dir $@)
	$(OE_FUZZ_CC) $(OE_FUZZ_FLAGS) -I$(OE_DIR)/src $< $(OE_SRCS) -o $@

# The GSO fuzzer needs room for real super-frames.
OE_FUZZ_MAXLEN_rx  := 4096
OE_FUZZ_MAXLEN_tx  := 4096
OE_FUZZ_MAXLEN_gso := 16384

define oe_fuzz_rule
FUZZERS += oe-$(1)
.PHONY: fuzz-oe-$(1)
fuzz-oe-$(1): $(OE_FUZZ_OUT)/fuzz_$(1)
	@mkdir -p $(OE_FUZZ_OUT)/corpus-$(1) $(OE_FUZZ_OUT)/artifacts-$(1)
	$(OE_FUZZ_OUT)/fuzz_$(1) -max_total_time=$$(FUZZ_SECONDS) -max_len=$(OE_FUZZ_MAXLEN_$(1)) \
		-print_final_stats=1 -artifact_prefix=$(OE_FUZZ_OUT)/artifacts-$(1)/ \
		$(OE_FUZZ_OUT)/corpus-$(1) $(OE_DIR)/fuzz/seeds/$(1)
endef
$(foreach f,$(OE_FUZZ_NAMES),$(eval $(call oe_fuzz_rule,$(f))))

# Suite for `make test`: every registered fuzzer for FUZZ_SHORT seconds.
FUZZ_SHORT ?= 10
SUITES += fuzz-short
.PHONY: test-fuzz-short
test-fuzz-short:
	@pass=0; fail=0; for f in $(FUZZERS); do \
	  if $(MAKE) --no-print-directory fuzz-$$f FUZZ_SECONDS=$(FUZZ_SHORT) >$(B)/fuzz-short-$$f.log 2>&1; \
	  then pass=$$((pass+1)); echo "fuzz-$$f: ok ($$(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' $(B)/fuzz-short-$$f.log | grep -o '[0-9]*$$') runs)"; \
	  else fail=$$((fail+1)); echo "fuzz-$$f: FAILED"; tail -30 $(B)/fuzz-short-$$f.log; fi; \
	done; echo "$$pass passed, $$fail failed"; [ $$fail -eq 0 ]

