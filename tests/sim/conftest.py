"""Fixtures of the simulator suite: a simulated NIC (nicsim) whose uplink is
a TAP in one network namespace, and guests (vfdrv + the Linux stack) each
in a namespace of its own, on documentation addresses (DESIGN §7)."""
import json
import os
import signal
import subprocess
import time

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, "build", "host", "bin")
UP_ADDR = "192.0.2.1"
UP_ADDR6 = "2001:db8::1"


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

    def __init__(self, tmp, n_vfs, features, host_policy="all", vf_policy=None, tap_mac=None):
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
        args = ["ip", "netns", "exec", self.up, f"{BIN}/nicsim", "--ctl", self.ctl,
                "--port", "tap:up0", "--host-policy", host_policy,
                "--counters", self.counters_path]
        for i in range(n_vfs):
            pol = (vf_policy or {}).get(i, "all")
            args += ["--vf", f"mac={vf_mac(i)},mtu=1500,mem=32M,policy={pol}"]
        self.nicsim = self._start(args, "nicsim")
        for _ in range(100):
            if os.path.exists(self.ctl):
                break
            time.sleep(0.02)
        self.up_link("up0", self.up, UP_ADDR, UP_ADDR6)
        for i, ns in enumerate(self.vms):
            f = features[i] if isinstance(features, (list, tuple)) else features
            a = ["ip", "netns", "exec", ns, f"{BIN}/vfdrv", "--ctl", self.ctl,
                 "--vf", str(i), "--tap", "vm0", "--features", f]
            p = self._start(a, f"vfdrv{i}")
            self._wait_line(p, f"vfdrv{i}")
            if tap_mac and i in tap_mac:
                sh("ip", "-n", ns, "link", "set", "vm0", "address", tap_mac[i])
            self.up_link("vm0", ns, vf_addr(i), vf_addr6(i))
        time.sleep(0.3)  # IPv6 DAD is off; let links settle

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
        """Ask nicsim for its counters (SIGUSR1) and read the JSON."""
        before = os.path.getmtime(self.counters_path) if os.path.exists(self.counters_path) else 0
        self.nicsim.send_signal(signal.SIGUSR1)
        for _ in range(200):
            if os.path.exists(self.counters_path) and os.path.getmtime(self.counters_path) != before:
                try:
                    return json.loads(open(self.counters_path).read())
                except ValueError:
                    pass
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
    for b in ("nicsim", "vfdrv"):
        assert os.access(f"{BIN}/{b}", os.X_OK), f"build {b} first (make tools)"
