# Host unit tests of the hypervisor's pure logic (cmocka), built twice:
# plain and with ASan+UBSan ($(SAN_FLAGS)); suite `unit-hv` runs both, and
# the pytests of scripts/mkconfig.py (grammar, generated C + validator) and
# of the guest device trees (decompiled by dtc).
UHV_DIR   := tests/unit/hv
UHV_OUT   := $(HOSTB)/unit-hv
UHV_INC   := -I. -I$(UHV_OUT) -Iguest/virtio/include \
             -Ioffload-engine/include
UHV_TESTS := gstage insn_decode vm_config sbi_args vplic vf_regs vm_config_nic isa ns16550
uhv_src_gstage      := arch/riscv/gstage.c
uhv_src_insn_decode := arch/riscv/insn_decode.c
uhv_src_vm_config   := hv/core/vm_config.c
uhv_src_sbi_args    := hv/core/sbi_args.c
uhv_src_vplic       := hv/vdev/vplic.c
uhv_src_vf_regs     := nicif/vf_regs.c
uhv_src_vm_config_nic := hv/core/vm_config.c
uhv_src_isa         := arch/riscv/isa.c
uhv_src_ns16550     := platform/ns16550.c

# decoder oracle: encodings assembled by binutils from mem_insns.S
$(UHV_OUT)/mem_insns.h: $(UHV_DIR)/mem_insns.S
	@mkdir -p $(dir $@)
	@$(RV_CC) $(RV_ARCH) -c $< -o $(UHV_OUT)/mem_insns.o
	@$(RV_OBJCOPY) -O binary -j .text $(UHV_OUT)/mem_insns.o $(UHV_OUT)/mem_insns.bin
	@syms=$$($(CROSS)nm $(UHV_OUT)/mem_insns.o); \
	 off=$$(echo "$$syms" | awk '$$3=="reject_start"{print $$1}'); \
	 end=$$(echo "$$syms" | awk '$$3=="reject_end"{print $$1}'); \
	 $(PY) -c 'import sys; b=open(sys.argv[1],"rb").read(); \
print("/* generated from mem_insns.S by binutils */"); \
print("static const unsigned char mem_insns[] = {" + ",".join(str(x) for x in b) + "};"); \
print("static const unsigned long mem_insns_len = 0x%s;" % sys.argv[3]); \
print("static const unsigned long reject_offset = 0x%s;" % sys.argv[2])' \
	   $(UHV_OUT)/mem_insns.bin $$off $$end > $@

define uhv_rules
$(UHV_OUT)/test_$(1): $(UHV_DIR)/test_$(1).c $(uhv_src_$(1)) $(UHV_OUT)/mem_insns.h
	@mkdir -p $$(dir $$@)
	@$(HOST_CC) $(HOST_CFLAGS) $(UHV_INC) -o $$@ $(UHV_DIR)/test_$(1).c $(uhv_src_$(1)) -lcmocka
$(UHV_OUT)/test_$(1)-san: $(UHV_DIR)/test_$(1).c $(uhv_src_$(1)) $(UHV_OUT)/mem_insns.h
	@mkdir -p $$(dir $$@)
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UHV_INC) -o $$@ $(UHV_DIR)/test_$(1).c $(uhv_src_$(1)) -lcmocka
endef
$(foreach t,$(UHV_TESTS),$(eval $(call uhv_rules,$(t))))

UHV_BINS := $(foreach t,$(UHV_TESTS),$(UHV_OUT)/test_$(t) $(UHV_OUT)/test_$(t)-san)

# the guest DT writer, run by test_guest_fdt.py and checked with dtc
UHV_FDT_SRCS := hv/core/guest_fdt.c hv/core/vdev.c hv/vdev/vdev_fdt.c
$(UHV_OUT)/guest_fdt_gen: $(UHV_DIR)/guest_fdt_gen.c $(UHV_FDT_SRCS) $(LIBFDT_HOST)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UHV_INC) -I$(LIBFDT_INC) -o $@ \
		$(UHV_DIR)/guest_fdt_gen.c $(UHV_FDT_SRCS) $(LIBFDT_HOST)

