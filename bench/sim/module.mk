# bench-sim: the NIC firmware's per-packet cost in the simulator (host),
# VF->TAP and VF->VF, 64 B / 1500 B / 64 KiB TSO, offloads on and off, at
# 1, 8 and 64 VFs. Writes bench/sim/results.md (committed).
NB_BIN := $(HOSTB)/bin/nicbench
NB_GV_SRCS := $(wildcard guest/virtio/*.c)

$(NB_BIN): bench/sim/nicbench.c $(NB_GV_SRCS) $(NF_HDRS) \
	   $(NF_LIB_HOST) $(LIB_HOST_nicif) $(OE_LIB_HOST)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(NF_INC) bench/sim/nicbench.c $(NB_GV_SRCS) \
	  $(NF_LIB_HOST) $(LIB_HOST_nicif) $(OE_LIB_HOST) -o $@

BENCHES += sim
ALL += $(NB_BIN)
.PHONY: bench-sim
bench-sim: $(NB_BIN)
	$(PY) bench/sim/run.py $(NB_BIN) bench/sim/results.md
