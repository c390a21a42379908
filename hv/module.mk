# The hypervisor image: arch/riscv + platform + hv, linked with one
# partition config (scripts/mkconfig.py) into build/<board>/<config name>/hv.elf
# and hv.bin. Nothing board-specific is compiled in: the board's facts come
# from the device tree at boot. The config is validated twice by the same C
# code (hv/core/vm_config.c): here on the host against the board's nominal
# machine (board.mk) after linking, and at boot against the real one.
#
#   make hv-image CONFIG=path.cfg   build it; last stdout line = hv.bin path
#        [HV_IMAGES=external]       guest images not linked in: built into
#                                   build/<board>/<config name>-ext/ with
#                                   images.txt ("<node> <path> <size>" per
#                                   image); at boot the hv finds them in the
#                                   DT's /chosen/hypervisor-images (hv/README.md)
#   make run [DEMO=name] [CONFIG=path.cfg] [GUESTS="a.bin b.bin"]
#   make debug [...]                same, QEMU waits for gdb on :1234

DEMO    ?= default
CONFIG  ?= board/$(BOARD)/$(DEMO).cfg
ifneq ($(strip $(GUESTS)),)
HV_CONFIG := $(RVB)/guests.cfg
$(shell mkdir -p $(RVB) && $(PY) scripts/mkconfig.py --guests $(HV_CONFIG) $(GUESTS))
else
HV_CONFIG := $(CONFIG)
endif

HV_CORE_SRCS := $(wildcard arch/riscv/*.c arch/riscv/*.S platform/*.c) \
                $(filter-out hv/core/vmcfg_check.c,$(wildcard hv/*.c hv/*/*.c)) $(NICIF_SRCS)
HV_CORE_OBJS := $(patsubst %,$(RVB)/hv/obj/%.o,$(HV_CORE_SRCS))
# the repo root: every include names its module (<hv/core/vm.h>,
# <nicif/mbox.h>); guest/virtio/ and offload-engine/ for the virtio wire
# names the VF register file uses
HV_INC       := -I. -I$(LIBFDT_INC) -Iguest/virtio/include -Ioffload-engine/include
HV_CFLAGS    := $(RV_CFLAGS) $(HV_INC) -MMD -MP
HV_LDFLAGS   := $(RV_ARCH) --specs=picolibc.specs -nostartfiles -static -T arch/riscv/hv.ld \
                -Wl,--gc-sections -Wl,--no-warn-rwx-segments
RV_NM        := $(CROSS)nm
# nominal machine of the board for the build-time check: BOARD_RAM_BASE,
# BOARD_RAM_SIZE, BOARD_HARTS from board/$(BOARD)/board.mk (board/module.mk,
# read before this file)

$(RVB)/hv/obj/%.c.o: %.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@$(RV_CC) $(HV_CFLAGS) -c $< -o $@

$(RVB)/hv/obj/%.S.o: %.S
	@mkdir -p $(dir $@)
	@$(RV_CC) $(HV_CFLAGS) -c $< -o $@

-include $(HV_CORE_OBJS:.o=.d)

# the host validator: checks a generated config.c (linked with it)
VMCFG_CHECK_SRCS := hv/core/vmcfg_check.c hv/core/vm_config.c nicif/vf_param.c

# $(1) = config name (output folder), $(2) = .cfg path, $(3) = external
# (images not linked in) or empty
define hv_image_rules
HV_OUT_$(1)    := $(B)/$(BOARD)/$(1)
HV_IMAGES_$(1) := $$(shell $(PY) scripts/mkconfig.py $(2) --apps $(RVB)/apps --images 2>/dev/null)
# The folder is build/<board>/<config file name>: two files of one name
# (a board's default.cfg and a user's) would share it, so gen/.source
# records which file the build came from and is rewritten (everything
# below is rebuilt) when another one takes over.
ifneq ($$(file <$$(HV_OUT_$(1))/gen/.source),$(abspath $(2)))
$$(shell mkdir -p $$(HV_OUT_$(1))/gen)
$$(file >$$(HV_OUT_$(1))/gen/.source,$(abspath $(2)))
endif

# mkconfig.py reads the VF settings' list from nicif/vf_param.h
$$(HV_OUT_$(1))/gen/.stamp: $(2) $$(HV_OUT_$(1))/gen/.source scripts/mkconfig.py nicif/vf_param.h \
		$$(HV_IMAGES_$(1))
	@mkdir -p $$(dir $$@)
	@$(PY) scripts/mkconfig.py $(2) --apps $(RVB)/apps --out $$(dir $$@) \
		$(if $(3),--external $$(HV_OUT_$(1))/images.txt)
	@touch $$@

