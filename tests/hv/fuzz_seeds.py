#!/usr/bin/env python3
"""Seeds for the hypervisor-side fuzzers (tests/hv/module.mk), laid out as
each harness reads its input (the comment at the top of each harness says
how): well-formed sessions the code accepts, so the fuzzer starts deep in
the state machines and mutates toward the edges. The instruction seeds are
binutils' encodings (MEM_INSNS_BIN, assembled from
tests/arch/riscv/mem_insns.S), not the decoder's.

usage: fuzz_seeds.py NAME OUTDIR [MEM_INSNS_BIN]
       fuzz_seeds.py -h | --help
Exit status: 0 written, 2 bad usage."""
import os
import struct
import sys


def u8(*v):
    return bytes(x & 0xFF for x in v)


def u16(*v):
    return b"".join(struct.pack("<H", x & 0xFFFF) for x in v)


def u32(*v):
    return b"".join(struct.pack("<I", x & 0xFFFFFFFF) for x in v)


def u64(*v):
    return b"".join(struct.pack("<Q", x & (2**64 - 1)) for x in v)


def binutils_insns(path):
    """[(insn, length)] of mem_insns.bin, each cut at its own length."""
    if not path or not os.path.exists(path):
        return []
    data, out, i = open(path, "rb").read(), [], 0
    while i + 2 <= len(data):
        lo = struct.unpack_from("<H", data, i)[0]
        n = 2 if lo & 3 != 3 else 4
        if i + n > len(data):
            break
        out.append((int.from_bytes(data[i:i + n], "little"), n))
        i += n
    return out


# --- insn-decode: records of u32 instruction, u64 raw load value
def insn_decode(insns):
    raw = 0x8081828384858687
    recs = [u32(i) + u64(raw) for i, _ in insns] or [u32(0x00052503) + u64(raw)]
    return {f"insn{k}": r for k, r in enumerate(recs)} | {"all": b"".join(recs)}


# --- mmio: regions, then faults (fuzz_mmio.c)
def mmio(insns):
    # the VF window (0x10001000 + 0, 0x1000) and the vPLIC (0x0c000000, 0x4000000)
    regions = u8(2) + u8(1, 0) + u16(0, 0x1000) + u8(3, 1) + u16(0) + u64(0x4000000)
    seeds = {}
    for k, (insn, n) in enumerate(insns or [(0x00052503, 4)]):
        store = 1 if (n == 4 and insn & 0x7F == 0x23) or (n == 2 and insn & 0x8000) else 0
        fault = u8(store) + u16(0x70) + u32(insn) + u64(0x80001000) + u64(k) + \
            u64(0xFEDCBA9876543210)
        seeds[f"fault{k}"] = regions + fault
    return seeds


# --- sbi-args: records of u8 check, then its arguments (fuzz_sbi_args.c);
# a register is u8 k (< 0x80: an edge value) or 0xff and a u64
def sbi_args(insns):
    any_reg = lambda v: u8(0xFF) + u64(v)
    return {
        "ipi-all": u8(0, 0) + any_reg(0b101) + any_reg(2**64 - 1) + u8(4),
        "ipi-base": u8(0, 1, 0b11) + any_reg(1) + u8(4),
        "dbcn": u8(1) + any_reg(16) + any_reg(0x80001000) + u8(0, 0) + any_reg(0x1000000),
        "srst": u8(2) + any_reg(1) + any_reg(0) + u8(2) + any_reg(0xF0000000) + any_reg(1),
        "hsm": u8(3) + any_reg(3) + u8(4),
    }


# --- vplic: sources, contexts, flags, then ops (fuzz_vplic.c)
def vplic(insns):
    def wr(kind, i, v):
        return u8(0, kind, i, 0xFF) + u32(v)

    def rd(kind, i):
        return u8(1, kind, i)
    # a guest's interrupt setup: priority 1 for sources 1 and 2, both
    # enabled for context 0, threshold 0, lines up, claim, complete
    setup = wr(0, 1, 1) + wr(0, 2, 3) + wr(2, 0, 0b110) + wr(3, 0, 0) + u8(3) + u32(0b110)
    claim = rd(4, 0) + rd(1, 0) + u8(4, 0) + rd(4, 0) + u8(4, 0)
    return {"one-vf": u8(1, 1, 0) + setup + claim,
            "two-ctx": u8(3, 2, 0) + setup + wr(2, 1, 0b1110) + wr(3, 1, 2) + claim + u8(4, 1),
            "max": u8(31, 8, 0) + u8(3) + u32(0xFFFFFFFF) + wr(2, 7, 0xFFFFFFFF) +
            wr(0, 31, 7) + u8(4, 7)}


