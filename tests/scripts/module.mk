# Layering (layers.txt, checked by scripts/check-deps.py): `make check-deps`
# checks the includes of the tree against the declared layers. Suite
# `check-deps`: the checker's own tests on synthetic trees (pytest,
# tests/scripts) and then the check of the real tree. Host only, a few s.
.PHONY: check-deps test-check-deps
check-deps:
	@$(PY) scripts/check-deps.py

SUITES += check-deps
test-check-deps:
	@pass=0; fail=0; \
	 if PYTHONDONTWRITEBYTECODE=1 $(PY) -m pytest -q -p no:cacheprovider -rf tests/scripts; \
	 then pass=$$((pass + 1)); else fail=$$((fail + 1)); echo "FAILED: pytest tests/scripts"; fi; \
	 if $(PY) scripts/check-deps.py; \
	 then pass=$$((pass + 1)); else fail=$$((fail + 1)); echo "FAILED: check-deps on the tree"; fi; \
	 echo "check-deps suite: $$pass passed, $$fail failed"; test $$fail -eq 0
