# iperf: lwiperf on the VF (guest/net). The prerequisite line is here
# because this file is read after guest/module.mk expands the app rules.
APP_CFLAGS_iperf = $(GNET_APP_CFLAGS)
APP_LIBS_iperf   = $(GNET_LIBS)
$(RVB)/apps/iperf.elf: $(GNET_LIBS)
$(APP_OBJS_iperf): | $(LWIP_SRC)/.unpacked
