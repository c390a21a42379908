#!/usr/bin/env python3
"""Runs nicbench over the matrix of issue 4 and writes a Markdown table.
Each point is the best of REPS runs of 0.5 s of NIC time (the machine is
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
REPS = 7


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

# Where the growth comes from (measured with valgrind --tool=callgrind
# --cache-sim=yes --LL=2097152,16,64 --toggle-collect=nic_poll, i.e. a 2 MiB
# L2 like this machine's; figures per packet). Static text: re-measure when
# the firmware changes.
WHY = """
## Why the cost per packet grows with the VFs, and what the firmware does

Instructions per packet do not grow: VF→VF 64 B offloads off 1638 at 1 VF,
1621 at 64 VFs; 1500 B 1961 / 1943 (before the changes below; now 1651 /
1642 and 2029 / 2020). What grows is cache misses in guest memory, whose
footprint grows with the VFs: each VF posts 256 RX buffers of 2 KiB, so one
VF's buffers (512 KiB) stay in L2 while 8 (4 MiB) do not, and 64 (32 MiB)
about fill the L3. Writing a frame into a buffer then costs a miss per line
written: at 64 VFs 2.3 L2 write misses per 64 B packet and 24.3 per 1500 B
packet (0.0 at 1 VF). With a 36 MiB last level (this machine's L3, were it
not shared) the 1500 B packet still misses 24.3 lines at 64 VFs and none at
8: at 64 VFs hairpin frames are written to DRAM. A TSO segment also reads 11.7 lines of the sender's
payload from beyond L2 (0.0 at 1 VF). "64 (1 active)" cost 117 instructions
and 1 L2 miss per packet more than 1 VF: the look at 63 idle VFs.

The firmware now (nic-firmware, commit "nicfw: per-packet cost flatter"):
prefetches the next posted RX buffer of a VF (and its descriptor) right
after delivering a frame to it, so the next frame's line fills overlap the
work in between; prefetches the next TSO segment's payload while the
current segment goes out; reads avail->idx, with its fence, once per burst
rather than once per chain; looks at an idle VF with one read of its avail
index and nothing else (64 (1 active): +70 instructions per packet instead
of +117; the L2 miss stays: the bench's 64 identical guests put their avail
indexes at the same offset of 2 MiB-aligned windows, one 16-way L2 set);
publishes RX used rings only for VFs that received. Callgrind does not
model prefetches: its miss counts are the same before and after, the time
is not.

What remains at 64 VFs for 1500 B and TSO hairpin is the write of each
frame into RX buffers no cache level holds any more: the line fills are
overlapped, not avoided. A DMA engine would not stall a core for them; the
simulator's firmware copies with the CPU. Before these changes (same bench,
same method), 64 VFs all sending: worst +76 %, median +8 %; 8 VFs up to
+93 %; 64 (1 active): worst +11 %, median +3 %.
"""

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
    for cfg, what in (((8, 8), "8 VFs all sending"), ((64, 64), "64 VFs all sending"),
                      ((64, 1), "64 VFs, one sending")):
        d = [r[6] / r[7] - 1 for r in rows if r[3] == cfg]
        over = [f"{label[r[0]]} {sz[r[1]]} {r[2]}" for r in rows if r[3] == cfg and r[6] / r[7] > 1.10]
        f.write(f"\n{what} vs 1 VF, per-packet cost: worst {max(d) * 100:+.0f} %, "
                f"median {sorted(d)[len(d) // 2] * 100:+.0f} % (target: within 10 %; "
                f"over it: {', '.join(over) if over else 'none'}).\n")
    f.write(WHY)
print(f"wrote {out}")
