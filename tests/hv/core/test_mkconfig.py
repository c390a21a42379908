"""scripts/mkconfig.py: the .cfg grammar, its error messages, the generated
C (compiled here with the host gcc and run through the shared validator
hv/vm_config.c, as the build does) and `make run GUESTS=...` configs."""
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MKCONFIG = os.path.join(REPO, "scripts", "mkconfig.py")


def mkconfig(*args, cwd=REPO):
    return subprocess.run([sys.executable, MKCONFIG, *args], cwd=cwd, capture_output=True,
                          text=True)


def write(tmp_path, text, name="t.cfg"):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_board_default_images():
    # the networked demo: the NIC image comes last
    r = mkconfig("board/qemu-virt/default.cfg", "--apps", "build/riscv/apps", "--images")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["build/riscv/apps/httpd.bin", "build/riscv/apps/iperf.bin",
                                "build/riscv/apps/nicfw.bin"]
    r = mkconfig("board/qemu-virt/basic.cfg", "--apps", "build/riscv/apps", "--images")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["build/riscv/apps/hello.bin", "build/riscv/apps/ticker.bin"]


@pytest.mark.parametrize("text, message", [
    ("vm a harts=1 ram=1M image=x vf=maybe\n", "vf= is yes or no"),
    ("vm a harts=1 ram=1M image=x vf=yes\n", "vf=yes needs mac="),
    ("vm a harts=1 ram=1M image=x vf=yes mac=02:00:00:00:01\n", "bad mac"),
    ("vm a harts=1 ram=1M image=x vf=yes mac=02:00:00:00:00:0g\n", "bad mac"),
    ("vm a harts=1 ram=1M image=x mac=02:00:00:00:00:01\n", "mac without vf=yes"),
    ("vm a harts=1 ram=1M image=x vf=yes mac=02:00:00:00:00:01 mtu=big\n", "bad mtu"),
    ("vm a harts=1 ram=1M image=x vf=yes mac=02:00:00:00:00:01 policy=tso5\n",
     "unknown offload 'tso5'"),
    ("vm a harts=1 ram=1M image=x\nnic hart=3 ram=1M\n", "ram= and image= go together"),
    ("vm a harts=1 ram=1M image=x\nnic hart=3 policy=csum\n", "unknown offload 'csum'"),
    ("vm a harts=1 ram=1M image=x\nnic hart=3 port=phy\n", "port= is pass or wire"),
    ("vm a harts=1 ram=1M image=x\nnic hart=3 colour=red\n", "nic takes hart=N"),
    ("vm a harts=1 ram=1M image=x irq=msi\n", "irq= is plic or imsic"),
])
def test_vf_syntax_errors(tmp_path, text, message):
    cfg = write(tmp_path, text)
    r = mkconfig(cfg, "--apps", "build/riscv/apps", "--images")
    assert r.returncode == 1
    assert message in r.stderr, r.stderr


@pytest.mark.parametrize("text, message", [
    ("vmm a harts=1 ram=1M image=x\n", "unknown statement 'vmm'"),
    ("vm harts=1 ram=1M image=x\n", "needs a name first"),
    ("vm a/b harts=1 ram=1M image=x\n", "bad name"),
    ("vm a harts=1 harts=2 ram=1M image=x\n", "'harts' given twice"),
    ("vm a harts=1 image=x\n", "missing ram="),
    ("vm a ram=1M image=x\n", "missing harts="),
    ("vm a harts=1 ram=1M\n", "missing image="),
    ("vm a harts=1,,2 ram=1M image=x\n", "comma list"),
    ("vm a harts=1 ram=12Q image=x\n", "bad size"),
    ("vm a harts=1 ram=1M image=x colour=red\n", "unknown key(s) colour"),
    ("vm a harts=1 ram=1M image=x stray\n", "expected key=value"),
    ("vm a harts=1 ram=1M image=x\nnic hart=3\nnic hart=2\n", "a second nic line"),
    ("nic hart=x\n", "nic takes hart=N"),
    ("# nothing\n", "no vm lines"),
    ('vm a harts=1 ram=1M image=x args="open\n', "No closing quotation"),
    # values the generated C cannot hold: refused here, not by the C compiler
    ("vm a harts=1 ram=0x10000000000000000 image=x\n", "too large"),
    ("vm a harts=1 ram=17179869184G image=x\n", "too large"),
    ("vm a harts=1 ram=1M base=0x1fffffffffffff000 image=x\n", "too large"),
    ("vm a harts=1 ram=1M image=x\nnic hart=4294967295\n", "nic: hart number too large"),
])
def test_syntax_errors_name_the_line(tmp_path, text, message):
    cfg = write(tmp_path, text)
    r = mkconfig(cfg, "--apps", "build/riscv/apps", "--images")
    assert r.returncode == 1
    assert message in r.stderr, r.stderr
    assert cfg in r.stderr


