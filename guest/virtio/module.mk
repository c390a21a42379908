# guest/virtio: the virtio-mmio + virtio-net driver every guest links, and
# the simulator's host test driver links too (same source, two builds).
GV_DIR	    := guest/virtio
GV_SRCS	    := $(wildcard $(GV_DIR)/*.c)
GV_HDRS	    := $(wildcard $(GV_DIR)/include/*.h offload-engine/include/*.h)
GV_INC	    := -I$(GV_DIR)/include -Ioffload-engine/include
GV_LIB_RV   := $(RVB)/guest-virtio/libvirtio.a
GV_LIB_HOST := $(HOSTB)/guest-virtio/libvirtio.a

$(RVB)/guest-virtio/%.o: $(GV_DIR)/%.c $(GV_HDRS)
	@mkdir -p $(dir $@)
	$(RV_CC) $(RV_CFLAGS) $(GV_INC) -c $< -o $@
$(HOSTB)/guest-virtio/%.o: $(GV_DIR)/%.c $(GV_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -ffreestanding $(GV_INC) -c $< -o $@

$(GV_LIB_RV): $(patsubst $(GV_DIR)/%.c,$(RVB)/guest-virtio/%.o,$(GV_SRCS))
	@rm -f $@
	$(RV_AR) rcs $@ $^
$(GV_LIB_HOST): $(patsubst $(GV_DIR)/%.c,$(HOSTB)/guest-virtio/%.o,$(GV_SRCS))
	@rm -f $@
	ar rcs $@ $^

ALL += $(GV_LIB_RV) $(GV_LIB_HOST)
