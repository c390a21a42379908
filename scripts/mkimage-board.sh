#!/usr/bin/env bash
# `make image` (board/image.mk): build what goes on the selected board's
# boot medium into OUT. The board's description (board/<b>/board.mk) comes
# in through the environment:
#   BOARD BOARD_BOOT BOARD_DTS BOARD_IMAGES_BASE  the board
#   BOARD_RAM_BASE BOARD_RAM_SIZE  its nominal RAM (uboot-fit: where U-Boot is)
#   CFG          partition config (.cfg) the hypervisor is built with
#   OUT          output folder (build/<board>, or build/<board>/<config>)
#   PART_MB      size of partition 1 (empty: the layout's default)
#   FW_FDT       y/n: embed the board's DTB in fw_payload (FW_FDT_PATH);
#                empty: the default for BOARD_BOOT (see below)
#   MAKE PY      from make
#
# BOARD_BOOT (board/README.md):
#   uboot-fit       disk.img: GPT, FAT partition 1 with boot.scr + rvhv.itb
#                   (FIT: hv + guest images + DTB, each with a SHA-256 hash)
#   sd-gpt-payload  disk.img: GPT, partition 1 = raw fw_payload.bin
#   sd-fat-elf      disk.img: MBR, FAT partition 1 with boot.elf = fw_payload.elf
# Every board also gets fw_payload.{bin,elf} (OpenSBI with the hypervisor,
# guest images linked in, as payload). Each file is written under a
# temporary name and renamed when complete.
set -euo pipefail

die() {
	echo "make image: $*" >&2
	exit 1
}
usage="usage: make image [BOARD=..] [CONFIG=..]   (runs scripts/mkimage-board.sh with
       the board's variables in its environment; it takes no arguments)
       scripts/mkimage-board.sh -h | --help"
bad_usage() {
	printf 'mkimage-board.sh: %s\n%s\n' "$*" "$usage" >&2
	exit 2
}
case ${1-} in
-h | --help)
	# the comment at the top
	sed -n '2,/^# temporary name/s/^# \{0,1\}//p' "$0"
	echo "Exit status: 0 built, 1 a step failed, 2 bad usage (an argument, a variable unset)."
	exit 0
	;;
esac
(($# == 0)) || bad_usage "unexpected argument '$1'"
for v in BOARD BOARD_BOOT BOARD_DTS BOARD_IMAGES_BASE CFG OUT MAKE PY; do
	[[ -n ${!v:-} ]] || bad_usage "$v is not set (board/${BOARD:-<board>}/board.mk?)"
done
[[ -f $BOARD_DTS ]] || die "BOARD_DTS=$BOARD_DTS: no such file"
# shellcheck disable=SC2153 # CFG comes from make
[[ -f $CFG ]] || die "config $CFG: no such file"
mkdir -p "$OUT"

# fw_payload's device tree: a board whose boot ROM hands over no tree
# the hypervisor can use gets its own tree linked in (FW_FDT_PATH).
#   uboot-fit (QEMU): fw_payload is the no-U-Boot alternative
#     (qemu -bios fw_payload.elf); QEMU passes the tree of the machine it
#     runs, always right for it. Not linked in.
#   sd-gpt-payload (CVA6): the boot ROM passes the tree compiled into the
#     bitstream's ROM (corev_apu/fpga/src/bootrom), written for the default
#     CVA6 configuration: its riscv,isa has no "h", so the hv would refuse
#     the hart. Linked in.
#   sd-fat-elf (vivado-risc-v Rocket): the ROM's tree names the UART only
#     "riscv,axi-uart-1.0", which Debian's generic OpenSBI has no driver
#     for: no OpenSBI console, so no SBI console for the hv either, and
#     nothing would print. The board's tree adds the UART Lite compatible
#     OpenSBI drives (board/nexys-video-rocket/README.md). Linked in.
# The price of a linked-in tree: it must match the bitstream (RAM, harts).
if [[ -z ${FW_FDT:-} ]]; then
	case $BOARD_BOOT in
	sd-gpt-payload | sd-fat-elf) FW_FDT=y ;;
	*) FW_FDT=n ;;
	esac
fi

sub() { # make target as a sub-make of the same board; last stdout line
	# (GUESTS= empty: the config is CONFIG=, the copy of the one GUESTS made)
	"$MAKE" --no-print-directory -s BOARD="$BOARD" GUESTS= "$@" | tail -n 1
}
commit() { mv -f "$1.tmp" "$1"; }
produced=()

# the board's tree, with the extra source appended (may be empty)
dtb_build() { # name extra.dtsi|""
	local name=$1 extra=$2 src="$OUT/$1.dts"
	{
		cat "$BOARD_DTS"
		[[ -z $extra ]] || cat "$extra"
	} >"$src.tmp"
	commit "$src"
	dtc -I dts -O dtb -i "$(dirname "$BOARD_DTS")" -o "$OUT/$name.dtb.tmp" "$src" ||
		die "dtc failed on $src"
	commit "$OUT/$name.dtb"
}

fw_payload() { # hv.bin
	local fdt=()
	if [[ $FW_FDT == y ]]; then
		dtb_build "$BOARD" "" # always: the DTS may have changed
		fdt=(OSBI_FDT="$OUT/$BOARD.dtb")
	fi
	"$MAKE" --no-print-directory -s BOARD="$BOARD" GUESTS= opensbi-payload \
		OSBI_OUT="$OUT" OSBI_PAYLOAD="$1" "${fdt[@]}" >/dev/null || die "OpenSBI fw_payload failed"
	produced+=("$OUT/fw_payload.bin" "$OUT/fw_payload.elf")
}

