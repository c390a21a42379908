#!/usr/bin/env bash
# Unpack one folder of a Debian source package into the build tree:
# third-party code (libfdt, lwIP) arrives at build time and is never copied
# into the repository.
#   scripts/debsrc.sh DESTDIR PACKAGE[:SUBDIR] [PACKAGE[:SUBDIR] ...]
# The candidates are tried in order; the first whose source downloads wins
# (some mirrors lack a package's orig tarball, see README "Dependencies").
set -euo pipefail
usage="usage: scripts/debsrc.sh DESTDIR PACKAGE[:SUBDIR] [PACKAGE[:SUBDIR] ...]
       scripts/debsrc.sh -h | --help"
case ${1-} in
-h | --help)
  printf '%s\n' "$usage" "Unpacks SUBDIR (default: all) of the first PACKAGE whose Debian source" \
    "downloads into DESTDIR (adding deb-src entries to apt if there are none);" \
    "nothing when DESTDIR/.unpacked exists." \
    "Exit status: 0 unpacked, 1 no candidate downloadable, 2 bad usage."
  exit 0 ;;
-*) printf "debsrc.sh: unknown option '%s'\n%s\n" "$1" "$usage" >&2; exit 2 ;;
esac
(($# >= 2)) || { printf 'debsrc.sh: need DESTDIR and at least one PACKAGE\n%s\n' "$usage" >&2; exit 2; }
dest=$1; shift
[[ -f "$dest/.unpacked" ]] && exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

# apt-get source needs deb-src entries; add them beside the binary ones.
if ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  tmp=$(mktemp)
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] && grep -q 'debian' "$f" && sed 's/^Types:.*/Types: deb-src/' "$f" >>"$tmp" && echo >>"$tmp"
  done
  if [[ -s $tmp ]]; then
    list=/etc/apt/sources.list.d/rvhv-deb-src.sources
  else
    sed -n 's/^deb \(.*debian.*\)/deb-src \1/p' /etc/apt/sources.list >"$tmp" 2>/dev/null || true
    list=/etc/apt/sources.list.d/rvhv-deb-src.list
  fi
  echo "debsrc.sh: adding deb-src entries ($list)"
  $sudo cp "$tmp" "$list"
  $sudo chmod 644 "$list"
  rm -f "$tmp"
  $sudo apt-get update -qq
fi

work=$(dirname "$dest")/.debsrc-$$
trap 'rm -rf "$work"' EXIT
for cand in "$@"; do
  pkg=${cand%%:*} sub=${cand#*:}
  [[ $cand == *:* ]] || sub=.
  rm -rf "$work"; mkdir -p "$work"
  if ! (cd "$work" && apt-get source --download-only -qq "$pkg" >log 2>&1); then
    echo "debsrc.sh: source of $pkg not downloadable here, trying the next candidate" >&2
    continue
  fi
  dsc=$(ls "$work"/*.dsc | head -n 1)
  dpkg-source --no-check -x "$dsc" "$work/tree" >/dev/null
  rm -rf "$dest"; mkdir -p "$(dirname "$dest")"
  if [[ $sub == . ]]; then mv "$work/tree" "$dest"; else mv "$work/tree/$sub" "$dest"; fi
  echo "$(basename "$dsc" .dsc):$sub" >"$dest/.unpacked"
  echo "debsrc.sh: $dest from Debian source $(cat "$dest/.unpacked")"
  exit 0
done
echo "debsrc.sh: none of $* could be downloaded" >&2
exit 1
