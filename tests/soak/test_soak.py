"""The soak (issue 12): for SOAK_SECONDS (60 in `make test`, 600 in `make
soak`) on an 8-hart QEMU: three lwIP guests (httpd, iperf, echo) and a
Linux guest move traffic with the Linux peer, a hostile guest (badvf
attack=cycle) runs every one-shot attack on its VF and then the floods (64
KiB super-frames of 8-byte segments to the uplink and through the switch
into itself, and at gso_size 1), a guest reboots itself every 20 s, and the hypervisor's
console takes a command every second.

Pass: no honest VM's one-second throughput falls to zero (after a short
warm-up), nothing arrives corrupted, the console answers every command
within 1 s, the counters are explained (honest VFs: no isolation event and
no reset during the run; the hostile VF: its attacks counted; the rebooting
VM: a VF reset per reboot), and every honest VM still completes a transfer
after the load stops (no buffer lost on the way)."""
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "linux"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from harness import guest_addr, guest_mac, reap_stale_namespaces  # noqa: E402
from linux import LinuxE2E, READY, config  # noqa: E402
from topology import PY  # noqa: E402

SECONDS = int(os.environ.get("SOAK_SECONDS", "60"))
WARMUP = 5  # seconds: connections and the Linux receiver starting
REBOOT_EVERY = 20
TRAFFIC = Path(__file__).resolve().parent / "traffic.py"
READY["reboot"] = r"reboot: boot"
HONEST = ["httpd", "iperf", "echo", "linux"]
VMS = [  # (name, kind, harts, bootargs): VM i has VF i and 192.0.2.(10+i)
    ("httpd", "httpd", [1], ""),
    ("iperf", "iperf", [2], ""),
    ("echo", "echo", [3], ""),
    ("linux", "linux", [4], ""),
    ("badvf", "badvf", [5], "attack=cycle"),
    ("reboot", "reboot", [6], f"boots=0 delay_ms={REBOOT_EVERY * 1000}"),
]
# isolation events an honest VF never has
RULES = ["dma_window_violations", "malformed_descriptors", "needs_reset_events",
         "tx_drop_spoof", "tx_drop_bad_hdr", "tx_drop_feature", "tx_drop_size"]
COMMANDS = ["counters", "vms", "traps"]
LINUX_PORT = 5501
# after badvf's one-shot attacks, its floods in turn, FLOOD_S each, one
# every FLOOD_EVERY s: to the uplink at gso_size 8, into its own RX queue
# through the NIC's switch, at gso_size 1 (refused, reset, again)
FLOODS = ["start 4", "start 4 self", "start 4 gso1"]
FLOOD_EVERY = 8
FLOOD_CTL_PORT = 9000  # apps/badvf/flood.c


def answer_time(s, line):
    """Seconds from typing a console command to its first answer line
    (then waits for the whole answer)."""
    s.hv.focus_hv()
    start = s.con.mark()
    t = time.monotonic()
    s.con.type(line.encode() + b"\r")
    s.con.wait_for(r"^(?:hv> )*hv: ", 10, start)
    took = time.monotonic() - t
    m = s.con.wait_for(r"^(?:hv> )*hv: (ok|error: .*)$", 30, start)
    assert m.group(1) == "ok", f"hv> {line}: {m.group(1)}"
    return took


def flood_ctl(s, word):
    """One datagram to the hostile guest's flood control (UDP)."""
    s.ns.run(PY, "-c", "import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)"
                       f".sendto(b'{word}', ('{addr('badvf')}', {FLOOD_CTL_PORT}))")


def addr(vm):
    return guest_addr([v[0] for v in VMS].index(vm))


