"""Helpers for the boards suite: the boards and their board.mk, `make image`
run once per board (and config) per session, tools that did not make the
images (sgdisk, sfdisk, dumpimage, dtc, mtools), a small FDT reader to find
an image's bytes inside a FIT, and QEMU booting a disk through Debian's
U-Boot with a hard timeout. Logs: build/test-logs/boards-*.log."""
import hashlib
import os
import re
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "build" / "test-logs"
FW_JUMP = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
UBOOT = "/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin"
PART_START = 2048  # sectors: every layout starts partition 1 at 1 MiB
SECTOR = 512
BUILD_TIMEOUT = 600  # a cold build compiles the hv twice and OpenSBI


def board_mk(board):
    """board/<b>/board.mk as a dict (NAME := value lines)."""
    out = {}
    for line in (REPO / "board" / board / "board.mk").read_text().splitlines():
        m = re.match(r"^\s*([A-Z_]+)\s*:?=\s*(.*?)\s*$", line)
        if m and not line.lstrip().startswith("#"):
            out[m.group(1)] = m.group(2)
    return out


def boards():
    return sorted(p.parent.name for p in (REPO / "board").glob("*/board.mk"))


def boards_by_boot(*kinds):
    return [b for b in boards() if board_mk(b).get("BOARD_BOOT") in kinds]


def run(cmd, timeout=120, **kw):
    """Run a command; CompletedProcess with text output."""
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kw)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class Image:
    """What one `make image` produced."""

    def __init__(self, board, out, rc, text):
        self.board, self.out, self.rc, self.text = board, Path(out), rc, text
        self.mk = board_mk(board)
        self.boot = self.mk.get("BOARD_BOOT")

    @property
    def disk(self):
        return self.out / "disk.img"

    def images_txt(self):
        """[(node, path, size)] of the -ext hv this image was made from."""
        hv_dir = REPO / "build" / self.board / f"{self.cfg_name}-ext"
        rows = []
        for line in (hv_dir / "images.txt").read_text().splitlines():
            if line.strip():
                node, path, size = line.split()
                rows.append((node, REPO / path, int(size)))
        return rows

    @property
    def cfg_name(self):
        m = re.search(r"config \S*/([^/\s]+)\.cfg", self.text)
        return m.group(1)


_built = {}


def make_image(board, *args, out=None):
    """`make image BOARD=board args...`, once per (board, args, out) a
    session; the output is logged."""
    key = (board, args, out)
    if key not in _built:
        cmd = ["make", "--no-print-directory", "image", f"BOARD={board}", *args]
        if out:
            cmd.append(f"IMG_OUT={out}")
        t = time.monotonic()
        p = run(cmd, timeout=BUILD_TIMEOUT, cwd=REPO)
        text = p.stdout + p.stderr
        LOGS.mkdir(parents=True, exist_ok=True)
        tag = "-".join([board, *[a.replace("/", "_") for a in args], *(["out"] if out else [])])
        (LOGS / f"boards-make-image-{tag}.log").write_text(
            f"$ {' '.join(cmd)}  ({time.monotonic() - t:.1f} s, rc {p.returncode})\n{text}")
        m = re.search(r"^make image BOARD=\S+ .*?:\n\s+(\S+)/fw_payload\.bin", text, re.M)
        dest = out or (m.group(1) if m else REPO / "build" / board)
        _built[key] = Image(board, REPO / dest, p.returncode, text)
    return _built[key]


@pytest.fixture(params=boards(), scope="session")
def image(request):
    """Each board's image from its default.cfg."""
    img = make_image(request.param)
    assert img.rc == 0, f"make image BOARD={request.param} failed:\n{img.text}"
    return img


# ---- partition tables: sfdisk's JSON (reads GPT and MBR alike)

def partitions(disk):
    import json
    p = run(["sfdisk", "--json", str(disk)])
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)["partitiontable"]


# ---- FAT through mtools, at partition 1's offset

def fat_spec(disk):
    return f"{disk}@@{PART_START * SECTOR}"


def fat_dir(disk):
    """{NAME.EXT: size} of the FAT's root folder, as mdir lists it."""
    p = run(["mdir", "-i", fat_spec(disk), "::"])
    assert p.returncode == 0, p.stderr
    out = {}
    for line in p.stdout.splitlines():
        m = re.match(r"^(\S+)\s+(?:(\S{1,3})\s+)?(\d+) \d{4}-\d\d-\d\d", line)
        if m:
            out[m.group(1) + ("." + m.group(2) if m.group(2) else "")] = int(m.group(3))
    return out


def fat_read(disk, name, dest):
    p = run(["mcopy", "-n", "-o", "-i", fat_spec(disk), f"::{name}", str(dest)])
    assert p.returncode == 0, p.stderr
    return Path(dest).read_bytes()


