# nicfw: the NIC core's image on QEMU (issue 5) -> $(RVB)/apps/nicfw.bin,
# the image the hypervisor loads for `nic ... image=nicfw`. The firmware
# library (nic-firmware/), the engines, guest/virtio's driver (the physical
# port) and the guest runtime (boot, console, timer, relocation), with the
# qemu HAL backend of this folder. guest/module.mk's pattern rule turns the
# .elf into the relocatable .bin.
NQ_DIR	  := nic-firmware/qemu
NQ_SRCS	  := $(wildcard $(NQ_DIR)/*.c)
# hv/vf_regs.c: the self-test's VF registers are the hypervisor's model
NQ_OBJS	  := $(patsubst $(NQ_DIR)/%.c,$(RVB)/nicfw/%.o,$(NQ_SRCS)) $(RVB)/nicfw/vf_regs.o
NQ_ELF	  := $(RVB)/apps/nicfw.elf
NQ_CFLAGS := $(GUEST_CFLAGS) $(NF_INC) -I$(NQ_DIR) -Ihv

$(RVB)/nicfw/%.o: $(NQ_DIR)/%.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(RV_CC) $(NQ_CFLAGS) -c $< -o $@

$(RVB)/nicfw/vf_regs.o: hv/vf_regs.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(RV_CC) $(NQ_CFLAGS) -c $< -o $@

$(NQ_ELF): $(NQ_OBJS) $(NF_LIB_RV) $(OE_LIB_RV) $(GV_LIB_RV) $(GUEST_LIB) $(GUEST_LDS) $(LIBFDT_RV)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(RV_CC) $(GUEST_LDFLAGS) -o $@ $(NQ_OBJS) $(NF_LIB_RV) $(OE_LIB_RV) $(GV_LIB_RV) \
	  $(GUEST_LIB) $(LIBFDT_RV)

-include $(NQ_OBJS:.o=.d)
ALL += $(RVB)/apps/nicfw.bin
