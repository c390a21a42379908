"""Each VM's device tree (hv/guest_fdt.c), decompiled by dtc, the
independent implementation of the format: no dtc warnings, and the nodes and
properties the guest contract promises (see the README's guest contract)."""
import os
import re
import subprocess

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GEN = os.path.join(REPO, "build", "host", "tests", "hv", "core", "guest_fdt_gen")


def dts(tmp_path, name="web", nvcpus=2, ram=16 << 20, boots=3, sstc=1, args="seconds=2 x=\"y\"",
        vf=False):
    blob = subprocess.run([GEN, name, str(nvcpus), str(ram), str(boots), str(sstc), args]
                          + ([vf if isinstance(vf, str) else "vf"] if vf else []), check=True, capture_output=True).stdout
    path = tmp_path / "vm.dtb"
    path.write_bytes(blob)
    r = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", str(path)], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", f"dtc warnings: {r.stderr}"
    return r.stdout


def node(text, path):
    """Body of the node at path (a list of names from the root)."""
    body = text[text.index("/ {"):]
    for name in path:
        m = re.search(r"^\s*" + re.escape(name) + r" \{$", body, re.M)
        assert m, f"no node {name} in {path}"
        body = body[m.end():]
    depth, end = 1, 0
    for i, ch in enumerate(body):
        depth += ch == "{"
        depth -= ch == "}"
        if depth == 0:
            end = i
            break
    return body[:end]


def props(body):
    """Properties at the top level of a node body."""
    out, depth = {}, 0
    for line in body.splitlines():
        s = line.strip()
        if s.endswith("{"):
            depth += 1
        elif s.startswith("}"):
            depth -= 1
        elif depth == 0 and s:
            k, _, v = s.rstrip(";").partition(" = ")
            out[k] = v
    return out


def test_chosen_and_memory(tmp_path):
    t = dts(tmp_path)
    ch = props(node(t, ["chosen"]))
    assert ch["stdout-path"] == '"/soc/serial@10000000"'
    assert ch["bootargs"] == '"seconds=2 x=\\"y\\""'
    assert ch["rvhv,vm-name"] == '"web"'
    assert ch["rvhv,boot-count"] == "<0x03>"
    mem = props(node(t, ["memory@80000000"]))
    assert mem["device_type"] == '"memory"'
    assert mem["reg"] == "<0x00 0x80000000 0x00 0x1000000>"
    # the DT itself sits in the top 64 KiB, reserved
    assert "/memreserve/\t0x0000000080ff0000 0x0000000000010000;" in t


def test_cpus(tmp_path):
    t = dts(tmp_path, nvcpus=3)
    cpus = props(node(t, ["cpus"]))
    assert cpus["timebase-frequency"] == "<0x989680>"  # 10 MHz
    assert cpus["#address-cells"] == "<0x01>" and cpus["#size-cells"] == "<0x00>"
    for i in range(3):
        c = props(node(t, ["cpus", f"cpu@{i}"]))
        assert c["reg"] == f"<0x{i:02x}>"
        assert c["device_type"] == '"cpu"'
        assert c["riscv,isa"] == '"rv64imafdc_zicsr_zifencei_sstc"'
        assert c["mmu-type"] == '"riscv,sv39"'
        intc = props(node(t, ["cpus", f"cpu@{i}", "interrupt-controller"]))
        assert intc["compatible"] == '"riscv,cpu-intc"'
        assert "interrupt-controller" in intc
    assert "cpu@3" not in t


def test_no_sstc_no_sstc_in_isa(tmp_path):
    t = dts(tmp_path, nvcpus=1, sstc=0)
    assert props(node(t, ["cpus", "cpu@0"]))["riscv,isa"] == '"rv64imafdc_zicsr_zifencei"'


