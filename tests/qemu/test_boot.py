"""Board-independent boot (issue 6): the H-extension check, the console and
hart facts taken from the device tree only, and guest images given at boot
in /chosen/hypervisor-images (HV_IMAGES=external) instead of linked in.

The trees are QEMU's own (`-M virt,dumpdtb=` with qemu.sh's machine
options) plus fragments compiled in by dtc; the images are placed with
`-device loader,...,force-raw=on`, as U-Boot would load a FIT's loadables."""
import re
import subprocess

import pytest

from conftest import APPS, BUILD_TIMEOUT, LOGS, QEMU_SH, REPO, RUN_TIMEOUT, _run

# qemu.sh's machine: the dumped tree must describe the same one
MACHINE = ["-M", "virt", "-cpu", "rv64,h=true,sstc=true", "-smp", "4", "-m", "1G"]
IMAGES_BASE = 0xA0000000  # board.mk BOARD_IMAGES_BASE of qemu-virt
NO_H_RE = re.compile(r'^hv: hart (\d+) has no H extension \(riscv,isa "([^"]*)"\): '
                     r"this hypervisor needs RISC-V H; powering off$")
CONFIG_ERR = "hv: config error: "
POWER_OFF = "hv: no VM running, powering off"
BASIC = 'vm hello harts=1 ram=16M image=hello\nvm ticker harts=2 ram=16M image=ticker args="seconds=1"\n'
NODE = "/chosen/hypervisor-images"


def build(name, config, external):
    cfg = LOGS / f"{name}.cfg"
    LOGS.mkdir(parents=True, exist_ok=True)
    cfg.write_text(config)
    b = subprocess.run(["make", "-s", "hv-image", f"CONFIG={cfg}",
                        f"HV_IMAGES={'external' if external else 'embedded'}"],
                       cwd=REPO, capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    assert b.returncode == 0, f"hv-image for {cfg} failed:\n{b.stdout}\n{b.stderr}"
    hv_bin = REPO / b.stdout.strip().split("\n")[-1]
    assert hv_bin.exists(), b.stdout
    return hv_bin


def images_txt(hv_bin):
    """images.txt beside an -ext hv.bin: [(node, path, size)]."""
    out = []
    for line in (hv_bin.parent / "images.txt").read_text().splitlines():
        node, path, size = line.split(" ")
        out.append((node, REPO / path, int(size)))
    return out


def dump_dts(name, cpu):
    """QEMU's own tree for qemu.sh's machine with -cpu cpu, as dts text."""
    dtb = LOGS / f"{name}.dtb"
    LOGS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["qemu-system-riscv64", *MACHINE, "-cpu", cpu, "-nographic",
                    "-machine", f"dumpdtb={dtb}"], check=True, capture_output=True, timeout=60)
    return subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(dtb)], check=True,
                          capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def qemu_dts():
    return dump_dts("boot-virt", "rv64,h=true,sstc=true")


def make_dtb(name, base_dts, fragment):
    """base tree + a dts fragment (merged by dtc) -> dtb path."""
    dts = LOGS / f"{name}.dts"
    dts.write_text(base_dts + "\n" + fragment + "\n")
    dtb = LOGS / f"{name}.dtb"
    r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(dts)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return dtb


def images_fragment(ranges):
    """ranges: [(node, addr, size)] -> the /chosen/hypervisor-images node."""
    body = "".join(f"\t\t{n} {{ reg = <0x{a >> 32:x} 0x{a & 0xffffffff:x} 0x0 0x{s:x}>; }};\n"
                   for n, a, s in ranges)
    return ("/ { chosen { hypervisor-images {\n\t\t#address-cells = <2>;\n"
            f"\t\t#size-cells = <2>;\n{body}\t}}; }}; }};")


def placed(images):
    """Each image at the next 1 MiB boundary from IMAGES_BASE, in order (as
    the FIT's loadables are placed)."""
    out, at = [], IMAGES_BASE
    for node, path, size in images:
        out.append((node, at, size, path))
        at += (size + 0xFFFFF) & ~0xFFFFF
    return out


def boot(name, hv_bin, dtb=None, loads=(), qemu_args=(), script=()):
    args = [str(QEMU_SH), str(hv_bin), *qemu_args]
    if dtb:
        args += ["-dtb", str(dtb)]
    for addr, path in loads:
        args += ["-device", f"loader,file={path},addr=0x{addr:x},force-raw=on"]
    return _run(name, args, RUN_TIMEOUT, script)


def hv_lines(r):
    return [l for l in r.lines if l.startswith(("hv:", "["))]


# -- the H check -------------------------------------------------------------------

