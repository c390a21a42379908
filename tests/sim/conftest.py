"""Fixtures of the simulator suite: a simulated NIC (nicsim) whose uplink is
a TAP in one network namespace, and guests (vfdrv + the Linux stack) each
in a namespace of its own, on documentation addresses (ARCHITECTURE.md §7)."""
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "build", "host", "bin")
# NICSIM=path runs the suite on another build (the sanitizer one).
NICSIM = os.environ.get("NICSIM", os.path.join(BIN, "nicsim"))
UP_ADDR = "192.0.2.1"
UP_ADDR6 = "2001:db8::1"
SIMP_MBOX = 5
# nic-firmware/mbox.h
MBOX_SET_POLICY, MBOX_VF_GET_FEATURES, MBOX_HOST = 5, 9, 0xFFFF
MBOX_VF_SET_PARAM, MBOX_VF_GET_PARAM = 15, 16
# The switch's per-VF settings, word -> key, in the order of their one list
# (nicif/vf_param.h).
with open(os.path.join(ROOT, "nicif", "vf_param.h")) as _f:
    VF_PARAM = {w: k for k, w in enumerate(re.findall(r'^\s*X\(\w+, "([a-z-]+)"', _f.read(), re.M))}
# guest/virtio/include virtio feature bits (virtio 1.2 §5.1.3)
F_CSUM, F_GUEST_CSUM, F_HOST_TSO4 = 0, 1, 11


def vf_addr(i):
    return f"192.0.2.{10 + i}"


def vf_addr6(i):
    return f"2001:db8::{10 + i:x}"


def vf_mac(i):
    return f"02:00:00:00:00:{i + 1:02x}"


def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, **kw)