def test_soc_serial(tmp_path):
    t = dts(tmp_path, ram=4 << 20, boots=0, args="")
    soc = props(node(t, ["soc"]))
    assert soc["compatible"] == '"simple-bus"'
    assert "ranges" in soc
    ser = props(node(t, ["soc", "serial@10000000"]))
    assert ser["compatible"] == '"ns16550a"'
    assert ser["reg"] == "<0x00 0x10000000 0x00 0x100>"
    # dtc prints these four bytes as a string; fdtget reads the number
    r = subprocess.run(["fdtget", "-t", "u", str(tmp_path / "vm.dtb"), "/soc/serial@10000000",
                        "clock-frequency"], capture_output=True, text=True, check=True)
    assert r.stdout.strip() == "3686400"
    ch = props(node(t, ["chosen"]))
    # an empty string is one NUL byte, which dtc prints as bytes
    assert ch["bootargs"] in ('""', "[00]") and ch["rvhv,boot-count"] == "<0x00>"
    assert "/memreserve/\t0x00000000803f0000" in t


def test_vf_and_virtual_plic(tmp_path):
    """A VM with a VF: the vPLIC (one S-external context per vCPU, through
    each cpu's interrupt controller) and the virtio-mmio window whose
    interrupt is source 1 of that PLIC, as QEMU virt's own nodes look."""
    text = dts(tmp_path, nvcpus=3, vf=True)
    plic = node(text, ["soc", "plic@c000000"])
    assert r'compatible = "sifive,plic-1.0.0\0riscv,plic0";' in plic
    assert "reg = <0x00 0xc000000 0x00 0x4000000>;" in plic
    assert "riscv,ndev = <0x01>;" in plic and "interrupt-controller;" in plic
    assert "#interrupt-cells = <0x01>;" in plic
    intc = [re.search(r"phandle = <(0x[0-9a-f]+)>;", node(text, ["cpus", f"cpu@{i}",
                                                                 "interrupt-controller"]))
            for i in range(3)]
    assert all(intc), text
    want = " ".join(f"{m.group(1)} 0x09" for m in intc)
    assert f"interrupts-extended = <{want}>;" in plic, plic
    ph = re.search(r"phandle = <(0x[0-9a-f]+)>;", plic).group(1)
    vf = node(text, ["soc", "virtio_mmio@10001000"])
    assert 'compatible = "virtio,mmio";' in vf
    assert "reg = <0x00 0x10001000 0x00 0x1000>;" in vf
    assert "interrupts = <0x01>;" in vf and f"interrupt-parent = <{ph}>;" in vf
    # and without a VF, neither node
    plain = dts(tmp_path)
    assert "plic@" not in plain and "virtio_mmio@" not in plain


def test_vf_on_imsic(tmp_path):
    """irq=imsic: an imsics node as Linux's riscv,imsics binding has it (one
    S-level file per vCPU, each cpu's intc with irq 9) and the VF's MSIs
    described by msi-parent + rvhv,msi-ids; no PLIC, no wired interrupt."""
    text = dts(tmp_path, nvcpus=2, vf="vf-imsic")
    imsic = node(text, ["soc", "imsics@28000000"])
    assert r'compatible = "qemu,imsics\0riscv,imsics";' in imsic
    assert "reg = <0x00 0x28000000 0x00 0x2000>;" in imsic
    assert "msi-controller;" in imsic and "interrupt-controller;" in imsic
    assert "#msi-cells = <0x00>;" in imsic and "#interrupt-cells = <0x00>;" in imsic
    assert "riscv,num-ids = <0x3f>;" in imsic
    intc = [re.search(r"phandle = <(0x[0-9a-f]+)>;", node(text, ["cpus", f"cpu@{i}",
                                                                 "interrupt-controller"]))
            for i in range(2)]
    want = " ".join(f"{m.group(1)} 0x09" for m in intc)
    assert f"interrupts-extended = <{want}>;" in imsic, imsic
    ph = re.search(r"phandle = <(0x[0-9a-f]+)>;", imsic).group(1)
    vf = node(text, ["soc", "virtio_mmio@10001000"])
    assert f"msi-parent = <{ph}>;" in vf and "rvhv,msi-ids = <0x01 0x02 0x03>;" in vf
    assert "interrupts" not in vf and "plic@" not in text
