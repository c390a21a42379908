# The guest runtime: libguest.a + guest.ld, linked into every app (apps/module.mk).
GUEST_DIR    := guest
GUEST_LIB    := $(RVB)/guest/libguest.a
GUEST_LDS    := $(GUEST_DIR)/guest.ld
GUEST_INC    := -I. -I$(GUEST_DIR)/include -I$(LIBFDT_INC)
GUEST_CFLAGS := $(RV_CFLAGS) $(GUEST_INC) -MMD -MP
# --emit-relocs feeds mkimage.py, which makes the .bin relocatable.
GUEST_LDFLAGS := $(RV_ARCH) --specs=picolibc.specs -nostartfiles -static -T $(GUEST_LDS) \
                 -Wl,--undefined=_start -Wl,--gc-sections -Wl,--emit-relocs -Wl,--no-warn-rwx-segments

GUEST_SRCS := $(wildcard $(GUEST_DIR)/*.c) $(wildcard $(GUEST_DIR)/*.S)
GUEST_OBJS := $(patsubst $(GUEST_DIR)/%,$(RVB)/guest/%.o,$(GUEST_SRCS))

$(RVB)/guest/%.c.o: $(GUEST_DIR)/%.c | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(RV_CC) $(GUEST_CFLAGS) -c $< -o $@

$(RVB)/guest/%.S.o: $(GUEST_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $@"
	@$(RV_CC) $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_LIB): $(GUEST_OBJS)
	@rm -f $@
	@$(RV_AR) rcs $@ $^
	@echo "  AR      $@"

ALL += $(GUEST_LIB)
-include $(GUEST_OBJS:.o=.d)

# Apps: apps/<name>/*.c → $(RVB)/apps/<name>.elf and .bin, linked with the
# runtime. Lives here (not in apps/module.mk) because apps/ is read first.
# An app that needs more (e.g. lwIP) sets APP_LIBS_<name> (archives to link)
# and APP_CFLAGS_<name>, in apps/module.mk or its own apps/<name>/module.mk:
# those files are read after this one, so the lists are expanded when the
# rules run (secondary expansion): the app's sources compile only once its
# libraries, and so the sources they unpack, are built.
APPS := $(patsubst apps/%/,%,$(sort $(dir $(wildcard apps/*/*.c))))

.SECONDEXPANSION:
define app_rules
APP_OBJS_$(1) := $$(patsubst apps/$(1)/%.c,$(RVB)/apps/$(1)/%.o,$$(wildcard apps/$(1)/*.c))

$(RVB)/apps/$(1)/%.o: apps/$(1)/%.c | $(FDT_SRC)/.unpacked $$$$(APP_LIBS_$(1))
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$@"
	@$$(RV_CC) $$(GUEST_CFLAGS) $$(APP_CFLAGS_$(1)) -c $$< -o $$@

$(RVB)/apps/$(1).elf: $$(APP_OBJS_$(1)) $(GUEST_LIB) $(GUEST_LDS) $(LIBFDT_RV) $$$$(APP_LIBS_$(1))
	@echo "  LD      $$@"
	@$$(RV_CC) $$(GUEST_LDFLAGS) -o $$@ $$(APP_OBJS_$(1)) $(GUEST_LIB) $$(APP_LIBS_$(1)) $(LIBFDT_RV)

-include $$(APP_OBJS_$(1):.o=.d)
endef
$(foreach a,$(APPS),$(eval $(call app_rules,$(a))))

$(RVB)/apps/%.bin: $(RVB)/apps/%.elf $(GUEST_DIR)/mkimage.py
	@echo "  IMAGE   $@"
	@$(PY) $(GUEST_DIR)/mkimage.py $< $@

ALL += $(foreach a,$(APPS),$(RVB)/apps/$(a).bin)