def test_no_h_extension_one_line_and_exit():
    """-cpu rv64,h=false (QEMU takes the last -cpu): the one line, then QEMU's
    exit with a failure status; the hv printed nothing before or after."""
    hv_bin = build("boot-hello", "vm hello harts=1 ram=16M image=hello\n", external=False)
    r = boot("boot-no-h", hv_bin, qemu_args=("-cpu", "rv64,h=false"))
    assert not r.timed_out and r.rc != 0, r.describe()
    ours = hv_lines(r)
    assert len(ours) == 1, r.describe()
    m = NO_H_RE.match(ours[0])
    assert m, r.describe()
    # the string quoted is the one QEMU put in the tree for that hart
    isa = re.findall(r'riscv,isa = "([^"]*)"', dump_dts("boot-virt-no-h", "rv64,h=false"))
    assert isa and "h" not in isa[0].split("_")[0][4:]
    assert m.group(2) == isa[0], (m.group(2), isa[0])
    tail = [l for l in r.lines if l.strip()]
    assert tail[-1] == ours[0], f"output after the H line: {tail[-3:]}"


def test_tree_claiming_h_on_a_cpu_without_it(qemu_dts):
    """The tree says H, the CPU has none (-cpu rv64,h=false with an H
    tree): the hstatus probe catches it before any H CSR is used."""
    isa = re.findall(r'riscv,isa = "([^"]*)"', qemu_dts)[0]
    dtb = make_dtb("boot-dt-lies", qemu_dts, "")
    hv_bin = build("boot-hello", "vm hello harts=1 ram=16M image=hello\n", external=False)
    r = boot("boot-dt-lies", hv_bin, dtb, qemu_args=("-cpu", "rv64,h=false"))
    assert not r.timed_out and r.rc != 0, r.describe()
    ours = hv_lines(r)
    # every hart the tree says has H is tried once, in turn, whichever
    # OpenSBI booted; the last one left says why the boot ends
    tried = []
    for line in ours[:-1]:
        m = re.match(r"^hv: hart (\d) has no H extension \(hstatus traps\): the boot goes on on "
                     r"hart (\d)$", line)
        assert m, ours
        assert not tried or tried[-1] == int(m.group(1)), ours
        tried += [int(m.group(1)), int(m.group(2))] if not tried else [int(m.group(2))]
    assert len(ours) == 4 and sorted(tried) == [0, 1, 2, 3], ours
    m = re.match(rf'^hv: hart (\d) has no H extension \(riscv,isa "{isa}" names it, but hstatus '
                 r"traps\): this hypervisor needs RISC-V H; powering off$", ours[-1])
    assert m and int(m.group(1)) == tried[-1], ours


def test_tree_without_h_refused_though_the_cpu_has_it(qemu_dts):
    """Every cpu node's riscv,isa lacks H (the CPU has it): the DT is what
    the hv believes for harts it cannot probe yet, so the boot hart refuses
    too, and says why."""
    isa = re.findall(r'riscv,isa = "([^"]*)"', qemu_dts)[0]
    no_h_isa = isa.replace("fdch", "fdc", 1)
    dtb = make_dtb("boot-dt-no-h", qemu_dts.replace(isa, no_h_isa), "")
    hv_bin = build("boot-hello", "vm hello harts=1 ram=16M image=hello\n", external=False)
    r = boot("boot-dt-no-h", hv_bin, dtb)
    assert not r.timed_out and r.rc != 0, r.describe()
    ours = hv_lines(r)
    assert len(ours) == 1, r.describe()
    assert re.match(rf'^hv: hart \d has no H extension in the device tree \(riscv,isa "{no_h_isa}"; '
                    r"hstatus reads: the tree must name H\): this hypervisor needs RISC-V H; "
                    r"powering off$", ours[0]), ours


def test_secondary_hart_without_h_stops_its_vm(qemu_dts):
    """A tree whose cpu@2 does not name H: that hart never starts, the VM
    pinned to it is stopped with one line, the other VM runs to its end."""
    no_h_isa = re.findall(r'riscv,isa = "([^"]*)"', qemu_dts)[0].replace("fdch", "fdc", 1)
    assert "h" not in no_h_isa.split("_")[0][4:], no_h_isa
    dtb = make_dtb("boot-cpu2-no-h", qemu_dts,
                   f'/ {{ cpus {{ cpu@2 {{ riscv,isa = "{no_h_isa}"; }}; }}; }};')
    hv_bin = build("boot-basic", BASIC, external=False)
    r = boot("boot-cpu2-no-h", hv_bin, dtb)
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.has(f'hv: hart 2 has no H extension (riscv,isa "{no_h_isa}"): no vCPU runs there'), \
        r.describe()
    assert r.has("hv: vm ticker stopped: its hart has no H extension sepc=0x0 addr=0x0"), r.describe()
    assert not r.vm_lines("ticker"), r.describe()
    assert "hello: bye" in r.vm_lines("hello") and r.has(POWER_OFF), r.describe()


