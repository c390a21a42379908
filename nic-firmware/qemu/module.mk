# nicfw: the NIC core's image on QEMU (issue 5) -> $(RVB)/apps/nicfw.bin,
# the image the hypervisor loads for `nic ... image=nicfw`. The firmware
# library (nic-firmware/), the engines, guest/virtio's driver (the physical
# port) and the guest runtime (boot, console, timer, relocation), with the
# qemu HAL backend of this folder. guest/module.mk's pattern rule turns the
# .elf into the relocatable .bin.
NQ_DIR	  := nic-firmware/qemu
NQ_SRCS	  := $(wildcard $(NQ_DIR)/*.c)
NQ_OBJS	  := $(patsubst $(NQ_DIR)/%.c,$(RVB)/nicfw/%.o,$(NQ_SRCS))
NQ_ELF	  := $(RVB)/apps/nicfw.elf
NQ_CFLAGS := $(GUEST_CFLAGS) $(NF_INC)

$(RVB)/nicfw/%.o: $(NQ_DIR)/%.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(RV_CC) $(NQ_CFLAGS) -c $< -o $@

$(NQ_ELF): $(NQ_OBJS) $(NF_LIB_RV) $(LIB_RV_nicif) $(OE_LIB_RV) $(GV_LIB_RV) $(GUEST_LIB) $(GUEST_LDS) $(LIBFDT_RV)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(RV_CC) $(GUEST_LDFLAGS) -o $@ $(NQ_OBJS) $(NF_LIB_RV) $(LIB_RV_nicif) $(OE_LIB_RV) $(GV_LIB_RV) \
	  $(GUEST_LIB) $(LIBFDT_RV)

-include $(NQ_OBJS:.o=.d)
# libnicif: the contract (shared page, counters) and, for the self-test,
# the VF register model the hypervisor uses
ALL += $(RVB)/apps/nicfw.bin
