#!/usr/bin/env python3
"""Runs nicbench over the matrix of issue 4 and writes a Markdown table.
Each point is the best of 3 runs of 1 s of NIC time (the machine is
shared: the best run is the least disturbed). VF->TAP goes to a real TAP
device in a network namespace of its own (up, no address: the kernel takes
each frame and drops it as not for it).
usage: run.py NICBENCH OUT.md"""
import os
import platform
import subprocess
import sys
import time

nb, out = sys.argv[1], sys.argv[2]
ns = f"nicbench{os.getpid()}"
subprocess.run(["ip", "netns", "add", ns], check=True)


CONFIGS = [(1, 1), (8, 8), (64, 64), (64, 1)]  # (VFs, VFs sending)
REPS = 5


def bench_once(mode, size, off, vfs, active):
    args = ["ip", "netns", "exec", ns, nb, "--mode", mode, "--size", size,
            "--offload", off, "--vfs", str(vfs), "--active", str(active),
            "--seconds", "0.5"]
    if mode == "tap":
        args += ["--tap", "nb0"]
    f = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    return float(f[5]), float(f[6]), float(f[7])


rows = []
try:
    # The TAP must exist and be up before nicbench writes to it.
    subprocess.run(["ip", "-n", ns, "tuntap", "add", "dev", "nb0", "mode", "tap"], check=True)
    subprocess.run(["ip", "-n", ns, "link", "set", "nb0", "up"], check=True)
    for mode in ("tap", "vf"):
        for size in ("64", "1500", "tso"):
            for off in ("on", "off"):
                if size == "tso" and off == "off":
                    continue  # without offloads the guest segments: see 1500
                best = {}
                # Configurations interleaved, best of REPS: drift and other
                # processes on the shared machine hit them all alike.
                for _ in range(REPS):
                    for cfg in CONFIGS:
                        r = bench_once(mode, size, off, *cfg)
                        if cfg not in best or r[2] < best[cfg][2]:
                            best[cfg] = r
                for cfg in CONFIGS:
                    rows.append((mode, size, off, cfg, *best[cfg], best[(1, 1)][2]))
                    print(rows[-1], flush=True)
finally:
    subprocess.run(["ip", "netns", "del", ns])

label = {"tap": "VF→TAP", "vf": "VF→VF"}
sz = {"64": "64 B", "1500": "1500 B", "tso": "64 KiB TSO"}
with open(out, "w") as f:
    f.write("# NIC firmware in the simulator: per-packet cost\n\n")
    f.write(f"Measured by `make bench-sim` on {time.strftime('%Y-%m-%d')}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs shared with other work. "
            f"Each figure is the best of {REPS} runs of 0.5 s of firmware CPU "
            "time, the configurations interleaved. Time is this thread's CPU "
            "time inside the firmware's `nic_poll` only: descriptor walk, "
            "engines, switch, TAP write (a real TAP in a namespace) or hairpin "
            "delivery; the guests' own work is not counted. Packets are wire "
            "frames (a TSO super-frame counts as its segments, bytes are wire "
            "bytes); VF→VF counts frames delivered into the receiving VF's "
            "buffers. \"64 (1 active)\": 64 VFs up, one sending — the "
            "firmware's cost of VFs it only has to look at.\n\n")
    f.write("| path | frame | offloads | VFs | Mpps | Gbit/s | ns/packet | vs 1 VF |\n")
    f.write("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |\n")
    for mode, size, off, (vfs, act), mpps, gbps, nspp, one in rows:
        n = f"{vfs}" if act == vfs else f"{vfs} ({act} active)"
        f.write(f"| {label[mode]} | {sz[size]} | {off} | {n} | {mpps:.2f} | "
                f"{gbps:.2f} | {nspp:.0f} | {(nspp / one - 1) * 100:+.0f} % |\n")
    for cfg, what in (((64, 64), "64 VFs all sending"), ((64, 1), "64 VFs, one sending")):
        d = [r[6] / r[7] - 1 for r in rows if r[3] == cfg]
        f.write(f"\n{what} vs 1 VF, per-packet cost: worst {max(d) * 100:+.0f} %, "
                f"median {sorted(d)[len(d) // 2] * 100:+.0f} % (target: within 10 %).\n")
print(f"wrote {out}")
