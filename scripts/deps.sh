#!/usr/bin/env bash
# Install the Debian packages a target needs, and nothing when they are all
# present already (so `make run` / `make test` stay fast on a set-up machine).
#   scripts/deps.sh GROUP...     groups: build run test bench rtl linux
set -euo pipefail

declare -A pkgs=(
  [build]="make gcc pkg-config gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf \
           device-tree-compiler dpkg-dev xz-utils python3 libpcap-dev \
           u-boot-tools gdisk fdisk mtools"
  [run]="qemu-system-misc opensbi gdb-multiarch u-boot-qemu"
  [test]="libcmocka-dev python3-pytest python3-scapy tshark iperf clang \
          libclang-rt-14-dev iproute2 curl iputils-ping ethtool"
  [bench]="libdpdk-dev valgrind"
  [rtl]="verilator yosys nextpnr-ice40 fpga-icestorm"
  [linux]="linux-source-6.1 gcc-riscv64-linux-gnu libc6-dev-riscv64-cross flex bison bc \
           cpio xz-utils"
)

usage="usage: scripts/deps.sh GROUP...   (groups: build run test bench rtl linux)
       scripts/deps.sh -h | --help"
case ${1-} in
-h | --help)
  printf '%s\n' "$usage" "Installs the Debian packages of each GROUP that are missing (apt-get," \
    "through sudo unless root); nothing when all are there." \
    "Exit status: 0 all present, 2 bad usage; else apt-get's."
  exit 0 ;;
esac
(($#)) || { printf 'deps.sh: no group\n%s\n' "$usage" >&2; exit 2; }

want=()
for g in "$@"; do
  [[ -n "${pkgs[$g]+x}" ]] || { printf "deps.sh: unknown group '%s'\n%s\n" "$g" "$usage" >&2; exit 2; }
  for p in ${pkgs[$g]}; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || want+=("$p")
  done
done
((${#want[@]})) || exit 0

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
echo "deps.sh: installing ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
# Another apt (unattended-upgrades, a second make) may hold the lock: wait
# for it rather than fail.
lock=(-o DPkg::Lock::Timeout=600)
$sudo apt-get "${lock[@]}" update -qq
$sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends "${want[@]}"
