"""The hv's reading of the device tree it boots with (platform/host_fdt.c,
through build/host/tests/platform/host_fdt_dump): on QEMU's own tree every fact
matches what fdtget (dtc's tools, an independent reader) finds; then trees
edited the way other boards and boot loaders write them: stdout-path as an
alias with options, reg-shift/reg-io-width, a console that is no ns16550,
timebase in the cpu nodes, riscv,isa-extensions, reserved memory, and the
hypervisor-images node with other cell counts."""
import os
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DUMP = os.path.join(REPO, "build", "host", "tests", "platform", "host_fdt_dump")


@pytest.fixture(scope="module")
def qemu(tmp_path_factory):
    """(dtb path, dts text) of QEMU virt as qemu.sh runs it."""
    d = tmp_path_factory.mktemp("qemu")
    dtb = d / "virt.dtb"
    subprocess.run(["qemu-system-riscv64", "-M", f"virt,dumpdtb={dtb}", "-cpu",
                    "rv64,h=true,sstc=true", "-smp", "4", "-m", "1G", "-nographic"],
                   check=True, capture_output=True, timeout=60)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", str(dtb)], check=True,
                         capture_output=True, text=True).stdout
    return dtb, dts


def facts(dtb, *images):
    r = subprocess.run([DUMP, str(dtb), *images], capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    out = {}
    for line in r.stdout.splitlines():
        key, _, rest = line.partition(" ")
        out.setdefault(key, []).append(rest)
    return out


def fdtget(dtb, node, prop, kind="x"):
    return subprocess.run(["fdtget", "-t", kind, str(dtb), node, prop], check=True,
                          capture_output=True, text=True).stdout.split()


def edited(tmp_path, qemu, fragment, name="t", prefix=""):
    dts = tmp_path / f"{name}.dts"
    text = qemu[1]
    # /memreserve/ lines go right after the /dts-v1/; header
    if prefix:
        text = text.replace("/dts-v1/;", "/dts-v1/;\n" + prefix, 1)
    dts.write_text(text + "\n" + fragment + "\n")
    dtb = tmp_path / f"{name}.dtb"
    r = subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(dts)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return dtb


def cells(words):
    v = 0
    for w in words:
        v = v << 32 | int(w, 16)
    return v


def test_qemu_tree_agrees_with_fdtget(qemu):
    dtb, _ = qemu
    f = facts(dtb)
    assert f["read"] == ["0"]
    uart = fdtget(dtb, "/chosen", "stdout-path", "s")[0]
    reg = fdtget(dtb, uart, "reg")
    clock = int(fdtget(dtb, uart, "clock-frequency", "u")[0])
    irq = int(fdtget(dtb, uart, "interrupts", "u")[0])
    parent = fdtget(dtb, uart, "interrupt-parent", "u")[0]
    assert fdtget(dtb, "/soc/plic@c000000", "phandle", "u")[0] == parent
    assert f["uart"] == [f"0x{cells(reg[:2]):x} clock {clock} shift 0 width 1 irq {irq}"]
    mem = fdtget(dtb, "/memory@80000000", "reg")
    assert f["ram"] == [f"0x{cells(mem[:2]):x} 0x{cells(mem[2:4]):x}"]
    tb = int(fdtget(dtb, "/cpus", "timebase-frequency", "u")[0])
    assert f["timebase"] == [str(tb)]
    assert f["test"] == [f"0x{cells(fdtget(dtb, '/soc/test@100000', 'reg')[:2]):x}"]
    assert f["qemu_virt"] == ["1"]
    # -cpu rv64,h=true: every hart has H
    assert f["harts"] == ["0xf hext 0xf"]
    for hart in range(4):
        isa = fdtget(dtb, f"/cpus/cpu@{hart}", "riscv,isa", "s")[0]
        assert f"{hart} {isa} has_h 1" in f["isa"]


def test_qemu_tree_without_h(tmp_path):
    dtb = tmp_path / "noh.dtb"
    subprocess.run(["qemu-system-riscv64", "-M", f"virt,dumpdtb={dtb}", "-cpu", "rv64,h=false",
                    "-smp", "2", "-nographic"], check=True, capture_output=True, timeout=60)
    f = facts(dtb)
    assert f["harts"] == ["0x3 hext 0x0"]
    assert all(l.endswith("has_h 0") for l in f["isa"])


def test_stdout_path_alias_with_options(tmp_path, qemu):
    dtb = edited(tmp_path, qemu, '/ { aliases { serial0 = "/soc/serial@10000000"; }; '
                                 'chosen { stdout-path = "serial0:115200n8"; }; };')
    assert facts(dtb)["uart"] == ["0x10000000 clock 3686400 shift 0 width 1 irq 10"]


def test_reg_shift_and_io_width(tmp_path, qemu):
    dtb = edited(tmp_path, qemu, "/ { soc { serial@10000000 { reg-shift = <2>; "
                                 "reg-io-width = <4>; clock-frequency = <50000000>; }; }; };")
    assert facts(dtb)["uart"] == ["0x10000000 clock 50000000 shift 2 width 4 irq 10"]


def test_uart_line_only_when_a_plic_takes_it(tmp_path, qemu):
    """The console hart sleeps on the UART's line only through the PLIC:
    a line to another controller (here: none) reads as no line."""
    dtb = edited(tmp_path, qemu, "/ { soc { serial@10000000 { "
                                 "/delete-property/ interrupt-parent; }; }; };")
    assert facts(dtb)["uart"] == ["0x10000000 clock 3686400 shift 0 width 1 irq 0"]


@pytest.mark.parametrize("fragment", [
    "/ { chosen { /delete-property/ stdout-path; }; };",
    '/ { chosen { stdout-path = "/soc/test@100000"; }; };',  # not an ns16550
    '/ { soc { serial@10000000 { status = "disabled"; }; }; };',
    '/ { chosen { stdout-path = "/soc/nothing@0"; }; };',
])
def test_no_uart_the_hv_can_drive(tmp_path, qemu, fragment):
    f = facts(edited(tmp_path, qemu, fragment))
    assert f["read"] == ["0"] and f["uart"] == ["none"]


def test_timebase_in_the_cpu_nodes(tmp_path, qemu):
    dtb = edited(tmp_path, qemu, "/ { cpus { /delete-property/ timebase-frequency; "
                                 "cpu@0 { timebase-frequency = <25000000>; }; }; };")
    assert facts(dtb)["timebase"] == ["25000000"]


def test_no_timebase_is_an_error(tmp_path, qemu):
    dtb = edited(tmp_path, qemu, "/ { cpus { /delete-property/ timebase-frequency; }; };")
    assert facts(dtb)["read"] == ["-1"]


def test_isa_extensions_list_wins(tmp_path, qemu):
    # cpu@1: the list lacks h although its riscv,isa names it; cpu@2: the
    # list has it; cpu@3 disabled: not a hart the hv may use
    dtb = edited(tmp_path, qemu, '/ { cpus { cpu@1 { riscv,isa-extensions = "i", "m", "a", '
                                 '"zihintpause"; }; cpu@2 { riscv,isa-extensions = "i", "h"; }; '
                                 'cpu@3 { status = "disabled"; }; }; };')
    assert facts(dtb)["harts"] == ["0x7 hext 0x5"]


def test_reserved_memory(tmp_path, qemu):
    dtb = edited(tmp_path, qemu,
                 "/ { reserved-memory { #address-cells = <1>; #size-cells = <1>; ranges; "
                 "fw@80000000 { reg = <0x80000000 0x80000>; no-map; }; "
                 "two@90000000 { reg = <0x90000000 0x1000 0x90100000 0x2000>; }; }; };",
                 prefix="/memreserve/ 0xb0000000 0x4000;")
    assert facts(dtb)["resv"] == ["0xb0000000 0x4000", "0x80000000 0x80000",
                                  "0x90000000 0x1000", "0x90100000 0x2000"]


def test_image_nodes(tmp_path, qemu):
    dtb = edited(tmp_path, qemu,
                 "/ { chosen { hypervisor-images { #address-cells = <1>; #size-cells = <1>; "
                 "vm-a { reg = <0xa0000000 0x2c000>; }; nic { reg = <0xa0100000 0x30000>; }; "
                 "vm-noreg { }; }; }; };")
    f = facts(dtb, "vm-a", "nic", "vm-b", "vm-noreg")
    assert f["image"] == ["vm-a 0xa0000000 0x2c000", "nic 0xa0100000 0x30000", "vm-b missing",
                          "vm-noreg missing"]
    # two cells each, as make image writes it
    dtb = edited(tmp_path, qemu,
                 "/ { chosen { hypervisor-images { #address-cells = <2>; #size-cells = <2>; "
                 "vm-a { reg = <0x1 0x00000000 0x0 0x2c000>; }; }; }; };", name="t2")
    assert facts(dtb, "vm-a")["image"] == ["vm-a 0x100000000 0x2c000"]
