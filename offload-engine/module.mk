# offload-engine: freestanding library, built for riscv64 (firmware), the
# host (tools, benchmarks) and the host with ASan/UBSan (unit tests).
OE_DIR	    := offload-engine
OE_INC	    := $(OE_DIR)/include
OE_SRCS	    := $(wildcard $(OE_DIR)/src/*.c)
OE_HDRS	    := $(wildcard $(OE_INC)/*.h)
OE_LIB_RV   := $(RVB)/offload-engine/liboe.a
OE_LIB_HOST := $(HOSTB)/offload-engine/liboe.a
OE_LIB_SAN  := $(HOSTB)/offload-engine-san/liboe.a
# -O3 lets the checksum loop vectorize where the target has vectors.
OE_OPT	    := -O3 -I$(OE_INC)

OE_OBJS_RV   := $(patsubst $(OE_DIR)/src/%.c,$(RVB)/offload-engine/%.o,$(OE_SRCS))
OE_OBJS_HOST := $(patsubst $(OE_DIR)/src/%.c,$(HOSTB)/offload-engine/%.o,$(OE_SRCS))
OE_OBJS_SAN  := $(patsubst $(OE_DIR)/src/%.c,$(HOSTB)/offload-engine-san/%.o,$(OE_SRCS))

$(RVB)/offload-engine/%.o: $(OE_DIR)/src/%.c $(OE_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) $(OE_OPT) -c $< -o $@

$(HOSTB)/offload-engine/%.o: $(OE_DIR)/src/%.c $(OE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -ffreestanding -fPIC $(OE_OPT) -c $< -o $@

$(HOSTB)/offload-engine-san/%.o: $(OE_DIR)/src/%.c $(OE_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -ffreestanding $(SAN_FLAGS) $(OE_OPT) -c $< -o $@

$(OE_LIB_RV): $(OE_OBJS_RV)
	@rm -f $@
	$(RV_AR) rcs $@ $^

$(OE_LIB_HOST): $(OE_OBJS_HOST)
	@rm -f $@
	ar rcs $@ $^

$(OE_LIB_SAN): $(OE_OBJS_SAN)
	@rm -f $@
	ar rcs $@ $^

ALL += $(OE_LIB_RV) $(OE_LIB_HOST) $(OE_LIB_SAN)

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

# Tests three levels deep are not picked up by the top-level wildcard.
include tests/unit/offload/module.mk
