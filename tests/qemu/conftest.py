"""Helpers for the QEMU tests: build a hypervisor image for a VM set, run
QEMU with a hard timeout (the whole process group is killed on expiry), keep
every console log under build/test-logs/, and parse the hypervisor's lines."""
import os
import re
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LOGS = REPO / "build" / "test-logs"
APPS = REPO / "build" / "riscv" / "apps"
QEMU_SH = REPO / "board" / "qemu-virt" / "qemu.sh"
OPENSBI = "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin"
BUILD_TIMEOUT = 300
# A run takes 1-6 s here; QEMU emulates 4 harts on a shared 2-core machine,
# so allow 10x that, but no more: a hung run must not stall the whole suite.
RUN_TIMEOUT = int(os.environ.get("QEMU_TEST_TIMEOUT", "60"))

BOOT_RE = re.compile(r"^hv: vm (\S+) harts (\S+) ram 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+) \((\S+)\)$")
HV_RE = re.compile(r"^hv: hypervisor 0x([0-9a-fA-F]+)-0x([0-9a-fA-F]+)$")
STOP_RE = re.compile(r"^hv: vm (\S+) stopped: (.+?) sepc=0x([0-9a-fA-F]+) addr=0x([0-9a-fA-F]+)$")


@dataclass
class Run:
    name: str
    rc: int
    timed_out: bool
    lines: list
    seconds: float
    log: Path
    vms: dict = field(default_factory=dict)  # name -> (hpa start, hpa end)
    hv: tuple = None  # (start, end)
    times: list = field(default_factory=list)  # per line: seconds after start it arrived

    def vm_lines(self, vm):
        """What VM `vm` printed, without the prefix."""
        p = f"[{vm}] "
        return [l[len(p):] for l in self.lines if l.startswith(p)]

    def index(self, pred, start=0):
        for i in range(start, len(self.lines)):
            if pred(self.lines[i]):
                return i
        return -1

    def has(self, line):
        return line in self.lines

    def stops(self):
        return [m.groups() for m in map(STOP_RE.match, self.lines) if m]

    def describe(self):
        """One line of facts, then the hypervisor's and the VMs' lines (the
        OpenSBI banner left out) so a CI log shows what happened."""
        body = [l for l in self.lines if l.startswith(("hv:", "["))][-25:]
        return (f"{self.name}: rc={self.rc} timed_out={self.timed_out} "
                f"after {self.seconds:.1f} s, log {self.log}\n" + "\n".join(body))


def _run(name, cmd, timeout, script=()):
    """Runs cmd, killing its process group after `timeout` s. `script` is a
    list of (regex, bytes): each waits for regex in the output so far, then
    types bytes on QEMU's stdin (the console)."""
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / f"{name}.log"
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.PIPE if script else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    chunks, arrived, cond = [], [], threading.Condition()

    def reader():
        for data in iter(lambda: p.stdout.read1(4096), b""):
            with cond:
                chunks.append(data)
                arrived.append(time.monotonic() - t0)
                cond.notify_all()
        with cond:
            chunks.append(b"")  # EOF
            cond.notify_all()

    def feeder():
        for pattern, data in script:
            with cond:
                seen = cond.wait_for(lambda: re.search(pattern, b"".join(chunks).decode(
                    "utf-8", "replace")) or (chunks and chunks[-1] == b""),
                    timeout=max(0.0, t0 + timeout - time.monotonic()))
                if not seen or chunks[-1] == b"":
                    return
            try:
                p.stdin.write(data)
                p.stdin.flush()
            except OSError:
                return

    threads = [threading.Thread(target=reader, daemon=True)]
    if script:
        threads.append(threading.Thread(target=feeder, daemon=True))
    for t in threads:
        t.start()
    timed_out = False
    try:
        p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    for t in threads:
        t.join(timeout=5)
    with cond:
        out = b"".join(chunks)
    secs = time.monotonic() - t0
    text = out.decode("utf-8", "replace").replace("\r", "")
    log.write_text(f"$ {' '.join(map(str, cmd))}\n{text}\n"
                   f"# exit {p.returncode}{' (killed: timeout)' if timed_out else ''} "
                   f"after {secs:.1f} s\n")
    run = Run(name, p.returncode, timed_out, text.split("\n"), secs, log)
    # when each line's newline arrived (the last line: the output's end)
    ends, pos = [], 0
    for c in chunks[:len(arrived)]:
        pos += len(c)
        ends.append(pos)
    ci, start = 0, 0
    for _ in run.lines:
        nl = out.find(b"\n", start)
        at = len(out) - 1 if nl < 0 else nl
        while ci < len(ends) - 1 and ends[ci] <= at:
            ci += 1
        run.times.append(arrived[ci] if arrived else secs)
        start = len(out) if nl < 0 else nl + 1
    for l in run.lines:
        m = BOOT_RE.match(l)
        if m:
            run.vms[m.group(1)] = (int(m.group(3), 16), int(m.group(4), 16))
        m = HV_RE.match(l)
        if m:
            run.hv = (int(m.group(1), 16), int(m.group(2), 16))
    return run


def _hv_available():
    r = subprocess.run(["make", "-n", "-s", "hv-image", "CONFIG=/dev/null"], cwd=REPO,
                       capture_output=True, text=True)
    return "No rule to make target 'hv-image'" not in r.stderr and QEMU_SH.exists()


@pytest.fixture(scope="session")
def hv_run():
    """hv_run(name, config_text, qemu_args=(), script=()) -> Run: builds hv.bin for the VM set and
    boots it under QEMU until it powers off (or the timeout kills it)."""
    if not _hv_available():
        pytest.skip("hypervisor not in the tree yet (no hv-image target / board/qemu-virt/qemu.sh)")

    def run(name, config, qemu_args=(), script=(), timeout=RUN_TIMEOUT):
        LOGS.mkdir(parents=True, exist_ok=True)
        cfg = LOGS / f"{name}.cfg"
        cfg.write_text(config)
        b = subprocess.run(["make", "-s", "hv-image", f"CONFIG={cfg}"], cwd=REPO,
                           capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        assert b.returncode == 0, f"hv-image for {cfg} failed:\n{b.stdout}\n{b.stderr}"
        hv_bin = b.stdout.strip().split("\n")[-1]
        assert hv_bin and (REPO / hv_bin).exists(), f"hv-image printed no image path: {b.stdout!r}"
        return _run(name, [str(QEMU_SH), hv_bin, *qemu_args], timeout, script)

    return run


@pytest.fixture(scope="session")
def bare_run():
    """bare_run(name, app, args="", smp=1, script=()) -> Run: the app straight on OpenSBI
    fw_jump (loaded at 0x80200000), without the hypervisor."""

    def run(name, app, args="", smp=1, script=(), timeout=RUN_TIMEOUT):
        image = APPS / f"{app}.bin"
        assert image.exists(), f"{image} not built (make)"
        cmd = ["qemu-system-riscv64", "-M", "virt", "-cpu", "rv64,h=true,sstc=true",
               "-smp", str(smp), "-m", "256M", "-nographic", "-bios", OPENSBI,
               "-kernel", str(image)]
        if args:
            cmd += ["-append", args]
        return _run(name, cmd, timeout, script)

    return run


def done_line(lines, app):
    """Parses `<app>: done ticks=N expected=E ...` → (N, E) or None."""
    for l in lines:
        m = re.match(rf"^{app}: done ticks=(\d+) expected=(\d+)", l)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None
