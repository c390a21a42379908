#!/usr/bin/env python3
"""bench-idle: host CPU that QEMU burns while every guest is idle (issue 13).

Setups, each started the way `make run` starts it (NET=user, no root):
  bare linux   the Linux guest (guest/linux) on bare QEMU: OpenSBI,
               -kernel Image, QEMU's virtio-net-device, 2 vCPUs
  rvhv linux   `make run DEMO=linux`: that kernel under the hypervisor with
               a VF, the NIC core on hart 3, the hv console on hart 0
  rvhv lwip    `make run`: two lwIP guests with VFs and the NIC core
  ... ping     the Linux setups again, the guest pinging the user
               network's host once a second: nearly idle, as most are
Each boots until its guests say they are ready, settles --settle seconds,
then QEMU's utime + stime (/proc/PID/stat) over --idle seconds is taken,
per thread too (-name ...,debug-threads=on names the vCPU threads), with
each thread's wake-ups a second (its voluntary context switches: a vCPU
thread leaving wfi, the main loop's polls). A benchmark, not a test: the
figures move with whatever else the host runs.

OpenSBI 1.1 boots whichever hart wins its lottery, and nothing outside it
picks one; --every-boot-hart repeats each rvhv setup until every hart has
booted it once (the hv names its boot hart: "hv: rvhv on hart N"), at most
--tries runs, and gives a row per boot hart.

    run.py [--idle 10] [--settle 5] [--only bare,linux,lwip,bare-ping,linux-ping]
           [--every-boot-hart] [--tries 16] [--out DIR]
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


BARE = ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,sstc=true", "-smp", "2", "-m", "128M",
        "-nographic", "-bios", FW, "-kernel", str(IMAGE), "-append", LINUX_ARGS,
        "-global", "virtio-mmio.force-legacy=false",
        "-netdev", "user,id=n0,net=192.0.2.0/24,host=192.0.2.2",
        "-device", "virtio-net-device,netdev=n0,mac=02:00:00:00:00:01"]
PING = b"ping 192.0.2.2 >/dev/null &\n"  # typed on the guest's console once ready

SETUPS = [  # (name, --only key, command, ready patterns, typed)
    ("bare linux", "bare", BARE, [LINUX_READY], b""),
    ("rvhv linux", "linux", qemu_sh("linux"), [LINUX_READY, r"nic: ready"], b""),
    ("rvhv lwip", "lwip", qemu_sh("default"),
     [r"httpd: listening", r"iperf: server", r"nic: ready"], b""),
    ("bare linux, ping 1/s", "bare-ping", BARE, [LINUX_READY], PING),
    ("rvhv linux, ping 1/s", "linux-ping", qemu_sh("linux"), [LINUX_READY, r"nic: ready"],
     PING),
]


def cpu(path):
    """(name, CPU seconds) of a /proc stat file: utime + stime."""
    s = Path(path).read_text()
    name = s[s.index("(") + 1:s.rindex(")")]
    f = s.rsplit(")", 1)[1].split()
    return name, (int(f[11]) + int(f[12])) / HZ


def wakes(path):
    """A thread's voluntary context switches: each is a sleep it woke from."""
    m = re.search(r"^voluntary_ctxt_switches:\s*(\d+)", Path(path).read_text(), re.M)
    return int(m.group(1)) if m else 0


def threads(pid):
    out = {}
    for t in Path(f"/proc/{pid}/task").iterdir():
        try:
            name, sec = cpu(t / "stat")
            out[t.name] = (name, sec, wakes(t / "status"))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def measure(name, cmd, ready, typed, a, tmp):
    log = tmp / (re.sub(r"[^a-z0-9]+", "-", name) + ".log")
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
        if typed:
            p.stdin.write(typed)
            p.stdin.flush()
        time.sleep(a.settle)
        t_before, (_, c0) = threads(p.pid), cpu(f"/proc/{p.pid}/stat")
        time.sleep(a.idle)
        t_after, (_, c1) = threads(p.pid), cpu(f"/proc/{p.pid}/stat")
    finally:
        p.kill()
        p.wait()
    m = re.search(r"hv: rvhv on hart (\d+)", log.read_text(errors="replace"))
    per = sorted(((t_after[k][1] - t_before[k][1], t_after[k][0],
                   (t_after[k][2] - t_before[k][2]) / a.idle) for k in t_after if k in t_before),
                 reverse=True)
    return (c1 - c0, [(n, s, w) for s, n, w in per if s >= 0.01 or w >= 10],
            int(m.group(1)) if m else None)


def runs(name, cmd, ready, typed, a, tmp):
    """One measurement, or with --every-boot-hart one per boot hart seen."""
    if not a.every_boot_hart or name.startswith("bare"):
        yield measure(name, cmd, ready, typed, a, tmp)
        return
    seen = set()
    for _ in range(a.tries):
        r = measure(name, cmd, ready, typed, a, tmp)
        if r[2] not in seen:
            seen.add(r[2])
            yield r
        if len(seen) == 4:
            return


def threads_text(per, n=None):
    return ", ".join(f"{name} {s:.2f} ({w:.0f}/s)" for name, s, w in per[:n])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--idle", type=int, default=10, help="seconds measured (default 10)")
    ap.add_argument("--settle", type=int, default=5, help="seconds after ready (default 5)")
    ap.add_argument("--boot", type=int, default=240, help="boot timeout in seconds")
    keys = [key for _, key, _, _, _ in SETUPS]
    ap.add_argument("--only", default=",".join(keys),
                    help=f"setups, comma-separated: {', '.join(keys)} (default all)")
    ap.add_argument("--every-boot-hart", action="store_true",
                    help="repeat each rvhv setup until every hart has booted it")
    ap.add_argument("--tries", type=int, default=16, help="runs per setup at most (default 16)")
    ap.add_argument("--out", type=Path, help="also write results.md here")
    a = ap.parse_args()
    only = a.only.split(",")
    if not set(only) <= set(keys):
        ap.error(f"--only {a.only}: expected some of {', '.join(keys)}")
    tmp = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    rows, loads = [], []
    for name, key, cmd, ready, typed in SETUPS:
        if key not in only:
            continue
        for total, per, hart in runs(name, cmd, ready, typed, a, tmp):
            rows.append((name, hart, total, per))
            loads.append(os.getloadavg()[0])
            print(f"{name} (boot hart {hart}): {total:.2f} CPU-s / {a.idle} s; " +
                  threads_text(per), flush=True)
    ref = {n: t for n, _, t, _ in rows if n.startswith("bare")}
    md = [f"host CPU-s QEMU used over {a.idle} s idle ({time.strftime('%Y-%m-%d')}, "
          f"{os.uname().nodename}, {os.cpu_count()} cores, load "
          f"{min(loads):.1f}-{max(loads):.1f}: other work shares the host); per thread: "
          "CPU-s and wake-ups a second", "",
          f"| setup | boot hart | CPU-s / {a.idle} s | × its bare linux | busiest threads |",
          "| --- | ---: | ---: | ---: | --- |"]
    for name, hart, total, per in rows:
        bare = ref.get(name.replace("rvhv lwip", "bare linux").replace("rvhv", "bare"))
        ratio = f"{total / max(bare, 0.01):.1f}" if bare is not None else "-"
        md.append(f"| {name} | {'-' if hart is None else hart} | {total:.2f} | {ratio} | " +
                  threads_text(per, 4) + " |")
    print("\n".join(md))
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
        (a.out / "results.md").write_text("# bench-idle\n\n" + "\n".join(md) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
