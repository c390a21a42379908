# The soak (issue 12, tests/soak/test_soak.py): honest lwIP and Linux guests
# moving traffic, a hostile guest, a rebooting guest and console commands on
# an 8-hart QEMU. `make soak` runs it for SOAK_SECONDS (default 600),
# `make test-soak` for 60 s, in `make test` (suite `soak`). Console log:
# build/test-logs/e2e/soak.log.
SUITES += soak
SOAK_SECONDS ?= 600
test-soak: all linux-guest
	@SOAK_SECONDS=60 PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rfEx -s tests/soak
soak: deps-test all linux-guest
	@SOAK_SECONDS=$(SOAK_SECONDS) PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rfEx -s tests/soak
.PHONY: test-soak soak
