# RTL offload engines (Verilog-2005; Verilator 5.006 and Yosys 0.23 read it):
# lint and synthesis figures. The bench and the suite are in tests/rtl.
RTL_DIR  := offload-engine/rtl
RTL_SRCS := $(wildcard $(RTL_DIR)/*.v)
RTL_HDRS := $(RTL_DIR)/oe_sum.vh
RTL_OUT  := $(B)/rtl

.PHONY: deps-rtl rtl-lint rtl-synth
deps-rtl:
	@scripts/deps.sh rtl

rtl-lint: deps-rtl
	verilator --lint-only -Wall -I$(RTL_DIR) --top-module oe_top $(RTL_SRCS)

# Figures per engine (7-series LUT/FF/BRAM, iCE40 Fmax) and the bench's
# cycles per frame, written into the engines' README.
rtl-synth: deps-rtl $(RTL_OUT)/cycles.txt
	nice -n 19 $(RTL_DIR)/synth/rtl-synth.sh $(RTL_OUT)/synth --readme $(RTL_DIR)/README.md \
		--cycles $(RTL_OUT)/cycles.txt
