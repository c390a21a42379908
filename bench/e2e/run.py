#!/usr/bin/env python3
"""bench-e2e: what the offloads buy on QEMU, end to end.

One iperf guest with a VF, the NIC core on hart 3, Linux in a namespace on
the TAP (the e2e harness of tests/e2e). For offloads on (host policy all)
and off (policy none):
  - throughput: `iperf -c -r -t N` (Debian's iperf 2): Linux -> guest for
    N s, then the guest's lwiperf -> Linux for N s (lwIP 2.1.3's lwiperf
    cannot end a byte-limited reverse test), `--reps` times;
  - CPU: the same transfer under the insn_count TCG plugin, which counts
    instructions per hart (QEMU's own instret is one machine-wide count).
    A sampler reads the per-hart counts and the TAP's byte counters every
    20 ms; each direction's window is where its bytes flow, and the guest's
    hart (1) instructions in it are divided by the MiB moved.
Writes results.md and results.csv into --out.

    run.py --plugin build/host/lib/insn_count.so --out bench/e2e
"""
import argparse
import csv
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "e2e"))

from topology import MiB, E2E, config, guest_addr  # noqa: E402

GUEST_HART, NIC_HART = 1, 3
POLICIES = [("on", "all"), ("off", "none")]


class Sampler(threading.Thread):
    """(time, TAP rx bytes, TAP tx bytes, [insns per hart]) every 20 ms."""

    def __init__(self, qemu_pid, tap, counts):
        super().__init__(daemon=True)
        self.qemu_pid, self.tap, self.counts = qemu_pid, tap, Path(counts)
        self.rows, self.stop = [], threading.Event()

    def _tap(self):
        # /proc/PID/net is the network namespace QEMU runs in
        for line in Path(f"/proc/{self.qemu_pid}/net/dev").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name.strip() == self.tap:
                f = rest.split()
                return int(f[0]), int(f[8])
        raise RuntimeError(f"{self.tap} not in QEMU's namespace")

    def run(self):
        while not self.stop.is_set():
            try:
                insns = [int(x) for x in self.counts.read_text().split()]
                rx, tx = self._tap()
                self.rows.append((time.monotonic(), rx, tx, insns))
            except (OSError, ValueError, RuntimeError):
                pass
            time.sleep(0.02)


def window(rows, col):
    """First and last sample of the span where column `col` (1 rx, 2 tx)
    grows by more than a tenth of its fastest 20 ms step."""
    steps = [rows[i + 1][col] - rows[i][col] for i in range(len(rows) - 1)]
    if not steps or max(steps) <= 0:
        return None
    busy = [i for i, d in enumerate(steps) if d > max(steps) / 10]
    return rows[busy[0]], rows[busy[-1] + 1]


def per_mib(rows, col, hart):
    w = window(rows, col)
    if not w:
        return None
    a, b = w
    moved = (b[col] - a[col]) / MiB
    return (b[3][hart] - a[3][hart]) / moved if moved > 0 else None


def boot(name, policy, tmp, extra=()):
    s = E2E(name, config([("iperf", "iperf", "", None)], host_policy=policy), [("iperf", "iperf")],
            tmp, qemu_extra=extra)
    try:
        s.wait_ready()
        if not s.ping(guest_addr(0)):
            raise RuntimeError(f"{name}: guest does not answer ping")
    except BaseException:
        s.close()
        raise
    return s


