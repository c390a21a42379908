# The RTL engines against the C engines in Verilator (suite `rtl`): lint,
# the bench (corpus, edge cases, mutants; random gaps and back-pressure;
# handshake assertions), line coverage, the deliberately broken engines,
# a synthesis smoke run.
RTLT_DIR := tests/rtl
RTLT_BIN := $(RTL_OUT)/tb/tb_oe
RTLT_CPP := $(addprefix $(RTLT_DIR)/,tb_oe.cpp tb_sim.cpp tb_frames.cpp)

$(RTLT_BIN): $(RTL_SRCS) $(RTL_HDRS) $(RTLT_DIR)/tb_top.sv $(RTLT_DIR)/axis_assert.sv \
		$(RTLT_CPP) $(RTLT_DIR)/tb_sim.h $(RTLT_DIR)/tb_frames.h $(OE_LIB_HOST) $(OE_HDRS)
	@mkdir -p $(dir $@)
	@echo "VERILATOR $@"
	@nice -n 19 verilator --cc --exe --build -j 2 --assert --coverage-line +define+OE_TB_HOOKS \
		-I$(RTL_DIR) --top-module tb_top -Mdir $(dir $@) -o tb_oe \
		-CFLAGS "-O1 -I$(abspath $(OE_INC))" -LDFLAGS "$(abspath $(OE_LIB_HOST))" \
		$(RTLT_DIR)/tb_top.sv $(RTLT_DIR)/axis_assert.sv $(RTL_SRCS) \
		$(abspath $(RTLT_CPP)) >$(RTL_OUT)/tb-build.log 2>&1 || \
		{ tail -40 $(RTL_OUT)/tb-build.log; exit 1; }

$(RTL_OUT)/cycles.txt: $(RTLT_BIN) $(ORACLE_OUT)/manifest.json
	nice -n 19 $(RTLT_BIN) $(ORACLE_OUT) | grep '^cycles/frame' >$@

SUITES += rtl
.PHONY: test-rtl
test-rtl: deps-rtl $(RTLT_BIN) $(ORACLE_OUT)/manifest.json
	@$(RTLT_DIR)/run-suite.sh $(RTLT_BIN) $(ORACLE_OUT) $(RTL_OUT) $(RTL_DIR)
