#!/usr/bin/env bash
# Run `make test-<suite>` for each suite, keep going past failures, and close
# with one line. Exit status: non-zero when any suite failed.
set -u
usage="usage: scripts/run-suites.sh SUITE...   (make test passes \$(SUITES))
       scripts/run-suites.sh -h | --help"
case ${1-} in
-h | --help)
  printf '%s\n' "$usage" "Runs \`make test-SUITE\` for each SUITE, on past failures; one line per" \
    "suite, then \`suites: N passed, N failed\`." \
    "Exit status: 0 all passed, 1 any failed, 2 bad usage."
  exit 0 ;;
esac
(($#)) || { printf 'run-suites.sh: no suite\n%s\n' "$usage" >&2; exit 2; }
for s in "$@"; do
  [[ $s != -* ]] || { printf "run-suites.sh: unknown option '%s'\n%s\n" "$s" "$usage" >&2; exit 2; }
done
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
