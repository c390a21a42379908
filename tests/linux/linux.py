"""Linux guests on the e2e harness: partition configs with Linux VMs
(build/linux/Image: guest/linux), a shell on each Linux VM's console that
the tests type into, and rvnet (guest/linux/rvnet.c) on both ends of a
transfer so that every byte is checked where it arrives."""
import itertools
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from harness import PEER4, guest_addr, guest_addr6, guest_mac  # noqa: E402
from topology import E2E, READY  # noqa: E402

IMAGE = REPO / "build" / "linux" / "Image"
RVNET_HOST = REPO / "build" / "host" / "rvnet"
READY["linux"] = r"linux: ready \(\d+ cpus, .*\)"
MiB = 1 << 20
_tags = itertools.count()


def config(vms, nic_hart=3):
    """vms = [(name, kind, harts, extra)]: kind 'linux' or an lwIP app;
    VM i has VF i (MAC 02:..:0i+1, 192.0.2.(10+i), 2001:db8::(10+i))."""
    lines = ["# Linux guest test config (tests/linux/linux.py)"]
    for i, (name, kind, harts, extra) in enumerate(vms):
        net = f"ip={guest_addr(i)}/24 gw={PEER4} ip6={guest_addr6(i)}/64"
        if kind == "linux":
            image, ram = "build/linux/Image", "128M"
            args = f"console=hvc0 quiet {net} {extra}".strip()
        else:
            image, ram = kind, "16M"
            args = f"{net} {extra}".strip()
        h = ",".join(map(str, harts))
        lines.append(f'vm {name} harts={h} ram={ram} image={image} vf=yes mac={guest_mac(i)} '
                     f'args="{args}"')
    lines.append(f"nic hart={nic_hart} ram=32M image=nicfw")
    return "\n".join(lines) + "\n"


class Shell:
    """The busybox shell on a Linux VM's console (Ctrl-A <index> gives it
    the keyboard)."""

    def __init__(self, s, vm, index):
        self.s, self.vm, self.index = s, vm, index

    def focus(self):
        self.s.hv.at_hv = False
        start = self.s.con.mark()
        self.s.con.type(b"\x01" + str(self.index).encode())
        self.s.con.wait_for(rf"hv: console input to vm {re.escape(self.vm)}", 10, start)

    def run(self, cmd, timeout=60, ok=True):
        """Runs one command line; returns (exit status, its output lines)."""
        self.focus()
        tag = f"rvhv{next(_tags)}"
        start = self.s.con.mark()
        self.s.con.type(f"{cmd}; echo {tag} rc=$?\r".encode())
        m = self.s.wait_vm(self.vm, rf"{tag} rc=(\d+)$", timeout, start)
        prefix = f"[{self.vm}] "
        out = [l[len(prefix):] for l in self.s.con.text[start:m.start()].split("\n")
               if l.startswith(prefix) and tag not in l]
        rc = int(m.group(1))
        if ok:
            assert rc == 0, f"[{self.vm}] {cmd} -> {rc}\n" + "\n".join(out)
        return rc, out

    def start(self, cmd):
        """Starts a command in the background (its output on the console)."""
        self.focus()
        self.s.con.type(f"{cmd} &\r".encode())


class LinuxE2E(E2E):
    def shell(self, vm):
        index = [n for n, _ in self.vms].index(vm)
        return Shell(self, vm, index)

    def virtio_features(self, vm, start=0):
        """The virtio-net feature bits the guest's driver negotiated, from
        /init's line (sysfs `features`: character i is bit i)."""
        m = self.wait_vm(vm, r"linux: virtio-net features ([01]+)", 10, start)
        return {i for i, c in enumerate(m.group(1)) if c == "1"}

    def ethtool_features(self, vm):
        _, out = self.shell(vm).run("rvnet features eth0")
        return {l.split()[0]: l.split()[1] == "on" for l in out if len(l.split()) >= 2}

    def peer_recv(self, port, nbytes, seed):
        """rvnet recv in the peer namespace; returns the Popen (its output
        in tmp)."""
        out = open(self.tmp / f"peer-recv-{port}.out", "w")
        p = self.ns.popen(RVNET_HOST, "recv", port, nbytes, seed, stdout=out, stderr=out)
        out.close()
        return p

    def wait_peer(self, p, port, timeout=120):
        rc = p.wait(timeout=timeout)
        return rc, (self.tmp / f"peer-recv-{port}.out").read_text()

    def peer_send(self, addr, port, nbytes, seed, timeout=120):
        deadline = time.monotonic() + 30
        while True:  # the guest's listener may not be up yet
            r = self.ns.run(RVNET_HOST, "send", addr, port, nbytes, seed, check=False,
                            timeout=timeout)
            if r.returncode == 0 or "Connection refused" not in r.stderr \
                    or time.monotonic() > deadline:
                return r
            time.sleep(0.5)


def mbps(text):
    m = re.search(r"([\d.]+) Mbit/s", text)
    return float(m.group(1)) if m else 0.0