def test_soak(tmp_path):
    reap_stale_namespaces()
    s = LinuxE2E("soak", config(VMS, nic_hart=7), [(v[0], v[1]) for v in VMS], tmp_path,
                 qemu_extra=("-smp", "8"), make_vars=("BOARD_HARTS=8",), capture=False)
    try:
        s.wait_ready(timeout=300)
        before = s.hv.counters()
        sh = s.shell("linux")
        start = s.con.mark()
        sh.start(f"rvnet recv {LINUX_PORT} {1 << 40} 5")
        s.wait_vm("linux", rf"rvnet: listening on {LINUX_PORT}", 30, start)
        s.hv.cmd("vms")  # the console leaves the Linux shell
        # the flooder answers no ARP: Linux knows its MAC from here
        bad = [v[0] for v in VMS].index("badvf")
        s.ns.run("ip", "neigh", "replace", addr("badvf"), "lladdr", guest_mac(bad), "nud",
                 "permanent", "dev", s.ns.tap)

        out = tmp_path / "traffic.json"
        load = s.ns.popen(PY, TRAFFIC, SECONDS, out, f"httpd={addr('httpd')}",
                          f"iperf={addr('iperf')}", f"echo={addr('echo')}",
                          f"linux={addr('linux')}:{LINUX_PORT}")
        slow, t0, floods, flood_log = [], time.monotonic(), 0, []
        for i in range(SECONDS):
            if i % FLOOD_EVERY == FLOOD_EVERY // 2 and \
                    re.search(r"badvf: flood gso_size \d+: waiting", s.con.text):
                flood_ctl(s, FLOODS[floods % len(FLOODS)])
                flood_log.append(f"{i}:{FLOODS[floods % len(FLOODS)].replace(' ', '_')}")
                floods += 1
            took = answer_time(s, COMMANDS[i % len(COMMANDS)])
            if took > 1.0:
                slow.append(f"second {i}: `{COMMANDS[i % len(COMMANDS)]}` took {took:.2f} s")
            time.sleep(max(0.0, t0 + i + 1 - time.monotonic()))
        load.wait(timeout=60)
        series = json.loads(out.read_text())
        after = s.hv.counters()

        report = [f"{name}: " + " ".join(str(b // 1024) for b in series[name]) + " KiB/s"
                  for name in HONEST]
        print("\n".join(report))
        # where frames may have been lost on the way (no assertion: a zero
        # second above is the verdict; these say where to look)
        drops = [f"{vm}: " + ", ".join(f"{k}={after[vm][k] - before[vm].get(k, 0)}"
                                       for k in after[vm] if "drop" in k and
                                       after[vm][k] != before[vm].get(k, 0))
                 for vm in after]
        tap = s.ns.run("ip", "-s", "link", "show", "dev", s.ns.tap, check=False).stdout
        tcp = s.ns.run("nstat", "-az", "TcpRetransSegs", "TcpExtTCPTimeouts",
                       "TcpExtTCPLossProbes", check=False).stdout
        print("floods started (second:what): " + " ".join(flood_log))
        print("drops:\n" + "\n".join(drops) + "\npeer's TAP:\n" + tap + "peer's TCP:\n" + tcp)
        zero = {name: [i + 1 for i, b in enumerate(series[name]) if b == 0 and i >= WARMUP]
                for name in HONEST}
        assert not any(zero.values()), \
            f"seconds with no throughput: {zero}\n" + "\n".join(report)
        errors = {n: series[n + "_errors"] for n in HONEST if series.get(n + "_errors")}
        assert not errors, f"traffic errors: {errors}"
        assert not slow, "console answers over 1 s:\n" + "\n".join(slow)
        assert not re.search(r"rvnet: MISMATCH", s.con.text), "the Linux guest got corrupted data"

        # the counters, explained
        for vm in HONEST:
            events = {k: after[vm][k] for k in RULES if after[vm].get(k)}
            assert not events, f"honest {vm} has isolation events: {events}"
            assert after[vm]["resets"] == before[vm]["resets"], \
                f"honest {vm}'s VF was reset during the soak"
        bad = after["badvf"]
        cycled = re.findall(r"^\[badvf\] badvf: cycle (\S+): needs-reset (\S+), after reset "
                            r"(.*)$", s.con.text, re.M)
        assert len(cycled) == 7 and all(n == "yes" and up == "device up" for _, n, up in cycled), \
            f"the hostile guest's attacks: {cycled}"
        assert bad["needs_reset_events"] >= len(cycled), \
            f"{len(cycled)} attacks but {bad['needs_reset_events']} needs-reset events: {bad}"
        print(f"hostile guest: {len(cycled)} one-shot attacks, {floods} floods "
              f"({', '.join(FLOODS)}), counters: " +
              ", ".join(f"{k}={v}" for k, v in bad.items() if v))
        reboots = len(re.findall(r"^\[reboot\] reboot: rebooting$", s.con.text, re.M))
        assert reboots >= SECONDS // REBOOT_EVERY - 1, f"only {reboots} reboots"
        assert after["reboot"]["resets"] >= before["reboot"]["resets"] + reboots - 1, \
            f"{reboots} reboots but VF resets {before['reboot']['resets']} -> " \
            f"{after['reboot']['resets']}"

        # no buffer lost: each honest VM still completes a transfer
        code, body, err = s.curl(addr("httpd"))
        assert code == "200" and body, f"httpd after the soak: {code} {err}"
        assert s.tcp_echo(addr("echo"), 64 * 1024) == 64 * 1024, "echo after the soak"
        res = s.iperf(addr("iperf"), nbytes=1 << 20, timeout=60)
        assert res.get("fwd", 0) >= 1 << 20, f"iperf after the soak: {res['out']}"
        s.hv.at_hv = False
        start = s.con.mark()
        sh.run("kill %1 2>/dev/null; true")
        sh.start(f"rvnet recv {LINUX_PORT + 1} {1 << 20} 6")
        s.wait_vm("linux", rf"rvnet: listening on {LINUX_PORT + 1}", 30, start)
        r = s.peer_send(addr("linux"), LINUX_PORT + 1, 1 << 20, 6, timeout=60)
        assert r.returncode == 0, f"linux after the soak: {r.stdout}{r.stderr}"
    finally:
        s.close()
