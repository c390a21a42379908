# badvf: hostile descriptors on the VF (guest/net). The prerequisite line is here
# because this file is read after guest/module.mk expands the app rules.
APP_CFLAGS_badvf = $(GNET_APP_CFLAGS)
APP_LIBS_badvf   = $(GNET_LIBS)
$(RVB)/apps/badvf.elf: $(GNET_LIBS)
$(APP_OBJS_badvf): | $(LWIP_SRC)/.unpacked
