#!/usr/bin/env python3
"""bench-linux: the Linux guest (guest/linux) on its VF against the same
kernel on bare QEMU, one run after the other on this machine.

Setups (2 vCPUs each, a Linux peer in a network namespace on the TAP):
  bare, offloads   QEMU's virtio-net-device on the TAP, vnet_hdr on (the
                   TAP carries 64 KiB super-frames and partial checksums)
  bare, no offload the same with vnet_hdr=off
  rvhv, pass       under the hypervisor: a VF, the NIC core on hart 3, the
                   port on the TAP in pass mode (super-frames cross whole)
  rvhv, wire       the same with nic port=wire (the NIC segments and sums)
For each: 16 MiB TCP guest -> peer and peer -> guest, --reps times, every
byte checked by rvnet at the receiver; the median Mbit/s. Then the host CPU
time QEMU takes over --idle seconds with every guest idle: bare Linux, the
`linux` demo and the default (lwIP) demo, with the hart OpenSBI's lottery
booted. Writes results.md (the table at its top; the "## " sections below
it, the analysis, are kept) and results.csv into --out.

    run.py --out bench/linux [--reps 3] [--idle 20]
"""
import argparse
import csv
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "linux"))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from harness import PEER4, guest_addr, reap_stale_namespaces  # noqa: E402
from linux import BareLinux, LinuxE2E, MiB, config  # noqa: E402

NBYTES = 16 * MiB
VMS = [("linux", "linux", [1, 2], "")]


def transfers(s, reps, log):
    """{'tx': [Mbit/s...], 'rx': [...]} (tx: guest -> peer)."""
    res = {"tx": [], "rx": []}
    for i in range(reps):
        ok, rate, out = s.send_from_guest("linux", PEER4, 6000 + i, NBYTES, 20 + i)
        if not ok:
            raise RuntimeError(f"guest -> peer failed:\n{out}")
        res["tx"].append(rate)
        ok, rate, out = s.send_to_guest("linux", guest_addr(0), 6100 + i, NBYTES, 40 + i)
        if not ok:
            raise RuntimeError(f"peer -> guest failed:\n{out}")
        res["rx"].append(rate)
        log(f"  rep {i + 1}: guest->peer {res['tx'][-1]:.0f}, peer->guest {res['rx'][-1]:.0f} Mbit/s")
    return res


def qemu_cpu(pid):
    """CPU seconds (user + system) of a process so far."""
    f = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / float(subprocess.check_output(["getconf", "CLK_TCK"]))


def idle_cost(s, seconds):
    pid = s.con.p.pid
    # the console runs `ip netns exec ... qemu`: QEMU is the exec'd process
    t0 = qemu_cpu(pid)
    time.sleep(seconds)
    return qemu_cpu(pid) - t0


def boot_hart(s):
    m = re.search(r"rvhv on hart (\d+)", s.con.text) or \
        re.search(r"Boot HART ID\s*:\s*(\d+)", s.con.text)
    return m.group(1) if m else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--idle", type=int, default=20)
    a = ap.parse_args()
    reap_stale_namespaces()
    tmp = Path(tempfile.mkdtemp(prefix="bench-linux-"))
    rows = []

    def log(msg):
        print(msg, flush=True)

    setups = [("bare, offloads", lambda: BareLinux("bench-bare-on", tmp / "on")),
              ("bare, no offload", lambda: BareLinux("bench-bare-off", tmp / "off",
                                                      vnet_hdr=False)),
              ("rvhv, pass", lambda: LinuxE2E("bench-rvhv", config(VMS, port="pass"),
                                              [("linux", "linux")], tmp / "pass",
                                              capture=False)),
              ("rvhv, wire", lambda: LinuxE2E("bench-rvhv-wire", config(VMS, port="wire"),
                                              [("linux", "linux")], tmp / "wire",
                                              capture=False))]
    for d in ("on", "off", "pass", "wire"):
        (tmp / d).mkdir()
    for name, make in setups:
        log(f"{name}:")
        s = make()
        try:
            s.wait_ready(timeout=180)
            time.sleep(3)
            idle = idle_cost(s, a.idle)
            log(f"  idle: {idle:.2f} CPU-s over {a.idle} s (boot hart {boot_hart(s)})")
            r = transfers(s, a.reps, log)
        finally:
            s.close()
        rows.append({"setup": name, "tx": statistics.median(r["tx"]),
                     "rx": statistics.median(r["rx"]), "idle": idle,
                     "hart": boot_hart(s)})

    ref_on, ref_off = rows[0], rows[1]
    a.out.mkdir(parents=True, exist_ok=True)
    with open(a.out / "results.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["setup", "guest_to_peer_mbps", "peer_to_guest_mbps",
                    f"idle_cpu_s_per_{a.idle}s", "boot_hart"])
        for r in rows:
            w.writerow([r["setup"], f"{r['tx']:.1f}", f"{r['rx']:.1f}", f"{r['idle']:.2f}",
                        r["hart"]])
    md = [
        "# bench-linux: the Linux guest on its VF vs bare QEMU",
        "",
        f"`make bench-linux` on {platform.node()} ({platform.machine()}, "
        f"{subprocess.check_output(['nproc']).decode().strip()} cores), "
        f"{time.strftime('%Y-%m-%d')}: Linux 6.1 (guest/linux), 2 vCPUs, "
        f"16 MiB TCP each way checked byte for byte by rvnet, median of {a.reps}; "
        f"idle: host CPU seconds QEMU used over {a.idle} s with the guest idle.",
        "",
        "| setup | guest → peer Mbit/s | × bare offloads | × bare no offload "
        "| peer → guest Mbit/s | × bare offloads | × bare no offload "
        f"| idle CPU-s / {a.idle} s | boot hart |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        md.append(f"| {r['setup']} | {r['tx']:.0f} | {r['tx'] / ref_on['tx']:.2f} | "
                  f"{r['tx'] / ref_off['tx']:.2f} | {r['rx']:.0f} | {r['rx'] / ref_on['rx']:.2f} | "
                  f"{r['rx'] / ref_off['rx']:.2f} | {r['idle']:.2f} | {r['hart']} |")
    pas, wir = rows[2], rows[3]
    md += ["", "Targets (issue 13): pass ≥ 0.9× bare with offloads, wire ≥ 1.0× bare "
           "without, both directions. This run: pass "
           f"{min(pas['tx'] / ref_on['tx'], pas['rx'] / ref_on['rx']):.2f}×, wire "
           f"{min(wir['tx'] / ref_off['tx'], wir['rx'] / ref_off['rx']):.2f}× (the lower "
           "direction)."]
    # what people wrote below the table (analysis, "## ..." sections) stays
    res = a.out / "results.md"
    old = res.read_text() if res.exists() else ""
    notes = old[old.index("\n## ") + 1:] if "\n## " in old else ""
    res.write_text("\n".join(md) + "\n" + ("\n" + notes if notes else ""))
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
