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

