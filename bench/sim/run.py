#!/usr/bin/env python3
"""Runs nicbench over the matrix of issue 4 and writes a Markdown table.
Each point is the best of REPS runs of SECONDS of NIC time (the machine is
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
# The machine is shared with other VMs whose load comes and goes within
# seconds: many short runs find the undisturbed moments more surely than a
# few long ones (with 7 of 0.5 s, a whole configuration was sometimes
# measured only while disturbed: 1 VF slower than 8).
REPS = int(os.environ.get("BENCH_REPS", "15"))
SECONDS = 0.25


def bench_once(mode, size, off, vfs, active):
    args = ["ip", "netns", "exec", ns, nb, "--mode", mode, "--size", size,
            "--offload", off, "--vfs", str(vfs), "--active", str(active),
            "--seconds", str(SECONDS)]
    if mode == "tap":
        args += ["--tap", "nb0"]
    f = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split()
    return float(f[5]), float(f[6]), float(f[7])


rows = []
copy = {}  # (size, cfg) -> ns/packet of the bare copy (VF->VF reference)
try:
    # The TAP must exist and be up before nicbench writes to it.
    subprocess.run(["ip", "-n", ns, "tuntap", "add", "dev", "nb0", "mode", "tap"], check=True)
    subprocess.run(["ip", "-n", ns, "link", "set", "nb0", "up"], check=True)
    for mode in ("tap", "vf"):
        for size in ("64", "1500", "tso"):
            for off in ("on", "off"):
                if size == "tso" and off == "off":
                    continue  # without offloads the guest segments: see 1500
                # VF->VF's reference, the bare copy, is the same bytes
                # whatever the offloads: measured once per size, in the
                # same interleaved reps as the first offload setting.
                ref = mode == "vf" and (size, CONFIGS[0]) not in copy
                best = {}
                # Configurations interleaved, best of REPS: drift and other
                # processes on the shared machine hit them all alike.
                for _ in range(REPS):
                    for cfg in CONFIGS:
                        for m in (mode, "copy") if ref else (mode,):
                            r = bench_once(m, size, off, *cfg)
                            if (m, cfg) not in best or r[2] < best[(m, cfg)][2]:
                                best[(m, cfg)] = r
                for cfg in CONFIGS:
                    if ref:
                        copy[(size, cfg)] = best[("copy", cfg)][2]
                    rows.append((mode, size, off, cfg, *best[(mode, cfg)],
                                 best[(mode, CONFIGS[0])][2]))
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
1642 and 2029 / 2020; with the receive stack below 2068 / 2072). What grows
is cache misses in guest memory, whose
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

Then (commit "nicfw: fill the newest posted RX buffer first"): the
receive queue fills the most recently posted buffer first — a device may
use buffers in any order (virtio 1.2 §2.6; VIRTIO_F_IN_ORDER is not
offered). In ring order every posted buffer took its turn, so at 64 VFs
the frames went to 64 × 256 buffers (24 MiB of lines written, more than
this machine's share of L3). The bench's guests, like any driver, post
back what they received: now the buffers a VF uses are the ones one pass
fills (64 of its 256, counted in the bench; 90 for TSO segments), 6 MiB
for 64 VFs. That halves the memory system's part: the bare copy at 64 VFs,
1500 B, was 155–170 ns/packet in ring order and is 92–95 ns now. It did
not bring the firmware within the target: the previous table (ring order,
best of 7 × 0.5 s) had the 64-VF rows at +34 % (1500 B off), +17 % (on),
+19 % (TSO); this one has them at the figures above, within the spread
between runs at 64 VFs on this host. An interleaved A/B of the two
firmwares (1500 B offloads off, best of 10 × 0.3 s, same minutes): 1 VF
227 → 236 ns (the stack's bookkeeping), 64 VFs 311 → 285 ns.

What remains: at 64 VFs every frame is still written into lines no longer
in L2 (6 MiB of buffers, and the bench's 64 identical guests put their
buffers and rings at the same offsets of 2 MiB-aligned windows, so they
contend for the same L2 sets), and about 1.4 ring or descriptor reads per
packet miss L2 (callgrind, 2 MiB L2 model) on the path to the buffer.
"beyond copy" is what the firmware adds to the bare copy's own growth.
Tried and measured, not kept: non-temporal stores for the copy (about 3×
slower at 1 VF and at 64 VFs on this machine), `rep movsb` (the same at
1 VF, no gain at 64), prefetching 2–8 buffers ahead, or into L2 only
(within noise). Not tried: processing a TX burst in two passes (classify
and prefetch every destination buffer first, then copy), which is what it
would take to hide the remaining misses behind other work. Before the
first changes (same bench, same method), 64 VFs all sending: worst +76 %,
median +8 %; 8 VFs up to +93 %; 64 (1 active): worst +11 %, median +3 %.
"""

