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
TIMG_CFLAGS := $(GUEST_CFLAGS) -I.
$(RVB)/test-images/vf_guest.o: tests/images/vf_guest.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -c $< -o $@
$(RVB)/test-images/fake_nic.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -c $< -o $@
$(RVB)/test-images/fake_nic_mute.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_MUTE -c $< -o $@
$(RVB)/test-images/fake_nic_intrude.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_INTRUDE -c $< -o $@
$(RVB)/test-images/fake_nic_badseq.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_BADSEQ -c $< -o $@
$(RVB)/test-images/fake_nic_late.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_LATE -c $< -o $@
$(RVB)/test-images/fake_nic_slow.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_SLOW -c $< -o $@
$(RVB)/test-images/fake_nic_inplace.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_INPLACE -c $< -o $@
$(RVB)/test-images/fake_nic_restart.o: tests/images/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(TIMG_CFLAGS) -DFAKE_NIC_RESTART -c $< -o $@
$(RVB)/test-images/%.elf: $(RVB)/test-images/%.o $(LIB_RV_nicif) $(GUEST_LIB) $(GUEST_LDS) $(LIBFDT_RV)
	@$(RV_CC) $(GUEST_LDFLAGS) -o $@ $< $(LIB_RV_nicif) $(GUEST_LIB) $(LIBFDT_RV)
TIMG_IMAGES := $(addprefix $(RVB)/test-images/,vf_guest.bin fake_nic.bin fake_nic_mute.bin \
                   fake_nic_intrude.bin fake_nic_badseq.bin fake_nic_late.bin \
                   fake_nic_restart.bin fake_nic_slow.bin fake_nic_inplace.bin)
$(TIMG_IMAGES): $(RVB)/test-images/%.bin: $(RVB)/test-images/%.elf $(GUEST_DIR)/mkimage.py
	@$(PY) $(GUEST_DIR)/mkimage.py $< $@
ALL += $(TIMG_IMAGES)