def build_checker(tmp_path, text, image_size=4096):
    """Generate C from text, compile it with the validator, return the binary."""
    (tmp_path / "img.bin").write_bytes(b"\x13" * image_size)
    cfg = write(tmp_path, text)
    out = tmp_path / "gen"
    r = mkconfig(cfg, "--apps", str(tmp_path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    exe = tmp_path / "check"
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I" + REPO,
                    "-o", str(exe), REPO + "/hv/core/vmcfg_check.c", REPO + "/hv/core/vm_config.c",
                    str(out / "config.c")], check=True)
    return str(exe), out


# the machine of board/qemu-virt: hypervisor 0x80200000.., 1 GiB, 4 harts
MACHINE = ["0x80200000", "0x80300000", "0x80000000", "0x40000000", "4"]


def test_generated_config_is_valid_and_carries_everything(tmp_path):
    exe, out = build_checker(tmp_path, 'vm one harts=1,2 ram=8M image=img.bin args="a=1 b=\\"2\\""\n'
                                       "vm two harts=3 ram=2M image=img base=0x90000000\n")
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    c = (out / "config.c").read_text()
    assert '.name = "one"' in c and ".harts = {1, 2}" in c and ".num_vcpus = 2" in c
    assert ".ram_size = 0x800000UL" in c and ".image_size = 4096UL" in c
    assert '.bootargs = "a=1 b=\\"2\\""' in c
    assert ".ram_base = 0x90000000UL" in c and ".nic_hart = -1" in c
    s = (out / "images.S").read_text()
    assert s.count(".incbin") == 2 and str(tmp_path / "img.bin") in s


@pytest.mark.parametrize("text, message", [
    ("vm a harts=1 ram=16M image=img.bin\nvm b harts=1 ram=16M image=img.bin\n",
     "vm b: hart 1 given twice"),
    ("vm a harts=3 ram=16M image=img.bin\nnic hart=3\n", "vm a: hart 3 is reserved for the NIC"),
    ("vm a harts=4 ram=16M image=img.bin\n", "vm a: hart 4 not present"),
    ("vm a harts=1 ram=68K image=img.bin\n", "vm a: image of 8192 bytes does not fit"),
    ("vm a harts=1 ram=16M image=img.bin base=0x90000000\n"
     "vm b harts=2 ram=16M image=img.bin base=0x90800000\n", "vm b: ram overlaps vm a"),
    ("vm a harts=1 ram=16M image=img.bin base=0x80200000\n", "below the end of the hypervisor"),
    ("vm a harts=1 ram=2G image=img.bin\n", "vm a: no room"),
])
def test_validator_rejects_and_names_the_vm(tmp_path, text, message):
    exe, _ = build_checker(tmp_path, text, image_size=8192)
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 1
    assert message in r.stderr, r.stderr


VF_CFG = ("vm a harts=1 ram=8M image=img.bin vf=yes mac=02:00:00:00:00:0A mtu=9000 "
          "policy=tx-csum,rx-csum\n"
          "vm b harts=2 ram=8M image=img.bin\n"
          "vm c harts=0 ram=8M image=img.bin vf=yes mac=02:00:00:00:00:0b policy=none\n"
          "nic hart=3 ram=4M image=img.bin policy=all\n")