label = {"tap": "VF→TAP", "vf": "VF→VF"}
sz = {"64": "64 B", "1500": "1500 B", "tso": "64 KiB TSO"}


def beyond(r):
    """Growth vs 1 VF that the bare copy of the same bytes does not have,
    in % of the 1-VF cost (VF->VF only)."""
    mode, size, off, cfg, _, _, nspp, one = r
    if mode != "vf":
        return None
    c = copy[(size, cfg)] - copy[(size, CONFIGS[0])]
    return (nspp - one - c) / one


with open(out, "w") as f:
    f.write("# NIC firmware in the simulator: per-packet cost\n\n")
    f.write(f"Measured by `make bench-sim` on {time.strftime('%Y-%m-%d')}, "
            f"{platform.machine()}, {os.cpu_count()} CPUs shared with other work. "
            f"Each figure is the best of {REPS} runs of {SECONDS} s of firmware CPU "
            "time, the configurations interleaved. Time is this thread's CPU "
            "time inside the firmware's `nic_poll` only: descriptor walk, "
            "engines, switch, TAP write (a real TAP in a namespace) or hairpin "
            "delivery; the guests' own work is not counted. Packets are wire "
            "frames (a TSO super-frame counts as its segments, bytes are wire "
            "bytes); VF→VF counts frames delivered into the receiving VF's "
            "buffers. \"64 (1 active)\": 64 VFs up, one sending — the "
            "firmware's cost of VFs it only has to look at.\n\n"
            "\"bare copy\" (VF→VF only) is the reference measured in the same "
            "runs, interleaved: `nicbench --mode copy`, no firmware, the same "
            "wire frames memcpy'd into the same guests' receive buffers in the "
            "order the firmware fills them (newest posted first, next buffer "
            "prefetched, as the firmware does) — what the memory system charges any NIC core "
            "that moves frames with its CPU. \"beyond copy\" is the growth vs "
            "1 VF that the bare copy does not have: (firmware − firmware at "
            "1 VF) − (copy − copy at 1 VF), in % of the firmware's 1-VF "
            "cost.\n\n")
    f.write("| path | frame | offloads | VFs | Mpps | Gbit/s | ns/packet | vs 1 VF "
            "| bare copy ns | beyond copy |\n")
    f.write("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n")
    for r in rows:
        mode, size, off, (vfs, act), mpps, gbps, nspp, one = r
        n = f"{vfs}" if act == vfs else f"{vfs} ({act} active)"
        b = beyond(r)
        cp = f"{copy[(size, (vfs, act))]:.0f}" if b is not None else "—"
        bs = f"{b * 100:+.0f} %" if b is not None else "—"
        f.write(f"| {label[mode]} | {sz[size]} | {off} | {n} | {mpps:.2f} | "
                f"{gbps:.2f} | {nspp:.0f} | {(nspp / one - 1) * 100:+.0f} % | {cp} | {bs} |\n")
    for cfg, what in (((8, 8), "8 VFs all sending"), ((64, 64), "64 VFs all sending"),
                      ((64, 1), "64 VFs, one sending")):
        d = [r[6] / r[7] - 1 for r in rows if r[3] == cfg]
        over = [f"{label[r[0]]} {sz[r[1]]} {r[2]}" for r in rows if r[3] == cfg and r[6] / r[7] > 1.10]
        f.write(f"\n{what} vs 1 VF, per-packet cost: worst {max(d) * 100:+.0f} %, "
                f"median {sorted(d)[len(d) // 2] * 100:+.0f} % (target: within 10 %; "
                f"over it: {', '.join(over) if over else 'none'}).\n")
        if over:
            bo = [(beyond(r), f"{label[r[0]]} {sz[r[1]]} {r[2]}") for r in rows
                  if r[3] == cfg and r[6] / r[7] > 1.10]
            f.write("Those rows beyond the bare copy's own growth: "
                    + ", ".join(f"{w} {b * 100:+.0f} %" for b, w in bo
                                if b is not None) + ".\n")
    f.write(WHY)
print(f"wrote {out}")
