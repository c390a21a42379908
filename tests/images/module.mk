# QEMU test images (guest-runtime and bare programs the QEMU suites boot
# under the real hypervisor) -> $(RVB)/test-images/.
# QEMU run of the MMIO/SBI test guest under the real hypervisor
$(RVB)/test-images/mmio_guest.bin: tests/images/mmio_guest.S
	@mkdir -p $(dir $@)
	@$(RV_CC) $(RV_ARCH) -nostdlib -static -Wl,-Ttext=0x80000000 -Wl,--no-warn-rwx-segments \
		-o $(@:.bin=.elf) $<
	@$(RV_OBJCOPY) -O binary $(@:.bin=.elf) $@
$(eval $(call hv_image_rules,test-mmio,tests/images/mmio.cfg))

SUITES += hv-mmio
test-hv-mmio: $(B)/$(BOARD)/test-mmio/hv.bin deps-run
	@tests/images/test_mmio_qemu.sh $<
.PHONY: test-hv-mmio

# Guest-runtime images for tests/qemu/test_vf.py: the VF seen from a guest,
# and a stand-in NIC firmware answering the mailbox (and a mute one)
TIMG_CFLAGS := $(GUEST_CFLAGS) -Iguest/virtio/include -Ioffload-engine/include
$(RVB)/test-images/vf_guest.o: tests/images/vf_guest.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -c $< -o $@
# the stand-in NIC: one source, a variant per behaviour (fake_nic.c says
# what each does)
TIMG_FAKE_NICS := fake_nic fake_nic_mute fake_nic_intrude fake_nic_badseq fake_nic_late \
                  fake_nic_slow fake_nic_inplace fake_nic_restart fake_nic_port_tx fake_nic_port_rx
define timg_fake_nic
$(RVB)/test-images/$(1).o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $$(dir $$@)
	@$(RV_CC) $(TIMG_CFLAGS) $(if $(filter-out fake_nic,$(1)),-D$(shell echo $(1) | tr a-z A-Z)) \
		-c $$< -o $$@
endef
$(foreach v,$(TIMG_FAKE_NICS),$(eval $(call timg_fake_nic,$(v))))
$(RVB)/test-images/%.elf: $(RVB)/test-images/%.o $(LIB_RV_nicif) $(GUEST_LIB) $(GUEST_LDS) $(LIBFDT_RV)
	@$(RV_CC) $(GUEST_LDFLAGS) -o $@ $< $(LIB_RV_nicif) $(GUEST_LIB) $(LIBFDT_RV)
TIMG_IMAGES := $(addprefix $(RVB)/test-images/,vf_guest.bin $(addsuffix .bin,$(TIMG_FAKE_NICS)))
$(TIMG_IMAGES): $(RVB)/test-images/%.bin: $(RVB)/test-images/%.elf $(GUEST_DIR)/mkimage.py
	@$(PY) $(GUEST_DIR)/mkimage.py $< $@
ALL += $(TIMG_IMAGES)
-include $(wildcard $(RVB)/test-images/*.d)
