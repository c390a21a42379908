# OpenSBI 1.1 fw_payload (generic platform) with the hypervisor as payload,
# built from Debian source into the build tree: Debian's opensbi binary
# package ships only fw_jump/fw_dynamic. The opensbi source package comes
# first; QEMU 7.2's source package carries the same OpenSBI 1.1 tree
# (roms/opensbi) for mirrors without the opensbi orig tarball.
#
#   make opensbi-payload OSBI_OUT=dir OSBI_PAYLOAD=hv.bin [OSBI_FDT=board.dtb]
#     -> dir/fw_payload.bin, dir/fw_payload.elf (board/image.mk calls it);
#        OpenSBI's objects in OSBI_BUILD, one folder for every board: only
#        fw_payload.o (payload + tree) differs between them and is rebuilt
#        each time, so a second board costs a relink, not a build; flock
#        keeps two `make image` runs from sharing the folder at once
#
# OSBI_FDT embeds a device tree (FW_FDT_PATH) for boards whose boot ROM
# passes none the hypervisor can use; without it fw_payload hands on the
# tree it was given in a1 (QEMU's, or the boot ROM's).
OSBI_SRC := $(SRC)/opensbi
OSBI_BUILD ?= $(B)/opensbi

$(OSBI_SRC)/.unpacked:
	@scripts/debsrc.sh $(OSBI_SRC) opensbi qemu:roms/opensbi

# The hypervisor is linked at 0x80200000 (arch/riscv/hv.ld) and fw_payload
# starts at FW_TEXT_START 0x80000000: the payload offset is the difference.
OSBI_PAYLOAD_OFFSET := 0x200000
# Before it jumps, fw_payload copies the tree it hands on to
# FW_PAYLOAD_FDT_ADDR = FW_TEXT_START + 0x2200000 (platform/generic/config.mk,
# firmware/fw_base.S _fdt_reloc): a payload reaching 0x82200000 would be
# overwritten there silently. The room below it:
OSBI_PAYLOAD_MAX := 0x2000000
# OpenSBI 1.1's own Makefile already probes what GCC 12 needs:
# -march=rv64imafdc_zicsr_zifencei (binutils 2.38+ split Zicsr/Zifencei
# out of I) and -fno-pie -no-pie, so no extra flags are passed. Only
# fw_payload is built (FW_JUMP/FW_DYNAMIC off).
OSBI_MAKEFLAGS = -C $(OSBI_SRC) O=$(abspath $(OSBI_BUILD)) CROSS_COMPILE=$(CROSS) \
                 PLATFORM=generic FW_JUMP=n FW_DYNAMIC=n \
                 FW_PAYLOAD_PATH=$(abspath $(OSBI_PAYLOAD)) FW_PAYLOAD_OFFSET=$(OSBI_PAYLOAD_OFFSET) \
                 $(if $(OSBI_FDT),FW_FDT_PATH=$(abspath $(OSBI_FDT)))
OSBI_FW = $(OSBI_BUILD)/platform/generic/firmware
# 2 jobs (the machine's limit) unless a parent make shares its job slots
OSBI_JOBS = $(if $(findstring jobserver,$(MAKEFLAGS)),,-j2)

.PHONY: opensbi-payload
opensbi-payload: $(OSBI_SRC)/.unpacked
	@test -n "$(OSBI_OUT)" -a -f "$(OSBI_PAYLOAD)" || \
	  { echo "opensbi-payload: needs OSBI_OUT=dir and OSBI_PAYLOAD=existing file" >&2; exit 1; }
	@test -z "$(OSBI_FDT)" -o -f "$(OSBI_FDT)" || { echo "opensbi-payload: no $(OSBI_FDT)" >&2; exit 1; }
	@test $$(stat -c %s "$(OSBI_PAYLOAD)") -le $$(($(OSBI_PAYLOAD_MAX))) || \
	  { echo "opensbi-payload: $(OSBI_PAYLOAD) is $$(stat -c %s "$(OSBI_PAYLOAD)") bytes, over the $$(($(OSBI_PAYLOAD_MAX))) below OpenSBI's device-tree copy at 0x82200000" >&2; exit 1; }
	@mkdir -p $(OSBI_OUT) $(OSBI_BUILD)
	@# OpenSBI does not track the .incbin'd payload/tree: assemble fw_payload anew
	@flock $(OSBI_BUILD)/.lock sh -c '\
	  rm -f $(OSBI_FW)/fw_payload.o $(OSBI_FW)/fw_payload.elf $(OSBI_FW)/fw_payload.bin && \
	  { $(MAKE) --no-print-directory -s $(OSBI_JOBS) $(OSBI_MAKEFLAGS) >$(OSBI_BUILD)/build.log 2>&1 || \
	    { cat $(OSBI_BUILD)/build.log >&2; echo "opensbi-payload: OpenSBI build failed" >&2; exit 1; }; } && \
	  cp $(OSBI_FW)/fw_payload.elf $(OSBI_OUT)/fw_payload.elf.tmp && \
	  cp $(OSBI_FW)/fw_payload.bin $(OSBI_OUT)/fw_payload.bin.tmp'
	@mv $(OSBI_OUT)/fw_payload.elf.tmp $(OSBI_OUT)/fw_payload.elf
	@mv $(OSBI_OUT)/fw_payload.bin.tmp $(OSBI_OUT)/fw_payload.bin
	@echo "  OPENSBI $(OSBI_OUT)/fw_payload.bin ($(notdir $(OSBI_PAYLOAD))$(if $(OSBI_FDT), + $(notdir $(OSBI_FDT))))"
