"""The hypervisor's side of issue 5 on QEMU, with its own stand-in NIC
firmware (tests/images/fake_nic.c) so it does not depend on the real one:
the NIC partition's device tree and doorbell, the VF register file a guest
drives (tests/images/vf_guest.c checks it from inside), the virtual PLIC
interrupt path, a NIC that stops answering, a NIC that touches what it was
not given, and the management console (Ctrl-A)."""
import re

import pytest

from conftest import REPO

UNIT = "build/riscv/test-images"
# the NIC's physical port: modern virtio-mmio, user network without forwards
# (no host ports: tests may run side by side)
NET = ["-global", "virtio-mmio.force-legacy=false",
       "-netdev", "user,id=port0,net=192.0.2.0/24,host=192.0.2.2,restrict=on",
       "-device", "virtio-net-device,netdev=port0,mac=02:00:00:00:01:00"]
POWER_OFF = "hv: no VM running, powering off"


def cfg(guest_args, nic="fake_nic", second="vm hello harts=2 ram=16M image=hello"):
    return (f"vm vfguest harts=1 ram=4M image={UNIT}/vf_guest.bin vf=yes "
            f"mac=02:00:00:00:00:0a mtu=1400 policy=tx-csum,tso4 dhcp-guard=on storm=500 "
            f"args=\"{guest_args}\"\n"
            f"{second}\n"
            f"nic hart=3 ram=4M image={UNIT}/{nic}.bin policy=tx-csum,tso4,tso6,uso\n")


def counter_names():
    """(VF names, port names) from the X-macro lists of nicif/counters.h."""
    text = (REPO / "nicif" / "counters.h").read_text()
    lists = []
    for macro in ("NIC_VF_COUNTERS", "NIC_PORT_COUNTERS"):
        body = text[text.index(f"#define {macro}(X)"):]
        body = body[:body.index("\n\n")]
        lists.append(re.findall(r'X\(\w+, "([^"]+)"\)', body))
    return lists


def answer(r, prefix):
    """The console's answer lines starting with prefix (without "hv> " echo noise)."""
    out = []
    for l in r.lines:
        i = l.find(prefix)
        if i >= 0:
            out.append(l[i:])
    return out


@pytest.fixture(scope="module")
def console_run(hv_run):
    """vfguest + hello with the fake NIC; while vfguest waits for a reset,
    the console is driven through every command."""
    steps = [
        (r"vfguest: waiting for reset request 1", b"\x01c"),
        (r"hv> ", b"vms\r"),
        (r"hv: nic state=", b"traps\r"),
        (r"hv: traps nic total", b"traps vfguest\r"),
        (r"hv: traps vfguest[^\n]*\n[\s\S]*hv: traps vfguest", b"counters\r"),
        (r"hv: port0\.tx_drop_busy", b"counters port 1\r"),
        (r"hv: error: no such port", b"offload vfguest uso on\r"),
        # the NIC asks the driver for a reset after a VF policy change
        (r"vfguest: reset 1 handled", b"offload host tso6 off\r"),
        (r"fakenic: policy host", b"offload nosuch all off\r"),
        (r"hv: error: no such VF", b"offload 0 warp on\r"),
        (r"hv: error: unknown offload", b"bogus\r"),
        # Ctrl-A 0 before the last reset: once reset 2 is handled the VM
        # shuts down and QEMU ends, which can beat a later keystroke
        (r"hv: error: unknown command", b"\x010"),
        (r"hv: console input to vm vfguest", b"\x01c"),
        (r"console input to vm vfguest[\s\S]*hv> ", b"reset vfguest\r"),
    ]
    r = hv_run("vf-console", cfg("resets=2"), qemu_args=NET, script=steps)
    return r


def test_nic_partition_device_tree(console_run):
    r = console_run
    nic = r.vm_lines("nic")
    m = [re.match(r"fakenic: shared 0x([0-9a-f]+) size 0x1000 magic ok ports 1 "
                  r"host-policy 0xf$", l) for l in nic]
    assert any(m), r.describe()
    start, end = r.vms["vfguest"]
    assert (f"fakenic: vf 0 window 0x80000000+0x{end - start:x} hpa 0x{start:x} "
            f"mac 02:00:00:00:00:0a mtu 1400 policy 0x3 vm vfguest") in nic, r.describe()
    # the switch settings of the config line, the others at their defaults
    assert ("fakenic: vf 0 params spoofchk=on trust=off dhcp-guard=on router-guard=off "
            "storm=500 max-tx-rate=0 tx-burst=0 min-tx-rate=0 weight=100") in nic, r.describe()
    # the doorbell exists for the NIC only and refuses what is not a VF
    assert "fakenic: probe rvhv 1, raise_vf_irq(63) error -3" in nic, r.describe()
    assert any(re.match(r"^hv: nic hart 3 ram 0x[0-9a-f]+-0x[0-9a-f]+, 1 port\(s\) 0x10008000, "
                        r"1 VF\(s\)$", l) for l in r.lines), r.describe()


