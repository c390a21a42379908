# Unit tests of the offload engines (cmocka), built twice: plain and with
# ASan/UBSan against the sanitized library. Suite: unit-offload (both).
OET_DIR  := tests/unit/offload
OET_SRCS := $(wildcard $(OET_DIR)/*.c)
OET_BIN	 := $(HOSTB)/tests/offload/test_offload
OET_SAN	 := $(HOSTB)/tests/offload/test_offload_san
OET_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -I$(OE_INC) -I$(OET_DIR)

$(OET_BIN): $(OET_SRCS) $(wildcard $(OET_DIR)/*.h) $(OE_LIB_HOST)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(OET_CFLAGS) $(OET_SRCS) $(OE_LIB_HOST) -lcmocka -o $@

$(OET_SAN): $(OET_SRCS) $(wildcard $(OET_DIR)/*.h) $(OE_LIB_SAN)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(OET_CFLAGS) $(SAN_FLAGS) $(OET_SRCS) $(OE_LIB_SAN) -lcmocka -o $@

SUITES += unit-offload
.PHONY: test-unit-offload
test-unit-offload: $(OET_BIN) $(OET_SAN)
	@echo "--- offload unit tests (plain)"
	@$(OET_BIN)
	@echo "--- offload unit tests (ASan/UBSan)"
	@$(OET_SAN)

# The riscv64 library (the NIC core's build) on QEMU: a guest/ runtime app
# started by OpenSBI. Suite: unit-offload-rv.
OET_RV	   := $(RVB)/tests/offload/rv_selftest
OET_RV_OBJ := $(RVB)/tests/offload/rv
OET_RV_FW  := /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin

$(OET_RV_OBJ)/%.o: $(OET_DIR)/%.c $(OET_DIR)/frames.h $(OE_HDRS) | $(FDT_SRC)/.unpacked
	@mkdir -p $(dir $@)
	$(RV_CC) $(GUEST_CFLAGS) -I$(OE_INC) -I$(OET_DIR) -c $< -o $@

$(OET_RV).elf: $(OET_RV_OBJ)/rv/rv_selftest.o $(OET_RV_OBJ)/frames.o $(GUEST_LIB) $(GUEST_LDS) \
		$(OE_LIB_RV) $(LIBFDT_RV)
	$(RV_CC) $(GUEST_LDFLAGS) -o $@ $(filter %.o,$^) $(GUEST_LIB) $(OE_LIB_RV) $(LIBFDT_RV)

$(OET_RV).bin: $(OET_RV).elf $(GUEST_DIR)/mkimage.py
	$(PY) $(GUEST_DIR)/mkimage.py $< $@

SUITES += unit-offload-rv
.PHONY: test-unit-offload-rv
test-unit-offload-rv: $(OET_RV).bin
	@timeout 300 qemu-system-riscv64 -M virt -cpu rv64,sstc=true -m 256M -nographic \
	  -monitor none -bios $(OET_RV_FW) -kernel $< > $(OET_RV).log 2>&1; \
	grep "rv-selftest" $(OET_RV).log; \
	grep -q "rv-selftest: [0-9]* passed, 0 failed" $(OET_RV).log
