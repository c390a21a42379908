# Unit tests of the firmware (tests/nic-firmware, cmocka, with sanitizers):
# the firmware on a fake HAL backed by plain buffers; and the NIC end of the
# shared page (tests/nicif/test_shm_nic.c) answering with the real firmware.
NFT_DIR	    := tests/nic-firmware
NFT_OE_SAN  := $(LIB_SAN_oe)
NFT_OUT	    := $(HOSTB)/tests/unit-nic
NFT_COMMON  := fake_hal tdrv frames nictest
NFT_TESTS   := $(basename $(notdir $(wildcard $(NFT_DIR)/test_*.c)))
NFT_BINS    := $(addprefix $(NFT_OUT)/,$(NFT_TESTS)) $(NFT_OUT)/test_shm_nic
NFT_OBJS    := $(addprefix $(NFT_OUT)/,$(addsuffix .o,$(NFT_COMMON)))

$(NFT_OUT)/%.o: $(NFT_DIR)/%.c $(wildcard $(NFT_DIR)/*.h) $(NF_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NF_INC) -I$(NFT_DIR) -c $< -o $@
$(NFT_OUT)/test_%: $(NFT_OUT)/test_%.o $(NFT_OBJS) $(NF_LIB_SAN) $(LIB_SAN_nicif) $(NFT_OE_SAN)
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ -lcmocka $(LDLIBS_EXTRA)
$(NFT_OUT)/test_shm_nic.o: tests/nicif/test_shm_nic.c $(wildcard $(NFT_DIR)/*.h) $(NF_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NF_INC) -I$(NFT_DIR) -c $< -o $@
$(NFT_OUT)/test_shm_nic: LDLIBS_EXTRA := -lpthread
# The guest driver's own code, built with the sanitizers for its test.
NFT_GV_SRCS := $(wildcard guest/virtio/*.c)
$(NFT_OUT)/test_guest_virtio: $(NFT_OUT)/test_guest_virtio.o $(NFT_OBJS) $(NF_LIB_SAN) $(LIB_SAN_nicif) $(NFT_OE_SAN) $(NFT_GV_SRCS)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) -I. -Iguest/virtio/include -I$(OE_INC) -o $@ \
	  $(NFT_OUT)/test_guest_virtio.o $(NFT_OBJS) $(NFT_GV_SRCS) $(NF_LIB_SAN) $(LIB_SAN_nicif) $(NFT_OE_SAN) -lcmocka
.SECONDARY: $(NFT_OBJS) $(NFT_BINS:=.o)

# Not in ALL: they need libcmocka (deps group "test"); test-unit-nic builds them.
SUITES += unit-nic
.PHONY: test-unit-nic
test-unit-nic: $(NFT_BINS)
	@fail=0; for t in $(NFT_BINS); do $$t || fail=$$((fail + 1)); done; \
	 echo "unit-nic: $(words $(NFT_BINS)) programs, $$fail failed"; \
	 test $$fail -eq 0

# libFuzzer (clang): a hostile guest's rings and buffers against the
# firmware on the fake HAL; the other VF must keep working. Registered in
# FUZZERS, so the fuzz-short suite runs it too.
NFZ_OUT	:= $(HOSTB)/fuzz/nic
NFZ_BIN	:= $(NFZ_OUT)/fuzz_nic
NFZ_SRCS = $(NF_SRCS) $(NICIF_SRCS) $(wildcard offload-engine/src/*.c)
# The unit tests' driver, fake HAL and frame builder: sanitized like the
# rest but without coverage, which is the firmware's and the engines' (and
# the input decoding's, in fuzz_nic.c). Their loops (payload bytes, ring
# writes) gave no guidance and took a third of the run in coverage calls.
NFZ_HARNESS := $(addprefix $(NFZ_OUT)/,fake_hal.o tdrv.o frames.o)
NFZ_CFLAGS = -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-sanitize-recover=all $(NF_INC) -I$(NFT_DIR)

$(NFZ_OUT)/%.o: $(NFT_DIR)/%.c $(wildcard $(NFT_DIR)/*.h) $(NF_HDRS)
	@mkdir -p $(dir $@)
	clang $(NFZ_CFLAGS) -fsanitize=address,undefined -c $< -o $@
$(NFZ_BIN): $(NFT_DIR)/fuzz_nic.c $(NFZ_HARNESS) $(NF_SRCS) $(NICIF_SRCS) $(NF_HDRS) $(wildcard nicif/*.h) $(wildcard $(NFT_DIR)/*.h) $(wildcard offload-engine/src/*.[ch])
	@mkdir -p $(dir $@)
	clang $(NFZ_CFLAGS) -fsanitize=fuzzer,address,undefined $< $(NFZ_SRCS) $(NFZ_HARNESS) -o $@

FUZZERS += nic
.PHONY: fuzz-nic
fuzz-nic: $(NFZ_BIN)
	@mkdir -p $(NFZ_OUT)/corpus $(NFZ_OUT)/artifacts
	$(PY) $(NFT_DIR)/fuzz_seeds.py $(NFZ_OUT)/seeds
	$(NFZ_BIN) $(FUZZ_RUN) -max_len=200000 \
	  -artifact_prefix=$(NFZ_OUT)/artifacts/ $(NFZ_OUT)/corpus $(NFZ_OUT)/seeds
