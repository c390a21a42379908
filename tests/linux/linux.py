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

from harness import LOGS, PEER4, Console, Netns, guest_addr, guest_addr6, guest_mac  # noqa: E402
from topology import E2E, READY  # noqa: E402

IMAGE = REPO / "build" / "linux" / "Image"
RVNET_HOST = REPO / "build" / "host" / "rvnet"
READY["linux"] = r"linux: ready \(\d+ cpus, .*\)"
MiB = 1 << 20
_tags = itertools.count()


def config(vms, nic_hart=3, port="pass"):
    """vms = [(name, kind, harts, extra)]: kind 'linux' or an lwIP app;
    VM i has VF i (MAC 02:..:0i+1, 192.0.2.(10+i), 2001:db8::(10+i)).
    port: the NIC's port mode (nic port=pass|wire)."""
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
    lines.append(f"nic hart={nic_hart} ram=32M image=nicfw port={port}")
    return "\n".join(lines) + "\n"


class Shell:
    """The busybox shell on a Linux VM's console (Ctrl-A <index> gives it
    the keyboard; index None: a bare QEMU's console, no hypervisor)."""

    def __init__(self, s, vm, index):
        self.s, self.vm, self.index = s, vm, index

    def focus(self):
        if self.index is None:
            return
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
        prefix = f"[{self.vm}] " if self.index is not None else ""
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


class PeerTools:
    """rvnet on the peer side, for LinuxE2E and BareLinux alike."""

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

    def send_from_guest(self, vm, peer, port, nbytes, seed, timeout=180):
        """guest -> peer: (ok, Mbit/s at the peer, guest output)."""
        p = self.peer_recv(port, nbytes, seed)
        time.sleep(0.3)
        rc, out = self.shell(vm).run(f"rvnet send {peer} {port} {nbytes} {seed}",
                                     timeout=timeout, ok=False)
        prc, pout = self.wait_peer(p, port)
        return rc == 0 and prc == 0, mbps(pout), "\n".join(out) + pout

    def send_to_guest(self, vm, addr, port, nbytes, seed, timeout=180):
        """peer -> guest: (ok, Mbit/s at the guest, outputs)."""
        start = self.con.mark()
        self.shell(vm).start(f"rvnet recv {port} {nbytes} {seed}")
        self.wait_vm(vm, rf"rvnet: listening on {port}", 20, start)
        r = self.peer_send(addr, port, nbytes, seed, timeout=timeout)
        m = self.wait_vm(vm, r"rvnet: (received and checked|MISMATCH|SHORT).*", 60, start)
        ok = r.returncode == 0 and m.group(1) == "received and checked"
        return ok, mbps(m.group(0)), r.stdout + r.stderr + m.group(0)


class BareLinux(PeerTools):
    """The same Linux guest on bare QEMU (OpenSBI, -kernel Image, QEMU's own
    virtio-net-device on the TAP): the reference of bench-linux.
    vnet_hdr=False: the TAP without offloads."""

    def __init__(self, name, tmp, vcpus=2, vnet_hdr=True, append=""):
        self.name, self.tmp, self.vms = name, Path(tmp), [("linux", "linux")]
        self.ns = self.cap = self.con = None
        try:
            self.ns = Netns()
            tap = f"tap,id=n0,ifname={self.ns.tap},script=no,downscript=no"
            if not vnet_hdr:
                tap += ",vnet_hdr=off"
            args = (f"console=hvc0 quiet ip={guest_addr(0)}/24 gw={PEER4} "
                    f"ip6={guest_addr6(0)}/64 {append}").strip()
            cmd = self.ns.cmd(
                "qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,sstc=true", "-smp", vcpus,
                "-m", "128M", "-nographic", "-bios",
                "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin", "-kernel", IMAGE,
                "-append", args, "-global", "virtio-mmio.force-legacy=false",
                "-netdev", tap, "-device", f"virtio-net-device,netdev=n0,mac={guest_mac(0)}",
                "-name", "rvhv-bare,debug-threads=on")
            LOGS.mkdir(parents=True, exist_ok=True)
            self.log = LOGS / f"{name}.log"
            self.con = Console(cmd, self.log)
        except BaseException:
            self.close()
            raise

    def wait_vm(self, vm, pattern, timeout=60, start=0):
        return self.con.wait_for(rf"^(?:.*?){pattern}", timeout, start)

    def wait_ready(self, timeout=120):
        self.wait_vm("linux", READY["linux"], timeout)

    def shell(self, vm):
        return Shell(self, vm, None)

    def close(self):
        if self.con:
            self.con.close()
        if self.ns:
            self.ns.close()


class LinuxE2E(PeerTools, E2E):
    def shell(self, vm):
        index = [n for n, _ in self.vms].index(vm)
        return Shell(self, vm, index)

    def virtio_features(self, vm, start=0):
        """The virtio-net feature bits the guest's driver negotiated, from
        /init's line (sysfs `features`: character i is bit i)."""
        m = self.wait_vm(vm, r"linux: virtio-net features ([01]+)", 10, start)
        return {i for i, c in enumerate(m.group(1)) if c == "1"}

    def port_counters(self):
        """The NIC port's counters (hv console `counters port 0`)."""
        return self.hv.counters("port 0")["port0"]

    def ethtool_features(self, vm):
        _, out = self.shell(vm).run("rvnet features eth0")
        return {l.split()[0]: l.split()[1] == "on" for l in out if len(l.split()) >= 2}


def mbps(text):
    m = re.search(r"([\d.]+) Mbit/s", text)
    return float(m.group(1)) if m else 0.0