def test_boot_moves_to_a_hart_with_h(qemu_dts):
    """Only cpu@3's tree names H: whichever hart OpenSBI boots, the boot
    ends up on hart 3 (handed on once when the lottery picked another) and
    the VM pinned there runs; the other harts run nothing."""
    isa = re.findall(r'riscv,isa = "([^"]*)"', qemu_dts)[0]
    no_h_isa = isa.replace("fdch", "fdc", 1)
    dtb = make_dtb("boot-only-3-has-h", qemu_dts, "/ { cpus { " + " ".join(
        f'cpu@{i} {{ riscv,isa = "{no_h_isa}"; }};' for i in range(3)) + " }; };")
    hv_bin = build("boot-hello3", "vm hello harts=3 ram=16M image=hello\n", external=False)
    r = boot("boot-only-3-has-h", hv_bin, dtb)
    assert not r.timed_out and r.rc == 0, r.describe()
    handoffs = [l for l in hv_lines(r) if "the boot goes on" in l]
    assert len(handoffs) <= 1, r.describe()
    for l in handoffs:
        assert re.match(r"^hv: hart [012] has no H extension in the device tree: the boot goes on "
                        r"on hart 3$", l), r.describe()
    assert any(l.startswith("hv: rvhv on hart 3,") for l in hv_lines(r)), r.describe()
    assert "hello: bye" in r.vm_lines("hello") and r.has(POWER_OFF), r.describe()


def test_reserved_memory_is_stepped_over(qemu_dts):
    """A /reserved-memory region where the first VM would go (a board's
    frame buffer, say): the VM is placed past it and runs."""
    dtb = make_dtb("boot-resv", qemu_dts,
                   "/ { reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges; "
                   "fb@80400000 { reg = <0x0 0x80400000 0x0 0x100000>; no-map; }; }; };")
    hv_bin = build("boot-hello", "vm hello harts=1 ram=16M image=hello\n", external=False)
    r = boot("boot-resv", hv_bin, dtb)
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.vms["hello"] == (0x80600000, 0x81600000), r.describe()
    assert "hello: bye" in r.vm_lines("hello"), r.describe()


# -- the console from /chosen/stdout-path, else the SBI console -----------------------

def test_console_through_sbi_without_stdout_path(qemu_dts):
    """No stdout-path: output and input (Ctrl-T included) go through
    OpenSBI's legacy console, and every VM still gets only its own input."""
    dtb = make_dtb("boot-no-stdout", qemu_dts, "/ { chosen { /delete-property/ stdout-path; }; };")
    hv_bin = build("boot-conin", "vm conin1 harts=1 ram=4M image=conin\n"
                                 "vm conin2 harts=2 ram=4M image=conin\n", external=False)
    r = boot("boot-no-stdout", hv_bin, dtb,
             script=[(r"\[conin1\] conin: ready[^\n]*\n[\s\S]*\[conin2\] conin: ready|"
                      r"\[conin2\] conin: ready[^\n]*\n[\s\S]*\[conin1\] conin: ready",
                      b"for one\r"),
                     (r"\[conin1\] conin: got", b"\x14"),
                     (r"hv: console input to vm conin2", b"for two\r")])
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.has("hv: console via SBI (no ns16550 at /chosen/stdout-path)"), r.describe()
    assert r.vm_lines("conin1") == ["conin: ready (dbcn console)", 'conin: got "for one" (7 bytes)']
    assert r.vm_lines("conin2") == ["conin: ready (dbcn console)", 'conin: got "for two" (7 bytes)']


# -- external guest images ------------------------------------------------------------

@pytest.fixture(scope="module")
def ext_basic():
    hv_bin = build("boot-ext-basic", BASIC, external=True)
    return hv_bin, images_txt(hv_bin)


def test_external_build_lists_images_and_links_none(ext_basic):
    hv_bin, images = ext_basic
    assert hv_bin.parent.name == "boot-ext-basic-ext"
    assert [(n, p.name) for n, p, _ in images] == [("vm-hello", "hello.bin"),
                                                   ("vm-ticker", "ticker.bin")]
    blob = hv_bin.read_bytes()
    for _, path, size in images:
        data = path.read_bytes()
        assert len(data) == size
        assert data[:4096] not in blob, f"{path} is linked into {hv_bin}"


def test_external_hello_boots(qemu_dts):
    hv_bin = build("boot-ext-hello", "vm hello harts=1 ram=16M image=hello\n", external=True)
    img = placed(images_txt(hv_bin))
    dtb = make_dtb("boot-ext-hello", qemu_dts, images_fragment([(n, a, s) for n, a, s, _ in img]))
    r = boot("boot-ext-hello", hv_bin, dtb, [(a, p) for _, a, _, p in img])
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.has(f"hv: 1 guest images from the device tree ({NODE})"), r.describe()
    assert "hello: bye" in r.vm_lines("hello") and r.has(POWER_OFF), r.describe()