def test_vf_config_generated_and_valid(tmp_path):
    exe, out = build_checker(tmp_path, VF_CFG)
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    c = (out / "config.c").read_text()
    assert ".mac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a}" in c
    assert ".mtu = 9000" in c and ".mtu = 1500" in c  # default
    assert ".policy = 0x11u" in c and ".policy = 0x0u" in c
    assert c.count(".vf = 1") == 2
    assert ".nic_ram_size = 0x400000UL" in c and ".nic_image_size = 4096UL" in c
    assert ".nic_policy = 0x1fu" in c and ".nic_hart = 3" in c
    assert ".nic_port_wire" not in c  # port=pass, the default
    s = (out / "images.S").read_text()
    assert s.count(".incbin") == 4 and "hv_nic_image:" in s


def test_irq_imsic_generated(tmp_path):
    """irq=imsic reaches the config; irq=plic is the default and says nothing."""
    text = VF_CFG.replace("mtu=9000", "mtu=9000 irq=imsic", 1)
    assert text != VF_CFG
    exe, out = build_checker(tmp_path, text)
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (out / "config.c").read_text().count(".irq_imsic = 1") == 1


@pytest.mark.parametrize("change, message", [
    (("mac=02:00:00:00:00:0b", "mac=02:00:00:00:00:0a"), "vm c: mac already used by vm a"),
    (("mac=02:00:00:00:00:0b", "mac=01:00:5e:00:00:01"), "vm c: mac must be unicast"),
    (("mtu=9000", "mtu=9001"), "vm a: mtu 9001"),
    (("nic hart=3 ram=4M image=img.bin policy=all", "nic hart=3"), "vm a: has a VF but no NIC"),
    (("nic hart=3 ram=4M", "nic hart=3 ram=64K"), "nic: ram"),
])
def test_vf_validator_rejects(tmp_path, change, message):
    exe, _ = build_checker(tmp_path, VF_CFG.replace(*change))
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 1
    assert message in r.stderr, r.stderr


def test_nic_port_wire_generated_and_valid(tmp_path):
    exe, out = build_checker(tmp_path, VF_CFG.replace("policy=all", "policy=all port=wire"))
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert ".nic_port_wire = 1," in (out / "config.c").read_text()


def test_missing_image(tmp_path):
    cfg = write(tmp_path, "vm a harts=1 ram=1M image=nothere\n")
    r = mkconfig(cfg, "--apps", str(tmp_path), "--out", str(tmp_path / "gen"))
    assert r.returncode == 1 and "image" in r.stderr and "not found" in r.stderr


def test_guests_config(tmp_path):
    a = tmp_path / "a.bin"
    a.write_bytes(b"x")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.bin").write_bytes(b"y")
    (tmp_path / "my app!.bin").write_bytes(b"z")
    out = tmp_path / "g" / "guests.cfg"
    r = mkconfig("--guests", str(out), str(a), str(sub / "a.bin"), str(tmp_path / "my app!.bin"))
    assert r.returncode == 0, r.stderr
    lines = [l for l in out.read_text().splitlines() if not l.startswith("#")]
    assert lines[0] == f"vm a harts=1 ram=64M image={a}"
    assert lines[1] == f"vm a2 harts=2 ram=64M image={sub / 'a.bin'}"
    assert lines[2].startswith("vm my_app_ harts=3 ram=64M image=")
    # and it parses back, with the odd file name intact
    r = mkconfig(str(out), "--apps", "x", "--images")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[0].endswith("my app!.bin")


# -- HV_IMAGES=external: images.txt, nothing linked in, the boot-time image check --------

EXT_CFG = ("vm a harts=1 ram=8M image=img.bin\n"
           "vm b harts=2 ram=8M image=other.bin base=0x90000000\n"
           "nic hart=3 ram=4M image=nic.bin\n")


def generate_external(tmp_path, text=EXT_CFG):
    (tmp_path / "img.bin").write_bytes(b"\x13" * 4096)
    (tmp_path / "other.bin").write_bytes(b"\x13" * 5000)
    (tmp_path / "nic.bin").write_bytes(b"\x13" * 12288)
    cfg = write(tmp_path, text)
    out, listing = tmp_path / "gen", tmp_path / "images.txt"
    r = mkconfig(cfg, "--apps", str(tmp_path), "--out", str(out), "--external", str(listing))
    return r, out, listing


