#!/usr/bin/env bash
# Run `make test-<suite>` for each suite, keep going past failures, and close
# with one line. Exit status: non-zero when any suite failed.
set -u
pass=0 fail=0 failed=()
for s in "$@"; do
  echo "=== suite $s"
  start=$SECONDS
  if make --no-print-directory "test-$s"; then
    pass=$((pass + 1)); echo "=== suite $s: ok ($((SECONDS - start)) s)"
  else
    fail=$((fail + 1)); failed+=("$s"); echo "=== suite $s: FAILED ($((SECONDS - start)) s)"
  fi
done
((fail)) && echo "failed suites: ${failed[*]}"
echo "suites: $pass passed, $fail failed"
((fail == 0))
