# libfdt, from Debian's device-tree-compiler source package, built into the
# build tree for riscv64 (hypervisor, guests) and for the host (unit tests).
FDT_SRC      := $(SRC)/libfdt
LIBFDT_INC   := $(FDT_SRC)
LIBFDT_RV    := $(RVB)/libfdt/libfdt.a
LIBFDT_HOST  := $(HOSTB)/libfdt/libfdt.a
# Third-party code: its own warnings are not ours to fix.
FDT_CFLAGS   := -O2 -g -w -I$(LIBFDT_INC)

$(FDT_SRC)/.unpacked:
	@scripts/debsrc.sh $(FDT_SRC) device-tree-compiler:libfdt u-boot:scripts/dtc/libfdt

# The object list comes from the unpacked tree, so it is read at recipe time.
define libfdt_build # $(1)=cc $(2)=flags $(3)=ar $(4)=out
	@mkdir -p $(dir $(4))
	@set -e; for f in $(LIBFDT_INC)/fdt*.c; do \
	  $(1) $(2) $(FDT_CFLAGS) -c $$f -o $(dir $(4))$$(basename $$f .c).o; done
	@$(3) rcs $(4) $(dir $(4))fdt*.o
	@echo "  AR      $(4)"
endef

$(LIBFDT_RV): $(FDT_SRC)/.unpacked
	$(call libfdt_build,$(RV_CC),$(RV_ARCH) -ffreestanding -fno-common --specs=picolibc.specs -ffunction-sections -fdata-sections,$(RV_AR),$@)

$(LIBFDT_HOST): $(FDT_SRC)/.unpacked
	$(call libfdt_build,$(HOST_CC),-fPIC,ar,$@)

libfdt: $(LIBFDT_RV) $(LIBFDT_HOST)
.PHONY: libfdt
