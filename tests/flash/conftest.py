"""Fixtures for the flash suite: stand-in images, target files, loop devices
(with partitions, file systems, mounts, swap) that are always torn down,
also when a test fails, and helpers that run scripts/flash.sh and
`make flash` and hash what is on a target."""
import hashlib
import os
import pty
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FLASH = REPO / "scripts" / "flash.sh"
MiB = 1 << 20
# not a multiple of dd's 4 MiB blocks nor of a page: the tail is a short write
IMAGE_SIZE = 5 * MiB + 3 * 4096 + 512


def _default_sigint():
    # a suite started in the background inherits SIGINT ignored; the
    # interrupt test needs the script and its dd to get the default
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err
        self.text = out + err

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout\n{self.out}--- stderr\n{self.err}"


def run_script(*args, stdin=subprocess.DEVNULL, env=None, timeout=60):
    p = subprocess.run([str(FLASH), *map(str, args)], stdin=stdin, capture_output=True,
                       text=True, timeout=timeout, env=env, preexec_fn=_default_sigint)
    return Result(p.returncode, p.stdout, p.stderr)


def _env_without_make():
    # a fresh `make flash`, not a sub-make of the `make test` running us
    return {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}


def run_make(timeout=60, **var):
    """make flash with NAME=value variables, e.g. DEV=..., YES=1."""
    cmd = ["make", "--no-print-directory", "-C", str(REPO), "flash"]
    cmd += [f"{k}={v}" for k, v in var.items()]
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=timeout, env=_env_without_make(), preexec_fn=_default_sigint)
    return Result(p.returncode, p.stdout, p.stderr)


def run_with_tty(args, answer, timeout=60, cmd=None):
    """Run the script (or cmd) with a terminal on stdin and `answer` typed
    into it."""
    master, slave = pty.openpty()
    try:
        p = subprocess.Popen(cmd or [str(FLASH), *map(str, args)], stdin=slave,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=_env_without_make(), preexec_fn=_default_sigint)
        os.close(slave)
        slave = None
        os.write(master, answer.encode() + b"\n")
        out, err = p.communicate(timeout=timeout)
        return Result(p.returncode, out, err)
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)


def sha256_of(path, length=None):
    """sha256 of a file or device: all of it, or its first `length` bytes."""
    h = hashlib.sha256()
    left = length
    with open(path, "rb") as f:
        while left is None or left > 0:
            chunk = f.read(MiB if left is None else min(MiB, left))
            if not chunk:
                break
            h.update(chunk)
            if left is not None:
                left -= len(chunk)
    return h.hexdigest()


def read(path, length, offset=0):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(length)


@pytest.fixture(scope="session")
def image(tmp_path_factory):
    """A stand-in image of random bytes (not IMAGE's disk.img: the suite
    must not depend on `make image`)."""
    p = tmp_path_factory.mktemp("img") / "standin.img"
    p.write_bytes(os.urandom(IMAGE_SIZE))
    return p


@pytest.fixture
def target_file(tmp_path):
    """target_file(size) -> a sparse regular file of that size with a marker
    pattern at the start (so a refused write is seen to leave it alone)."""
    def make(size, name="card.bin"):
        p = tmp_path / name
        with open(p, "wb") as f:
            f.write(b"\xa5" * min(size, MiB))
            f.truncate(size)
        return p
    return make


def _need(tool):
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not available: the loop-device cases cannot run "
                    f"(util-linux/e2fsprogs/gdisk; scripts/deps.sh test)")


class Loops:
    """Loop devices, mounts and swap made by one test; undone in reverse."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.undo = []

    def _sh(self, *cmd):
        return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()

    def loop(self, size, parts=0, readonly=False, name=None, partscan=False):
        """A loop device on a sparse file of `size` bytes, with `parts` GPT
        partitions of 8 MiB (their nodes: /dev/loopNp1...); partscan: with
        partition scanning even without partitions yet."""
        _need("losetup")
        backing = self.tmp / (name or f"loop{len(self.undo)}.bin")
        with open(backing, "wb") as f:
            f.write(b"\x5a" * min(size, MiB))
            f.truncate(size)
        if parts:
            _need("sgdisk")
            args = []
            for i in range(1, parts + 1):
                args += [f"-n{i}:0:+8M"]
            self._sh("sgdisk", *args, str(backing))
        cmd = ["losetup", "-f", "--show"] + (["-P"] if parts or partscan else []) + (["-r"] if readonly else [])
        dev = self._sh(*cmd, str(backing))
        self.undo.append(("losetup", "-d", dev))
        if parts:
            # this kernel does not read GPT itself: partx adds the partitions
            subprocess.run(["partx", "-u", dev], capture_output=True)
            for i in range(1, parts + 1):
                node = Path(f"{dev}p{i}")
                for _ in range(50):
                    if node.is_block_device():
                        break
                    time.sleep(0.05)
                else:
                    pytest.fail(f"partition {node} did not appear")
        return dev

    def mkfs_mount(self, dev, name=None):
        _need("mkfs.ext4")
        # no lazy init: a background thread would change the device while
        # the test compares hashes
        self._sh("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", dev)
        mnt = self.tmp / (name or f"mnt{len(self.undo)}")
        mnt.mkdir()
        self._sh("mount", dev, str(mnt))
        self.undo.append(("umount", str(mnt)))
        (mnt / "data.txt").write_text("card data\n")
        self._sh("sync", "-f", str(mnt / "data.txt"))
        return mnt

    def mount_elsewhere(self, dev):
        """Mount dev in a private mount namespace of its own (as a container
        would): invisible in our /proc/self/mountinfo, held while the
        namespace's process lives."""
        _need("unshare")
        mnt = self.tmp / f"ns{len(self.undo)}"
        mnt.mkdir()
        p = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sh", "-c",
                              f"mount {dev} {mnt} && echo mounted && exec sleep 120"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.undo.append(p)
        line = p.stdout.readline().strip()
        if line != "mounted":
            pytest.fail(f"mount in a new namespace failed: {p.stderr.read() if p.poll() is not None else ''}")
        return mnt

    def swap(self, dev):
        self._sh("mkswap", "-q", dev)
        self._sh("swapon", "-p", "-1", dev)
        self.undo.append(("swapoff", dev))

    def tmpfs(self, size):
        mnt = self.tmp / f"tmpfs{len(self.undo)}"
        mnt.mkdir()
        self._sh("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt))
        self.undo.append(("umount", str(mnt)))
        return mnt

    def cleanup(self):
        errors = []
        for cmd in reversed(self.undo):
            if isinstance(cmd, subprocess.Popen):  # a namespace: ends with its process
                cmd.kill()
                cmd.communicate()
                continue
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode and cmd[0] == "umount":
                r = subprocess.run(["umount", "-l", cmd[1]], capture_output=True, text=True)
            if r.returncode:
                errors.append(f"{' '.join(cmd)}: {r.stderr.strip()}")
        self.undo.clear()
        return errors


@pytest.fixture
def loops(tmp_path):
    if os.geteuid() != 0:
        pytest.fail("the flash suite needs root (loop devices, mounts)")
    lo = Loops(tmp_path)
    yield lo
    errors = lo.cleanup()
    assert not errors, f"cleanup failed: {errors}"