# --- vf-regs: u8 VF id, then ops; a mailbox command reads its answer
# (u8 how: 1 = answered, status 0, the usual replies) (fuzz_vf_regs.c)
VF_REGS = ["MAGIC", "VERSION", "DEVICE_ID", "VENDOR_ID", "DEV_FEAT", "DEV_FEAT_SEL", "DRV_FEAT",
           "DRV_FEAT_SEL", "QUEUE_SEL", "QUEUE_MAX", "QUEUE_NUM", "QUEUE_READY", "NOTIFY", "ISR",
           "ISR_ACK", "STATUS", "DESC_LO", "DESC_HI", "DRIVER_LO", "DRIVER_HI", "DEVICE_LO",
           "DEVICE_HI", "CONFIG_GEN", "CONFIG"]
# registers whose access sends one mailbox command (reads / writes by value)
VF_READ_CMD = {"DEV_FEAT", "QUEUE_MAX", "STATUS", "CONFIG"}


def vf_regs(insns):
    def rd(name, ans=1):
        return u8(1, VF_REGS.index(name)) + (u8(ans) if name in VF_READ_CMD else b"")

    def wr(name, v, *answers):
        return u8(0, VF_REGS.index(name), 0xFF) + u32(v) + u8(*answers)

    s = rd("MAGIC") + rd("VERSION") + rd("DEVICE_ID") + wr("STATUS", 0, 1)
    s += wr("STATUS", 1) + wr("STATUS", 3) + rd("DEV_FEAT") + wr("DEV_FEAT_SEL", 1) + rd("DEV_FEAT")
    s += wr("DRV_FEAT_SEL", 1) + wr("DRV_FEAT", 1) + wr("DRV_FEAT_SEL", 0) + wr("DRV_FEAT", 0x10021)
    s += wr("STATUS", 0xB, 1) + rd("STATUS")
    for q in (0, 1):
        s += wr("QUEUE_SEL", q) + rd("QUEUE_MAX") + wr("QUEUE_NUM", 256)
        for i, reg in enumerate(("DESC_LO", "DRIVER_LO", "DEVICE_LO")):
            s += wr(reg, 0x80100000 + 0x1000 * i + 0x10000 * q)
        s += wr("QUEUE_READY", 1, 1) + rd("QUEUE_READY")
    s += wr("STATUS", 0xF, 1) + rd("STATUS") + wr("NOTIFY", 1, 1) + u8(7) + u32(1)
    s += rd("ISR") + wr("ISR_ACK", 1) + rd("CONFIG")
    up = u8(2) + s
    # then the NIC stops answering, the driver resets; an admin reset; a NIC restart
    return {"driver-up": up,
            "timeout": up + wr("NOTIFY", 0, 0) + rd("STATUS") + wr("NOTIFY", 0) + wr("STATUS", 0, 1),
            "admin": up + u8(5) + rd("STATUS") + rd("CONFIG_GEN") + u8(4, 1) + rd("STATUS"),
            "restart": up + u8(6) + rd("STATUS") + wr("STATUS", 0, 0) + rd("STATUS") + u8(4, 1)}


# --- shm-hv: ops; a call is u8 2, slot, cmd, vf, arg0, still, max, NIC
# actions per look; action 1 is a proper answer (status byte 128 = 0)
def shm_hv(insns):
    def call(slot, acts, still=16, mx=32):
        return u8(2, slot) + u32(14) + u16(1) + u64(0x1234) + u8(still, mx, acts)
    answer = u8(1, 128) + u64(42)
    ok = call(3, 1) + answer
    mute = call(3, 0)
    return {"answered": ok + ok + call(5, 1) + u8(4) + answer,
            "late": mute + mute + u8(0, 1) + answer + ok,
            "restart": mute + u8(1) + ok,
            "bad-seq": call(2, 2) + u8(6) + u16(7) + u8(7)}


