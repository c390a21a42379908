"""The end-to-end harness: a network namespace with a TAP whose Linux side is
the peer 192.0.2.1/24 (2001:db8::1/64), QEMU running the hypervisor inside
that namespace with the NIC's physical port on the TAP, tshark capturing the
TAP for the whole run, and the hypervisor's management console on QEMU's
stdio. Every step has a hard timeout; `Scenario.close()` kills what it
started (by pid) and deletes the namespace even after a failure."""
import ctypes
import itertools
import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "build" / "test-logs" / "e2e"
QEMU_SH = REPO / "board" / "qemu-virt" / "qemu.sh"
BUILD_TIMEOUT = 300

PEER4, PEER6 = "192.0.2.1", "2001:db8::1"
PORT_MAC = "02:00:00:00:01:00"
MTU = 1500
CTRL_T = b"\x14"

_ids = itertools.count()


def guest_addr(i):
    return f"192.0.2.{10 + i}"


def guest_addr6(i):
    return f"2001:db8::{10 + i:x}"


def guest_mac(i):
    return f"02:00:00:00:00:{i + 1:02x}"


def _die_with_parent():
    """Child side of every long-lived process we start: SIGKILL when the
    test process dies, so a killed pytest leaves no QEMU or tshark running
    (PR_SET_PDEATHSIG survives ip netns exec's execve)."""
    os.setsid()
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def favour(pid, nice=-10):
    """Gives a process we started (setsid: its own session) the CPU weight
    of `nice` against other work on the host: its autogroup's where the
    kernel groups sessions (then nice alone would weigh only within the
    session), else its process group's. For measurements of timing on a
    host shared with other work."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    except OSError:
        os.setpriority(os.PRIO_PGRP, os.getpgid(pid), nice)


def reap_stale_namespaces():
    """Deletes e2e namespaces left by test processes that no longer exist
    (a SIGKILLed run cannot clean up after itself)."""
    for line in sh(["ip", "netns", "list"], check=False).stdout.splitlines():
        m = re.match(r"^e2e(\d+)n\d+\b", line)
        if m and int(m.group(1)) != os.getpid() and not Path(f"/proc/{m.group(1)}").exists():
            sh(["ip", "netns", "del", line.split()[0]], check=False)


def sh(args, timeout=60, check=True, **kw):
    r = subprocess.run(list(map(str, args)), capture_output=True, text=True, timeout=timeout, **kw)
    if check and r.returncode:
        raise AssertionError(f"{' '.join(map(str, args))} -> {r.returncode}\n{r.stdout}{r.stderr}")
    return r


def build_image(name, config_text, make_vars=()):
    """hv.bin for a partition config (the same `make hv-image` as the demo);
    make_vars: e.g. BOARD_HARTS=8 for a QEMU started with more harts."""
    LOGS.mkdir(parents=True, exist_ok=True)
    cfg = LOGS / f"{name}.cfg"
    if not cfg.exists() or cfg.read_text() != config_text:
        cfg.write_text(config_text)
    b = sh(["make", "-s", "hv-image", f"CONFIG={cfg}", *make_vars], timeout=BUILD_TIMEOUT,
           check=False, cwd=REPO)
    assert b.returncode == 0, f"hv-image for {cfg} failed:\n{b.stdout}\n{b.stderr}"
    hv_bin = REPO / b.stdout.strip().split("\n")[-1]
    assert hv_bin.is_file(), f"hv-image printed no image path: {b.stdout!r}"
    return hv_bin


class Netns:
    """A namespace of our own with one TAP: the Linux peer of the tests."""

    def __init__(self):
        self.name = f"e2e{os.getpid()}n{next(_ids)}"
        self.tap = "e2etap0"
        sh(["ip", "netns", "add", self.name])
        try:
            self.run("ip", "link", "set", "lo", "up")
            self.run("ip", "tuntap", "add", "dev", self.tap, "mode", "tap")
            self.run("sysctl", "-qw", f"net.ipv6.conf.{self.tap}.accept_dad=0")
            self.run("ip", "link", "set", self.tap, "mtu", str(MTU))
            self.run("ip", "addr", "add", f"{PEER4}/24", "dev", self.tap)
            self.run("ip", "addr", "add", f"{PEER6}/64", "dev", self.tap, "nodad")
            self.run("ip", "link", "set", self.tap, "up")
        except BaseException:
            self.close()
            raise

    def cmd(self, *args):
        return ["ip", "netns", "exec", self.name, *map(str, args)]

    def run(self, *args, timeout=60, check=True):
        return sh(self.cmd(*args), timeout=timeout, check=check)

    def popen(self, *args, **kw):
        return subprocess.Popen(self.cmd(*args), preexec_fn=_die_with_parent, **kw)

    def close(self):
        sh(["ip", "netns", "del", self.name], check=False)


def kill_group(p, grace=5):
    """Stops a process we started (its own session) and everything in it."""
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(timeout=grace)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        p.wait(timeout=grace)


class Capture:
    """tshark writing everything on the TAP to a pcap, for the whole run."""

    def __init__(self, ns, path):
        self.path = Path(path)
        self.err = open(str(self.path) + ".err", "w+")
        self.p = ns.popen("tshark", "-i", ns.tap, "-w", self.path, "-q",
                          stdout=subprocess.DEVNULL, stderr=self.err)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            self.err.seek(0)
            if "Capturing on" in self.err.read():
                return
            if self.p.poll() is not None:
                break
            time.sleep(0.05)
        self.err.seek(0)
        raise AssertionError(f"tshark did not start: {self.err.read()}")

    def stop(self):
        if self.p.poll() is None:
            time.sleep(0.3)  # let the last frames reach the file
            try:
                os.killpg(self.p.pid, signal.SIGINT)
                self.p.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        kill_group(self.p)
        self.err.close()


class Console:
    """QEMU's stdio: everything it prints (kept in a log as it comes) and
    what we type on the hypervisor's UART."""

    def __init__(self, cmd, log_path):
        self.log = open(log_path, "w", buffering=1)
        self.log.write(f"$ {' '.join(map(str, cmd))}\n")
        self.text = ""
        self.cond = threading.Condition()
        self.eof = False
        self.p = subprocess.Popen(list(map(str, cmd)), cwd=REPO, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  preexec_fn=_die_with_parent)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for data in iter(lambda: self.p.stdout.read1(4096), b""):
            s = data.decode("utf-8", "replace").replace("\r", "")
            with self.cond:
                self.text += s
                self.log.write(s)
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def mark(self):
        with self.cond:
            return len(self.text)

    def wait_for(self, pattern, timeout, start=0, partial=False):
        """First match of `pattern` (multiline regex) in the complete lines
        printed after offset `start` (with partial, in the unfinished last
        line too: a prompt), waiting up to `timeout` s; AssertionError if
        none."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                end = len(self.text) if partial else self.text.rfind("\n") + 1
                m = rx.search(self.text, start, max(start, end))
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    break
                self.cond.wait(min(left, 1.0))
            tail = "\n".join(self.text[start:].split("\n")[-30:])
        why = "QEMU exited" if self.eof else f"{timeout} s passed"
        raise AssertionError(f"no /{pattern}/ on the console ({why}); last lines:\n{tail}")

    def type(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def lines(self, start=0):
        with self.cond:
            return self.text[start:].split("\n")

    def close(self):
        kill_group(self.p)
        self.reader.join(timeout=5)
        self.log.close()


FOCUS_RE = r"^(?:hv> )*hv: console input to (?:vm )?(\S+)"
# QEMU's -nographic mux eats one Ctrl-A (Ctrl-A Ctrl-A passes one to the
# UART) unless qemu.sh moved QEMU's escape key elsewhere with -echr
CTRL_A_KEYS = [b"\x01", b"\x01\x01"]


class HvConsole:
    """The hypervisor's management console: one stop of the Ctrl-T cycle
    (the interface of issue 5), or entered with Ctrl-A c when the boot
    banner offers that instead."""

    def __init__(self, con, n_stops):
        self.con = con
        self.n_stops = n_stops  # VMs + the hv
        self.at_hv = False

    def focus_hv(self):
        if self.at_hv:
            return
        if re.search(r"^hv: Ctrl-A c\b", self.con.text, re.M):
            keys = CTRL_A_KEYS if "-echr" in QEMU_SH.read_text() else CTRL_A_KEYS[::-1]
            for key in keys:
                start = self.con.mark()
                self.con.type(key + b"c")
                try:
                    self.con.wait_for(r"hv> ", 5, start, partial=True)
                except AssertionError:
                    continue
                self.at_hv = True
                return
            raise AssertionError("Ctrl-A c never gave the console to the hypervisor")
        for _ in range(self.n_stops + 1):
            start = self.con.mark()
            self.con.type(CTRL_T)
            m = self.con.wait_for(FOCUS_RE, 10, start)
            if m.group(1).rstrip(":,.") in ("hv", "hypervisor"):
                self.at_hv = True
                return
        raise AssertionError("Ctrl-T never gave the console to the hypervisor")

    def cmd(self, line, timeout=20, ok=True):
        """Types one command; returns its `hv: ` answer lines (prefix cut,
        final `ok` left out). An `hv: error:` answer fails unless ok=False."""
        self.focus_hv()
        start = self.con.mark()
        self.con.type(line.encode() + b"\r")
        m = self.con.wait_for(r"^(?:hv> )*hv: (ok|error: .*)$", timeout, start)
        body = [re.sub(r"^(?:hv> )+", "", l) for l in self.con.text[start:m.start()].split("\n")]
        answer = [l[4:] for l in body if l.startswith("hv: ")]
        if m.group(1) != "ok":
            if ok:
                raise AssertionError(f"hv> {line}: {m.group(1)}\n" + "\n".join(answer))
            return answer + [m.group(1)]
        return answer

    def counters(self, what=""):
        """{owner: {counter-name: value}} from `counters [VF|port N]`."""
        out = {}
        for l in self.cmd(f"counters {what}".strip()):
            m = re.match(r"^(\S+)\.(\S+) (\d+)$", l)
            if m:
                out.setdefault(m.group(1), {})[m.group(2)] = int(m.group(3))
        assert out, f"`counters {what}` printed no counter"
        return out

    def traps(self, vm=""):
        """{vm: {cause: n, 'total': n}} from `traps [VM]`."""
        out = {}
        for l in self.cmd(f"traps {vm}".strip()):
            m = re.match(r"^traps (\S+) (.*)$", l)
            if m:
                out[m.group(1)] = {k: int(v) for k, v in re.findall(r"(\S+?)=(\d+)", m.group(2))}
        assert out, f"`traps {vm}` printed no trap line"
        return out


class Scenario:
    """One boot of one partition config: namespace, capture, QEMU, console."""

    def __init__(self, name, config_text, vms, tmp, qemu_extra=(), peer_procs=(), make_vars=(),
                 capture=True, qemu_sh=QEMU_SH):
        """peer_procs: commands started in the namespace before QEMU (e.g.
        a server a guest connects to as it boots); stdout in tmp/peerN.out.
        make_vars: for build_image. capture=False: no tshark (benchmarks:
        it would take CPU from what is measured). qemu_sh: the board's
        qemu.sh (with BOARD=... in make_vars for another board)."""
        self.name = name
        self.peers = []
        self.vms = vms  # [(vm name, app)], in config (= VF) order
        self.tmp = Path(tmp)
        self.ns = self.cap = self.con = None
        hv_bin = build_image(f"e2e-{name}", config_text, make_vars)
        try:
            self.ns = Netns()
            self.pcap = self.tmp / f"{name}.pcap"
            self.cap = Capture(self.ns, self.pcap) if capture else None
            for i, argv in enumerate(peer_procs):
                out = open(self.tmp / f"peer{i}.out", "w")
                self.peers.append((self.ns.popen(*argv, stdout=out, stderr=subprocess.STDOUT),
                                   self.tmp / f"peer{i}.out"))
                out.close()
            env_net = "NET" in Path(qemu_sh).read_text()
            cmd = self.ns.cmd("env", f"NET=tap:{self.ns.tap}", qemu_sh, hv_bin, *qemu_extra) \
                if env_net else \
                self.ns.cmd(qemu_sh, hv_bin, "-global", "virtio-mmio.force-legacy=false",
                            "-netdev", f"tap,id=port0,ifname={self.ns.tap},script=no,downscript=no",
                            "-device", f"virtio-net-device,netdev=port0,mac={PORT_MAC}",
                            *qemu_extra)
            LOGS.mkdir(parents=True, exist_ok=True)
            self.log = LOGS / f"{name}.log"
            self.con = Console(cmd, self.log)
            self.hv = HvConsole(self.con, len(vms) + 1)
        except BaseException:
            self.close()
            raise

    def vm_re(self, vm, pattern):
        return rf"^(?:hv> )*\[{re.escape(vm)}\] (?:.*?){pattern}"

    def wait_vm(self, vm, pattern, timeout=60, start=0):
        return self.con.wait_for(self.vm_re(vm, pattern), timeout, start)

    def ping(self, addr, count=3, timeout=30):
        """True once `count` echo replies came back in one round; retried
        until `timeout` (ARP/ND and a guest still starting up)."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.ns.run("ping", "-c", count, "-i", "0.2", "-W", "2", addr, check=False,
                            timeout=30)
            if r.returncode == 0:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)

    def close(self):
        if self.con:
            self.con.close()
        for p, _ in self.peers:
            kill_group(p)
        if self.cap:
            self.cap.stop()
        if self.ns:
            self.ns.close()
