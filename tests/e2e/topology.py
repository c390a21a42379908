"""The issue-5 topology on top of the harness: partition configs (two lwIP
guests with VFs, the NIC core on hart 3), waiting for them to serve, and the
Linux peer's traffic tools (ping, curl, iperf 2, UDP/TCP echo)."""
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import PEER4, Scenario, guest_addr, guest_addr6, guest_mac  # noqa: E402
import wire  # noqa: E402

PY = "/usr/bin/python3"
PEER_PY = Path(__file__).resolve().parent / "peer.py"
MiB = 1 << 20
BOOT_TIMEOUT = 120
# what each app prints once it serves (apps/*/: NET's ready lines)
READY = {
    "httpd": r"httpd: listening",
    "iperf": r"iperf: (server|client)",
    "echo": r"echo: ",
    "badvf": r"badvf: ",
}


def config(vms, host_policy=None, imsic=(), port="wire"):
    """Partition config: VM i on hart i+1 with VF i (MAC 02:..:0i+1, guest
    192.0.2.(10+i)); the NIC core on hart 3; hart 0 keeps the hv console.
    vms = [(name, app, extra bootargs, VF policy or None)]; the VMs named in
    imsic get irq=imsic (AIA board). port: the NIC's port mode; wire here,
    because these suites check every frame on the TAP against the MTU and
    its sums (tests/linux runs pass)."""
    lines = ["# e2e test config (tests/e2e/topology.py)"]
    for i, (name, app, extra, pol) in enumerate(vms):
        args = f"ip={guest_addr(i)}/24 gw={PEER4} ip6={guest_addr6(i)}/64 {extra}".strip()
        lines.append(f"vm {name} harts={i + 1} ram=16M image={app} vf=yes mac={guest_mac(i)}"
                     f"{f' policy={pol}' if pol else ''}{' irq=imsic' if name in imsic else ''}"
                     f" args=\"{args}\"")
    policy = f" policy={host_policy}" if host_policy else ""
    lines.append(f"nic hart=3 ram=32M image=nicfw{policy} port={port}")
    return "\n".join(lines) + "\n"


class E2E(Scenario):
    """A booted scenario plus the peer-side traffic the tests use."""

    def __init__(self, name, config_text, vms, tmp, qemu_extra=(), iperf_server=False,
                 make_vars=(), capture=True, qemu_sh=None):
        """iperf_server: Linux runs `iperf -s` (port 5001) from before the
        boot, for guests started with iperf-client=192.0.2.1."""
        peers = [["iperf", "-s", "-p", "5001", "-y", "C"]] if iperf_server else []
        extra = {"qemu_sh": qemu_sh} if qemu_sh else {}
        super().__init__(name, config_text, vms, tmp, qemu_extra, peers, make_vars, capture,
                         **extra)

    def peer_iperf_bytes(self, timeout=30):
        """Bytes the Linux iperf server counted, per finished connection."""
        deadline = time.monotonic() + timeout
        while True:
            rows = (l.split(",") for l in self.peers[0][1].read_text().splitlines())
            got = [int(f[7]) for f in rows if len(f) >= 9 and "-" in f[6]]
            if got or time.monotonic() > deadline:
                return got
            time.sleep(0.5)

    def wait_ready(self, timeout=BOOT_TIMEOUT):
        t0 = time.monotonic()
        self.con.wait_for(r"nic: ready", timeout)
        for name, app in self.vms:
            left = max(5, timeout - (time.monotonic() - t0))
            self.wait_vm(name, READY.get(app, ""), left)
        self.boot_seconds = time.monotonic() - t0

    def offloads(self, vm, start=0, timeout=30):
        """What the guest's netif negotiated, from its `net: vf at ...` line
        after `start`: {'tx-csum': True, 'rx-csum':.., 'tso4':.., 'tso6':..}."""
        m = self.wait_vm(vm, r"net: vf at .*", timeout, start)
        return {k: v == "on" for k, v in re.findall(r"\b(tx-csum|rx-csum|tso4|tso6|uso) (on|off)\b",
                                                    m.group(0))}

    def reset_vf(self, vm):
        """`reset VM` on the hv console; waits for the guest to renegotiate
        and returns what it negotiated now."""
        start = self.con.mark()
        self.hv.cmd(f"reset {vm}")
        return self.offloads(vm, start)

    def curl(self, addr, path="/", timeout=30):
        out = self.tmp / "curl.body"
        host = f"[{addr}]" if ":" in addr else addr
        r = self.ns.run("curl", "-gsS", "-m", timeout, "-o", out, "-w", "%{http_code}",
                        f"http://{host}{path}", check=False, timeout=timeout + 10)
        return r.stdout.strip(), (out.read_bytes() if out.exists() else b""), r.stderr

    def iperf(self, addr, nbytes=None, seconds=None, reverse=False, timeout=240):
        """Debian's iperf 2 as client to the guest's lwiperf: nbytes (-n) or
        seconds (-t) to the guest; with reverse (-r, the tradeoff test) the
        guest then sends back to our listener on 5002 for as long (use
        seconds: lwIP 2.1.3's lwiperf ends a byte-limited reverse test at
        once, its `amount` comparison is inverted).
        Returns {'fwd': bytes, 'rev': bytes, 'fwd_bps':.., 'rev_bps':..}."""
        args = ["iperf", "-c", addr, "-p", "5001", "-y", "C"]
        args += ["-t", seconds] if seconds else ["-n", nbytes]
        if reverse:
            args += ["-r", "-L", "5002"]
        r = self.ns.run(*args, check=False, timeout=timeout)
        res = {}
        for line in r.stdout.splitlines():
            f = line.split(",")
            if len(f) < 9 or "-" not in f[6]:
                continue
            key = "rev" if "5002" in (f[2], f[4]) else "fwd"
            res[key] = int(f[7])
            res[key + "_bps"] = int(f[8])
        res["out"] = r.stdout + r.stderr
        return res

    def udp_echo(self, addr, sizes, port=7):
        r = self.ns.run(PY, PEER_PY, "udp-echo", addr, port, *sizes, check=False, timeout=120)
        return {int(a): b for a, b in (l.split() for l in r.stdout.splitlines() if l.strip())}

    def tcp_echo(self, addr, n, port=7):
        r = self.ns.run(PY, PEER_PY, "tcp-echo", addr, port, n, check=False, timeout=60)
        return int(r.stdout.strip() or -1)

    def wire(self):
        """Stops the capture; every frame of the run, dissected by tshark."""
        self.cap.stop()
        return wire.frames(self.pcap)

    def drop_capture(self):
        """A capture that passed is not worth its 100-200 MB."""
        self.pcap.unlink(missing_ok=True)

    def vf(self, vm):
        """The VF counters of one VM (hv console `counters`)."""
        c = self.hv.counters()
        assert vm in c, f"no counters for {vm}: {sorted(c)}"
        return c[vm]


def delta(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items()}




def iperf_ok(res, key, nbytes):
    assert res.get(key, 0) >= nbytes, f"iperf {key}: {res.get(key)} of {nbytes} bytes\n{res['out']}"


def guest_counter_line(s, vm, pattern, start=0, timeout=60):
    """A line the guest printed (e.g. its iperf report) as a match."""
    return s.wait_vm(vm, pattern, timeout, start)


def int_field(m, name):
    return int(re.sub(r"\D", "", m.group(name)))