def test_guest_drives_vf_and_takes_interrupts(console_run):
    r = console_run
    out = r.vm_lines("vfguest")
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert "vfguest: mac 02:00:00:00:00:0a mtu 1400 irqs 2 spurious 0" in out, r.describe()
    done = [l for l in out if re.match(r"vfguest: \d+ checks, 0 failed$", l)]
    assert done, r.describe()
    for n in (1, 2):
        assert any(re.match(rf"vfguest: reset {n} handled, \d+ checks, 0 failed$", l)
                   for l in out), r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()
    # the VM's end resets its VF in the NIC: no DMA into a stopped VM
    end = r.index(lambda l: l == "hv: vm vfguest shut down")
    assert end >= 0 and r.index(lambda l: l == "[nic] fakenic: vf 0 reset", end) > end, \
        r.describe()


def test_console_vms_and_traps(console_run):
    r = console_run
    assert "hv: vm 0 vfguest state=running harts=1 vf=0 mac=02:00:00:00:00:0a" in r.lines or \
        any(l.endswith("hv: vm 0 vfguest state=running harts=1 vf=0 mac=02:00:00:00:00:0a")
            for l in r.lines), r.describe()
    assert any(l.startswith("hv: vm 1 hello state=") and l.endswith("vf=- mac=-")
               for l in answer(r, "hv: vm 1 ")), r.describe()
    assert any(re.fullmatch(r"hv: nic state=running hart=3 ready=yes ports=1 vfs=1 heartbeat=\d+", l)
               for l in answer(r, "hv: nic ")), r.describe()
    traps = answer(r, "hv: traps vfguest ")
    assert len(traps) == 2, r.describe()
    for l in traps:
        f = dict(kv.split("=") for kv in l.split()[3:])
        counts = {k: int(v) for k, v in f.items()}
        causes = {k: v for k, v in counts.items() if k != "total" and not k.startswith("sbi-")}
        assert counts["total"] == sum(causes.values()), l
        # every SBI call once in its extension's counter
        assert counts["ecall"] == sum(v for k, v in counts.items() if k.startswith("sbi-")), l
        # register accesses trap as MMIO, the console goes through SBI, the
        # doorbell reaches the guest's hart as an IPI
        assert counts["mmio-load"] > 10 and counts["mmio-store"] > 10, l
        assert counts["ecall"] > 0 and counts["irq-soft"] >= 2, l
        assert counts["sbi-console"] > 0, l
    assert answer(r, "hv: traps nic ")[0].split()[3].startswith("total="), r.describe()


def test_console_counters_offload_reset(console_run):
    r = console_run
    # fake NIC: VF counter k reads 1000 + k, port counter k 5000 + k; kicks
    # are real. Every name of nicif/counters.h, in its order.
    vf_names, port_names = counter_names()
    for k, name in enumerate(vf_names):
        want = "1" if name == "kicks" else str(1000 + k)
        assert f"hv: vfguest.{name} {want}" in answer(r, f"hv: vfguest.{name} "), r.describe()
    for k, name in enumerate(port_names):
        assert f"hv: port0.{name} {5000 + k}" in answer(r, f"hv: port0.{name} "), r.describe()
    assert "hv: error: no such port" in answer(r, "hv: error"), r.describe()
    nic = r.vm_lines("nic")
    # per-VF switch: 0x3 (config) + uso; host-wide: 0xf without tso6
    assert "fakenic: policy vf 0 = 0xb" in nic, r.describe()
    assert "fakenic: policy host0 = 0xb" in nic, r.describe()
    assert "hv: offload vfguest policy=0xb (applies at the next VF reset)" in r.lines or \
        answer(r, "hv: offload vfguest policy=0xb"), r.describe()
    errors = answer(r, "hv: error: ")
    assert "hv: error: no such VF" in errors and "hv: error: unknown offload" in errors
    assert "hv: error: unknown command (help)" in errors, r.describe()
    # Ctrl-A 0 left command mode and gave the input to vm 0
    assert "hv: console input to vm vfguest" in r.lines, r.describe()
    assert answer(r, "hv: reset vfguest: device asks its driver for a reset"), r.describe()


