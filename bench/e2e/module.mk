# bench-e2e: iperf throughput Linux <-> lwIP guest over its VF with offloads
# on and off, and the guest hart's instructions per MiB (TCG plugin
# insn_count, built against the plugin header of Debian's qemu source).
# Writes bench/e2e/results.md and results.csv (committed). Needs root.
E2E_QEMU_INC := $(SRC)/qemu-include
E2E_PLUGIN   := $(HOSTB)/lib/insn_count.so

$(E2E_QEMU_INC)/.unpacked:
	@scripts/debsrc.sh $(E2E_QEMU_INC) qemu:include/qemu

$(E2E_PLUGIN): bench/e2e/insn_count.c $(E2E_QEMU_INC)/.unpacked
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -shared -fPIC -I$(E2E_QEMU_INC) $< -o $@ -lpthread

BENCHES += e2e
.PHONY: bench-e2e
bench-e2e: all $(E2E_PLUGIN)
	$(PY) bench/e2e/run.py --plugin $(E2E_PLUGIN) --out bench/e2e