$$(HV_OUT_$(1))/images.txt: $$(HV_OUT_$(1))/gen/.stamp

$$(HV_OUT_$(1))/config.o: $$(HV_OUT_$(1))/gen/.stamp hv/core/vm_config.h nicif/vf_param.h
	@$(RV_CC) $(HV_CFLAGS) -c $$(HV_OUT_$(1))/gen/config.c -o $$@

$$(HV_OUT_$(1))/images.o: $$(HV_OUT_$(1))/gen/.stamp
	@$(RV_CC) $(HV_CFLAGS) -c $$(HV_OUT_$(1))/gen/images.S -o $$@

$$(HV_OUT_$(1))/vmcfg_check: $$(HV_OUT_$(1))/gen/.stamp $(VMCFG_CHECK_SRCS) hv/core/vm_config.h nicif/vf_param.h
	@mkdir -p $$(dir $$@)
	@$(HOST_CC) $(HOST_CFLAGS) -I. -o $$@ $(VMCFG_CHECK_SRCS) $$(HV_OUT_$(1))/gen/config.c

# link, then validate the config against the linked layout before keeping it
$$(HV_OUT_$(1))/hv.elf: $(HV_CORE_OBJS) $$(HV_OUT_$(1))/config.o $$(HV_OUT_$(1))/images.o \
		$(LIBFDT_RV) arch/riscv/hv.ld $$(HV_OUT_$(1))/vmcfg_check
	@$(RV_CC) $(HV_LDFLAGS) -o $$@.tmp $(HV_CORE_OBJS) $$(HV_OUT_$(1))/config.o \
		$$(HV_OUT_$(1))/images.o $(LIBFDT_RV)
	@set -e; syms=$$$$($(RV_NM) $$@.tmp); \
	 s=0x$$$$(echo "$$$$syms" | awk '$$$$3=="__hv_start"{print $$$$1}'); \
	 e=0x$$$$(echo "$$$$syms" | awk '$$$$3=="__hv_end"{print $$$$1}'); \
	 if ! $$(HV_OUT_$(1))/vmcfg_check $$$$s $$$$e $(BOARD_RAM_BASE) $(BOARD_RAM_SIZE) $(BOARD_HARTS); then \
	   echo "$(2): rejected (see above)" >&2; rm -f $$@.tmp; exit 1; fi
	@mv $$@.tmp $$@

$$(HV_OUT_$(1))/hv.bin: $$(HV_OUT_$(1))/hv.elf
	@$(RV_OBJCOPY) -O binary $$< $$@
endef

# HV_IMAGES=embedded (default): the images are .incbin'd into hv.bin;
# external: see above (the FIT of `make image` carries them beside hv.bin)
HV_IMAGES ?= embedded
ifeq ($(filter embedded external,$(HV_IMAGES)),)
$(error HV_IMAGES=$(HV_IMAGES): expected embedded or external)
endif
hv_cfg_name = $(basename $(notdir $(1)))
HV_SEL     := $(call hv_cfg_name,$(HV_CONFIG))$(if $(filter external,$(HV_IMAGES)),-ext)
HV_SEL_BIN := $(B)/$(BOARD)/$(HV_SEL)/hv.bin
HV_DEFAULT_CFG := board/$(BOARD)/default.cfg
$(eval $(call hv_image_rules,$(HV_SEL),$(HV_CONFIG),$(filter external,$(HV_IMAGES))))
ifneq ($(HV_SEL),default)
$(eval $(call hv_image_rules,default,$(HV_DEFAULT_CFG)))
endif
ALL += $(B)/$(BOARD)/default/hv.bin

hv-image: $(HV_SEL_BIN) $(if $(filter external,$(HV_IMAGES)),$(B)/$(BOARD)/$(HV_SEL)/images.txt)
	@echo $(HV_SEL_BIN)

# NET=user (default: QEMU user network, host ports forwarded on 127.0.0.1),
# NET=tap:IFNAME, or NET=none (no NIC port); see board/<b>/qemu.sh
NET ?= user
run: deps-run $(HV_SEL_BIN)
	NET=$(NET) board/$(BOARD)/qemu.sh $(HV_SEL_BIN)

debug: deps-run $(HV_SEL_BIN)
	@echo "gdb-multiarch -ex 'target remote :1234' $(B)/$(BOARD)/$(HV_SEL)/hv.elf"
	NET=$(NET) board/$(BOARD)/qemu.sh $(HV_SEL_BIN) -s -S

.PHONY: hv-image
