#!/usr/bin/env bash
# Write a boot-medium image (what goes on the board's SD card or disk) as a
# plain file: no root, no loop device. Partition 1 starts at sector 2048
# (1 MiB) in every layout.
#
#   mkimage-disk.sh gpt-fat OUT PART_MB FILE[:NAME]...
#       GPT; partition 1 "basic data" (0700) with the legacy-BIOS-bootable
#       attribute (U-Boot's distro boot scans bootable partitions first),
#       FAT (mtools) holding the files, e.g. boot.scr + rvhv.itb
#   mkimage-disk.sh gpt-raw OUT PART_MB PAYLOAD
#       GPT; partition 1 type 3000 holding PAYLOAD raw from its first byte:
#       the CVA6 boot ROM copies partition 1 of the card to RAM and jumps
#       to it (the CVA6 SD-card instructions: sgdisk --new=1:2048:67583
#       --typecode=1:3000, dd fw_payload.bin to partition 1)
#   mkimage-disk.sh mbr-fat OUT PART_MB FILE[:NAME]...
#       MBR; partition 1 type 0x0e (FAT16 LBA), active, FAT labelled BOOT:
#       vivado-risc-v's card layout, whose boot ROM loads boot.elf from it
#
# The image is built under a temporary name beside OUT and renamed only
# when complete: a failure never leaves a partial image under OUT.
set -euo pipefail

usage="usage: scripts/mkimage-disk.sh gpt-fat|mbr-fat OUT PART_MB FILE[:NAME]...
       scripts/mkimage-disk.sh gpt-raw OUT PART_MB PAYLOAD
       scripts/mkimage-disk.sh -h | --help"
die() {
	echo "mkimage-disk.sh: $*" >&2
	exit 1
}
bad_usage() {
	printf 'mkimage-disk.sh: %s\n%s\n' "$*" "$usage" >&2
	exit 2
}
case ${1-} in
-h | --help)
	# the comment at the top
	sed -n '2,/^# when complete/s/^# \{0,1\}//p' "$0"
	echo "Exit status: 0 written, 1 a file is missing or does not fit, 2 bad usage."
	exit 0
	;;
gpt-fat | mbr-fat | gpt-raw) ;;
"") bad_usage "no layout" ;;
*) bad_usage "unknown layout '$1' (gpt-fat, gpt-raw, mbr-fat)" ;;
esac
[[ $# -ge 4 ]] || bad_usage "$1 needs OUT, PART_MB and at least one file"
[[ $1 != gpt-raw || $# -eq 4 ]] || bad_usage "gpt-raw takes one payload file"
kind=$1 out=$2 part_mb=$3
shift 3
[[ $part_mb =~ ^[0-9]+$ && $part_mb -ge 1 ]] || bad_usage "PART_MB=$part_mb: a whole number of MiB, at least 1"

start=2048                            # sectors of 512 bytes: 1 MiB
nsect=$((part_mb * 2048))             # partition 1
end=$((start + nsect - 1))
# 1 MiB after the partition too: room for the backup GPT
total=$(((start + nsect + 2048) * 512))

tmp=$(mktemp "$(dirname "$out")/.$(basename "$out").XXXXXX")
trap 'rm -f "$tmp"' EXIT
truncate -s "$total" "$tmp" # sparse: only what is written takes space

# FILE[:NAME] -> copies into the FAT at offset 1 MiB of $tmp
fat_fill() { # label files...
	local label=$1 spec src name
	shift
	# -H: hidden sectors = the partition's start, as a formatter on the
	# card would write it; 64 heads x 32 sectors is the usual SD geometry
	mformat -i "$tmp@@$((start * 512))" -v "$label" -T "$nsect" -H "$start" -h 64 -s 32 :: ||
		die "mformat failed"
	for spec in "$@"; do
		src=${spec%%:*}
		name=${spec#*:}
		[[ $spec == *:* ]] || name=$(basename "$src")
		[[ -f $src ]] || die "no such file: $src"
		mcopy -i "$tmp@@$((start * 512))" "$src" "::$name" ||
			die "mcopy $src -> $name failed (partition of $part_mb MiB full?)"
	done
}

case $kind in
gpt-fat)
	sgdisk --clear --new=1:$start:$end --typecode=1:0700 --change-name=1:RVHV-BOOT \
		--attributes=1:set:2 "$tmp" >/dev/null || die "sgdisk failed"
	fat_fill RVHV "$@"
	;;
gpt-raw)
	[[ -f $1 ]] || die "no such file: $1"
	sgdisk --clear --new=1:$start:$end --typecode=1:3000 --change-name=1:RVHV-PAYLOAD \
		"$tmp" >/dev/null || die "sgdisk failed"
	size=$(stat -c %s "$1")
	[[ $size -le $((nsect * 512)) ]] ||
		die "$1 ($size bytes) does not fit partition 1 ($part_mb MiB)"
	dd if="$1" of="$tmp" bs=512 seek=$start conv=notrunc status=none || die "writing $1 failed"
	;;
mbr-fat)
	printf 'label: dos\nstart=%d, size=%d, type=e, bootable\n' $start $nsect |
		sfdisk -q "$tmp" >/dev/null || die "sfdisk failed"
	fat_fill BOOT "$@"
	;;
esac

mv -f "$tmp" "$out"
trap - EXIT
