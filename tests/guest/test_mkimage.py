"""mkimage.py against tiny images assembled here: the relocation table must
list exactly the stored addresses (nm is the oracle for where they are), and
position-dependent code must fail the build instead of producing an image."""
import struct
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "build" / "host" / "guest-tests" / "mkimage"
LDS = REPO / "guest" / "guest.ld"
MKIMAGE = REPO / "guest" / "mkimage.py"
BASE = 0x80000000

HEAD = """
	.section .text.entry, "ax"
	.globl _start
_start:
	lla	a0, table
	ret
"""


def build(name, body):
    OUT.mkdir(parents=True, exist_ok=True)
    src, elf = OUT / f"{name}.S", OUT / f"{name}.elf"
    src.write_text(HEAD + body)
    subprocess.run(["riscv64-unknown-elf-gcc", "-march=rv64gc", "-mabi=lp64d", "-nostdlib",
                    "-static", "-T", str(LDS), "-Wl,--emit-relocs", "-Wl,--no-warn-rwx-segments",
                    "-o", str(elf), str(src)], check=True)
    syms = {}
    for line in subprocess.run(["riscv64-unknown-elf-nm", str(elf)], check=True,
                               capture_output=True, text=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return elf, syms


def mkimage(elf):
    out = elf.with_suffix(".bin")
    r = subprocess.run(["/usr/bin/python3", str(MKIMAGE), str(elf), str(out)],
                       capture_output=True, text=True)
    return r, out


def test_table_lists_every_stored_address():
    elf, syms = build("good", """
	.data
	.balign 8
table:	.dword	_start
	.dword	table + 8
	.dword	42			/* a plain number: not relocated */
	.dword	_start - table		/* a difference: not relocated */
	.section .rodata
	.balign 8
rotab:	.dword	table
""")
    r, out = mkimage(elf)
    assert r.returncode == 0, r.stderr
    img = out.read_bytes()
    end = syms["__image_end"] - BASE
    magic, count = struct.unpack_from("<II", img, end)
    assert magic == 0x434C5247
    offs = set(struct.unpack_from(f"<{count}Q", img, end + 8))
    t, ro = syms["table"] - BASE, syms["rotab"] - BASE
    assert offs == {t, t + 8, ro}
    assert len(img) == end + 8 + 8 * count
    # The raw image holds the link-time values the crt adds the delta to.
    assert struct.unpack_from("<Q", img, t)[0] == BASE
    assert struct.unpack_from("<Q", img, t + 8)[0] == syms["table"] + 8
    assert struct.unpack_from("<Q", img, ro)[0] == syms["table"]
    assert struct.unpack_from("<Q", img, t + 16)[0] == 42


# (Absolute lui/addi pairs cannot even be linked at 0x80000000 on RV64.)
@pytest.mark.parametrize("name,body", [
    ("abs32", "\t.data\ntable:\t.word _start\n"),
    ("abs32-rodata", "\t.section .rodata\ntable:\t.dword 0\n\t.word table + 4\n"),
])
def test_position_dependent_code_is_rejected(name, body):
    elf, _ = build(name, body)
    r, out = mkimage(elf)
    assert r.returncode != 0
    assert "position-dependent relocation" in r.stderr
    assert not out.exists()