def test_silent_nic_fails_the_device_not_the_hypervisor(hv_run):
    mute = r"hv: error: the NIC did not answer[\s\S]*"
    steps = [(r"vfguest: \d+ checks", b"\x01c"),
             (r"hv> ", b"counters\r"),
             (mute, b"show vf\r"),
             (mute * 2, b"set vf vfguest storm 1\r"),
             (mute * 3, b"vms\r"),
             (r"hv: nic state=", b"\x01x")]
    r = hv_run("vf-mute", cfg("mute=1", nic="fake_nic_mute",
                              second="vm ticker harts=2 ram=16M image=ticker"),
               qemu_args=NET, script=steps)
    out = r.vm_lines("vfguest")
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert any(re.match(r"vfguest: \d+ checks, 0 failed$", l) for l in out), r.describe()
    m = [re.match(r"vfguest: silent nic: first access (\d+) ms, reset (\d+) ms", l) for l in out]
    m = [x for x in m if x]
    assert m and int(m[0].group(2)) >= 900, r.describe()  # the 1 s bound was waited out
    assert "fakenic: ready, mute" in r.vm_lines("nic"), r.describe()
    # counters, show vf, set vf: one error line each, nothing kept
    assert answer(r, "hv: error") == ["hv: error: the NIC did not answer"] * 3, r.describe()
    assert not answer(r, "hv: vf "), r.describe()
    # the ticker kept running until Ctrl-A x powered the machine off
    assert "hv: power off (Ctrl-A x)" in r.lines, r.describe()
    assert not r.timed_out and r.rc == 0, r.describe()


def test_reply_with_wrong_seq_fails_the_device(hv_run):
    """A reply whose seq is not the request's (e.g. the late answer to an
    earlier, timed-out request) is not taken as the answer: the device
    fails at once (NEEDS_RESET, no features), the other VM goes on."""
    r = hv_run("vf-badseq", cfg("mute=2", nic="fake_nic_badseq"), qemu_args=NET)
    out = r.vm_lines("vfguest")
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert any(re.match(r"vfguest: \d+ checks, 0 failed$", l) for l in out), r.describe()
    assert [l for l in r.lines if "hv: nic: reply seq" in l], r.describe()
    assert "hello: bye" in r.vm_lines("hello"), r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


def test_nic_partition_holds_only_what_it_was_given(hv_run):
    """A NIC that reads the hypervisor's page next to the shared one is
    stopped with the one-line report; its VF then fails at once (no waiting
    on a stopped NIC) and the other VMs go on."""
    r = hv_run("vf-nic-intrude", cfg("mute=2", nic="fake_nic_intrude"), qemu_args=NET)
    nic = r.vm_lines("nic")
    shared = [re.match(r"fakenic: shared 0x([0-9a-f]+)", l) for l in nic]
    shared = [int(m.group(1), 16) for m in shared if m]
    assert shared, r.describe()
    target = shared[0] - 0x1000
    stops = r.stops()
    assert [s[0] for s in stops] == ["nic"], r.describe()
    assert stops[0][1] == "load guest-page fault" and int(stops[0][3], 16) == target, \
        r.describe()
    assert not [l for l in nic if "intrusion survived" in l], r.describe()
    out = r.vm_lines("vfguest")
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert any(re.match(r"vfguest: \d+ checks, 0 failed$", l) for l in out), r.describe()
    assert "hello: bye" in r.vm_lines("hello"), r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


def test_reboot_gets_a_fresh_vf_and_vplic(hv_run):
    """A VM that reboots with its VF running and a claim left open: the VF
    is reset in the NIC before the image is reloaded, and the rebooted guest
    gets its interrupts again (the vPLIC starts from power-on state)."""
    r = hv_run("vf-reboot", cfg("reboot=1"), qemu_args=NET)
    out = r.vm_lines("vfguest")
    assert any(l.startswith("vfguest: boot 0: ") and " 0 failed" in l for l in out), \
        r.describe()
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert "vfguest: mac 02:00:00:00:00:0a mtu 1400 irqs 2 spurious 0" in out, r.describe()
    rb = r.index(lambda l: l == "hv: vm vfguest rebooting")
    assert rb >= 0 and r.index(lambda l: l == "[nic] fakenic: vf 0 reset", rb) > rb, \
        r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