class Topo:
    """nicsim in namespace `up` with TAP up0; VF i bridged by vfdrv to TAP
    vm<i> in namespace vm<i>. Everything started here is stopped by pid."""

    def __init__(self, tmp, n_vfs, features, host_policy="all", vf_policy=None, tap_mac=None,
                 port=None, guest_args=None, vf_opts=None):
        tag = f"nsim{os.getpid()}x{id(self) % 10000}"
        self.tmp = tmp
        self.ctl = str(tmp / "ctl")
        self.counters_path = str(tmp / "counters.json")
        self.up = f"{tag}up"
        self.vms = [f"{tag}vm{i}" for i in range(n_vfs)]
        self.procs = []
        for ns in [self.up] + self.vms:
            sh("ip", "netns", "add", ns)
            sh("ip", "-n", ns, "link", "set", "lo", "up")
        args = ["ip", "netns", "exec", self.up, NICSIM, "--ctl", self.ctl,
                "--port", port or "tap:up0", "--host-policy", host_policy,
                "--counters", self.counters_path]
        for i in range(n_vfs):
            pol = (vf_policy or {}).get(i, "all")
            opts = "".join(f",{k}={v}" for k, v in (vf_opts or {}).get(i, {}).items())
            args += ["--vf", f"mac={vf_mac(i)},mtu=1500,mem=32M,policy={pol}{opts}"]
        self.nicsim = self._start(args, "nicsim")
        for _ in range(100):
            if os.path.exists(self.ctl):
                break
            time.sleep(0.02)
        if not port:
            self.up_link("up0", self.up, UP_ADDR, UP_ADDR6)
        self.features = [features[i] if isinstance(features, (list, tuple)) else features
                         for i in range(n_vfs)]
        self.vfdrv = [None] * n_vfs
        self.guest_args = guest_args or {}
        for i in range(n_vfs):
            self.start_guest(i, (tap_mac or {}).get(i))
        time.sleep(0.3)  # IPv6 DAD is off; let links settle

    def start_guest(self, i, tap_mac=None, extra=None):
        """vfdrv for VF i: brings the VF up (features negotiated now) and its
        TAP vm0 in namespace vms[i]."""
        ns = self.vms[i]
        a = ["ip", "netns", "exec", ns, f"{BIN}/vfdrv", "--ctl", self.ctl,
             "--vf", str(i), "--tap", "vm0", "--features", self.features[i]]
        a += self.guest_args.get(i, []) if extra is None else extra
        name = f"vfdrv{i}.{len(self.procs)}"
        self.vfdrv_err = getattr(self, "vfdrv_err", {})
        self.vfdrv_err[i] = self.tmp / f"{name}.err"
        p = self.vfdrv[i] = self._start(a, name)
        self._wait_line(p, name)
        if tap_mac:
            sh("ip", "-n", ns, "link", "set", "vm0", "address", tap_mac)
        self.up_link("vm0", ns, vf_addr(i), vf_addr6(i))

    def stop_guest(self, i):
        """The guest goes away: its TAP disappears, nicsim resets the VF."""
        p = self.vfdrv[i]
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=10)
        return p.returncode

    def mbox(self, cmd, vf, *args):
        """A NIC mailbox command as the hypervisor would send it
        (nic-firmware/mbox.h over simproto.h's SIMP_MBOX)."""
        a = list(args) + [0] * (6 - len(args))
        mb = struct.pack("<IHHiI6Q", cmd, vf, 0, 0, 0, *a)
        msg = struct.pack("<IIIIiIQQ64s64s", SIMP_MBOX, 0, 0, 0, 0, 0, 0, 0, b"", mb)
        with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
            s.connect(self.ctl)
            s.send(msg)
            r = s.recv(len(msg))
        f = struct.unpack("<IHHiI6Q", r[-64:])
        return f[3], list(f[5:])

    def set_vf(self, vf, word, value):
        """One of the switch's per-VF settings, at once: the mailbox status."""
        return self.mbox(MBOX_VF_SET_PARAM, vf, VF_PARAM[word], value)[0]

    def get_vf(self, vf, word):
        status, args = self.mbox(MBOX_VF_GET_PARAM, vf, VF_PARAM[word])
        assert status == 0, status
        return args[0]

    def _start(self, args, name):
        out = open(self.tmp / f"{name}.out", "w")
        err = open(self.tmp / f"{name}.err", "w")
        p = subprocess.Popen(args, stdout=out, stderr=err)
        self.procs.append(p)
        return p

    def _wait_line(self, p, name):
        path = self.tmp / f"{name}.out"
        for _ in range(200):
            if path.read_text().strip():
                return
            assert p.poll() is None, (self.tmp / f"{name}.err").read_text()
            time.sleep(0.02)
        raise AssertionError(f"{name} did not come up")

    @staticmethod
    def up_link(dev, ns, addr, addr6):
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", f"net.ipv6.conf.{dev}.accept_dad=0")
        sh("ip", "-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
        sh("ip", "-n", ns, "addr", "add", f"{addr6}/64", "dev", dev, "nodad")
        sh("ip", "-n", ns, "link", "set", dev, "up")

    def run(self, ns, *args, check=True, timeout=120):
        return sh("ip", "netns", "exec", ns, *args, check=check, timeout=timeout)

    def popen(self, ns, *args):
        p = subprocess.Popen(["ip", "netns", "exec", ns, *args],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.procs.append(p)
        return p

    def counters(self):
        """Ask nicsim for its counters (SIGUSR1) and read the new dump."""
        def read():
            try:
                return json.loads(open(self.counters_path).read())
            except (OSError, ValueError):
                return None
        old = read()
        self.nicsim.send_signal(signal.SIGUSR1)
        for _ in range(500):
            c = read()
            if c and (not old or c["seq"] != old["seq"]):
                return c
            time.sleep(0.01)
        raise AssertionError("no counters from nicsim")

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for ns in [self.up] + self.vms:
            sh("ip", "netns", "del", ns, check=False)
        # nicsim must exit cleanly: under the sanitizers, a report is a
        # non-zero exit (and leaks are checked at exit).
        err = (self.tmp / "nicsim.err").read_text()
        assert self.nicsim.returncode == 0, f"nicsim exit {self.nicsim.returncode}: {err[-3000:]}"
        assert "runtime error" not in err, err[-3000:]


@pytest.fixture
def topo(tmp_path):
    made = []

    def make(n_vfs=2, features="all", **kw):
        t = Topo(tmp_path, n_vfs, features, **kw)
        made.append(t)
        return t

    yield make
    for t in made:
        t.stop()


@pytest.fixture(scope="session", autouse=True)
def built():
    for b in (NICSIM, f"{BIN}/vfdrv"):
        assert os.access(b, os.X_OK), f"build {b} first (make tools)"