def fat_file_offset(disk, name):
    """Byte offset of `name`'s data in the disk image, from the FAT's
    geometry (minfo) and the file's cluster chain (mshowfat); the file
    must be contiguous, which is checked."""
    info = run(["minfo", "-i", fat_spec(disk), "::"]).stdout

    def field(label):
        m = re.search(rf"^{label}:\s*(\d+)", info, re.M)
        assert m, f"minfo gave no '{label}':\n{info}"
        return int(m.group(1))

    sector = field("sector size")
    per_cluster = field("cluster size")
    reserved = field("reserved \\(boot\\) sectors")
    fats = field("fats")
    fat_sectors = field("sectors per fat")
    root_slots = field("max available root directory slots")
    chain = run(["mshowfat", "-i", fat_spec(disk), f"::{name}"]).stdout
    runs = re.findall(r"<(\d+)(?:-(\d+))?>", chain)
    assert len(runs) == 1, f"{name} is not one contiguous run of clusters: {chain}"
    first = int(runs[0][0])
    root_sectors = (root_slots * 32 + sector - 1) // sector
    data = reserved + fats * fat_sectors + root_sectors
    return PART_START * SECTOR + (data + (first - 2) * per_cluster) * sector


# ---- FIT (a flattened device tree): where a property's bytes are

def fdt_prop_offset(blob, node_path, prop):
    """(offset, length) of property `prop` of node `node_path` (e.g.
    /images/vm-hello) in the FDT blob, walking the structure block as the
    devicetree spec 5.4 describes it."""
    magic, _, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
    assert magic == 0xD00DFEED, "not a flattened device tree"
    want = [p for p in node_path.split("/") if p]
    path, pos = [], off_struct
    while True:
        tok = struct.unpack_from(">I", blob, pos)[0]
        pos += 4
        if tok == 1:  # FDT_BEGIN_NODE
            end = blob.index(b"\0", pos)
            path.append(blob[pos:end].decode())
            pos = (end + 4) & ~3
        elif tok == 2:  # FDT_END_NODE
            path.pop()
        elif tok == 3:  # FDT_PROP
            length, nameoff = struct.unpack_from(">II", blob, pos)
            pos += 8
            name_end = blob.index(b"\0", off_strings + nameoff)
            name = blob[off_strings + nameoff:name_end].decode()
            if path[1:] == want and name == prop:
                return pos, length
            pos = (pos + length + 3) & ~3
        elif tok == 4:  # FDT_NOP
            continue
        elif tok == 9:  # FDT_END
            raise KeyError(f"{node_path}:{prop} not in the tree")
        else:
            raise ValueError(f"bad FDT token {tok} at {pos - 4}")


# ---- QEMU: OpenSBI fw_jump + Debian's U-Boot, the disk as virtio-blk

def qemu_machine(board):
    """The -M value of a QEMU board: its qemu.sh sets HV_QEMU_MACHINE when
    the machine is not plain virt (qemu-virt-aia)."""
    script = board_mk(board).get("BOARD_QEMU")
    if not script:
        return None
    m = re.search(r"^HV_QEMU_MACHINE=(\S+)", (REPO / script).read_text(), re.M)
    return m.group(1) if m else "virt"


def uboot_boot(disk, name, until, timeout=150, machine="virt"):
    """Boot `disk` the way a user's QEMU would (the disk is what a card
    would hold): OpenSBI fw_jump, U-Boot as its payload."""
    return qemu_boot(["-bios", FW_JUMP, "-kernel", UBOOT,
                      "-drive", f"file={disk},if=none,format=raw,id=hd0",
                      "-device", "virtio-blk-device,drive=hd0"], name, until, timeout, machine)


def qemu_boot(args, name, until, timeout=150, machine="virt"):
    """QEMU riscv64 with the boards' 4 harts and 1 GiB (the FIT's tree
    describes that machine) and `args`; stop at the first line matching
    `until` (a regex), when QEMU exits, or after `timeout` s. Returns
    (lines, reason); the console goes to build/test-logs/boards-NAME.log."""
    cmd = ["qemu-system-riscv64", "-M", machine, "-cpu", "rv64,h=true,sstc=true", "-smp", "4",
           "-m", "1G", "-nographic", *args]
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"boards-{name}.log"
    lines, reason, buf = [], "timeout", b""
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    os.set_blocking(p.stdout.fileno(), False)
    rx = re.compile(until)
    try:
        while time.monotonic() - t0 < timeout:
            chunk = p.stdout.read()
            if chunk:
                buf += chunk
                *done, buf = buf.split(b"\n")
                for raw in done:
                    line = raw.decode(errors="replace").rstrip("\r")
                    lines.append(line)
                    if rx.search(line):
                        reason = "matched"
                        break
                if reason == "matched":
                    break
            elif p.poll() is not None:
                reason = f"exit {p.returncode}"
                break
            else:
                time.sleep(0.05)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    if buf and reason != "matched":  # a last line without its newline
        lines.append(buf.decode(errors="replace").rstrip("\r"))
    log.write_text(f"$ {' '.join(cmd)}\n# {reason} after {time.monotonic() - t0:.1f} s\n"
                   + "\n".join(lines) + "\n")
    return lines, reason
