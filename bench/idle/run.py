#!/usr/bin/env python3
"""bench-idle: host CPU that QEMU burns while every guest is idle (issue 13).

Setups, each started the way `make run` starts it (NET=user, no root):
  bare linux   the Linux guest (guest/linux) on bare QEMU: OpenSBI,
               -kernel Image, QEMU's virtio-net-device, 2 vCPUs
  rvhv linux   `make run DEMO=linux`: that kernel under the hypervisor with
               a VF, the NIC core on hart 3, the hv console on hart 0
  rvhv lwip    `make run`: two lwIP guests with VFs and the NIC core
Each boots until its guests say they are ready, settles --settle seconds,
then QEMU's utime + stime (/proc/PID/stat) over --idle seconds is taken,
per thread too (-name ...,debug-threads=on names the vCPU threads). A
benchmark, not a test: the figures move with whatever else the host runs.

    run.py [--idle 10] [--settle 5] [--out DIR]
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FW = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
IMAGE = REPO / "build" / "linux" / "Image"
LINUX_READY = r"linux: ready \(\d+ cpus"
LINUX_ARGS = "console=hvc0 quiet ip=192.0.2.10/24 gw=192.0.2.2 ip6=2001:db8::a/64"
HZ = os.sysconf("SC_CLK_TCK")


def qemu_sh(cfg):
    return ["board/qemu-virt/qemu.sh", f"build/qemu-virt/{cfg}/hv.bin"]


SETUPS = [
    ("bare linux", ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,sstc=true", "-smp", "2",
                    "-m", "128M", "-nographic", "-bios", FW, "-kernel", str(IMAGE),
                    "-append", LINUX_ARGS, "-global", "virtio-mmio.force-legacy=false",
                    "-netdev", "user,id=n0,net=192.0.2.0/24,host=192.0.2.2",
                    "-device", "virtio-net-device,netdev=n0,mac=02:00:00:00:00:01"],
     [LINUX_READY]),
    ("rvhv linux", qemu_sh("linux"), [LINUX_READY, r"nic: ready"]),
    ("rvhv lwip", qemu_sh("default"), [r"httpd: listening", r"iperf: server", r"nic: ready"]),
]


def cpu(path):
    """(name, CPU seconds) of a /proc stat file: utime + stime."""
    s = Path(path).read_text()
    name = s[s.index("(") + 1:s.rindex(")")]
    f = s.rsplit(")", 1)[1].split()
    return name, (int(f[11]) + int(f[12])) / HZ


def threads(pid):
    out = {}
    for t in Path(f"/proc/{pid}/task").iterdir():
        try:
            name, sec = cpu(t / "stat")
        except (FileNotFoundError, ProcessLookupError):
            continue
        out[t.name] = (name, sec)
    return out


def measure(name, cmd, ready, a, tmp):
    log = tmp / (name.replace(" ", "-") + ".log")
    env = dict(os.environ, NET="user", HV_FWD="")
    with open(log, "wb") as out:
        p = subprocess.Popen(cmd + ["-name", "bench-idle,debug-threads=on"], cwd=REPO, env=env,
                             stdin=subprocess.PIPE, stdout=out, stderr=subprocess.STDOUT)
    try:
        t0 = time.monotonic()
        while not all(re.search(r, log.read_text(errors="replace")) for r in ready):
            if p.poll() is not None or time.monotonic() - t0 > a.boot:
                raise RuntimeError(f"{name}: not ready after {a.boot} s, see {log}")
            time.sleep(0.5)
        time.sleep(a.settle)
        t_before, (_, c0) = threads(p.pid), cpu(f"/proc/{p.pid}/stat")
        time.sleep(a.idle)
        t_after, (_, c1) = threads(p.pid), cpu(f"/proc/{p.pid}/stat")
    finally:
        p.kill()
        p.wait()
    per = sorted(((t_after[k][1] - t_before[k][1], t_after[k][0]) for k in t_after
                  if k in t_before), reverse=True)
    return c1 - c0, [(n, s) for s, n in per if s >= 0.01]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idle", type=int, default=10, help="seconds measured (default 10)")
    ap.add_argument("--settle", type=int, default=5, help="seconds after ready (default 5)")
    ap.add_argument("--boot", type=int, default=240, help="boot timeout in seconds")
    ap.add_argument("--out", type=Path, help="also write results.md here")
    a = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    rows = []
    for name, cmd, ready in SETUPS:
        total, per = measure(name, cmd, ready, a, tmp)
        rows.append((name, total, per))
        print(f"{name}: {total:.2f} CPU-s / {a.idle} s; " +
              ", ".join(f"{n} {s:.2f}" for n, s in per), flush=True)
    ref = rows[0][1] or 0.01
    md = [f"host CPU-s QEMU used over {a.idle} s idle ({time.strftime('%Y-%m-%d')}, "
          f"{os.uname().nodename}, {os.cpu_count()} cores, load "
          f"{os.getloadavg()[0]:.1f}: other work shares the host)", "",
          f"| setup | CPU-s / {a.idle} s | × bare linux | busiest threads (CPU-s) |",
          "| --- | ---: | ---: | --- |"]
    for name, total, per in rows:
        md.append(f"| {name} | {total:.2f} | {total / ref:.1f} | " +
                  ", ".join(f"{n} {s:.2f}" for n, s in per[:4]) + " |")
    print("\n".join(md))
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "results.md").write_text("# bench-idle\n\n" + "\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
