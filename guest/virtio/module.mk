# guest/virtio: the virtio-mmio + virtio-net driver every guest links, and
# the simulator's host test driver links too (same source, two builds).
GV_DIR	    := guest/virtio
GV_SRCS	    := $(wildcard $(GV_DIR)/*.c)
GV_HDRS	    := $(wildcard $(GV_DIR)/include/*.h offload-engine/include/*.h)
GV_INC	    := -I$(GV_DIR)/include -Ioffload-engine/include
$(eval $(call lib_rules,virtio,$(GV_SRCS),$(GV_INC),-ffreestanding))
GV_LIB_RV   := $(LIB_RV_virtio)
GV_LIB_HOST := $(LIB_HOST_virtio)