def test_reboot_keeps_ram_until_a_late_nic_lets_go(hv_run):
    """The NIC answers the reboot's VF reset only after 3 s of standing
    still: past the mailbox's bound, so it may still DMA into the VM's RAM
    when the reboot would reload it. The VM's RAM is kept (the VM stays
    rebooting) until the NIC answers; then the VM boots again with a fresh
    VF. The other VM goes on meanwhile."""
    r = hv_run("vf-late-reset", cfg("reboot=1", nic="fake_nic_late"), qemu_args=NET)
    out = r.vm_lines("vfguest")
    assert any(l.startswith("vfguest: boot 0: ") and " 0 failed" in l for l in out), \
        r.describe()
    rb = r.index(lambda l: l == "hv: vm vfguest rebooting")
    assert rb >= 0, r.describe()
    held = r.index(lambda l: l.startswith("hv: vm vfguest: VF 0: the NIC did not acknowledge "
                                          "its reset"), rb)
    waits = r.index(lambda l: l == "hv: vm vfguest: reboot waits for the NIC to release VF 0 "
                    "(RAM kept until then)", held)
    late = r.index(lambda l: l == "[nic] fakenic: vf 0 reset answered late", waits)
    freed = r.index(lambda l: l == "hv: vm vfguest: VF 0 released by the NIC", late)
    assert rb < held < waits < late < freed, r.describe()
    # nothing of the VM ran between the reboot and the NIC's answer: the
    # second boot's lines all come after it
    second = r.index(lambda l: l.startswith("[vfguest] "), rb)
    assert second > freed, r.describe()
    assert not r.stops(), r.describe()
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert "vfguest: mac 02:00:00:00:00:0a mtu 1400 irqs 2 spurious 0" in out, r.describe()
    assert any(re.match(r"vfguest: \d+ checks, 0 failed$", l) for l in out), r.describe()
    assert "hello: bye" in r.vm_lines("hello"), r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


def test_nic_restart_rebuilds_vfs(hv_run):
    """The NIC partition reboots itself while the guest's VF runs: the hv
    notices (it reboots the partition), the VFs come back from the NIC's
    new device tree with the policy and switch settings as last set on the
    console, the driver is told (configuration interrupt, DEVICE_NEEDS_RESET)
    and after its reset the device works again."""
    steps = [(r"vfguest: waiting for reset request 1", b"\x01c"),
             (r"hv> ", b"set vf vfguest max-tx-rate 7\r"),
             # the policy change has the driver reset, which leads to the restart
             (r"hv: vf vfguest: max-tx-rate 7", b"offload vfguest uso on\r"),
             (r"fakenic: ready, boot 1", b"\x010")]
    r = hv_run("vf-nic-restart", cfg("resets=2 kick=2", nic="fake_nic_restart"),
               qemu_args=NET, script=steps)
    nic = r.vm_lines("nic")
    restart = r.index(lambda l: l == "[nic] fakenic: restarting")
    assert restart >= 0, r.describe()
    note = r.index(lambda l: l == "hv: nic: restarting, its 1 VF(s) need a reset by their "
                   "drivers", restart)
    assert note > restart, r.describe()
    assert "fakenic: ready, boot 1" in nic, r.describe()
    # the rebuilt VF: same MAC and MTU, the policy the console set (0x3 | uso)
    vf_lines = [l for l in nic if l.startswith("fakenic: vf 0 window ")]
    assert len(vf_lines) == 2 and vf_lines[0].endswith("policy 0x3 vm vfguest") and \
        vf_lines[1].endswith("mac 02:00:00:00:00:0a mtu 1400 policy 0xb vm vfguest"), \
        r.describe()
    params = [l for l in nic if l.startswith("fakenic: vf 0 params ")]
    assert len(params) == 2 and "max-tx-rate=0 " in params[0], r.describe()
    assert params[1] == params[0].replace("max-tx-rate=0 ", "max-tx-rate=7 "), r.describe()
    out = r.vm_lines("vfguest")
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert any(re.match(r"vfguest: reset 2 handled, \d+ checks, 0 failed$", l) for l in out), \
        r.describe()
    # the driver's reset reached the new NIC
    assert r.index(lambda l: l == "[nic] fakenic: vf 0 reset", note) > note, r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


