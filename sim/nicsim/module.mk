# nicsim: the NIC firmware with the simulator HAL, as a Linux process.
NS_DIR	:= sim/nicsim
NS_BIN	:= $(HOSTB)/bin/nicsim
# libnicif: the VF register model is the hypervisor's, one file for both
NS_SRCS := $(wildcard $(NS_DIR)/*.c)
NS_HDRS := $(wildcard $(NS_DIR)/*.h sim/include/*.h nicif/*.h) $(NF_HDRS)

$(NS_BIN): $(NS_SRCS) $(NS_HDRS) $(NF_LIB_HOST) $(LIB_HOST_nicif) $(OE_LIB_HOST)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(NF_INC) -I$(NS_DIR) -Isim/include \
	  $(NS_SRCS) $(NF_LIB_HOST) $(LIB_HOST_nicif) $(OE_LIB_HOST) -lpcap -o $@

TOOLS += $(NS_BIN)

# The same simulator with ASan/UBSan: part of the sim suite runs on it, so
# the transport, ports and firmware meet real traffic under the sanitizers.
NS_SAN := $(HOSTB)/nicsim-san
$(NS_SAN): $(NS_SRCS) $(NS_HDRS) $(NF_LIB_SAN) $(LIB_SAN_nicif) $(OE_LIB_SAN)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(NF_INC) -I$(NS_DIR) -Isim/include \
	  $(NS_SRCS) $(NF_LIB_SAN) $(LIB_SAN_nicif) $(OE_LIB_SAN) -lpcap -o $@
ALL += $(NS_SAN)

# Simulator suite (tests/sim, pytest): network namespaces + TAP, needs root.
SUITES += sim
.PHONY: test-sim
test-sim: $(NS_BIN) $(NS_SAN) $(HOSTB)/bin/vfdrv
	cd tests/sim && $(PY) -m pytest -q -p no:cacheprovider $(SIM_PYTEST_ARGS)
	cd tests/sim && NICSIM=$(abspath $(NS_SAN)) $(PY) -m pytest -q -p no:cacheprovider \
	  -k "offloads-on or oow or pcap or config" $(SIM_PYTEST_ARGS)