# --- vm-config: each field a u8 (< 0xe0: the k % n-th usual value), see
# fuzz_vm_config.c; all zeros is QEMU virt with one VM and a NIC partition
def vm_config(insns):
    def machine(nresv=0):
        return u8(0, 0, 0, 0, 0, nresv) + u8(0, 1) * nresv

    def nic():  # hart 3, 32M, a 1M image, policy all, images linked in
        return u8(0, 0, 0, 0, 0)

    def vm(i, vf=0, base=0, vcpus=0):
        # name, vcpus, harts (8 x u8: 0x80 then the hart), base, size, image,
        # vf, mac, mtu, policy, switch settings (0: the defaults)
        return u8(i, vcpus) + u8(0x80, 1 + i) + u8(0) * 7 + u8(base, 0, 0, vf, 0, 0, 0, 0)

    imgs = u8(1, 0, 0) * 3
    return {"one": machine() + u8(0) + nic() + vm(0) + imgs,
            "two-vf": machine() + u8(1) + nic() + vm(0, vf=1) + vm(1, vf=1) + imgs,
            "explicit": machine(1) + u8(1) + nic() + vm(0, base=2) + vm(1) + imgs,
            "resv": machine(2) + u8(1) + nic() + vm(0) + vm(1, vf=1) + imgs}


# --- sbi-server: VM set-up, then calls: u8 eid (index into the harness's
# known list), u8 fid, three args (u8 kind: < 0x40 small, < 0x80 RAM_GPA +
# u16 - 0x100), the vendor call's error and value, then one u8 per clock
# read or getc (fuzz_sbi_server.c)
SBI_EIDS = [0, 1, 2, 3, 4, 8, 9, 0xF, "base", "time", "ipi", "rfence", "hsm", "srst", "dbcn",
            "rvhv", "other", "dbcn+1", "unknown"]


def sbi_server(insns):
    def call(eid, fid, a0, a1, a2, tail=b""):
        return u8(SBI_EIDS.index(eid), fid) + a0 + a1 + a2 + u8(0) + u64(0) + tail

    small = lambda v: u8(v)
    inram = lambda off: u8(0x40) + u16(off + 0x100)
    # 4 vCPUs (running, stopped, running, running), vCPU 0 calls, the VM
    # runs, not the NIC partition, Sstc, 272 bytes of RAM
    setup = u8(3, 2, 0, 2, 2, 0, 0, 0, 1) + u16(256)
    calls = call("base", 3, small(0x10), small(0), small(0))
    calls += call("ipi", 0, small(0b1010), small(0), small(0))
    calls += call("rfence", 1, small(0xF), small(0), small(0), u8(0xFF) * 4)
    calls += call("hsm", 0, small(1), inram(0), small(7)) + call("hsm", 2, small(1), small(0), small(0))
    calls += call("dbcn", 0, small(5), inram(0x10), small(0))
    calls += call("dbcn", 1, small(8), inram(0x20), small(0), u8(65, 66, 67, 0xFF))
    calls += call("srst", 0, small(1), small(0), small(0)) + call(1, 0, small(0x41), small(0), small(0))
    # one vCPU, the NIC partition: RVHV answers
    return {"calls": setup + calls, "nic": u8(0, 2, 0, 0, 1, 0) + u16(64) +
            call("rvhv", 0, small(3), small(0), small(0)) + call("other", 1, small(1), small(0), small(0))}


SEEDERS = {
    "sbi-server": sbi_server,
    "vm-config": vm_config,
    "shm-hv": shm_hv,
    "vf-regs": vf_regs,
    "vplic": vplic,
    "sbi-args": sbi_args,
    "insn-decode": insn_decode,
    "mmio": mmio,
}


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    if not 2 <= len(argv) <= 3 or argv[0] not in SEEDERS:
        print(f"fuzz_seeds.py: expected NAME OUTDIR [MEM_INSNS_BIN], NAME one of "
              f"{', '.join(SEEDERS)}\nusage: fuzz_seeds.py NAME OUTDIR [MEM_INSNS_BIN]",
              file=sys.stderr)
        return 2
    name, out = argv[0], argv[1]
    insns = binutils_insns(argv[2] if len(argv) > 2 else None)
    os.makedirs(out, exist_ok=True)
    for fname, data in SEEDERS[name](insns).items():
        with open(os.path.join(out, fname), "wb") as f:
            f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
