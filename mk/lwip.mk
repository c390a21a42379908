# lwIP 2.1.3 from Debian's source package, built for riscv64 into the build
# tree with the guest port's lwipopts.h (guest/net/include). NO_SYS raw API:
# core, IPv4, IPv6, Ethernet, and the httpd and lwiperf apps. Nothing of
# lwIP is copied into the repository.
LWIP_SRC   := $(SRC)/lwip
LWIP_LIB   := $(RVB)/lwip/liblwip.a
LWIP_INC   := -I. -Iguest/net/include -I$(LWIP_SRC)/src/include -Iguest/include
# Third-party code: its warnings are not ours to fix.
LWIP_CFLAGS := $(filter-out -Werror -Wall -Wextra,$(RV_CFLAGS)) -w $(LWIP_INC)
LWIP_PORT_HDRS := $(addprefix guest/net/include/,lwipopts.h gnet_hooks.h gnet_fsdata.h arch/cc.h)

$(LWIP_SRC)/.unpacked:
	@scripts/debsrc.sh $(LWIP_SRC) lwip

# File list read at recipe time (the tree is unpacked by then).
LWIP_DIRS := core core/ipv4 core/ipv6
LWIP_ONE  := netif/ethernet.c apps/http/httpd.c apps/http/fs.c apps/lwiperf/lwiperf.c

$(LWIP_LIB): $(LWIP_SRC)/.unpacked $(LWIP_PORT_HDRS) mk/lwip.mk
	@mkdir -p $(RVB)/lwip/obj
	@rm -f $(RVB)/lwip/obj/*.o
	@set -e; cd $(LWIP_SRC)/src; \
	 for f in $(addsuffix /*.c,$(LWIP_DIRS)) $(LWIP_ONE); do \
	   o=$(CURDIR)/$(RVB)/lwip/obj/$$(echo $$f | tr / _ | sed 's/\.c$$/.o/'); \
	   $(RV_CC) $(patsubst -I%,-I$(CURDIR)/%,$(LWIP_CFLAGS)) -c $$f -o $$o & \
	   while [ $$(jobs -r | wc -l) -ge 2 ]; do sleep 0.05; done; \
	 done; wait
	@n=$$(cd $(LWIP_SRC)/src && ls $(addsuffix /*.c,$(LWIP_DIRS)) $(LWIP_ONE) | wc -l); \
	 [ $$(ls $(RVB)/lwip/obj/*.o | wc -l) -eq $$n ] || { echo "lwip: some objects failed"; exit 1; }
	@rm -f $@
	@$(RV_AR) rcs $@ $(RVB)/lwip/obj/*.o
	@echo "  AR      $@"

# The guest port (guest/net/module.mk) and what a networked app links;
# defined here because mk/ is read before apps/ and guest/.
GNET_LIB  := $(RVB)/guest-net/libgnet.a
# The runtime again at the end: libgnet calls into it.
GNET_LIBS := $(GNET_LIB) $(LWIP_LIB) $(GV_LIB_RV) $(RVB)/guest/libguest.a
GNET_APP_CFLAGS := -Iguest/net/include -I$(LWIP_SRC)/src/include -Iguest/virtio/include \
                   -Ioffload-engine/include

lwip: $(LWIP_LIB)
.PHONY: lwip
ALL += $(LWIP_LIB)