def test_external_lists_images_in_boot_order(tmp_path):
    r, out, listing = generate_external(tmp_path)
    assert r.returncode == 0, r.stderr
    lines = [l.split(" ") for l in listing.read_text().splitlines()]
    # node, path, size: VMs in config order, then the NIC
    assert [(n, os.path.basename(p), int(s)) for n, p, s in lines] == [
        ("vm-a", "img.bin", 4096), ("vm-b", "other.bin", 5000), ("nic", "nic.bin", 12288)]
    assert all(os.path.getsize(p) == int(s) for _, p, s in lines)
    s = (out / "images.S").read_text()
    assert ".incbin" not in s and "hv_vm_images:" in s and "hv_nic_image:" in s
    assert s.count(".dword 0") == 2
    c = (out / "config.c").read_text()
    assert ".images_external = 1" in c and ".image_size = 5000UL" in c
    assert ".nic_image_size = 12288UL" in c


def test_embedded_is_unchanged_by_the_external_mode(tmp_path):
    (tmp_path / "img.bin").write_bytes(b"\x13" * 4096)
    cfg = write(tmp_path, "vm a harts=1 ram=8M image=img.bin\n")
    r = mkconfig(cfg, "--apps", str(tmp_path), "--out", str(tmp_path / "gen"))
    assert r.returncode == 0, r.stderr
    assert "images_external" not in (tmp_path / "gen" / "config.c").read_text()
    assert (tmp_path / "gen" / "images.S").read_text().count(".incbin") == 1
    assert not (tmp_path / "images.txt").exists()


def test_external_refuses_a_path_with_a_blank(tmp_path):
    (tmp_path / "my img.bin").write_bytes(b"x")
    r, _, listing = generate_external(tmp_path, 'vm a harts=1 ram=8M image="my img.bin"\n')
    assert r.returncode == 1 and "has a blank" in r.stderr and "vm a" in r.stderr, r.stderr
    assert not listing.exists()


def test_external_with_images_mode_is_a_usage_error(tmp_path):
    cfg = write(tmp_path, EXT_CFG)
    r = mkconfig(cfg, "--apps", str(tmp_path), "--images", "--external", str(tmp_path / "x"))
    assert r.returncode == 2


def images_checker(tmp_path):
    r, out, listing = generate_external(tmp_path)
    assert r.returncode == 0, r.stderr
    exe = tmp_path / "icheck"
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I" + REPO,
                    "-o", str(exe), REPO + "/hv/core/vmcfg_check.c",
                    REPO + "/hv/core/vm_config.c", str(out / "config.c")], check=True)
    sizes = {l.split(" ")[0]: int(l.split(" ")[2]) for l in listing.read_text().splitlines()}
    return str(exe), sizes


def run_images(exe, ranges):
    """ranges: {node: (base, size)} -> (returncode, {partition: ram base}, error lines)."""
    args = [f"{n}=0x{b:x}+0x{s:x}" for n, (b, s) in ranges.items()]
    r = subprocess.run([exe, *MACHINE, *args], capture_output=True, text=True)
    ram = {l.split()[1]: int(l.split()[2], 16) for l in r.stdout.splitlines()}
    return r.returncode, ram, [l for l in r.stderr.splitlines() if l.startswith("config error: ")]


def good_ranges(sizes):
    return {"vm-a": (0xA0000000, sizes["vm-a"]), "vm-b": (0xA0100000, sizes["vm-b"]),
            "nic": (0xA0200000, sizes["nic"])}


def test_external_images_accepted_where_make_image_puts_them(tmp_path):
    exe, sizes = images_checker(tmp_path)
    rc, ram, errs = run_images(exe, good_ranges(sizes))
    assert rc == 0 and not errs, errs
    assert ram["b"] == 0x90000000 and set(ram) == {"a", "b", "nic"}


