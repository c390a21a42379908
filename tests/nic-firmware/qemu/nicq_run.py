"""Runs nicfw on bare OpenSBI in QEMU inside a fresh network namespace, its
port (a modern virtio-net-device) on the TAP `tap0` there, whose Linux side
is the peer 192.0.2.1/24, 2001:db8::1/64 with MAC PEER_MAC. Optionally
captures the TAP with tshark. Everything started here is stopped by pid and
the namespace is deleted."""
import os
import signal
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
LOGS = REPO / "build" / "test-logs"
IMAGE = REPO / "build" / "riscv" / "apps" / "nicfw.bin"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
VF_MAC = "02:00:00:00:00:0a"
PEER_MAC = "02:00:00:00:01:01"
PORT_MAC = "02:00:00:00:01:00"


def _sh(*args):
    return subprocess.run(list(args), check=True, capture_output=True, text=True)


def run_nicfw(name, append, capture=True, timeout=90):
    """-> dict(rc, lines, seconds, log, pcap or None)"""
    assert IMAGE.exists(), f"{IMAGE} not built (make)"
    LOGS.mkdir(parents=True, exist_ok=True)
    ns = f"nicq{os.getpid()}"
    pcap = LOGS / f"{name}.pcap" if capture else None
    log = LOGS / f"{name}.log"
    if pcap:
        pcap.unlink(missing_ok=True)
    _sh("ip", "netns", "add", ns)
    tshark = None
    try:
        ip = ["ip", "-n", ns]
        _sh(*ip, "link", "set", "lo", "up")
        _sh(*ip, "tuntap", "add", "dev", "tap0", "mode", "tap")
        _sh(*ip, "link", "set", "tap0", "address", PEER_MAC, "up")
        _sh(*ip, "addr", "add", "192.0.2.1/24", "dev", "tap0")
        _sh(*ip, "-6", "addr", "add", "2001:db8::1/64", "dev", "tap0", "nodad")
        _sh(*ip, "neigh", "add", "192.0.2.10", "lladdr", VF_MAC, "dev", "tap0")
        _sh(*ip, "-6", "neigh", "add", "2001:db8::10", "lladdr", VF_MAC, "dev", "tap0")
        if pcap:
            tshark = subprocess.Popen(["ip", "netns", "exec", ns, "tshark", "-q", "-i", "tap0",
                                       "-w", str(pcap)], stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True,
                                      start_new_session=True)
            for line in tshark.stderr:  # "Capturing on 'tap0'" once it listens
                if "Capturing on" in line:
                    break
        cmd = ["ip", "netns", "exec", ns, "qemu-system-riscv64", "-M", "virt", "-cpu",
               "rv64,h=true,sstc=true", "-smp", "1", "-m", "256M", "-nographic",
               "-bios", OPENSBI, "-kernel", str(IMAGE),
               "-global", "virtio-mmio.force-legacy=false",
               "-netdev", "tap,id=port0,ifname=tap0,script=no,downscript=no",
               "-device", f"virtio-net-device,netdev=port0,mac={PORT_MAC}",
               "-append", append]
        t0 = time.monotonic()
        qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out, _ = qemu.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(qemu.pid, signal.SIGKILL)
            out, _ = qemu.communicate()
        secs = time.monotonic() - t0
        text = out.decode("utf-8", "replace").replace("\r", "")
        log.write_text(f"$ {' '.join(cmd)}\n{text}\n# exit {qemu.returncode} after {secs:.1f} s\n")
        if tshark:
            time.sleep(0.5)  # the last frames reach the capture file
    finally:
        if tshark:
            os.killpg(tshark.pid, signal.SIGINT)
            try:
                tshark.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(tshark.pid, signal.SIGKILL)
                tshark.wait()
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)
    return {"rc": qemu.returncode, "lines": text.split("\n"), "seconds": secs, "log": log,
            "pcap": pcap}