# The hv build folder is build/<board>/<config name>[-ext]/: each board's
# default.cfg has its own.
BCFG=$CFG

hv_check() { # hv.bin: refuse a build made from another config file
	local gen
	gen=$(dirname "$1")/gen/config.c
	[[ -f $1 ]] || die "make hv-image CONFIG=$BCFG did not name a hv.bin (got '$1')"
	grep -qF "from $BCFG:" "$gen" ||
		die "$1 was not built from $BCFG ($(head -n 1 "$gen"))"
}

# the hypervisor with its images linked in: the fw_payload of every board
hv_emb=$(sub hv-image CONFIG="$BCFG" HV_IMAGES=embedded)
hv_check "$hv_emb"
fw_payload "$hv_emb"

case $BOARD_BOOT in
uboot-fit)
	hv_ext=$(sub hv-image CONFIG="$BCFG" HV_IMAGES=external)
	hv_check "$hv_ext"
	imgs=$(dirname "$hv_ext")/images.txt
	[[ -f $imgs ]] ||
		die "make hv-image HV_IMAGES=external gave no hv.bin + images.txt (got '$hv_ext')"
	# U-Boot relocates itself, its heap, stack and tree into the top of RAM
	# (QEMU virt 1 GiB: bdinfo says relocaddr 0xbff57000, fdt_blob
	# 0xbf735950); bootm would copy a loadable over it: keep 64 MiB free
	[[ -n ${BOARD_RAM_BASE:-} && -n ${BOARD_RAM_SIZE:-} ]] ||
		die "BOARD_RAM_BASE/BOARD_RAM_SIZE not set (board/$BOARD/board.mk?)"
	export IMAGES_TOP=$((BOARD_RAM_BASE + BOARD_RAM_SIZE - (64 << 20)))
	"$PY" scripts/mkfit.py dtsi "$imgs" "$BOARD_IMAGES_BASE" >"$OUT/hypervisor-images.dtsi.tmp" ||
		die "mkfit.py dtsi failed"
	commit "$OUT/hypervisor-images.dtsi"
	dtb_build "$BOARD-fit" "$OUT/hypervisor-images.dtsi"
	"$PY" scripts/mkfit.py its "$imgs" "$BOARD_IMAGES_BASE" "$hv_ext" "$OUT/$BOARD-fit.dtb" \
		"$BOARD $(basename "$CFG" .cfg)" >"$OUT/rvhv.its.tmp" || die "mkfit.py its failed"
	commit "$OUT/rvhv.its"
	mkimage -f "$OUT/rvhv.its" "$OUT/rvhv.itb.tmp" >"$OUT/mkimage.log" 2>&1 ||
		{ cat "$OUT/mkimage.log" >&2; die "mkimage -f failed"; }
	commit "$OUT/rvhv.itb"
	# U-Boot's distro boot runs boot.scr with devtype/devnum/distro_bootpart
	# set to where it found it: the FIT is loaded from the same partition.
	cat >"$OUT/boot.cmd.tmp" <<-'EOF'
		# rvhv: load the FIT beside this script and boot it (bootm checks
		# every image's SHA-256 before it runs anything)
		echo rvhv: loading ${prefix}rvhv.itb from ${devtype} ${devnum}:${distro_bootpart}
		load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} ${prefix}rvhv.itb
		bootm ${kernel_addr_r}
		echo rvhv: bootm failed, not booting
	EOF
	commit "$OUT/boot.cmd"
	mkimage -A riscv -O linux -T script -C none -n "rvhv boot script" \
		-d "$OUT/boot.cmd" "$OUT/boot.scr.tmp" >/dev/null || die "mkimage -T script failed"
	commit "$OUT/boot.scr"
	scripts/mkimage-disk.sh gpt-fat "$OUT/disk.img" "${PART_MB:-16}" \
		"$OUT/boot.scr" "$OUT/rvhv.itb"
	produced+=("$OUT/$BOARD-fit.dtb" "$OUT/rvhv.itb" "$OUT/boot.scr" "$OUT/disk.img")
	;;
sd-gpt-payload)
	# CVA6's SD instructions size partition 1 at 32 MiB (2048..67583)
	scripts/mkimage-disk.sh gpt-raw "$OUT/disk.img" "${PART_MB:-32}" "$OUT/fw_payload.bin"
	produced+=("$OUT/disk.img")
	;;
sd-fat-elf)
	# vivado-risc-v's mk-sd-image makes a 64 MiB FAT16 boot partition
	scripts/mkimage-disk.sh mbr-fat "$OUT/disk.img" "${PART_MB:-64}" "$OUT/fw_payload.elf:boot.elf"
	produced+=("$OUT/disk.img")
	;;
*) die "BOARD_BOOT=$BOARD_BOOT: expected uboot-fit, sd-gpt-payload or sd-fat-elf" ;;
esac

[[ $FW_FDT == y ]] && produced+=("$OUT/$BOARD.dtb")
echo "make image BOARD=$BOARD ($BOARD_BOOT, config $CFG):"
for f in "${produced[@]}"; do
	printf '  %-44s %10d bytes\n' "$f" "$(stat -c %s "$f")"
done
case $BOARD_BOOT in
uboot-fit) echo "  disk.img: GPT, partition 1 FAT: boot.scr rvhv.itb" ;;
sd-gpt-payload) echo "  disk.img: GPT, partition 1 (type 3000, sector 2048): fw_payload.bin" ;;
sd-fat-elf) echo "  disk.img: MBR, partition 1 FAT16 (type 0x0e, sector 2048): boot.elf" ;;
esac
echo "  write it to a card: make flash BOARD=$BOARD DEV=/dev/sdX"
