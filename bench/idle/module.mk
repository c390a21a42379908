# bench-idle (issue 13): host CPU-seconds QEMU uses per --idle seconds with
# every guest idle: bare Linux, `make run DEMO=linux`, `make run` (lwIP),
# with ratios against bare Linux and the busiest QEMU threads. NET=user: no
# root. Prints the table; `make bench-idle` also writes bench/idle/results.md.
BENCHES += idle
.PHONY: bench-idle
bench-idle: all linux-guest
	@$(MAKE) --no-print-directory hv-image CONFIG=board/$(BOARD)/linux.cfg >/dev/null
	$(PY) bench/idle/run.py --out bench/idle
