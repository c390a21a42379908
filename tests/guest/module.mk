# Host unit tests of the runtime's parsers (cmocka, ASan/UBSan; the device
# trees are compiled by dtc, the independent implementation of the format)
# and of mkimage.py (pytest, on images assembled by binutils).
GUEST_TB := $(HOSTB)/guest-tests
GUEST_TEST_CFLAGS := $(HOST_CFLAGS) $(SAN_FLAGS) -I. -I$(GUEST_DIR)/include -I$(LIBFDT_INC)

$(GUEST_TB)/test_bootargs: tests/guest/test_bootargs.c $(GUEST_DIR)/bootargs.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOST_CC) $(GUEST_TEST_CFLAGS) -o $@ $^ -lcmocka

$(GUEST_TB)/test_dt: tests/guest/test_dt.c $(GUEST_DIR)/dt.c $(LIBFDT_HOST)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOST_CC) $(GUEST_TEST_CFLAGS) -o $@ $(filter %.c,$^) $(LIBFDT_HOST) -lcmocka

$(GUEST_TB)/%.dtb: tests/guest/%.dts
	@mkdir -p $(dir $@)
	@dtc -q -I dts -O dtb -o $@ $<

GUEST_TESTS := $(GUEST_TB)/test_bootargs $(GUEST_TB)/test_dt
SUITES += guest
test-guest: $(GUEST_TESTS) $(GUEST_TB)/full.dtb $(GUEST_TB)/minimal.dtb
	@pass=0; fail=0; \
	 if $(GUEST_TB)/test_bootargs; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	 if $(GUEST_TB)/test_dt $(GUEST_TB); then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	 if PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider tests/guest; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	 echo "guest test programs: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
.PHONY: test-guest

# libFuzzer target for the DT/bootargs parsers, libfdt built in (clang) so
# coverage guides it; seeded with the dtc-compiled test trees.
GUEST_FUZZ    := $(HOSTB)/fuzz/guest
FUZZERS += guest-dt
$(GUEST_FUZZ)/fuzz_dt: tests/guest/fuzz_dt.c $(GUEST_DIR)/dt.c $(GUEST_DIR)/bootargs.c \
		tests/guest/fuzz_dt.ignore | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@clang -std=gnu11 -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined \
	  -fno-sanitize-recover=all -fsanitize-ignorelist=tests/guest/fuzz_dt.ignore \
	  -I$(GUEST_DIR)/include -I$(LIBFDT_INC) tests/guest/fuzz_dt.c $(GUEST_DIR)/dt.c $(GUEST_DIR)/bootargs.c \
	  $$(ls $(LIBFDT_INC)/fdt*.c) -o $@
.PHONY: fuzz-guest-dt
fuzz-guest-dt: $(GUEST_FUZZ)/fuzz_dt $(GUEST_TB)/full.dtb $(GUEST_TB)/minimal.dtb
	@mkdir -p $(GUEST_FUZZ)/corpus-dt $(GUEST_FUZZ)/artifacts-dt
	@cp $(GUEST_TB)/full.dtb $(GUEST_TB)/minimal.dtb $(GUEST_FUZZ)/corpus-dt/
	$(GUEST_FUZZ)/fuzz_dt $(FUZZ_RUN) -max_len=8192 \
		-artifact_prefix=$(GUEST_FUZZ)/artifacts-dt/ $(GUEST_FUZZ)/corpus-dt