def measure(label, policy, args, tmp):
    out = {"fwd_mbps": [], "rev_mbps": []}
    s = boot(f"bench-{label}", policy, tmp)
    try:
        for _ in range(args.reps):
            r = s.iperf(guest_addr(0), seconds=args.seconds, reverse=True, timeout=600)
            if "fwd" not in r or "rev" not in r:
                raise RuntimeError(f"iperf failed ({label}):\n{r['out']}")
            out["fwd_mbps"].append(r["fwd_bps"] / 1e6)
            out["rev_mbps"].append(r["rev_bps"] / 1e6)
    finally:
        s.close()
    counts = Path(tmp) / f"insn-{label}.txt"
    s = boot(f"bench-{label}-insn", policy, tmp, ("-plugin", f"{args.plugin},out={counts}"))
    try:
        smp = Sampler(s.con.p.pid, s.ns.tap, counts)
        smp.start()
        time.sleep(0.5)
        r = s.iperf(guest_addr(0), seconds=args.seconds, reverse=True, timeout=900)
        time.sleep(0.5)
        smp.stop.set()
        smp.join()
        if "fwd" not in r or "rev" not in r:
            raise RuntimeError(f"iperf under the plugin failed ({label}):\n{r['out']}")
        # TAP tx = Linux -> guest, TAP rx = guest -> Linux
        out["guest_insn_per_mib_rx"] = per_mib(smp.rows, 2, GUEST_HART)
        out["guest_insn_per_mib_tx"] = per_mib(smp.rows, 1, GUEST_HART)
        out["nic_insn_per_mib_tx"] = per_mib(smp.rows, 1, NIC_HART)
    finally:
        s.close()
    return out


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                if l.startswith("model name")), platform.processor())
    qemu = subprocess.run(["qemu-system-riscv64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} cores, Linux {platform.release()}, "
            f"{qemu}, load average {os.getloadavg()[0]:.1f} at start")


def fmt(v, nd=0):
    return "n/a" if v is None else f"{v:,.{nd}f}"


def main():
    ap = argparse.ArgumentParser(prog="run.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()
    args.plugin = str(Path(args.plugin).resolve())
    where = machine()
    res = {}
    with tempfile.TemporaryDirectory(prefix="bench-e2e-") as tmp:
        for label, policy in POLICIES:
            res[label] = measure(label, policy, args, tmp)
            print(label, res[label], flush=True)
    out = Path(args.out)
    with open(out / "results.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["offloads", "metric", "rep", "value"])
        for label, r in res.items():
            for k, v in r.items():
                for i, x in enumerate(v if isinstance(v, list) else [v]):
                    w.writerow([label, k, i, "" if x is None else round(x, 3)])
    rows = []
    for label, r in res.items():
        rows.append(f"| {label} | {fmt(statistics.median(r['fwd_mbps']), 1)} "
                    f"| {fmt(statistics.median(r['rev_mbps']), 1)} "
                    f"| {fmt(r['guest_insn_per_mib_rx'])} | {fmt(r['guest_insn_per_mib_tx'])} "
                    f"| {fmt(r['nic_insn_per_mib_tx'])} |")
    on, off = res["on"], res["off"]
    saved = ""
    if on["guest_insn_per_mib_tx"] and off["guest_insn_per_mib_tx"]:
        saved = (f"\nSending, the guest's hart executes "
                 f"{off['guest_insn_per_mib_tx'] / on['guest_insn_per_mib_tx']:.2f}x the "
                 f"instructions per MiB with offloads off than on.\n")
    (out / "results.md").write_text(f"""# bench-e2e: offloads on vs off, end to end on QEMU

`make bench-e2e` ({Path(__file__).name}). One iperf guest (lwIP, lwiperf) with a
VF on hart {GUEST_HART}, the NIC core on hart {NIC_HART}, Linux (Debian's iperf 2)
in a network namespace on the TAP. `iperf -c -r -t {args.seconds}`: Linux -> guest,
then guest -> Linux, {args.seconds} s each; throughput is the median of {args.reps} runs
(QEMU TCG on a shared host: expect run-to-run spread). Offloads off = host policy
`none` in the board config (the guest computes checksums and segments itself).

Instructions per MiB are counted per hart by the `insn_count` TCG plugin
(bench/e2e/insn_count.c) in a separate boot (the plugin slows QEMU): the guest's
hart includes the hypervisor's traps on that hart; the NIC hart polls, so its
figure is mostly time spent, not work.

Machine: {where}

| offloads | Linux -> guest Mbit/s | guest -> Linux Mbit/s | guest hart insns / MiB received | guest hart insns / MiB sent | NIC hart insns / MiB sent |
| --- | ---: | ---: | ---: | ---: | ---: |
{chr(10).join(rows)}
{saved}""")
    print((out / "results.md").read_text())


if __name__ == "__main__":
    main()
