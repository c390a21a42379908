# vfdrv: a simulated guest (guest/virtio's driver on the host) bridging a
# nicsim VF to a TAP device.
VD_DIR	:= sim/vfdrv
VD_BIN	:= $(HOSTB)/bin/vfdrv
VD_SRCS := $(wildcard $(VD_DIR)/*.c)

$(VD_BIN): $(VD_SRCS) $(wildcard $(VD_DIR)/*.h sim/include/*.h) $(GV_HDRS) $(GV_LIB_HOST)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(GV_INC) -I$(VD_DIR) -Isim/include \
	  $(VD_SRCS) $(GV_LIB_HOST) -o $@

TOOLS += $(VD_BIN)
