# bench-linux (issue 13): the Linux guest on its VF against the same kernel
# on bare QEMU (TAP offloads on and off), throughput both ways and idle CPU.
# Writes bench/linux/results.md and results.csv (committed). Needs root.
BENCHES += linux
.PHONY: bench-linux
bench-linux: all linux-guest
	$(PY) bench/linux/run.py --out bench/linux
