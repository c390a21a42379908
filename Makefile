# Top-level build: one entry point, each folder adds its own rules in its
# module.mk. See README.md for the targets.
#
#   make [BOARD=qemu-virt]      build hypervisor, guests, host tools
#   make run [DEMO=..] [GUESTS="a.bin b.bin"]
#   make test                   every suite; non-zero exit on any failure
#   make debug | clean | tools | fuzz | bench

BOARD  ?= qemu-virt
B      := build
HOSTB  := $(B)/host
RVB    := $(B)/riscv
SRC    := $(B)/src
PY     := /usr/bin/python3

# Cross toolchain (Debian gcc-riscv64-unknown-elf + picolibc).
CROSS     ?= riscv64-unknown-elf-
RV_CC     := $(CROSS)gcc
RV_AR     := $(CROSS)ar
RV_OBJCOPY:= $(CROSS)objcopy
RV_ARCH   := -march=rv64gc -mabi=lp64d -mcmodel=medany
RV_CFLAGS := $(RV_ARCH) -std=gnu11 -O2 -g -Wall -Wextra -Werror \
             -ffreestanding -fno-common -fno-strict-aliasing -ffunction-sections -fdata-sections \
             --specs=picolibc.specs

# Host toolchain (unit tests, simulator, tools).
HOST_CC     := gcc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

# Filled in by the modules.
SUITES :=          # test suites: each has a target test-<name>
TOOLS  :=          # host binaries built by `make tools`
BENCHES :=         # benchmark targets: bench-<name>
FUZZERS :=         # libFuzzer targets: fuzz-<name>
ALL    :=          # what plain `make` builds

# How every libFuzzer target runs: FUZZ_SECONDS, or until FUZZ_RUNS
# executions; FUZZ_JOBS=N runs N processes on one corpus (libFuzzer's
# -jobs/-workers; FUZZ_RUNS and FUZZ_SECONDS are then each process's, and
# each writes fuzz-<job>.log in the current directory).
FUZZ_SECONDS ?= 60
FUZZ_RUN = -max_total_time=$(FUZZ_SECONDS) $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS)) \
	   $(if $(FUZZ_JOBS),-jobs=$(FUZZ_JOBS) -workers=$(FUZZ_JOBS)) -print_final_stats=1

.PHONY: all deps deps-run deps-test deps-bench run debug test tools fuzz bench clean
.DEFAULT_GOAL := all

# Every module's rules, in this order: a file may use the variables of the
# files before it (libraries before their users, the board before the
# hypervisor, sources before their tests). A new folder with rules is added
# here; nothing is found by globbing.
MODULES := \
	mk/lib.mk mk/libfdt.mk mk/opensbi.mk \
	board/module.mk \
	offload-engine/module.mk offload-engine/rtl/module.mk \
	guest/module.mk guest/virtio/module.mk mk/lwip.mk guest/net/module.mk guest/linux/module.mk \
	nicif/module.mk \
	nic-firmware/module.mk nic-firmware/qemu/module.mk \
	hv/module.mk \
	apps/module.mk apps/badvf/module.mk apps/echo/module.mk apps/httpd/module.mk \
	apps/iperf/module.mk \
	sim/nicsim/module.mk sim/vfdrv/module.mk sim/nic-offload/module.mk \
	tests/guest/module.mk tests/offload-engine/module.mk tests/nic-firmware/module.mk \
	tests/hv/module.mk tests/images/module.mk tests/nic-firmware/qemu/module.mk \
	tests/qemu/module.mk tests/oracle/module.mk \
	tests/net/module.mk tests/e2e/module.mk tests/linux/module.mk tests/soak/module.mk tests/boards/module.mk tests/flash/module.mk \
	tests/scripts/module.mk tests/rtl/module.mk \
	bench/offload/module.mk bench/sim/module.mk bench/e2e/module.mk bench/linux/module.mk \
	bench/idle/module.mk
include $(MODULES)

all: deps $(ALL) tools

deps:
	@scripts/deps.sh build
deps-run: deps
	@scripts/deps.sh run
deps-test: deps-run
	@scripts/deps.sh test
deps-bench: deps-test
	@scripts/deps.sh bench

tools: deps $(TOOLS)

# Runs every suite even when one fails, then prints one closing line.
test: deps-test
	@$(MAKE) --no-print-directory all
	@scripts/run-suites.sh $(SUITES)

fuzz: deps-test $(addprefix fuzz-,$(FUZZERS))

# Suite for `make test`: every registered fuzzer for FUZZ_SHORT seconds.
FUZZ_SHORT ?= 10
SUITES += fuzz-short
.PHONY: test-fuzz-short
test-fuzz-short:
	@pass=0; fail=0; for f in $(FUZZERS); do \
	  if $(MAKE) --no-print-directory fuzz-$$f FUZZ_SECONDS=$(FUZZ_SHORT) >$(B)/fuzz-short-$$f.log 2>&1; \
	  then pass=$$((pass+1)); echo "fuzz-$$f: ok ($$(grep -m1 -o 'stat::number_of_executed_units: [0-9]*' $(B)/fuzz-short-$$f.log | grep -o '[0-9]*$$') runs)"; \
	  else fail=$$((fail+1)); echo "fuzz-$$f: FAILED"; tail -30 $(B)/fuzz-short-$$f.log; fi; \
	done; echo "$$pass passed, $$fail failed"; [ $$fail -eq 0 ]

bench: deps-bench $(addprefix bench-,$(BENCHES))

clean:
	rm -rf $(B)
