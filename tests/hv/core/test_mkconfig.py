"""scripts/mkconfig.py: the .cfg grammar, its error messages, the generated
C (compiled here with the host gcc and run through the shared validator
hv/vm_config.c, as the build does) and `make run GUESTS=...` configs."""
import importlib.util
import os
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
MKCONFIG = os.path.join(REPO, "scripts", "mkconfig.py")
# the host validator as the build links it (hv/module.mk VMCFG_CHECK_SRCS)
CHECK_SRCS = [REPO + "/hv/core/vmcfg_check.c", REPO + "/hv/core/vm_config.c",
              REPO + "/nicif/vf_param.c"]


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
                    "-o", str(exe), *CHECK_SRCS, str(out / "config.c")], check=True)
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


# -- the VF's switch settings: the keys of nicif/vf_param.h's list -----------------------

def load_mkconfig():
    spec = importlib.util.spec_from_file_location("mkconfig", MKCONFIG)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# the C side of the list (nic_vf_params[], nic_vf_param_parse): for each key
# its table row, then for each probe value "ok V" or "bad EXPECT"
VF_PARAM_PROBES = ["on", "off", "yes", "no", "1", "0", "On", "maybe", "", "-1", "+1", " 1",
                   "0x10", "1e3", "007", "100", "1000", "65536", "65537", "400000", "400001",
                   "10000000", "10000001", "4294967296", "99999999999999999999"]
VF_PARAM_DUMP = r"""
#include <stdio.h>
#include <nicif/vf_param.h>
int main(int argc, char **argv)
{
	for (int k = 0; k < NIC_VFP_COUNT; k++) {
		const struct nic_vf_param_info *p = &nic_vf_params[k];
		printf("%s %d %u %u %u %s\n", p->word, p->kind == NIC_VFP_BOOL, p->min, p->max,
		       p->dflt, p->unit);
		for (int a = 1; a < argc; a++) {
			const char *expect;
			uint32_t v;
			if (nic_vf_param_parse(k, argv[a], &v, &expect))
				printf("bad %s\n", expect);
			else
				printf("ok %u\n", v);
		}
	}
	return 0;
}
"""


def test_vf_settings_read_from_the_header_as_the_c_parser_reads_values(tmp_path):
    """mkconfig.py's reading of the list and its value parser, against the
    C table and nic_vf_param_parse compiled from the same header."""
    (tmp_path / "dump.c").write_text(VF_PARAM_DUMP)
    exe = tmp_path / "dump"
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I" + REPO, "-o",
                    str(exe), str(tmp_path / "dump.c"), REPO + "/nicif/vf_param.c"], check=True)
    out = subprocess.run([str(exe), *VF_PARAM_PROBES], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    mk = load_mkconfig()
    rows = len(VF_PARAM_PROBES) + 1
    assert len(out) == rows * len(mk.VF_PARAMS), out
    for i, p in enumerate(mk.VF_PARAMS):
        word, is_bool, lo, hi, dflt, *unit = out[i * rows].split(" ")
        assert (p["word"], p["bool"], p["min"], p["max"], p["default"], p["unit"]) == \
            (word, is_bool == "1", int(lo), int(hi), int(dflt), " ".join(unit))
        for text, c in zip(VF_PARAM_PROBES, out[i * rows + 1:(i + 1) * rows]):
            v = mk.parse_vf_param(p, text)
            want = f"ok {v}" if v is not None else f"bad {mk.vf_param_expect(p)}"
            assert want == c, (word, text)


def test_vf_settings_list_that_cannot_be_read_stops(tmp_path):
    """An entry the reader does not understand is an error, not a setting
    quietly left out of every config."""
    mk = load_mkconfig()
    h = tmp_path / "vf_param.h"
    h.write_text('#define NIC_VF_PARAMS(X) \\\n\t/* fine */ \\\n'
                 '\tX(A, "a", NIC_VFP_BOOL, 0, 1, 1, "") \\\n'
                 '\tX(B, "b", NIC_VFP_NUM, 0, 64 * 1024, 0, "KiB")\n')
    with pytest.raises(RuntimeError, match="cannot read NIC_VF_PARAMS entry"):
        mk.read_vf_params(str(h))
    h.write_text(h.read_text().replace("64 * 1024", "65536"))
    assert [p["word"] for p in mk.read_vf_params(str(h))] == ["a", "b"]


def config_dump(tmp_path, text):
    """Generate C from text and print each VM's switch settings as the
    console would (nic_vf_param_format): "NAME word=value ..." a VM."""
    (tmp_path / "img.bin").write_bytes(b"\x13" * 4096)
    cfg = write(tmp_path, text)
    out = tmp_path / "gen"
    r = mkconfig(cfg, "--apps", str(tmp_path), "--out", str(out))
    assert r.returncode == 0, r.stderr
    (tmp_path / "show.c").write_text(r"""
#include <stdio.h>
#include <hv/core/vm_config.h>
extern const struct hv_config hv_config;
int main(void)
{
	for (unsigned i = 0; i < hv_config.num_vms; i++) {
		const struct vm_config *v = &hv_config.vms[i];
		printf("%s", v->name);
		for (int k = 0; v->vf && k < NIC_VFP_COUNT; k++) {
			char b[16];
			printf(" %s=%s", nic_vf_params[k].word,
			       nic_vf_param_format(k, v->vf_param[k], b, sizeof(b)));
		}
		printf("\n");
	}
	return 0;
}
""")
    exe = tmp_path / "show"
    subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Wextra", "-Werror", "-I" + REPO, "-o",
                    str(exe), str(tmp_path / "show.c"), str(out / "config.c"),
                    REPO + "/nicif/vf_param.c"], check=True)
    return subprocess.run([str(exe)], capture_output=True, text=True,
                          check=True).stdout.splitlines()


