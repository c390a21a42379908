"""The board folders against independent references: each board's device
tree source against dtc (compiles and decompiles without a warning), the
QEMU boards' trees against the tree QEMU itself generates for the machine
their qemu.sh starts, each board.mk against the contract of
board/README.md (read through make itself) and against its own tree,
each board's default config against the build-time partition check, and
QEMU booted with the boards' own trees (-dtb) through OpenSBI and the
hypervisor: the QEMU boards' as they are, the FPGA boards' changed only
where QEMU's devices differ from the board's. About 30 s.

Self-contained (no fixture from conftest.py):
    /usr/bin/python3 -m pytest tests/boards/test_board_dts.py
"""
import os
import re
import shutil
import signal
import struct
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build" / "boards-dts"
LOGS = REPO / "build" / "test-logs"

CONTRACT = ["BOARD_DESC", "BOARD_SOC", "BOARD_RAM_BASE", "BOARD_RAM_SIZE", "BOARD_HARTS",
            "BOARD_ROLES", "BOARD_UART", "BOARD_IRQCHIP", "BOARD_NIC", "BOARD_DTS",
            "BOARD_BOOT", "BOARD_IMAGES_BASE", "BOARD_QEMU"]
MAY_BE_EMPTY = {"BOARD_QEMU"}
BOOT_KINDS = {"uboot-fit", "sd-gpt-payload", "sd-fat-elf"}

# Nodes of QEMU's tree the board trees leave out on purpose (nothing in the
# project reads them; board/qemu-virt/README.md), and properties not
# compared (per-boot random seed, phandle numbers: references are compared
# by the path of the node they point to).
QEMU_OMITTED = {"/pmu", "/fw-cfg@10100000", "/flash@20000000", "/platform-bus@4000000",
                "/soc/pci@30000000"}
SKIP_PROPS = {"phandle", "rng-seed"}
BOARD_ONLY = {"/aliases"}  # what a board tree may add


def board_names():
    return sorted(p.parent.name for p in (REPO / "board").glob("*/board.mk"))


BOARDS = board_names()


def make_vars(board):
    """board.mk's contract variables as make reads them: {name: (origin,
    value)}. A throwaway makefile includes it and prints each one."""
    prog = "include board/%s/board.mk\n" % board
    prog += "".join("$(info %s|$(origin %s)|$(%s))\n" % (v, v, v) for v in CONTRACT)
    prog += "all: ;@:\n"
    p = subprocess.run(["make", "--no-print-directory", "-s", "-f", "-"], input=prog,
                       capture_output=True, text=True, cwd=REPO, timeout=30)
    assert p.returncode == 0, p.stderr
    out = {}
    for line in p.stdout.splitlines():
        name, origin, value = line.split("|", 2)
        out[name] = (origin, value.strip())
    return out


def dtc(args, stdin=None):
    return subprocess.run(["dtc", *args], input=stdin, capture_output=True, timeout=30)


def board_dtb(board):
    """Compile the board's tree (once); stderr must be empty."""
    BUILD.mkdir(parents=True, exist_ok=True)
    out = BUILD / f"{board}.dtb"
    dts = REPO / "board" / board / f"{board}.dts"
    p = dtc(["-I", "dts", "-O", "dtb", "-o", str(out), str(dts)])
    assert p.returncode == 0 and not p.stderr, f"dtc {dts}:\n{p.stderr.decode()}"
    return out


# ---- a flattened device tree, read as the devicetree spec (v0.4, chapter
# 5) lays it out: header, structure block of tokens, strings block

