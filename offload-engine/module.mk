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

# Tests three levels deep are not picked up by the top-level wildcard.
include tests/unit/offload/module.mk
