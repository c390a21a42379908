#!/usr/bin/env bash
# Write a board's boot image to a card (or to a file standing in for one),
# refusing anything that looks like the wrong target, then verify it by
# reading it back. `make flash` calls this; see --help and board/FLASH.md.
#
# Exit status: 0 written and verified; 1 aborted at the question, or the
# write/verify failed; 2 refused before writing (nothing written);
# 130 interrupted.
#
# FLASH_SYSTEM_PATHS="dir ..." (environment) adds paths to those whose disks
# count as system disks (/, /boot, /usr...); the tests use it on loop disks.
set -u -o pipefail
export LC_ALL=C

PROG=flash

usage() {
	cat <<'EOF'
usage: scripts/flash.sh [options] IMAGE DEV
       make flash BOARD=<board> DEV=/dev/sdX [YES=1] [MAX_SIZE=64G | FORCE_SIZE=1] [ALLOW_FIXED=1]

Writes IMAGE (make flash: build/<board>/disk.img, built by `make image`) to
DEV, a whole-disk block device (an SD card, a USB card reader) or an existing
regular file standing in for a card (it keeps its size: create it first,
e.g. `truncate -s 8G card.img`).

Refused, nothing written (exit 2), one line per reason:
  - IMAGE missing or empty; DEV missing, not a block device or regular file;
  - DEV is a partition (cards take whole-disk images: give /dev/sdX, not
    /dev/sdX1);
  - DEV or any of its partitions is mounted, used as swap, or held by
    device-mapper/md (a regular file: attached to a loop device); the
    kernel refuses an exclusive open of DEV (mounted in another mount
    namespace, claimed by a program);
  - DEV is a system disk: the disk under /, /boot, /boot/efi, /usr, /var,
    /home or any swap (partitions, device-mapper and md resolved to their
    disks through sysfs);
  - DEV is a fixed (non-removable) disk: allowed are removable disks, USB
    card readers, mmcblk holding an SD card (not a soldered eMMC) and loop devices; anything
    else needs --allow-fixed (ALLOW_FIXED=1);
  - DEV is larger than the limit (default 64G; --max-size / MAX_SIZE=,
    units K M G T, powers of 1024) unless --force-size (FORCE_SIZE=1);
  - DEV is smaller than IMAGE;
  - no terminal to ask on and no --yes (YES=1).

Then shows what it will overwrite (lsblk, or the file's size) and the image
(path, size, sha256) and asks: Type "yes" to overwrite DEV. Anything else
aborts (exit 1). --yes (YES=1) skips the question.

Holds an exclusive claim on a block device (O_EXCL) while it writes with
dd conv=fsync, checks the byte count, flushes and drops DEV's
cached pages, reads back exactly the image's length and compares it with
cmp, prints both sha256 sums; a block device's partition table is re-read.
Any failure ends with one line saying so and exit 1. Ctrl-C while writing
says the card is incomplete.

options:
  -y, --yes            do not ask (YES=1)
  --max-size SIZE      size limit for DEV (MAX_SIZE=), default 64G
  --force-size         no size limit (FORCE_SIZE=1)
  --allow-fixed        allow a non-removable disk (ALLOW_FIXED=1)
  -h, --help           this text
EOF
}

say() { printf '%s: %s\n' "$PROG" "$*"; }
err() { printf '%s: %s\n' "$PROG" "$*" >&2; }
# a usage error: the reason, and how to call it
bad_usage() {
	err "$*"
	printf 'usage: scripts/flash.sh [-y] [--max-size SIZE | --force-size] [--allow-fixed] IMAGE DEV\n(--help for more)\n' >&2
}

# human-readable size: 68719476736 -> 64GiB
human() { numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }

# 64G, 64GiB, 512M, 1T, 123456 -> bytes (powers of 1024); empty on error
parse_size() {
	local s=${1^^} n u sh=0
	# at most 12 digits: the number itself fits; the unit's shift may not
	# (16777216T wrapped to a 0-byte limit), so a shift that loses bits is
	# an error, not a smaller limit
	[[ $s =~ ^([0-9]{1,12})([KMGT]?)(I?B)?$ ]] || return 1
	n=$((10#${BASH_REMATCH[1]})) u=${BASH_REMATCH[2]}
	case $u in
	K) sh=10 ;; M) sh=20 ;; G) sh=30 ;; T) sh=40 ;;
	esac
	(((n << sh) >= 0 && (n << sh) >> sh == n)) || return 1
	echo "$((n << sh))"
}