def test_reboot_waits_out_a_live_nic_call(hv_run):
    """vCPU 0 reboots the VM while vCPU 1 is inside a register access the
    NIC takes 1.5 s to answer (heartbeat moving: within the mailbox's
    rule). The reboot waits for that call by the same rule and then boots
    the VM again, instead of giving up on a vCPU that did not park."""
    conf = (f"vm vfguest harts=1,2 ram=4M image={UNIT}/vf_guest.bin vf=yes "
            f"mac=02:00:00:00:00:0a mtu=1400 policy=tx-csum,tso4 args=\"slowreboot=1\"\n"
            f"nic hart=3 ram=4M image={UNIT}/fake_nic_slow.bin policy=tx-csum\n")
    r = hv_run("vf-slow-reboot", conf, qemu_args=NET)
    out = r.vm_lines("vfguest")
    assert any(re.match(r"vfguest: boot 0: \d+ checks, 0 failed, reader 1, rebooting$", l)
               for l in out), r.describe()
    slow = r.index(lambda l: l == "[nic] fakenic: vf 0 features: slow")
    rb = r.index(lambda l: l == "hv: vm vfguest rebooting")
    assert slow >= 0 and rb >= 0, r.describe()
    assert not r.stops(), r.describe()
    # the VF reset came after the slow call, then the second boot ran
    assert r.index(lambda l: l == "[nic] fakenic: vf 0 reset", max(slow, rb)) > 0, r.describe()
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert any(re.match(r"vfguest: \d+ checks, 0 failed$", l) for l in out), r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


def test_nic_restart_in_place_is_noticed_and_resynced(hv_run):
    """The NIC firmware restarts without the hypervisor: nic_ready goes down
    for 3 s and comes back with every VF as its old DT says. The first hv
    look at the flag (here the console's `vms`) notices it: the started VF
    asks its driver for a reset, and the first call to the NIC once it is
    back sends the policies (the console's uso change is not in its DT) and
    every switch setting again, before the driver's reset, after which the
    device works."""
    steps = [(r"vfguest: waiting for reset request 1", b"\x01c"),
             (r"hv> ", b"offload vfguest uso on\r"),
             (r"fakenic: restarting in place", b"vms\r"),
             (r"fakenic: ready again", b"\x010")]
    r = hv_run("vf-nic-inplace", cfg("resets=2 kick=2", nic="fake_nic_inplace"),
               qemu_args=NET, script=steps)
    down = r.index(lambda l: l == "[nic] fakenic: restarting in place")
    seen = r.index(lambda l: l.endswith("hv: nic: not ready any more, VFs need a reset"), down)
    back = r.index(lambda l: l == "[nic] fakenic: ready again, vf 0 policy 0x3 (from its DT)",
                   down)
    sent = r.index(lambda l: l.endswith("hv: nic: back after a restart, policies and switch "
                                        "settings sent again"), back)
    assert 0 <= down < seen < back < sent, r.describe()
    pol = r.index(lambda l: l == "[nic] fakenic: policy vf 0 = 0xb", back)
    host = r.index(lambda l: l == "[nic] fakenic: policy host0 = 0xf", back)
    spoof = r.index(lambda l: l == "[nic] fakenic: param vf 0 spoofchk = 1", back)
    storm = r.index(lambda l: l == "[nic] fakenic: param vf 0 storm = 500", back)
    reset = r.index(lambda l: l == "[nic] fakenic: vf 0 reset", back)
    assert back < host < pol < spoof < storm < reset, r.describe()
    out = r.vm_lines("vfguest")
    assert not [l for l in out if "FAIL" in l], r.describe()
    assert any(re.match(r"vfguest: reset 2 handled, \d+ checks, 0 failed$", l) for l in out), \
        r.describe()
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()


@pytest.mark.parametrize("window", [0x10001000, 0x0C000000])
def test_page_table_walk_into_vf_or_vplic_window(hv_run, window):
    """A guest page table placed in the VF's register window (or the
    vPLIC's): the walk's read of an entry there is not a register access.
    Nothing reaches the device model or the NIC; the guest's kernel gets a
    load access fault."""
    vm = ("vm intruder harts=2 ram=4M image=intruder vf=yes mac=02:00:00:00:00:0b "
          f"args=\"attempt=ptload addr=0x{window:x}\"")
    r = hv_run(f"vf-ptwalk-{window:x}", cfg("resets=0", second=vm), qemu_args=NET)
    assert not r.timed_out and r.rc == 0 and r.has(POWER_OFF), r.describe()
    out = r.vm_lines("intruder")
    assert any(re.match(r"^guest: vcpu 0 load access fault: scause=0x5 sepc=0x8000[0-9a-f]{4} "
                        r"stval=0xc0000000 ", l) for l in out), r.describe()
    assert not any("through the table" in l or "survived" in l for l in out), out
    assert r.has("hv: vm intruder shut down"), r.describe()
    assert not any(l.startswith("hv: vm ") and " stopped: " in l for l in r.lines), r.describe()