def test_vf_settings_generated_with_defaults(tmp_path):
    text = VF_CFG.replace("policy=tx-csum,rx-csum",
                          "policy=tx-csum,rx-csum max-tx-rate=100 dhcp-guard=on storm=1000 "
                          "spoofchk=no tx-burst=000064 router-guard=1")
    assert text != VF_CFG
    assert config_dump(tmp_path, text) == [
        "a spoofchk=off trust=off dhcp-guard=on router-guard=on storm=1000 max-tx-rate=100 "
        "tx-burst=64 min-tx-rate=0 weight=100",
        "b",
        # none given: the header's defaults
        "c spoofchk=on trust=off dhcp-guard=off router-guard=off storm=0 max-tx-rate=0 "
        "tx-burst=0 min-tx-rate=0 weight=100"]
    # and the validator takes it
    exe, out = build_checker(tmp_path, text)
    r = subprocess.run([exe, *MACHINE], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "[NIC_VFP_MAX_TX_RATE] = 100u" in (out / "config.c").read_text()


def test_vf_settings_bounds_accepted(tmp_path):
    text = VF_CFG.replace("mtu=9000", "mtu=9000 max-tx-rate=400000 storm=10000000 "
                          "tx-burst=65536 spoofchk=off min-tx-rate=400000 weight=1 trust=on")
    assert config_dump(tmp_path, text)[0] == \
        "a spoofchk=off trust=on dhcp-guard=off router-guard=off storm=10000000 " \
        "max-tx-rate=400000 tx-burst=65536 min-tx-rate=400000 weight=1"


def test_min_tx_rate_above_max_refused(tmp_path):
    cfg = write(tmp_path, VF_LINE + "max-tx-rate=10 min-tx-rate=20\n")
    r = mkconfig(cfg, "--apps", "build/riscv/apps", "--images")
    assert r.returncode == 1, r.stderr
    assert r.stderr.strip().endswith("vm a: min-tx-rate=20 is above max-tx-rate=10"), r.stderr


VF_LINE = "vm a harts=1 ram=1M image=x vf=yes mac=02:00:00:00:00:01 "


@pytest.mark.parametrize("text, message", [
    (VF_LINE + "max-tx-rate=fast\n",
     "vm a: max-tx-rate=fast: expected a number from 0 to 400000 (Mbit/s)"),
    (VF_LINE + "max-tx-rate=400001\n",
     "vm a: max-tx-rate=400001: expected a number from 0 to 400000 (Mbit/s)"),
    (VF_LINE + "max-tx-rate=\n", "vm a: max-tx-rate=: expected a number from 0 to 400000"),
    (VF_LINE + "storm=-1\n", "vm a: storm=-1: expected a number from 0 to 10000000 (frames/s)"),
    (VF_LINE + "storm=1e3\n", "vm a: storm=1e3: expected a number from 0 to 10000000"),
    (VF_LINE + "tx-burst=0x10\n", "vm a: tx-burst=0x10: expected a number from 0 to 65536 (KiB)"),
    (VF_LINE + "tx-burst=٣\n", "vm a: tx-burst=٣: expected a number"),
    (VF_LINE + "spoofchk=maybe\n", "vm a: spoofchk=maybe: expected on or off"),
    (VF_LINE + "dhcp-guard=On\n", "vm a: dhcp-guard=On: expected on or off"),
    (VF_LINE + "router-guard=2\n", "vm a: router-guard=2: expected on or off"),
    (VF_LINE + "storm=1 storm=2\n", "'storm' given twice"),
    (VF_LINE + "colour=1\n", "vm a: unknown key(s) colour"),
    (VF_LINE + "max_tx_rate=1\n", "vm a: unknown key(s) max_tx_rate"),
    ("vm a harts=1 ram=1M image=x dhcp-guard=on storm=1\n",
     "vm a: dhcp-guard, storm without vf=yes"),
    ("vm a harts=1 ram=1M image=x vf=no max-tx-rate=1\n", "vm a: max-tx-rate without vf=yes"),
])
def test_vf_settings_errors(tmp_path, text, message):
    cfg = write(tmp_path, text)
    r = mkconfig(cfg, "--apps", "build/riscv/apps", "--images")
    assert r.returncode == 1, r.stderr
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"config error: {cfg}:1: "), r.stderr
    assert message in lines[0], r.stderr


def test_help_lists_the_vf_settings():
    r = mkconfig("--help")
    assert r.returncode == 0
    for line in ("spoofchk=on|off, default on", "storm=0..10000000 frames/s, default 0",
                 "max-tx-rate=0..400000 Mbit/s, default 0", "tx-burst=0..65536 KiB, default 0"):
        assert f"  {line}\n" in r.stdout, r.stdout


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
                    "-o", str(exe), *CHECK_SRCS, str(out / "config.c")], check=True)
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
