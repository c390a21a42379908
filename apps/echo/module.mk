# echo: UDP and TCP echo on the VF (guest/net). The prerequisite line is here
# because this file is read after guest/module.mk expands the app rules.
APP_CFLAGS_echo = $(GNET_APP_CFLAGS)
APP_LIBS_echo   = $(GNET_LIBS)
$(RVB)/apps/echo.elf: $(GNET_LIBS)
$(APP_OBJS_echo): | $(LWIP_SRC)/.unpacked
