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