yes=0 force_size=0 allow_fixed=0 max_size_arg=64G
args=()
while (($#)); do
	case $1 in
	-y | --yes) yes=1 ;;
	--max-size)
		(($# >= 2)) || { bad_usage "--max-size needs a SIZE"; exit 2; }
		max_size_arg=$2; shift ;;
	--max-size=*) max_size_arg=${1#*=} ;;
	--force-size) force_size=1 ;;
	--allow-fixed) allow_fixed=1 ;;
	-h | --help) usage; exit 0 ;;
	--) shift; args+=("$@"); break ;;
	-*) bad_usage "unknown option $1"; exit 2 ;;
	*) args+=("$1") ;;
	esac
	shift
done
if ((${#args[@]} != 2)); then
	bad_usage "need IMAGE and DEV"
	exit 2
fi
image=${args[0]} dev_arg=${args[1]}
if [[ -z $dev_arg ]]; then
	err "refused: DEV not given (make flash BOARD=<board> DEV=/dev/sdX)"
	exit 2
fi
max_size=$(parse_size "$max_size_arg") || {
	err "refused: MAX_SIZE=$max_size_arg is not a size (e.g. 64G, 512M)"
	exit 2
}

phase=start
# shellcheck disable=SC2317 # a trap handler
on_signal() {
	trap - INT TERM HUP
	case $phase in
	write) err "INTERRUPTED while writing: $dev_arg is INCOMPLETE (partial image, do not boot it); run make flash again" ;;
	verify) err "INTERRUPTED while reading back: $dev_arg was written but is NOT verified" ;;
	done) err "interrupted after the read-back: $dev_arg holds the verified image" ;;
	*) err "interrupted: nothing written" ;;
	esac
	exit 130
}
trap on_signal INT TERM HUP

# ---- facts about the system -------------------------------------------------

# "maj:min" (decimal) of a block device node
devno() { stat -L -c '%Hr:%Lr' -- "$1"; }

# sysfs directory of a block device given as maj:min
sysdir() { [[ -e /sys/dev/block/$1 ]] && realpath "/sys/dev/block/$1"; }

# whole disks (sysfs names) under maj:min: a partition resolves to its disk,
# device-mapper / md to the disks they are built on (slaves, recursively)
disks_of() {
	local d s found=0
	d=$(sysdir "$1") || return 0
	[[ -f $d/partition ]] && d=${d%/*}
	for s in "$d"/slaves/*; do
		[[ -e $s/dev ]] || continue
		found=1
		disks_of "$(<"$s/dev")"
	done
	((found)) || echo "${d##*/}"
}

