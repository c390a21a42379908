# Host unit tests of the hypervisor side (cmocka), one test per source
# file, beside its path: tests/arch/riscv/test_gstage.c tests
# arch/riscv/gstage.c. Built twice, plain and with ASan+UBSan ($(SAN_FLAGS));
# suite `unit-hv` runs both, and the pytests of scripts/mkconfig.py (grammar,
# generated C + validator, the grammar on mutated configs), of the guest
# device trees (decompiled by dtc) and of the host device-tree reader
# (against fdtget).
UHV_OUT   := $(HOSTB)/tests
UHV_INC   := -I. -I$(UHV_OUT) -Iguest/virtio/include -Ioffload-engine/include
# test name (its path under tests/, test_ prefix dropped) and what it links
UHV_TESTS := arch/riscv/gstage arch/riscv/insn_decode arch/riscv/isa arch/riscv/vsstage \
             arch/riscv/vstrap platform/ns16550 nicif/vf_regs nicif/vf_param nicif/shm_hv hv/core/vm_config \
             hv/core/vm_config_nic hv/core/sbi_args hv/core/vdev hv/core/spinlock \
             hv/core/console_filter hv/core/tbucket hv/vdev/vplic hv/vdev/vuart hv/vdev/vimsic \
             hv/nic/port_guard \
             hv/mgmt/mgmt_input
uhv_src_arch/riscv/gstage      := arch/riscv/gstage.c
uhv_src_arch/riscv/insn_decode := arch/riscv/insn_decode.c
uhv_src_arch/riscv/isa         := arch/riscv/isa.c
uhv_src_arch/riscv/vsstage     := arch/riscv/vsstage.c
uhv_src_arch/riscv/vstrap      := arch/riscv/vstrap.c
uhv_src_platform/ns16550       := platform/ns16550.c
uhv_src_nicif/vf_regs          := nicif/vf_regs.c
uhv_src_nicif/vf_param         := nicif/vf_param.c
uhv_src_nicif/shm_hv           := nicif/shm_hv.c nicif/shm_nic.c
uhv_src_hv/core/vm_config      := hv/core/vm_config.c nicif/vf_param.c
uhv_src_hv/core/vm_config_nic  := hv/core/vm_config.c nicif/vf_param.c
uhv_src_hv/core/sbi_args       := hv/core/sbi_args.c
uhv_src_hv/core/vdev           := hv/core/vdev.c
uhv_src_hv/vdev/vplic          := hv/vdev/vplic.c
uhv_src_hv/vdev/vuart          := hv/vdev/vuart.c
uhv_src_hv/vdev/vimsic         := hv/vdev/vimsic.c hv/core/vm_config.c nicif/vf_param.c \
                                  arch/riscv/gstage.c
uhv_src_hv/mgmt/mgmt_input     := hv/mgmt/mgmt_input.c
uhv_src_hv/core/spinlock       :=
uhv_src_hv/core/console_filter := hv/core/console_filter.c
uhv_src_hv/core/tbucket        := hv/core/tbucket.c
uhv_src_hv/nic/port_guard      := hv/nic/port_guard.c
uhv_lib_nicif/shm_hv           := -lpthread
uhv_lib_hv/core/spinlock       := -lpthread

# decoder oracle: encodings assembled by binutils from mem_insns.S
$(UHV_OUT)/mem_insns.h: tests/arch/riscv/mem_insns.S
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

# each test program is one compile of several files: it depends on every
# header of the hypervisor side (a header change rebuilds them all)
UHV_HDRS := $(wildcard common/*.h arch/riscv/*.h platform/*.h nicif/*.h hv/*/*.h \
              guest/virtio/include/*.h offload-engine/include/*.h tests/*/*.h tests/*/*/*.h)
uhv_bin = $(UHV_OUT)/$(dir $(1))test_$(notdir $(1))
uhv_c   = tests/$(dir $(1))test_$(notdir $(1)).c
define uhv_rules
$(call uhv_bin,$(1)): $(call uhv_c,$(1)) $(uhv_src_$(1)) $(UHV_HDRS) $(UHV_OUT)/mem_insns.h
	@mkdir -p $$(dir $$@)
	@$(HOST_CC) $(HOST_CFLAGS) $(UHV_INC) -I$$(dir $$<) -o $$@ $$< $(uhv_src_$(1)) -lcmocka $(uhv_lib_$(1))
$(call uhv_bin,$(1))-san: $(call uhv_c,$(1)) $(uhv_src_$(1)) $(UHV_HDRS) $(UHV_OUT)/mem_insns.h
	@mkdir -p $$(dir $$@)
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UHV_INC) -I$$(dir $$<) -o $$@ $$< $(uhv_src_$(1)) -lcmocka $(uhv_lib_$(1))
endef
$(foreach t,$(UHV_TESTS),$(eval $(call uhv_rules,$(t))))

UHV_BINS := $(foreach t,$(UHV_TESTS),$(call uhv_bin,$(t)) $(call uhv_bin,$(t))-san)

# the guest DT writer, run by test_guest_fdt.py and checked with dtc
UHV_FDT_SRCS := hv/core/guest_fdt.c hv/core/vdev.c hv/vdev/vdev_fdt.c hv/vdev/vimsic.c \
                arch/riscv/gstage.c
