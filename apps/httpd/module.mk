# httpd: lwIP's httpd on the VF (guest/net). The prerequisite line is here
# because this file is read after guest/module.mk expands the app rules.
APP_CFLAGS_httpd = $(GNET_APP_CFLAGS)
APP_LIBS_httpd   = $(GNET_LIBS)
$(RVB)/apps/httpd.elf: $(GNET_LIBS)
$(APP_OBJS_httpd): | $(LWIP_SRC)/.unpacked