# mountinfo fields 3 (maj:min), 5 (mount point) and the source after " - "
mounts() {
	local mm mp rest src
	while read -r _ _ mm _ mp rest; do
		src=${rest#* - }
		src=${src#* }
		src=${src%% *}
		printf '%s %s %s\n' "$mm" "$mp" "$src"
	done </proc/self/mountinfo
}

# mountinfo and /proc/swaps write space, tab, newline and backslash as \ooo
unescape() {
	if [[ $1 == *\\* ]]; then printf -v REPLY '%b' "${1//\\/\\0}"; else REPLY=$1; fi
}

# maj:min of a mount's source when it is a block device (btrfs and the like
# report an anonymous 0:N in field 3; their source names the real device)
src_devno() {
	local s=${1%%\[*}
	[[ $s == /dev/* && -b $s ]] && devno "$s"
}

# The kernel's exclusive claim (open O_EXCL): refused while anything is
# mounted on the disk or its partitions, used as swap, held by dm/md, in any
# mount namespace. "probe" prints "ok" or the error; "hold" keeps the claim
# until its stdin closes, so nothing can mount the card while it is written.
EXCL_PY='import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
try:
    fd = os.open(sys.argv[1], os.O_RDONLY | os.O_EXCL)
except OSError as e:
    print(e.strerror, flush=True)
    sys.exit(1)
print("ok", flush=True)
if sys.argv[2] == "hold":
    sys.stdin.read()'
PYTHON=""
for p in /usr/bin/python3 python3; do
	command -v "$p" >/dev/null && { PYTHON=$(command -v "$p"); break; }
done
excl_probe() { "$PYTHON" -c "$EXCL_PY" "$1" probe 2>/dev/null </dev/null; }

# maj:min of every block device behind the system's own mounts and swap
system_devnos() {
	local p mm mp src best bestlen extra=()
	read -ra extra <<<"${FLASH_SYSTEM_PATHS-}"
	local paths=(/ /boot /boot/efi /usr /var /home "${extra[@]}")
	for p in "${paths[@]}"; do
		[[ -e $p ]] || continue
		p=$(realpath "$p")
		best="" bestlen=-1
		# the mount holding p: the longest mount point that is a prefix of it
		# (the last of equal ones: a later mount covers an earlier one)
		while read -r mm mp src; do
			unescape "$mp"; mp=$REPLY
			if [[ $p == "$mp" || $p == "${mp%/}"/* ]] && ((${#mp} >= bestlen)); then
				best="$mm $src" bestlen=${#mp}
			fi
		done < <(mounts)
		[[ -n $best ]] || continue
		read -r mm src <<<"$best"
		echo "$mm $p"
		src_devno "$src" | sed "s|\$| $p|"
	done
	local f
	while read -r f _; do
		[[ $f == Filename ]] && continue
		unescape "$f"; f=$REPLY
		if [[ -b $f ]]; then
			echo "$(devno "$f") swap $f"
		elif [[ -e $f ]]; then # swap file: the disk of its file system
			echo "$(stat -c '%Hd:%Ld' -- "$f") swap file $f"
		fi
	done </proc/swaps
}

# ---- checks -----------------------------------------------------------------

problems=()
refuse() { problems+=("$*"); }

img_size=0 dev=$dev_arg kind="" dev_size=0 disk=""
base_checks() {
	if [[ ! -e $image ]]; then
		refuse "image $image is missing (make image BOARD=<board> builds it)"
	elif [[ ! -f $image ]]; then
		refuse "image $image is not a regular file"
	else
		img_size=$(stat -L -c %s -- "$image")
		((img_size > 0)) || refuse "image $image is empty"
	fi

	dev=$dev_arg kind="" dev_size=0 disk=""
	if [[ ! -e $dev_arg ]]; then
		refuse "DEV $dev_arg does not exist (a card is a whole disk such as /dev/sdX or /dev/mmcblk0; a file must exist already and keep its size)"
	else
		dev=$(realpath -- "$dev_arg")
		if [[ -b $dev ]]; then
			kind="block"
		elif [[ -f $dev ]]; then
			kind="file"
		else
			refuse "DEV $dev_arg is neither a block device nor a regular file"
		fi
	fi
	if [[ -n $kind && -f $image ]] && [[ $image -ef $dev ]]; then
		refuse "DEV $dev_arg is the image itself"
	fi
}

check_block() {
	local mm d part fam=() f h mp src m s
	mm=$(devno "$dev") || { refuse "cannot read the device number of $dev"; return; }
	d=$(sysdir "$mm") || { refuse "$dev ($mm) has no entry in /sys/dev/block"; return; }
	if [[ -f $d/partition ]]; then
		part=${d##*/} d=${d%/*}
		refuse "$dev_arg is a partition ($part of /dev/${d##*/}); cards take whole-disk images: use /dev/${d##*/}"
	fi
	disk=${d##*/}
	dev_size=$(blockdev --getsize64 "$dev" 2>/dev/null) || dev_size=$(($(<"$d/size") * 512))

	# the disk and all its partitions
	fam=("$disk $(<"$d/dev")")
	for f in "$d"/*/partition; do
		[[ -e $f ]] || continue
		f=${f%/partition}
		fam+=("${f##*/} $(<"$f/dev")")
	done
	local ent fname fdev n_before=${#problems[@]}
	for ent in "${fam[@]}"; do
		read -r fname fdev <<<"$ent"
		while read -r m mp src; do
			unescape "$mp"; mp=$REPLY
			if [[ $m == "$fdev" ]] || [[ $src == /dev/* && $(src_devno "$src") == "$fdev" ]]; then
				refuse "$dev_arg is mounted: /dev/$fname on $mp (unmount it first)"
			fi
		done < <(mounts)
		while read -r s _; do
			[[ $s == Filename ]] && continue
			unescape "$s"; s=$REPLY
			[[ -b $s && $(devno "$s") == "$fdev" ]] &&
				refuse "$dev_arg is in use as swap: /dev/$fname (swapoff it first)"
		done </proc/swaps
		for h in "/sys/class/block/$fname"/holders/*; do
			[[ -e $h ]] || continue
			h=${h##*/}
			local what=holder
			[[ -e /sys/class/block/$h/dm/name ]] && what="device-mapper $(<"/sys/class/block/$h/dm/name")"
			[[ -e /sys/class/block/$h/md ]] && what="md array"
			refuse "$dev_arg is held by /dev/$h ($what on /dev/$fname)"
		done
	done

	# what the kernel knows beyond this mount namespace (a card mounted in a
	# container, or opened exclusively by another program)
	if [[ -n $PYTHON ]] && ((${#problems[@]} == n_before)); then
		local busy
		busy=$(excl_probe "$dev")
		case $busy in
		ok) ;;
		"Permission denied") refuse "no permission to open $dev_arg (run make flash as root, e.g. with sudo)" ;;
		*) refuse "$dev_arg is in use: the kernel refuses an exclusive open (${busy:-error}): mounted in another mount namespace, or claimed by a program" ;;
		esac
	fi

	# a disk the system runs from
	local sys_mm why sysd
	declare -A sys_why=()
	while read -r sys_mm why; do
		[[ $sys_mm == 0:* || -z $sys_mm ]] && continue
		for sysd in $(disks_of "$sys_mm"); do
			[[ -n ${sys_why[$sysd]-} ]] || sys_why[$sysd]=$why
		done
	done < <(system_devnos)
	[[ -n ${sys_why[$disk]-} ]] &&
		refuse "$dev_arg is a system disk: /dev/$disk holds ${sys_why[$disk]}"

	# cards come as removable disks, USB readers, mmcblk whose card is an
	# SD card (built-in SD slots say non-removable; a soldered eMMC says
	# "MMC" and is fixed); loop devices are the stand-ins for tests
	local rm=0 mmc_type=
	[[ -r $d/removable ]] && rm=$(<"$d/removable")
	[[ $disk == mmcblk* && -r $d/device/type ]] && mmc_type=$(<"$d/device/type")
	if ((rm == 0 && !allow_fixed)) && [[ $mmc_type != SD && $disk != loop* && $d != */usb* ]]; then
		refuse "$dev_arg is a fixed (non-removable, not USB, not an SD card) disk; ALLOW_FIXED=1 (--allow-fixed) if it really is the card"
	fi
}

check_file() {
	local l bf
	dev_size=$(stat -c %s -- "$dev")
	# dd of=/dev/sdX without the card leaves a regular file there (in RAM)
	[[ $dev == /dev/* ]] &&
		refuse "$dev_arg is a regular file in /dev, not a device (left by an earlier write while the card was absent? remove it)"
	for l in /sys/block/loop*/loop/backing_file; do
		[[ -r $l ]] || continue
		bf=$(<"$l")
		bf=${bf% (deleted)}
		if [[ $bf == "$dev" ]]; then
			l=${l#/sys/block/}
			refuse "$dev_arg is attached to /dev/${l%%/*} (losetup -d it first, or flash the loop device)"
		fi
	done
}

size_checks() {
	if ((dev_size > max_size && !force_size)); then
		refuse "$dev_arg is $(human "$dev_size"), above the $(human "$max_size") limit (MAX_SIZE= raises it, FORCE_SIZE=1 lifts it)"
	fi
	if ((img_size > 0 && dev_size < img_size)); then
		refuse "$dev_arg ($(human "$dev_size")) is smaller than the image ($(human "$img_size"))"
	fi
}

run_checks() {
	problems=()
	base_checks
	case $kind in
	block) check_block; size_checks ;;
	file) check_file; size_checks ;;
	esac
}

refused() {
	local p
	for p in "${problems[@]}"; do err "refused: $p"; done
	err "nothing written"
	exit 2
}

run_checks
((yes)) || [[ -t 0 ]] ||
	refuse "no terminal to ask on and YES=1 (--yes) not given"
((${#problems[@]} == 0)) || refused

# ---- show and ask -----------------------------------------------------------

img_sha=$(sha256sum <"$image" | cut -d' ' -f1) || { err "FAILED: cannot read $image"; exit 1; }
if [[ $kind == block ]]; then
	shown=$dev_arg
	[[ $dev_arg == "$dev" ]] || shown="$dev_arg ($dev)"
	say "about to overwrite block device $shown, $(human "$dev_size") ($dev_size bytes):"
	lsblk -o NAME,SIZE,TYPE,FSTYPE,LABEL,MODEL,MOUNTPOINTS "$dev" 2>&1 | sed 's/^/    /'
else
	say "about to overwrite regular file $dev_arg ($(human "$dev_size"), $dev_size bytes)"
fi
say "image $image: $img_size bytes ($(human "$img_size")), sha256 $img_sha"

if ((yes)); then
	say "YES=1: not asking"
else
	answer=""
	read -r -p "Type \"yes\" to overwrite $dev_arg: " answer || answer=""
	if [[ $answer != yes ]]; then
		err "aborted: nothing written"
		exit 1
	fi
fi
# the answer may have taken a while: an automounter may have mounted the card
run_checks
((${#problems[@]} == 0)) || refused
hold_pid=""
if [[ $kind == block && -n $PYTHON ]]; then
	coproc HOLD { exec "$PYTHON" -c "$EXCL_PY" "$dev" hold 2>/dev/null; }
	# shellcheck disable=SC2153 # HOLD_PID: set by coproc
	hold_pid=$HOLD_PID
	held=""
	read -r -t 10 held <&"${HOLD[0]}" || held=""
	if [[ $held != ok ]]; then
		problems=("$dev_arg is in use: the kernel refuses an exclusive open (${held:-no answer})")
		refused
	fi
elif [[ $kind == block ]]; then
	say "note: no python3: the card is not claimed exclusively while it is written"
fi
# the claim ends when the holder's stdin closes (also when this script dies)
release() {
	if [[ -n $hold_pid ]]; then
		eval "exec ${HOLD[1]}>&-"
		wait "$hold_pid" 2>/dev/null
		hold_pid=""
	fi
}

# ---- write ------------------------------------------------------------------

log=$(mktemp "${TMPDIR:-/tmp}/flash.XXXXXX") || { err "FAILED: mktemp"; exit 1; }
trap 'rm -f "$log"' EXIT

# without status=, dd ends with the byte count checked below
opts=()
[[ -t 2 ]] && opts+=(status=progress)
# a card: past the page cache, so progress is the card's (not a long stall
# in the final fsync); dd writes a short last block without O_DIRECT
[[ $kind == block ]] && opts+=(oflag=direct)
say "writing $image to $dev_arg"
phase="write"
# stderr (progress, errors, the final count) goes to the terminal and the log
dd if="$image" of="$dev" bs=4M iflag=fullblock conv=fsync,notrunc "${opts[@]}" 2>&1 >/dev/null |
	tee "$log" >&2
dd_rc=${PIPESTATUS[0]}
# dd's last count line: "N bytes (...) copied, ..."
written=$(tr '\r' '\n' <"$log" | sed -n 's/^\([0-9][0-9]*\) bytes.*copied.*/\1/p' | tail -n1)
written=${written:-0}
if ((dd_rc != 0)); then
	why=$(grep -m1 '^dd: ' "$log" | tr -d '\r')
	ro=""
	[[ $kind == block && $(blockdev --getro "$dev" 2>/dev/null) == 1 ]] &&
		ro="; $dev_arg is read-only (a card's write-protect switch?)"
	if ((written == 0)); then
		err "FAILED: nothing could be written to $dev_arg (${why:-dd exit $dd_rc})$ro"
	else
		err "FAILED: writing $dev_arg stopped after $written of $img_size bytes (${why:-dd exit $dd_rc})$ro; the card is INCOMPLETE, do not boot it"
	fi
	exit 1
fi
if ((written != img_size)); then
	err "FAILED: dd wrote $written of $img_size bytes to $dev_arg; the card is INCOMPLETE, do not boot it"
	exit 1
fi

# read back from the card, not from the page cache
phase="verify"
sync
[[ $kind == block ]] && blockdev --flushbufs "$dev" 2>/dev/null
dd if="$dev" iflag=nocache count=0 status=none 2>/dev/null
if ! cmp_out=$(cmp -n "$img_size" -- "$image" "$dev" 2>&1); then
	err "FAILED: read-back of $dev_arg differs from the image: $(echo "$cmp_out" | head -n1)"
	exit 1
fi
dev_sha=$(head -c "$img_size" -- "$dev" | sha256sum | cut -d' ' -f1) || {
	err "FAILED: cannot read back $dev_arg"
	exit 1
}
say "sha256 $img_sha  image $image ($img_size bytes)"
say "sha256 $dev_sha  read back from $dev_arg (first $img_size bytes)"
if [[ $(sha256sum <"$image" | cut -d' ' -f1) != "$img_sha" ]]; then
	err "FAILED: $image changed while it was being written (a build running?); run make flash again"
	exit 1
fi
if [[ $dev_sha != "$img_sha" ]]; then
	err "FAILED: read-back sha256 differs from the image's"
	exit 1
fi
phase="done"

release
if [[ $kind == block ]]; then
	# let the kernel see the new partition table: BLKRRPART, then partx
	# (user-space parsing, for kernels without the table's parser and for
	# loop devices without partition scanning)
	rr=0
	blockdev --rereadpt "$dev" 2>/dev/null && rr=1
	command -v partx >/dev/null && partx -u "$dev" 2>/dev/null && rr=1
	if ((rr)); then
		say "partitions the kernel now sees on $dev_arg:"
		lsblk -o NAME,SIZE,TYPE "$dev" 2>&1 | sed 's/^/    /'
	else
		say "note: the kernel kept the old partition table of $dev_arg (re-plug the card to see the new one)"
	fi
fi
say "done: $dev_arg holds $image ($img_size bytes), verified by read-back"
exit 0
