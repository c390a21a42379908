"""Every tool of the project answers the same way on its command line
(issue 12): -h/--help prints the usage to stdout and exits 0; bad usage (an
unknown option, a missing value or argument) prints what was wrong and the
usage to stderr and exits 2. Never a crash, a traceback, or work done: each
runs in an empty folder that must stay empty (gen_corpus.py once wrote a
corpus into ./--help).

The C tools are the built ones (`make test-check-deps` builds them first):
build/host/bin, build/host/tests, the board's vmcfg_check, and
bench-offload when DPDK was there to build it (make deps-bench)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "build"
BOARD = os.environ.get("BOARD", "qemu-virt")
PY = sys.executable
BOGUS = ["--no-such-option"]

# (id, command prefix, bad usages); a bad usage is the arguments after the
# prefix. Paths are relative to the top of the tree.
TOOLS = [
    # C: simulator, benchmarks, build-time checker, test helpers users run
    ("nicsim", ["build/host/bin/nicsim"], [BOGUS, ["--ctl"], ["--port", "tap:x"]]),
    ("vfdrv", ["build/host/bin/vfdrv"], [BOGUS, ["--ctl", "x", "--tap", "t", "--qsize", "3"]]),
    ("nic-offload", ["build/host/bin/nic-offload"], [BOGUS, ["tx", "--tso"], []]),
    ("nicbench", ["build/host/bin/nicbench"], [BOGUS, ["--vfs"], ["--vfs", "0"]]),
    ("bench-offload", ["build/bench-offload/bench-offload"], [BOGUS]),
    ("vmcfg_check", [f"build/{BOARD}/default/vmcfg_check"], [BOGUS, ["1", "2", "3", "x", "4"]]),
    ("guest_fdt_gen", ["build/host/tests/hv/core/guest_fdt_gen"],
     [BOGUS, ["vm", "9", "0x1000000", "0", "1", ""]]),
    ("host_fdt_dump", ["build/host/tests/platform/host_fdt_dump"], [BOGUS, []]),
    # Python
    ("check-deps.py", [PY, "scripts/check-deps.py"], [BOGUS, ["--root"]]),
    ("mkconfig.py", [PY, "scripts/mkconfig.py"], [BOGUS, [], ["x.cfg", "--apps"]]),
    ("mkfit.py", [PY, "scripts/mkfit.py"], [BOGUS, ["dtsi", "images.txt"]]),
    ("mkimage.py", [PY, "guest/mkimage.py"], [BOGUS, ["app.elf"]]),
    ("bench/sim/run.py", [PY, "bench/sim/run.py"], [BOGUS, []]),
    ("bench/offload/report.py", [PY, "bench/offload/report.py"], [BOGUS, ["a", "b"]]),
    ("bench/e2e/run.py", [PY, "bench/e2e/run.py"], [BOGUS, ["--out", "x"]]),
    ("bench/idle/run.py", [PY, "bench/idle/run.py"], [BOGUS]),
    ("gen_corpus.py", [PY, "tests/oracle/gen_corpus.py"], [BOGUS, ["out", "seed"]]),
    ("mkseeds.py", [PY, "tests/offload-engine/fuzz/mkseeds.py"], [BOGUS]),
    ("hv fuzz_seeds.py", [PY, "tests/hv/fuzz_seeds.py"], [BOGUS, ["vplic"]]),
    ("peer.py", [PY, "tests/e2e/peer.py"], [BOGUS, ["tcp-echo", "addr", "port", "1"]]),
    ("netpeer.py", [PY, "tests/sim/netpeer.py"], [BOGUS, ["udp-echo"]]),
    # shell
    ("deps.sh", ["scripts/deps.sh"], [BOGUS, []]),
    ("debsrc.sh", ["scripts/debsrc.sh"], [BOGUS, ["dest"]]),
    ("flash.sh", ["scripts/flash.sh"], [BOGUS, ["image"], ["--max-size"]]),
    ("mkimage-board.sh", ["scripts/mkimage-board.sh"], [BOGUS, []]),
    ("mkimage-disk.sh", ["scripts/mkimage-disk.sh"], [BOGUS, ["gpt-raw", "o", "1", "a", "b"]]),
    ("run-suites.sh", ["scripts/run-suites.sh"], [BOGUS, []]),
    ("qemu-virt/qemu.sh", ["board/qemu-virt/qemu.sh"], [BOGUS, []]),
    ("qemu-virt-aia/qemu.sh", ["board/qemu-virt-aia/qemu.sh"], [BOGUS, []]),
    ("test_mmio_qemu.sh", ["tests/images/test_mmio_qemu.sh"], [BOGUS, []]),
]


def command(prefix):
    """The prefix with its tree paths made absolute; skips a tool that cannot
    be built here, fails for one that should have been."""
    cmd = [str(REPO / p) if not os.path.isabs(p) else p for p in prefix]
    exe = cmd[1] if cmd[0] == PY else cmd[0]
    if not os.path.exists(exe):
        if exe.endswith("bench-offload"):
            pytest.skip("bench-offload needs DPDK (make deps-bench bench-offload)")
        pytest.fail(f"{exe} not built (make test-check-deps builds it)")
    return cmd


def run(tmp_path, cmd):
    # a minimal environment: mkimage-board.sh must not find make's variables
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "LC_ALL": "C"}
    r = subprocess.run(cmd, cwd=tmp_path, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=60)
    assert "Traceback" not in r.stderr, r.stderr
    assert "AddressSanitizer" not in r.stderr, r.stderr
    assert os.listdir(tmp_path) == [], f"{cmd} wrote {os.listdir(tmp_path)}"
    return r


@pytest.mark.parametrize("name,prefix,bad", TOOLS, ids=[t[0] for t in TOOLS])
@pytest.mark.parametrize("opt", ["--help", "-h"])
def test_help_is_usage_on_stdout_exit_0(tmp_path, name, prefix, bad, opt):
    r = run(tmp_path, command(prefix) + [opt])
    assert r.returncode == 0, f"{name} {opt}: exit {r.returncode}\n{r.stderr}"
    assert "usage" in r.stdout.lower(), f"{name} {opt}: no usage on stdout:\n{r.stdout}"
    assert r.stderr == "", f"{name} {opt}: stderr:\n{r.stderr}"


CASES = [(name, prefix, args) for name, prefix, bad in TOOLS for args in bad]


@pytest.mark.parametrize("name,prefix,args", CASES,
                         ids=[f"{c[0]} {' '.join(c[2]) or '(none)'}" for c in CASES])
def test_bad_usage_is_a_message_on_stderr_exit_2(tmp_path, name, prefix, args):
    r = run(tmp_path, command(prefix) + args)
    assert r.returncode == 2, f"{name} {args}: exit {r.returncode}\n{r.stdout}{r.stderr}"
    assert r.stdout == "", f"{name} {args}: stdout:\n{r.stdout}"
    # what was wrong, and how to call it
    assert len(r.stderr.strip().splitlines()) >= 2, f"{name} {args}: stderr:\n{r.stderr}"
    assert "usage" in r.stderr.lower(), f"{name} {args}: no usage on stderr:\n{r.stderr}"
