# One rule set for a library of the project's own C, built in up to three
# variants from the same sources:
#   rv    riscv64, $(RV_CFLAGS)          -> $(RVB)/lib/NAME/libNAME.a
#   host  the host, $(HOST_CFLAGS)       -> $(HOSTB)/lib/NAME/libNAME.a
#   san   the host with ASan and UBSan   -> $(HOSTB)/lib-san/NAME/libNAME.a
# Every object gets its header dependencies from the compiler (-MMD -MP).
#
#   $(eval $(call lib_rules,NAME,SOURCES,CFLAGS[,HOST_EXTRA]))
# sets LIB_RV_NAME, LIB_HOST_NAME, LIB_SAN_NAME and adds all three to ALL.
# CFLAGS go to every variant (includes, -O level); HOST_EXTRA only to the two
# host ones.
define lib_rules
LIB_RV_$(1)   := $(RVB)/lib/$(1)/lib$(1).a
LIB_HOST_$(1) := $(HOSTB)/lib/$(1)/lib$(1).a
LIB_SAN_$(1)  := $(HOSTB)/lib-san/$(1)/lib$(1).a
LIB_OBJS_RV_$(1)   := $$(patsubst %.c,$(RVB)/lib/$(1)/%.o,$(2))
LIB_OBJS_HOST_$(1) := $$(patsubst %.c,$(HOSTB)/lib/$(1)/%.o,$(2))
LIB_OBJS_SAN_$(1)  := $$(patsubst %.c,$(HOSTB)/lib-san/$(1)/%.o,$(2))

$(RVB)/lib/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(RV_CC) $(RV_CFLAGS) $(3) -MMD -MP -c $$< -o $$@
$(HOSTB)/lib/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(HOST_CC) $(HOST_CFLAGS) $(3) $(4) -MMD -MP -c $$< -o $$@
$(HOSTB)/lib-san/$(1)/%.o: %.c
	@mkdir -p $$(dir $$@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(3) $(4) -MMD -MP -c $$< -o $$@

$$(LIB_RV_$(1)): $$(LIB_OBJS_RV_$(1))
	@rm -f $$@
	$(RV_AR) rcs $$@ $$^
$$(LIB_HOST_$(1)): $$(LIB_OBJS_HOST_$(1))
	@rm -f $$@
	ar rcs $$@ $$^
$$(LIB_SAN_$(1)): $$(LIB_OBJS_SAN_$(1))
	@rm -f $$@
	ar rcs $$@ $$^

-include $$(LIB_OBJS_RV_$(1):.o=.d) $$(LIB_OBJS_HOST_$(1):.o=.d) $$(LIB_OBJS_SAN_$(1):.o=.d)
ALL += $$(LIB_RV_$(1)) $$(LIB_HOST_$(1)) $$(LIB_SAN_$(1))
endef