@pytest.mark.parametrize("change, message", [
    (lambda g, ram, sz: g.pop("vm-b"),
     "vm b: no image: /chosen/hypervisor-images/vm-b missing"),
    (lambda g, ram, sz: g.pop("nic"), "nic: no image: /chosen/hypervisor-images/nic missing"),
    (lambda g, ram, sz: g.update({"vm-a": (0xA0000000, sz["vm-a"] - 1)}),
     "vm a: /chosen/hypervisor-images/vm-a is 0xfff bytes, this hv was built for 0x1000"),
    (lambda g, ram, sz: g.update({"vm-a": (0xBFFFF800, sz["vm-a"])}),
     "vm a: /chosen/hypervisor-images/vm-a at 0xbffff800+0x1000 is outside host RAM"),
    (lambda g, ram, sz: g.update({"vm-a": (0x70000000, sz["vm-a"])}), "outside host RAM"),
    (lambda g, ram, sz: g.update({"vm-a": (0xFFFFFFFFFFFFF000, sz["vm-a"])}), "outside host RAM"),
    (lambda g, ram, sz: g.update({"vm-b": (0x80200000, sz["vm-b"])}),
     "vm b: /chosen/hypervisor-images/vm-b at 0x80200000+0x1388 overlaps the hypervisor"),
    # the last byte of the image is the first of vm b's RAM
    (lambda g, ram, sz: g.update({"vm-a": (ram["b"] - sz["vm-a"] + 1, sz["vm-a"])}),
     "overlaps the RAM of vm b 0x90000000-0x90800000"),
    (lambda g, ram, sz: g.update({"nic": (ram["nic"] + 0x3ff000, sz["nic"])}),
     "overlaps the RAM of nic"),
    (lambda g, ram, sz: g.update({"vm-b": (0xA0000800, sz["vm-b"])}),
     "overlaps /chosen/hypervisor-images/vm-a"),
    # OpenSBI's own region (its /reserved-memory node): PMP-protected
    (lambda g, ram, sz: g.update({"vm-a": (0x8003F000, sz["vm-a"]), "resv": (0x80000000, 0x40000)}),
     "vm a: /chosen/hypervisor-images/vm-a at 0x8003f000+0x1000 overlaps reserved memory "
     "0x80000000-0x80040000"),
    (lambda g, ram, sz: g.update({"resv": (0xA0100000 + sz["vm-b"] - 1, 0x10)}),
     "vm b: /chosen/hypervisor-images/vm-b at 0xa0100000+0x1388 overlaps reserved memory"),
])
def test_external_images_refused_with_vm_and_node(tmp_path, change, message):
    exe, sizes = images_checker(tmp_path)
    _, ram, _ = run_images(exe, good_ranges(sizes))
    g = good_ranges(sizes)
    change(g, ram, sizes)
    rc, _, errs = run_images(exe, g)
    assert rc == 1 and errs, errs
    assert any(message in e for e in errs), errs


def test_external_images_adjacent_is_not_overlap(tmp_path):
    exe, sizes = images_checker(tmp_path)
    _, ram, _ = run_images(exe, good_ranges(sizes))
    g = good_ranges(sizes)
    # ending where vm b's RAM starts, right after the NIC's RAM, right
    # after another image, right after reserved memory: all fine
    g["resv"] = (ram["b"] - sizes["vm-a"] - 0x1000, 0x1000)
    g["vm-a"] = (ram["b"] - sizes["vm-a"], sizes["vm-a"])
    g["vm-b"] = (ram["nic"] + 0x400000, sizes["vm-b"])
    g["nic"] = (ram["nic"] + 0x400000 + sizes["vm-b"], sizes["nic"])
    rc, _, errs = run_images(exe, g)
    assert rc == 0 and not errs, errs


def test_every_bad_image_gets_its_line(tmp_path):
    exe, sizes = images_checker(tmp_path)
    g = good_ranges(sizes)
    g.pop("vm-a")
    g["nic"] = (0xA0200000, sizes["nic"] + 1)
    rc, _, errs = run_images(exe, g)
    assert rc == 1 and len(errs) == 2, errs
    assert errs[0].startswith("config error: vm a: ") and errs[1].startswith("config error: nic: ")