class Tree:
    def __init__(self, blob):
        magic, _, off_struct, off_strings = struct.unpack_from(">IIII", blob, 0)
        assert magic == 0xD00DFEED, "not a flattened device tree"
        self.nodes = {}  # path -> {prop: bytes}
        stack, pos = [], off_struct
        while True:
            tok = struct.unpack_from(">I", blob, pos)[0]
            pos += 4
            if tok == 1:  # FDT_BEGIN_NODE
                end = blob.index(b"\0", pos)
                stack.append(blob[pos:end].decode())
                pos = (end + 4) & ~3
                self.nodes[self._path(stack)] = {}
            elif tok == 2:  # FDT_END_NODE
                stack.pop()
            elif tok == 3:  # FDT_PROP
                length, nameoff = struct.unpack_from(">II", blob, pos)
                pos += 8
                name = blob[off_strings + nameoff:blob.index(b"\0", off_strings + nameoff)].decode()
                self.nodes[self._path(stack)][name] = blob[pos:pos + length]
                pos = (pos + length + 3) & ~3
            elif tok == 4:  # FDT_NOP
                continue
            elif tok == 9:  # FDT_END
                break
            else:
                raise ValueError(f"bad FDT token {tok}")
        self.by_phandle = {}
        for path, props in self.nodes.items():
            for key in ("phandle", "linux,phandle"):
                if key in props:
                    self.by_phandle[self.u32(props[key])[0]] = path

    @staticmethod
    def _path(stack):
        return "/" + "/".join(stack[1:])

    @staticmethod
    def u32(raw):
        return list(struct.unpack(">%dI" % (len(raw) // 4), raw))

    def prop(self, path, name):
        return self.nodes[path].get(name)

    def cells(self, path, name):
        raw = self.prop(path, name)
        return None if raw is None else self.u32(raw)

    def string(self, path, name):
        raw = self.prop(path, name)
        return None if raw is None else raw.rstrip(b"\0").decode()

    def strings(self, path, name):
        raw = self.prop(path, name)
        return [] if raw is None else raw.rstrip(b"\0").decode().split("\0")

    def ref(self, phandle):
        return self.by_phandle.get(phandle, f"<dangling phandle {phandle}>")

    def int_cells(self, path):
        return self.cells(path, "#interrupt-cells")[0]

    def value(self, path, name):
        """A property in a form comparable across trees: references become
        the referenced node's path."""
        raw = self.nodes[path][name]
        if name in ("interrupt-parent", "msi-parent", "regmap", "cpu", "riscv,children"):
            return [self.ref(p) for p in self.u32(raw)]
        if name == "interrupts-extended":
            c, out = self.u32(raw), []
            while c:
                target = self.ref(c[0])
                n = self.int_cells(target)
                out.append((target, tuple(c[1:1 + n])))
                c = c[1 + n:]
            return out
        if name == "riscv,delegate":  # <&domain first last>...
            c = self.u32(raw)
            return [(self.ref(c[i]), c[i + 1], c[i + 2]) for i in range(0, len(c), 3)]
        return raw

    def stdout_node(self):
        path = self.string("/chosen", "stdout-path").split(":")[0]
        if not path.startswith("/"):
            path = self.string("/aliases", path)
        return path

    def cpus(self):
        return sorted(p for p in self.nodes
                      if re.fullmatch(r"/cpus/cpu@[0-9a-f]+", p)
                      and self.string(p, "device_type") == "cpu")

    def reg(self, path):
        """[(address, size)] with the parent's #address-cells/#size-cells."""
        parent = path.rsplit("/", 1)[0] or "/"
        ac = (self.cells(parent, "#address-cells") or [2])[0]
        sc = (self.cells(parent, "#size-cells") or [1])[0]
        c, out = self.cells(path, "reg"), []
        while c:
            a = 0
            for x in c[:ac]:
                a = (a << 32) | x
            s = 0
            for x in c[ac:ac + sc]:
                s = (s << 32) | x
            out.append((a, s))
            c = c[ac + sc:]
        return out


# ---- each board's tree and dtc

@pytest.mark.parametrize("board", BOARDS)
def test_dts_compiles_and_decompiles_without_warnings(board):
    dtb = board_dtb(board)
    p = dtc(["-I", "dtb", "-O", "dts", "-o", "/dev/null", str(dtb)])
    assert p.returncode == 0 and not p.stderr, f"dtc -I dtb {dtb}:\n{p.stderr.decode()}"
    tree = Tree(dtb.read_bytes())
    # every reference resolves
    for path in tree.nodes:
        for name in tree.nodes[path]:
            v = tree.value(path, name)
            assert "dangling" not in repr(v), f"{board}: {path}:{name} = {v}"
    # what the hypervisor reads first: its console, RAM, harts with H
    uart = tree.stdout_node()
    assert uart in tree.nodes, f"{board}: /chosen/stdout-path names no node"
    assert tree.reg(uart), f"{board}: console {uart} has no reg"
    assert tree.cells("/cpus", "timebase-frequency"), f"{board}: no /cpus timebase-frequency"
    for cpu in tree.cpus():
        isa = tree.string(cpu, "riscv,isa")
        base = re.match(r"rv64([a-z]*)", isa).group(1)
        assert "h" in base, f"{board}: {cpu} riscv,isa {isa!r} lacks h"


# ---- board.mk: the contract, through make

@pytest.mark.parametrize("board", BOARDS)
def test_board_mk_defines_the_contract(board):
    v = make_vars(board)
    for name in CONTRACT:
        origin, value = v[name]
        assert origin == "file", f"{board}: {name} not set in board.mk (origin {origin})"
        assert value or name in MAY_BE_EMPTY, f"{board}: {name} is empty"
    assert v["BOARD_DTS"][1] == f"board/{board}/{board}.dts"
    assert v["BOARD_BOOT"][1] in BOOT_KINDS, v["BOARD_BOOT"]
    for name in ("BOARD_RAM_BASE", "BOARD_RAM_SIZE", "BOARD_IMAGES_BASE"):
        assert re.fullmatch(r"0x[0-9a-fA-F]+", v[name][1]), f"{board}: {name}={v[name][1]}"
    qemu = v["BOARD_QEMU"][1]
    if qemu:
        assert qemu == f"board/{board}/qemu.sh" and (REPO / qemu).stat().st_mode & 0o111
    # the nominal machine of the build-time check is the one the tree describes
    tree = Tree(board_dtb(board).read_bytes())
    mem = [p for p in tree.nodes if tree.string(p, "device_type") == "memory"]
    assert len(mem) == 1, mem
    base, size = tree.reg(mem[0])[0]
    assert (base, size) == (int(v["BOARD_RAM_BASE"][1], 16), int(v["BOARD_RAM_SIZE"][1], 16))
    assert len(tree.cpus()) == int(v["BOARD_HARTS"][1])
    images = int(v["BOARD_IMAGES_BASE"][1], 16)
    assert base <= images < base + size, f"{board}: BOARD_IMAGES_BASE outside RAM"


def test_make_boards_lists_exactly_the_board_folders():
    p = subprocess.run(["make", "--no-print-directory", "-s", "boards"], capture_output=True,
                       text=True, cwd=REPO, timeout=60)
    assert p.returncode == 0, p.stderr
    listed = [line.split()[0] for line in p.stdout.splitlines() if line.strip()]
    folders = sorted(d.name for d in (REPO / "board").iterdir() if d.is_dir())
    assert listed == folders, f"make boards: {listed}, folders: {folders}"
    for line in p.stdout.splitlines():
        name, desc = line.split(None, 1)
        assert desc.strip() == make_vars(name)["BOARD_DESC"][1]


@pytest.mark.parametrize("board", BOARDS)
def test_default_config_passes_the_build_time_check(board):
    """The board's default.cfg against the board's nominal machine, through
    the same link + validator `make BOARD=<b>` uses, under a config name of
    its own so no other build's output is touched."""
    cfg_dir = BUILD / "cfg"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    cfg = cfg_dir / f"boardtest-{board}.cfg"
    shutil.copyfile(REPO / "board" / board / "default.cfg", cfg)
    p = subprocess.run(["make", "--no-print-directory", "-s", f"BOARD={board}", "hv-image",
                        f"CONFIG={cfg.relative_to(REPO)}"], capture_output=True, text=True,
                       cwd=REPO, timeout=600)
    assert p.returncode == 0, f"{board}: make hv-image failed:\n{p.stdout}{p.stderr}"
    assert (REPO / p.stdout.strip().splitlines()[-1]).is_file()


# ---- the QEMU boards against QEMU's own tree

def show(v):
    """A property value for a failure message: cells in hex, or text."""
    if isinstance(v, bytes):
        if v and v.endswith(b"\0") and all(32 <= c < 127 or c == 0 for c in v[:-1]):
            return repr(v[:-1].decode().replace("\0", '", "'))
        if len(v) % 4 == 0:
            return "<" + " ".join("0x%x" % c for c in Tree.u32(v)) + ">"
    return repr(v)


def qemu_boards():
    return [b for b in BOARDS if make_vars(b)["BOARD_QEMU"][1]]


def qemu_tree(board, tmp_path):
    """The tree QEMU generates for the machine the board's qemu.sh starts."""
    out = tmp_path / f"{board}-qemu.dtb"
    dummy = tmp_path / "dummy.bin"
    dummy.write_bytes(b"\0" * 16)
    env = {"PATH": "/usr/bin:/bin", "HV_QEMU_DUMPDTB": str(out), "NET": "none"}
    p = subprocess.run([str(REPO / make_vars(board)["BOARD_QEMU"][1]), str(dummy)],
                       capture_output=True, text=True, env=env, timeout=60)
    assert out.is_file(), f"{board}: QEMU dumped no tree:\n{p.stdout}{p.stderr}"
    return Tree(out.read_bytes())


@pytest.mark.parametrize("board", qemu_boards())
def test_qemu_tree_matches_what_qemu_generates(board, tmp_path):
    ours = Tree(board_dtb(board).read_bytes())
    qemu = qemu_tree(board, tmp_path)
    kept = [p for p in qemu.nodes
            if not any(p == o or p.startswith(o + "/") for o in QEMU_OMITTED)]
    problems = []
    for path in kept:
        if path not in ours.nodes:
            problems.append(f"missing node {path}")
            continue
        for name in qemu.nodes[path]:
            if name in SKIP_PROPS:
                continue
            if name not in ours.nodes[path]:
                problems.append(f"{path}: missing {name}")
            elif ours.value(path, name) != qemu.value(path, name):
                problems.append(f"{path}:{name}: ours {show(ours.value(path, name))}, "
                                f"QEMU {show(qemu.value(path, name))}")
    for path in ours.nodes:
        if path not in qemu.nodes and not any(path == b or path.startswith(b + "/")
                                              for b in BOARD_ONLY):
            problems.append(f"node {path} is not in QEMU's tree")
    assert not problems, f"{board} vs QEMU:\n" + "\n".join(problems)
    # and the nodes the hypervisor and the NIC core read are among them
    assert ours.stdout_node() == qemu.stdout_node() == "/soc/serial@10000000"
    virtio = sorted(p for p in ours.nodes if "virtio,mmio" in ours.strings(p, "compatible"))
    assert len(virtio) == 8
    assert any("sifive,test0" in ours.strings(p, "compatible") for p in ours.nodes)
    assert ours.cpus() == qemu.cpus() and len(ours.cpus()) == 4


@pytest.mark.parametrize("board", qemu_boards())
def test_qemu_boots_with_the_board_tree(board):
    """QEMU given the board's own tree (-dtb) in place of its generated one:
    OpenSBI and the hypervisor read only ours, and the hello demo runs to
    the hypervisor's power-off (QEMU exit 0)."""
    dtb = board_dtb(board)
    p = subprocess.run(["make", "--no-print-directory", "-s", "BOARD=qemu-virt", "hv-image",
                        "CONFIG=board/qemu-virt/hello.cfg"], capture_output=True, text=True,
                       cwd=REPO, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    hv = REPO / p.stdout.strip().splitlines()[-1]
    qemu_sh = REPO / make_vars(board)["BOARD_QEMU"][1]
    env = {"PATH": "/usr/bin:/bin", "NET": "none"}
    try:
        r = subprocess.run([str(qemu_sh), str(hv), "-dtb", str(dtb)], stdin=subprocess.DEVNULL,
                           capture_output=True, env=env, timeout=120)
        out, rc = r.stdout.decode(errors="replace"), r.returncode
    except subprocess.TimeoutExpired as e:
        out, rc = (e.stdout or b"").decode(errors="replace"), "timeout"
    LOGS.mkdir(parents=True, exist_ok=True)
    (LOGS / f"boards-dtb-boot-{board}.log").write_text(out)
    lines = [l.rstrip("\r") for l in out.splitlines()]
    assert rc == 0, f"{board}: QEMU with -dtb {dtb.name}: {rc}\n{out[-3000:]}"
    assert any(l.startswith("hv: rvhv on hart") and "harts 0xf" in l for l in lines), out[-3000:]
    assert "[hello] hello: bye" in lines, out[-3000:]
    assert "hv: no VM running, powering off" in lines, out[-3000:]


# ---- the FPGA boards' trees on QEMU, where QEMU's hardware allows
#
# genesys2-cva6 and nexys-video-rocket put RAM, the CLINT and the PLIC
# where QEMU virt has them. Booting QEMU with the board's tree (-dtb),
# changed only where QEMU's devices differ from the board's, runs OpenSBI's
# generic platform and the hypervisor with the board's default.cfg on
# everything else in that tree: harts and their ISA, RAM size, cell
# counts, PLIC/CLINT nodes, the VM on the boot hart (CVA6), the second
# hart started through SBI HSM (Rocket). The real UART, timer rate and
# boot ROM stay unverified (the boards' READMEs list them).

ON_QEMU = {
    # the UART: QEMU's 16550 has byte registers and a 3.6864 MHz clock;
    # mtime: QEMU counts at 10 MHz
    "genesys2-cva6": ("-smp", "1", "-m", "1G", """
&uart0 { reg-shift = <0>; reg-io-width = <1>; clock-frequency = <3686400>; };
/ { cpus { timebase-frequency = <10000000>; }; };
"""),
    # the UART: vivado-risc-v's is not in QEMU; QEMU's 16550 stands in
    # (the node keeps its name and place; dtc warns about the unit address)
    "nexys-video-rocket": ("-smp", "2", "-m", "512M", """
&uart0 { compatible = "ns16550a"; reg = <0x10000000 0x100>; clock-frequency = <3686400>; };
/ { cpus { timebase-frequency = <10000000>; }; };
"""),
}


def qemu_until(cmd, until, timeout, log):
    """Run cmd; stop at the first output line equal to `until`, at exit or
    at the timeout. Returns (lines, reason)."""
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, start_new_session=True)
    os.set_blocking(p.stdout.fileno(), False)
    lines, buf, reason, t0 = [], b"", "timeout", time.monotonic()
    try:
        while time.monotonic() - t0 < timeout and reason == "timeout":
            chunk = p.stdout.read()
            if chunk:
                buf += chunk
                *done, buf = buf.split(b"\n")
                for raw in done:
                    lines.append(raw.decode(errors="replace").rstrip("\r"))
                    if lines[-1] == until:
                        reason = "matched"
            elif p.poll() is not None:
                reason = f"exit {p.returncode}"
            else:
                time.sleep(0.05)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    LOGS.mkdir(parents=True, exist_ok=True)
    log.write_text(f"$ {' '.join(cmd)}\n# {reason}\n" + "\n".join(lines) + "\n")
    return lines, reason


@pytest.mark.parametrize("board", sorted(ON_QEMU))
def test_fpga_tree_boots_on_qemu_where_the_hardware_matches(board, tmp_path):
    *qemu_args, patch = ON_QEMU[board]
    dts = tmp_path / f"{board}-on-qemu.dts"
    dts.write_text((REPO / "board" / board / f"{board}.dts").read_text() + patch)
    dtb = tmp_path / f"{board}-on-qemu.dtb"
    p = dtc(["-I", "dts", "-O", "dtb", "-o", str(dtb), str(dts)])
    assert p.returncode == 0, p.stderr.decode()
    # the board's default.cfg, under a name of its own (see above)
    cfg = BUILD / "cfg" / f"boardtest-{board}.cfg"
    cfg.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO / "board" / board / "default.cfg", cfg)
    m = subprocess.run(["make", "--no-print-directory", "-s", f"BOARD={board}", "hv-image",
                        f"CONFIG={cfg.relative_to(REPO)}"], capture_output=True, text=True,
                       cwd=REPO, timeout=600)
    assert m.returncode == 0, m.stdout + m.stderr
    hv = REPO / m.stdout.strip().splitlines()[-1]
    # neither core has Sstc; no test finisher in these trees, so QEMU does
    # not exit by itself: stop at the hypervisor's last line
    cmd = ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,h=true,sstc=false", *qemu_args,
           "-nographic", "-bios", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin",
           "-kernel", str(hv), "-dtb", str(dtb)]
    lines, reason = qemu_until(cmd, "hv: no VM running, powering off", 120,
                               LOGS / f"boards-on-qemu-{board}.log")
    text = "\n".join(lines[-60:])
    assert reason == "matched", f"{board}: {reason}\n{text}"
    tree = Tree(dtb.read_bytes())
    mem = [p for p in tree.nodes if tree.string(p, "device_type") == "memory"][0]
    base, size = tree.reg(mem)[0]
    harts = (1 << len(tree.cpus())) - 1
    want = re.compile(rf"hv: rvhv on hart \d+, ram 0x{base:x}-0x{base + size:x}, "
                      rf"harts 0x{harts:x}, ")
    assert any(want.match(l) for l in lines), f"no '{want.pattern}...':\n{text}"
    assert "hv: console ns16550 at 0x10000000 (reg-shift 0, reg-io-width 1)" in lines, text
    assert "[hello] hello: bye" in lines, text
