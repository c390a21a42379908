# guest/net: the lwIP port and netif over the virtio-net VF (libgnet.a).
# Apps that use the network link $(GNET_LIBS) (mk/lwip.mk).
GNET_DIR    := guest/net
GNET_INC    := $(GNET_APP_CFLAGS)
GNET_SRCS   := $(wildcard $(GNET_DIR)/*.c)
GNET_OBJS   := $(patsubst $(GNET_DIR)/%.c,$(RVB)/guest-net/%.o,$(GNET_SRCS))

$(RVB)/guest-net/%.o: $(GNET_DIR)/%.c $(LWIP_SRC)/.unpacked | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(RV_CC) $(GUEST_CFLAGS) $(GNET_INC) -c $< -o $@

$(GNET_LIB): $(GNET_OBJS)
	@rm -f $@
	@$(RV_AR) rcs $@ $^
	@echo "  AR      $@"

ALL += $(GNET_LIB)
-include $(GNET_OBJS:.o=.d)
