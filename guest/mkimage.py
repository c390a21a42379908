#!/usr/bin/env python3
"""Make a guest .bin that runs wherever it is loaded.

The cross ld cannot link a PIE, so apps are linked at 0x80000000 with
--emit-relocs and this script finds every absolute 64-bit address stored in
the image (R_RISCV_64 into an allocated section). It writes the raw image
padded to __image_end, followed by the table crt.S applies when the image
runs elsewhere (bare OpenSBI loads at 0x80200000):

    u32 magic "GRLC", u32 count, count x u64 offset from __guest_start

Any other absolute relocation in the image makes the build fail, so an image
that is not position-independent is never produced silently.

usage: mkimage.py APP.elf OUT.bin
       mkimage.py -h | --help
Exit status: 0 written, 1 the ELF cannot be made position-independent, 2 bad
usage.
"""
import struct
import sys

SHT_SYMTAB, SHT_RELA = 2, 4
SHF_ALLOC = 0x2
SHN_ABS = 0xFFF1
R_RISCV_64 = 2
# Relocations that do not depend on where the image is loaded.
POSITION_FREE = {
    0,  # NONE (left by relaxation)
    16, 17, 18, 19, 23, 24, 25, 26,  # BRANCH JAL CALL CALL_PLT PCREL_HI20 PCREL_LO12_I/S GOT_HI20
    29, 30, 31, 32,  # TPREL_HI20 TPREL_LO12_I TPREL_LO12_S TPREL_ADD
    33, 34, 35, 36, 37, 38, 39, 40, 41, 42,  # ADD/SUB 8..64
    43, 44, 45, 51,  # ALIGN RVC_BRANCH RVC_JUMP RELAX
    49, 50,  # TPREL_I TPREL_S (relaxed TLS access)
    52, 53, 54, 55, 56, 57,  # SUB6 SET6 SET8 SET16 SET32 32_PCREL
    60, 61,  # SET_ULEB128 SUB_ULEB128
}
MAGIC = 0x434C5247  # "GRLC" little-endian


def fail(msg):
    sys.exit(f"mkimage: {msg}")


def main(elf_path, out_path):
    data = open(elf_path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        fail(f"{elf_path}: not a little-endian ELF64 file")
    (e_shoff,) = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    secs = []
    for i in range(e_shnum):
        name, typ, flags, addr, off, size, link, info, _, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", data, e_shoff + i * e_shentsize)
        secs.append(dict(type=typ, flags=flags, addr=addr, off=off, size=size,
                         link=link, info=info, entsize=entsize))

    symtab = next((s for s in secs if s["type"] == SHT_SYMTAB), None)
    if symtab is None:
        fail(f"{elf_path}: no symbol table")
    strtab = secs[symtab["link"]]

    def sym(i):
        name, _, _, shndx, value, _ = struct.unpack_from(
            "<IBBHQQ", data, symtab["off"] + i * 24)
        end = data.index(b"\0", strtab["off"] + name)
        return data[strtab["off"] + name:end].decode(), shndx, value

    syms = {}
    for i in range(symtab["size"] // 24):
        n, shndx, value = sym(i)
        syms[n] = value
    for need in ("__guest_start", "__image_end"):
        if need not in syms:
            fail(f"{elf_path}: symbol {need} missing (not linked with guest.ld?)")
    base, end = syms["__guest_start"], syms["__image_end"]

    # runtime.c copies the TLS template from __tdata_start and points tp at
    # the copy: that only matches the linker's tp offsets if the TLS segment
    # starts there.
    (e_phoff,) = struct.unpack_from("<Q", data, 0x20)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(e_phnum):
        p_type, _, _, p_vaddr = struct.unpack_from("<IIQQ", data, e_phoff + i * e_phentsize)
        if p_type == 7 and p_vaddr != syms.get("__tdata_start"):  # PT_TLS
            fail(f"{elf_path}: TLS segment at 0x{p_vaddr:x}, not at __tdata_start")

    offsets = []
    for rs in secs:
        if rs["type"] != SHT_RELA or not secs[rs["info"]]["flags"] & SHF_ALLOC:
            continue
        target = secs[rs["info"]]
        for j in range(rs["size"] // 24):
            r_off, r_info, _ = struct.unpack_from("<QQq", data, rs["off"] + j * 24)
            rtype, rsym = r_info & 0xFFFFFFFF, r_info >> 32
            if rtype in POSITION_FREE:
                continue
            # With --emit-relocs r_offset is the final address.
            where = r_off if r_off >= target["addr"] else target["addr"] + r_off
            if rtype == R_RISCV_64:
                if sym(rsym)[1] == SHN_ABS:
                    continue
                if not base <= where < end:
                    fail(f"R_RISCV_64 at 0x{where:x} outside the image")
                offsets.append(where - base)
                continue
            name = sym(rsym)[0] or "?"
            fail(f"{elf_path}: position-dependent relocation type {rtype} at 0x{where:x} "
                 f"(symbol {name}); build with -mcmodel=medany")

    # Raw image: allocated PROGBITS sections at their addresses.
    img = bytearray(end - base)
    for s in secs:
        if s["flags"] & SHF_ALLOC and s["type"] not in (8,) and s["size"] and \
                base <= s["addr"] < end:
            img[s["addr"] - base:s["addr"] - base + s["size"]] = \
                data[s["off"]:s["off"] + s["size"]]
    offsets = sorted(set(offsets))
    img += struct.pack("<II", MAGIC, len(offsets))
    img += b"".join(struct.pack("<Q", o) for o in offsets)
    open(out_path, "wb").write(img)


if __name__ == "__main__":
    if any(a in ("-h", "--help") for a in sys.argv[1:]):
        print(__doc__.strip())
        sys.exit(0)
    if len(sys.argv) != 3 or any(a.startswith("-") for a in sys.argv[1:]):
        print(f"mkimage.py: expected APP.elf OUT.bin, got {' '.join(sys.argv[1:]) or 'nothing'}\n"
              "usage: mkimage.py APP.elf OUT.bin", file=sys.stderr)
        sys.exit(2)
    try:
        main(sys.argv[1], sys.argv[2])
    except OSError as e:
        fail(f"{e.filename}: {e.strerror}")
    except (struct.error, IndexError):
        fail(f"{sys.argv[1]}: truncated or damaged ELF file")
