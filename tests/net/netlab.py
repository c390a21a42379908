"""Helpers for the guest network tests (the fixture is in conftest.py): the
lwIP apps on bare OpenSBI with a real QEMU virtio-net device, attached
either to QEMU's user-mode network or to a TAP in a network namespace of
our own.

TAP topology (documentation addresses only):

    [QEMU guest 192.0.2.10] -- tap0 --br0-- vA  ~~veth~~  vB [peer ns: 192.0.2.1]
             namespace "qemu"                              namespace "peer"

vA has no TSO/GSO/checksum offload, so Linux segments the guest's TSO
super-frames with the guest's own gso_size and completes its partial sums
in software on the way to the peer; tshark captures on vB what a wire
would carry. A second capture on tap0 shows the super-frames themselves.
"""
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "build" / "test-logs" / "net"
APPS = REPO / "build" / "riscv" / "apps"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
PY = "/usr/bin/python3"
BOOT_TIMEOUT = 30

GUEST4, PEER4 = "192.0.2.10", "192.0.2.1"
GUEST6, PEER6 = "2001:db8::10", "2001:db8::1"
MAC = "02:00:00:00:00:01"

# QEMU virtio-net properties: every offload the driver may use, off.
OFFLOADS_OFF = "csum=off,guest_csum=off,host_tso4=off,host_tso6=off,host_ufo=off,host_ecn=off"


def sh(cmd, check=True, timeout=120, **kw):
    r = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise RuntimeError(f"{cmd}: rc={r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


class Guest:
    """One QEMU running an app; its console is collected line by line."""

    def __init__(self, name, app, args, netdev, device_extra="", ns=None, qemu_extra=()):
        LOGS.mkdir(parents=True, exist_ok=True)
        self.log = LOGS / f"{name}.log"
        dev = f"virtio-net-device,netdev=n0,mac={MAC}" + (f",{device_extra}" if device_extra else "")
        cmd = ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64", "-smp", "1", "-m", "256M",
               "-nographic", "-bios", OPENSBI, "-kernel", str(APPS / f"{app}.bin"),
               "-global", "virtio-mmio.force-legacy=false", "-netdev", netdev,
               "-device", dev, "-append", args] + list(qemu_extra)
        if ns:
            cmd = ["ip", "netns", "exec", ns] + cmd
        self.lines, self.cond = [], threading.Condition()
        self.p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        with open(self.log, "w") as f:
            for raw in iter(self.p.stdout.readline, b""):
                line = raw.decode(errors="replace").rstrip("\r\n")
                f.write(line + "\n")
                f.flush()
                with self.cond:
                    self.lines.append(line)
                    self.cond.notify_all()

    def wait_for(self, pattern, timeout=BOOT_TIMEOUT, start=0):
        """The first console line from index `start` matching pattern."""
        rx = re.compile(pattern)
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for l in self.lines[start:]:
                    m = rx.search(l)
                    if m:
                        return m
                left = end - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    raise AssertionError(f"no /{pattern}/ on the console within {timeout} s "
                                         f"(log {self.log}):\n" + "\n".join(self.lines[-15:]))
                self.cond.wait(min(left, 0.5))

    def stop(self):
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait()


class Net:
    """The two namespaces, bridge and veth of the module docstring."""

    def __init__(self):
        tag = f"{os.getpid() % 100000}"
        self.qns, self.pns = f"rvnq{tag}", f"rvnp{tag}"
        for ns in (self.qns, self.pns):
            sh(f"ip netns add {ns}")
        q, p = f"ip -n {self.qns}", f"ip -n {self.pns}"
        sh(f"{q} link set lo up; {p} link set lo up")
        sh(f"{q} tuntap add dev tap0 mode tap vnet_hdr")
        sh(f"{q} link add br0 type bridge; {q} link set br0 up")
        sh(f"ip link add vA netns {self.qns} type veth peer name vB netns {self.pns}")
        sh(f"{q} link set tap0 master br0; {q} link set vA master br0")
        sh(f"ip netns exec {self.qns} ethtool -K vA tx off tso off gso off sg off")
        sh(f"ip netns exec {self.pns} ethtool -K vB gro off")
        sh(f"{q} link set tap0 up; {q} link set vA up")
        sh(f"{p} addr add {PEER4}/24 dev vB; {p} -6 addr add {PEER6}/64 dev vB nodad")
        sh(f"{p} link set vB up")

    def peer(self, cmd, **kw):
        return sh(f"ip netns exec {self.pns} {cmd}", **kw)

    def peer_bg(self, cmd):
        return subprocess.Popen(f"exec ip netns exec {self.pns} {cmd}", shell=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)

    def capture(self, name, where="peer", iface="vB", snaplen=0):
        LOGS.mkdir(parents=True, exist_ok=True)
        path = LOGS / f"{name}.pcap"
        ns = self.pns if where == "peer" else self.qns
        path.unlink(missing_ok=True)
        snap = ["-s", str(snaplen)] if snaplen else []
        p = subprocess.Popen(["ip", "netns", "exec", ns, "tshark", "-q", "-i", iface] + snap +
                             ["-w", str(path)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
        # tshark reports "Capturing on ..." once it listens.
        end = time.monotonic() + 20
        buf = b""
        while b"Capturing on" not in buf and time.monotonic() < end:
            buf += p.stderr.read1(256)
        return p, path

    def close(self):
        for ns in (self.qns, self.pns):
            sh(f"ip netns del {ns}", check=False)


def stop_capture(p):
    p.send_signal(signal.SIGINT)
    try:
        p.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()


def tshark_fields(path, fields, display_filter=None, sums=True):
    """tshark's dissection of a capture, one list of fields per frame; with
    sums, IP/TCP/UDP checksums verified (TCP sequence analysis off: it only
    costs time here)."""
    cmd = ["tshark", "-r", str(path), "-o", "tcp.analyze_sequence_numbers:FALSE", "-T", "fields"]
    if sums:
        cmd += ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o",
                "udp.check_checksum:TRUE"]
    for f in fields:
        cmd += ["-e", f]
    if display_filter:
        cmd += ["-Y", display_filter]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120).stdout
    return [l.split("\t") for l in out.splitlines() if l.strip()]