$(UHV_OUT)/hv/core/guest_fdt_gen: tests/hv/core/guest_fdt_gen.c $(UHV_FDT_SRCS) $(UHV_HDRS) $(LIBFDT_HOST)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UHV_INC) -I$(LIBFDT_INC) -o $@ \
		tests/hv/core/guest_fdt_gen.c $(UHV_FDT_SRCS) $(LIBFDT_HOST)

# the hv's host-DT reader, run by test_host_fdt.py against fdtget
$(UHV_OUT)/platform/host_fdt_dump: tests/platform/host_fdt_dump.c platform/host_fdt.c arch/riscv/isa.c $(UHV_HDRS) \
		$(LIBFDT_HOST)
	@mkdir -p $(dir $@)
	@$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UHV_INC) -I$(LIBFDT_INC) -o $@ \
		tests/platform/host_fdt_dump.c platform/host_fdt.c arch/riscv/isa.c $(LIBFDT_HOST)

SUITES += unit-hv
test-unit-hv: $(UHV_BINS) $(UHV_OUT)/hv/core/guest_fdt_gen $(UHV_OUT)/platform/host_fdt_dump
	@pass=0; fail=0; \
	 for t in $(UHV_BINS); do \
	   if $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: $$t"; fi; \
	 done; \
	 if PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider tests/hv/core/test_mkconfig.py \
	      tests/hv/core/test_mkconfig_fuzz.py tests/hv/core/test_guest_fdt.py tests/platform/test_host_fdt.py; \
	 then pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAILED: test_mkconfig.py test_mkconfig_fuzz.py test_guest_fdt.py test_host_fdt.py"; fi; \
	 echo "unit-hv test programs: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
.PHONY: test-unit-hv


# libFuzzer targets (clang) of the hypervisor's guest- and NIC-facing
# parsers and state machines, each beside its unit test and checking
# invariants, not only that nothing crashes (the harnesses say which).
# `make fuzz-<name>` runs one for FUZZ_SECONDS (or until FUZZ_RUNS
# executions, when given) on a working corpus in build/host/fuzz/hv/<name>/,
# seeded by tests/hv/fuzz_seeds.py; the fuzz-short suite runs every FUZZERS
# entry for a few seconds.
HVFZ_OUT   := $(HOSTB)/fuzz/hv
HVFZ_FLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
              -fno-sanitize-recover=all $(UHV_INC) -Itests/hv
# $(1) name, $(2) harness, $(3) the sources it drives, $(4) extra flags
define hvfz_rules
FUZZERS += $(1)
$(HVFZ_OUT)/$(1)/fuzz: $(2) $(3) $(UHV_HDRS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZ    $$@"
	@clang $(HVFZ_FLAGS) -I$(dir $(2)) $(4) -o $$@ $(2) $(3)
.PHONY: fuzz-$(1)
fuzz-$(1): $(HVFZ_OUT)/$(1)/fuzz tests/hv/fuzz_seeds.py $(UHV_OUT)/mem_insns.h
	@mkdir -p $(HVFZ_OUT)/$(1)/corpus $(HVFZ_OUT)/$(1)/artifacts
	@$(PY) tests/hv/fuzz_seeds.py $(1) $(HVFZ_OUT)/$(1)/seeds $(UHV_OUT)/mem_insns.bin
	$(HVFZ_OUT)/$(1)/fuzz $$(FUZZ_RUN) \
	  -max_len=4096 \
	  -artifact_prefix=$(HVFZ_OUT)/$(1)/artifacts/ $(HVFZ_OUT)/$(1)/corpus $(HVFZ_OUT)/$(1)/seeds
endef
$(eval $(call hvfz_rules,insn-decode,tests/arch/riscv/fuzz_insn_decode.c,arch/riscv/insn_decode.c))
$(eval $(call hvfz_rules,mmio,tests/hv/core/fuzz_mmio.c,hv/core/mmio.c arch/riscv/insn_decode.c arch/riscv/vsstage.c,-Itests/arch/riscv))
$(eval $(call hvfz_rules,sbi-args,tests/hv/core/fuzz_sbi_args.c,hv/core/sbi_args.c))
$(eval $(call hvfz_rules,vplic,tests/hv/vdev/fuzz_vplic.c,hv/vdev/vplic.c))
$(eval $(call hvfz_rules,vf-regs,tests/nicif/fuzz_vf_regs.c,nicif/vf_regs.c))
$(eval $(call hvfz_rules,shm-hv,tests/nicif/fuzz_shm_hv.c,nicif/shm_hv.c))
$(eval $(call hvfz_rules,vm-config,tests/hv/core/fuzz_vm_config.c,hv/core/vm_config.c nicif/vf_param.c))
# the SBI server with its CSR accessors, firmware calls, console and vCPU
# lifecycle faked (fuzz_host_csr.h)
$(eval $(call hvfz_rules,sbi-server,tests/hv/core/fuzz_sbi_server.c,hv/core/sbi_server.c hv/core/sbi_args.c hv/core/trap_stats.c,-include tests/hv/core/fuzz_host_csr.h))
