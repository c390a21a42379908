# Layering (layers.txt, checked by scripts/check-deps.py): `make check-deps`
# checks the includes of the tree against the declared layers. Suite
# `check-deps`: the pytests of tests/scripts (the checker's own tests on
# synthetic trees; every tool's --help and bad usage, test_tools_cli.py, on
# the built C tools below) and then the check of the real tree. Host only,
# a few s once the tools are built.
.PHONY: check-deps test-check-deps
check-deps:
	@$(PY) scripts/check-deps.py

# the C tools test_tools_cli.py runs (nicbench: bench/sim/module.mk, read
# after this file)
CLI_TOOLS := $(TOOLS) $(HOSTB)/bin/nicbench $(B)/$(BOARD)/default/vmcfg_check \
	     $(UHV_OUT)/hv/core/guest_fdt_gen $(UHV_OUT)/platform/host_fdt_dump

SUITES += check-deps
test-check-deps: $(CLI_TOOLS)
	@pass=0; fail=0; \
	 if PYTHONDONTWRITEBYTECODE=1 BOARD=$(BOARD) $(PY) -m pytest -q -p no:cacheprovider -rf tests/scripts; \
	 then pass=$$((pass + 1)); else fail=$$((fail + 1)); echo "FAILED: pytest tests/scripts"; fi; \
	 if $(PY) scripts/check-deps.py; \
	 then pass=$$((pass + 1)); else fail=$$((fail + 1)); echo "FAILED: check-deps on the tree"; fi; \
	 echo "check-deps suite: $$pass passed, $$fail failed"; test $$fail -eq 0