def test_external_vf_guest_and_nic_firmware_boot(qemu_dts):
    """The networked shape of the demo: a VF'd guest and the NIC firmware,
    both images from the tree (node nic too); no port (NET=none), so the
    NIC comes up portless and the guest's server listens; Ctrl-A x ends it."""
    hv_bin = build("boot-ext-vf", "vm httpd harts=1 ram=16M image=httpd vf=yes "
                                  'mac=02:00:00:00:00:01 args="ip=192.0.2.10/24 gw=192.0.2.1"\n'
                                  "nic hart=3 ram=32M image=nicfw\n", external=True)
    images = images_txt(hv_bin)
    assert [n for n, _, _ in images] == ["vm-httpd", "nic"]
    img = placed(images)
    dtb = make_dtb("boot-ext-vf", qemu_dts, images_fragment([(n, a, s) for n, a, s, _ in img]))
    r = boot("boot-ext-vf", hv_bin, dtb, [(a, p) for _, a, _, p in img],
             script=[(r"\[httpd\] httpd: listening", b"\x01x")])
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.has(f"hv: 2 guest images from the device tree ({NODE})"), r.describe()
    assert any(l.startswith("nic: ready, 1 VFs") for l in r.vm_lines("nic")), r.describe()
    assert "httpd: listening on 192.0.2.10:80" in r.vm_lines("httpd"), r.describe()
    assert r.has("hv: power off (Ctrl-A x)"), r.describe()


@pytest.fixture(scope="module")
def ext_basic_run(qemu_dts, ext_basic):
    hv_bin, images = ext_basic
    img = placed(images)
    dtb = make_dtb("boot-ext-basic", qemu_dts, images_fragment([(n, a, s) for n, a, s, _ in img]))
    return boot("boot-ext-basic", hv_bin, dtb, [(a, p) for _, a, _, p in img]), img


def test_external_basic_boots(ext_basic_run):
    r, _ = ext_basic_run
    assert not r.timed_out and r.rc == 0, r.describe()
    assert any(l.startswith("hello: hello from vcpu 0 of vm hello") for l in r.vm_lines("hello"))
    assert any(l.startswith("ticker: 1000 Hz ticks") for l in r.vm_lines("ticker")), r.describe()
    assert r.has(POWER_OFF), r.describe()


def refused(r, vm, node):
    """One config error line naming vm and node; no VM ran; exit non-zero."""
    assert not r.timed_out and r.rc != 0, r.describe()
    errs = [l for l in r.lines if l.startswith(CONFIG_ERR)]
    assert len(errs) == 1, r.describe()
    assert errs[0].startswith(f"{CONFIG_ERR}vm {vm}: ") and f"{NODE}/{node}" in errs[0], errs
    assert not any(l.startswith("[") for l in r.lines), r.describe()
    assert r.has("hv: boot failed, powering off (exit status 1 under QEMU)"), r.describe()
    return errs[0]


@pytest.mark.parametrize("case", ["missing", "size", "overlap", "firmware"])
def test_external_images_refused(qemu_dts, ext_basic, ext_basic_run, case):
    hv_bin, _ = ext_basic
    good, img = ext_basic_run
    ranges = [(n, a, s) for n, a, s, _ in img]
    if case == "missing":
        ranges = ranges[:1]
        vm, node, want = "ticker", "vm-ticker", "no image: /chosen/hypervisor-images/vm-ticker missing"
    elif case == "size":
        n, a, s = ranges[0]
        ranges[0] = (n, a, s + 4)
        vm, node, want = "hello", "vm-hello", f"is 0x{s + 4:x} bytes, this hv was built for 0x{s:x}"
    elif case == "firmware":
        # where OpenSBI runs: it reserves its region in the tree it passes on
        # (/reserved-memory); the hv would fault reading the image there
        n, _, s = ranges[0]
        ranges[0] = (n, 0x80000000, s)
        vm, node, want = "hello", "vm-hello", "overlaps reserved memory 0x80000000-"
    else:
        # the ticker's image inside the hello VM's RAM (from the good run)
        lo, hi = good.vms["hello"]
        n, _, s = ranges[1]
        ranges[1] = (n, lo + 0x1000, s)
        vm, node, want = "ticker", "vm-ticker", f"overlaps the RAM of vm hello 0x{lo:x}-0x{hi:x}"
    dtb = make_dtb(f"boot-ext-{case}", qemu_dts, images_fragment(ranges))
    r = boot(f"boot-ext-{case}", hv_bin, dtb, [(a, p) for _, a, _, p in img])
    line = refused(r, vm, node)
    assert want in line, line
