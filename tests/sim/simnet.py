"""Traffic and capture helpers shared by the simulator tests."""
import os
import signal
import subprocess
import sys
import time

from conftest import sh

PY = "/usr/bin/python3"
NETPEER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "netpeer.py")


def ping(t, ns, addr, count=3):
    r = t.run(ns, "ping", "-c", str(count), "-i", "0.2", "-W", "2", addr, check=False)
    return r.returncode == 0


def tcp_transfer(t, src_ns, dst_ns, dst_addr, nbytes, port=5001):
    """Send nbytes of a checked pattern; returns what the sink verified."""
    sink = t.popen(dst_ns, PY, NETPEER, "tcp-sink", str(port))
    assert sink.stdout.readline().strip() == "listening"
    t.run(src_ns, PY, NETPEER, "tcp-send", dst_addr, str(port), str(nbytes), timeout=180)
    out, err = sink.communicate(timeout=60)
    assert sink.returncode == 0, out + err
    return int(out.strip().splitlines()[-1])


def udp_roundtrip(t, src_ns, dst_ns, dst_addr, sizes, port=7001):
    echo = t.popen(dst_ns, PY, NETPEER, "udp-echo", str(port))
    assert echo.stdout.readline().strip() == "listening"
    r = t.run(src_ns, PY, NETPEER, "udp-probe", dst_addr, str(port), *map(str, sizes))
    echo.terminate()
    echo.wait()
    return int(r.stdout.strip())


class Capture:
    """tshark on a device inside a namespace, into a pcap file."""

    def __init__(self, ns, dev, path):
        self.path = str(path)
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", ns, "tshark", "-i", dev, "-w", self.path, "-q"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        # tshark says "Capturing on" once the socket is open.
        line = ""
        deadline = time.time() + 20
        while "Capturing on" not in line and time.time() < deadline:
            line = self.p.stderr.readline()
            if not line and self.p.poll() is not None:
                raise AssertionError("tshark failed to start")

    def stop(self):
        time.sleep(0.3)
        self.p.send_signal(signal.SIGINT)
        self.p.wait(timeout=20)

    def frames(self):
        """(len, eth.src, ip, tcp, udp, icmp checksum statuses) per frame,
        with tshark's checksum validation on (ARCHITECTURE.md §7)."""
        r = sh("tshark", "-r", self.path,
               "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
               "-o", "udp.check_checksum:TRUE",
               "-T", "fields", "-E", "separator=|",
               "-e", "frame.len", "-e", "eth.src", "-e", "ip.checksum.status",
               "-e", "tcp.checksum.status", "-e", "udp.checksum.status",
               "-e", "icmp.checksum.status", "-e", "icmpv6.checksum.status",
               "-e", "tcp.checksum", "-e", "tcp.checksum_calculated")
        out = []
        for line in r.stdout.splitlines():
            f = line.split("|")
            status = f[2:7]
            if status[1] == "0" and f[7].lower() == "0xffff" and f[8].lower() == "0x0000":
                # A TCP sum that computes to 0 sent as 0xffff (Linux's
                # software path does it; RFC 1624 §3): the receiver's check
                # passes either way, only tshark's field comparison flags it.
                status[1] = "1"
            out.append((int(f[0]), f[1], *status))
        return out


def assert_wire_clean(frames, mtu=1500):
    """No bad checksum at any layer, no frame over the MTU."""
    assert frames, "nothing captured"
    for f in frames:
        ln, src, *status = f
        assert ln <= mtu + 14, f"frame of {ln} bytes over the MTU from {src}"
        for s in status:
            # tshark: 0 bad, 1 good, 2 unverified; several values when a
            # frame carries more than one header of that kind (ICMP errors).
            assert "0" not in s.split(","), f"bad checksum {status} from {src}"