# the hv's host-DT reader, run by test_host_fdt.py against fdtget
$(UHV_OUT)/host_fdt_dump: $(UHV_DIR)/host_fdt_dump.c platform/host_fdt.c arch/riscv/isa.c \
		$(LIBFDT_HOST)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UHV_INC) -I$(LIBFDT_INC) -o $@ \
		$(UHV_DIR)/host_fdt_dump.c platform/host_fdt.c arch/riscv/isa.c $(LIBFDT_HOST)

SUITES += unit-hv
test-unit-hv: $(UHV_BINS) $(UHV_OUT)/guest_fdt_gen $(UHV_OUT)/host_fdt_dump
	@pass=0; fail=0; \
	 for t in $(UHV_BINS); do \
	   if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	 done; \
	 if PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider $(UHV_DIR)/test_mkconfig.py $(UHV_DIR)/test_guest_fdt.py \
	      $(UHV_DIR)/test_host_fdt.py; \
	 then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: test_mkconfig.py test_guest_fdt.py test_host_fdt.py"; fi; \
	 echo "unit-hv test programs: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
.PHONY: test-unit-hv

# QEMU run of the MMIO/SBI test guest under the real hypervisor
$(RVB)/unit-hv/mmio_guest.bin: $(UHV_DIR)/mmio_guest.S
	@mkdir -p $(dir $@)
	@$(RV_CC) $(RV_ARCH) -nostdlib -static -Wl,-Ttext=0x80000000 -Wl,--no-warn-rwx-segments \
		-o $(@:.bin=.elf) $<
	@$(RV_OBJCOPY) -O binary $(@:.bin=.elf) $@
$(eval $(call hv_image_rules,test-mmio,$(UHV_DIR)/mmio.cfg))

SUITES += hv-mmio
test-hv-mmio: $(RVB)/hv/test-mmio/hv.bin deps-run
	@$(UHV_DIR)/test_mmio_qemu.sh $<
.PHONY: test-hv-mmio

# Guest-runtime images for tests/qemu/test_vf.py: the VF seen from a guest,
# and a stand-in NIC firmware answering the mailbox (and a mute one)
UHV_RV_CFLAGS := $(GUEST_CFLAGS) -I.
$(RVB)/unit-hv/vf_guest.o: $(UHV_DIR)/vf_guest.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -c $< -o $@
$(RVB)/unit-hv/fake_nic.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -c $< -o $@
$(RVB)/unit-hv/fake_nic_mute.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_MUTE -c $< -o $@
$(RVB)/unit-hv/fake_nic_intrude.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_INTRUDE -c $< -o $@
$(RVB)/unit-hv/fake_nic_badseq.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_BADSEQ -c $< -o $@
$(RVB)/unit-hv/fake_nic_late.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_LATE -c $< -o $@
$(RVB)/unit-hv/fake_nic_slow.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_SLOW -c $< -o $@
$(RVB)/unit-hv/fake_nic_inplace.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_INPLACE -c $< -o $@
$(RVB)/unit-hv/fake_nic_restart.o: $(UHV_DIR)/fake_nic.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(UHV_RV_CFLAGS) -DFAKE_NIC_RESTART -c $< -o $@
$(RVB)/unit-hv/%.elf: $(RVB)/unit-hv/%.o $(LIB_RV_nicif) $(GUEST_LIB) $(GUEST_LDS) $(LIBFDT_RV)
	@$(RV_CC) $(GUEST_LDFLAGS) -o $@ $< $(LIB_RV_nicif) $(GUEST_LIB) $(LIBFDT_RV)
UHV_RV_IMAGES := $(addprefix $(RVB)/unit-hv/,vf_guest.bin fake_nic.bin fake_nic_mute.bin \
                   fake_nic_intrude.bin fake_nic_badseq.bin fake_nic_late.bin \
                   fake_nic_restart.bin fake_nic_slow.bin fake_nic_inplace.bin)
$(UHV_RV_IMAGES): $(RVB)/unit-hv/%.bin: $(RVB)/unit-hv/%.elf $(GUEST_DIR)/mkimage.py
	@$(PY) $(GUEST_DIR)/mkimage.py $< $@
ALL += $(UHV_RV_IMAGES)
