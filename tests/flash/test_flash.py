"""make flash / scripts/flash.sh: what is written reads back identical (checked
here with our own reads and hashes, not only the script's), and every target
the script must refuse is refused with its reason and left byte-for-byte
unchanged."""
import hashlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from conftest import (FLASH, IMAGE_SIZE, MiB, REPO, read, run_make, run_script,
                      run_with_tty, sha256_of)

GiB = 1 << 30


def image_sha(image):
    return hashlib.sha256(image.read_bytes()).hexdigest()


def assert_written(r, image, dev):
    assert r.rc == 0, r
    data = image.read_bytes()
    assert read(dev, len(data)) == data, "read back differs from the image"
    sha = image_sha(image)
    # the script's own sha256 lines: the image's and the read-back's
    assert f"sha256 {sha}  image" in r.out, r
    assert f"sha256 {sha}  read back from" in r.out, r
    assert "done:" in r.out, r


def assert_refused(r, *reasons):
    assert r.rc == 2, r
    for reason in reasons:
        assert reason in r.err, f"no '{reason}' line:\n{r}"
    assert "nothing written" in r.err, r
    assert "done:" not in r.out, r


# ---- written ----------------------------------------------------------------

def test_file_target_script(image, target_file):
    card = target_file(16 * MiB)
    r = run_script("--yes", image, card)
    assert_written(r, image, card)
    # a file stands in for a card: it keeps its size, the rest is untouched
    assert card.stat().st_size == 16 * MiB
    assert read(card, MiB, IMAGE_SIZE) == b"\0" * MiB


def test_file_target_make(image, target_file):
    card = target_file(16 * MiB)
    r = run_make(FLASH_IMAGE=image, DEV=card, YES=1)
    assert_written(r, image, card)


def test_loop_device(image, loops):
    dev = loops.loop(32 * MiB)
    r = run_script("--yes", image, dev)
    assert_written(r, image, dev)
    # read back through the loop device, its cache dropped, and from the
    # file behind it (what a card's flash would hold)
    subprocess.run(["blockdev", "--flushbufs", dev], check=True)
    assert sha256_of(dev, IMAGE_SIZE) == image_sha(image)
    backing = subprocess.run(["losetup", "-n", "-O", "BACK-FILE", dev], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert sha256_of(backing, IMAGE_SIZE) == image_sha(image)
    assert "NAME" in r.out and os.path.basename(dev) in r.out, "lsblk overview missing"


def test_loop_device_odd_size(tmp_path, loops):
    """An image whose length is not a whole number of sectors: the last
    short block (written without O_DIRECT) lands too, the sector's rest stays."""
    odd = tmp_path / "odd.img"
    odd.write_bytes(os.urandom(3 * MiB + 100))
    dev = loops.loop(8 * MiB)
    assert_written(run_script("--yes", odd, dev), odd, dev)
    assert read(dev, 412, 3 * MiB + 100) == b"\x00" * 412


def test_loop_device_make(image, loops):
    dev = loops.loop(32 * MiB)
    r = run_make(FLASH_IMAGE=image, DEV=dev, YES=1)
    assert_written(r, image, dev)


def test_board_image_on_loop(loops, tmp_path):
    """The real qemu-virt image, when IMAGE's `make image` has made it: after
    the write, sgdisk reads the same partition table from the device."""
    disk = REPO / "build" / "qemu-virt" / "disk.img"
    if not disk.is_file():
        pytest.skip(f"{disk} not built (make image); the stand-in cases cover the flow")
    # a copy: `make image` may replace the file while this test runs
    disk = Path(shutil.copy(disk, tmp_path / "disk.img"))
    dev = loops.loop(disk.stat().st_size + 8 * MiB, partscan=True)
    r = run_make(FLASH_IMAGE=disk, DEV=dev, YES=1)
    assert_written(r, disk, dev)
    # the script made the kernel read the new table: partition 1 appeared
    assert Path(dev + "p1").is_block_device(), r
    assert f"{os.path.basename(dev)}p1" in r.out, r
    want = subprocess.run(["sgdisk", "-p", str(disk)], capture_output=True, text=True).stdout
    got = subprocess.run(["sgdisk", "-p", dev], capture_output=True, text=True).stdout
    table = lambda s: [ln for ln in s.splitlines() if ln.strip()[:1].isdigit()]
    assert table(want) and table(got) == table(want)


# ---- refused ----------------------------------------------------------------

def test_mounted_refused(image, loops):
    dev = loops.loop(32 * MiB)
    mnt = loops.mkfs_mount(dev, name="card mnt")  # mountinfo writes the space as \040
    before = sha256_of(dev)
    assert_refused(run_script("--yes", image, dev), f"is mounted: {dev} on {mnt}")
    assert_refused(run_make(FLASH_IMAGE=image, DEV=dev, YES=1), "is mounted")
    assert sha256_of(dev) == before
    assert (mnt / "data.txt").read_text() == "card data\n"


def test_disk_with_mounted_partition_refused(image, loops):
    dev = loops.loop(32 * MiB, parts=2)
    mnt = loops.mkfs_mount(dev + "p1")
    before = sha256_of(dev)
    # the whole disk: one of its partitions is mounted
    assert_refused(run_script("--yes", image, dev), f"is mounted: {dev}p1 on {mnt}")
    # a partition of that disk: not a whole disk (and the disk is in use)
    r = run_script("--yes", image, dev + "p2")
    assert_refused(r, f"is a partition (", f"use {dev}", "is mounted")
    assert sha256_of(dev) == before


def test_mounted_in_other_namespace_refused(image, loops):
    """A partition mounted in another mount namespace (a container's):
    not in our mountinfo, but the kernel refuses the exclusive claim."""
    dev = loops.loop(32 * MiB, parts=2)
    subprocess.run(["mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0",
                    dev + "p1"], check=True, capture_output=True)
    loops.mount_elsewhere(dev + "p1")
    with open("/proc/self/mountinfo") as f:
        assert dev + "p1" not in f.read()
    subprocess.run(["sync"], check=True)
    before = sha256_of(dev)
    assert_refused(run_script("--yes", image, dev), "refuses an exclusive open")
    assert sha256_of(dev) == before


def test_partition_refused(image, loops):
    dev = loops.loop(64 * MiB, parts=2)
    before = sha256_of(dev)
    r = run_script("--yes", image, dev + "p2")
    assert_refused(r, f"{dev}p2 is a partition")
    assert "mounted" not in r.err, r
    assert sha256_of(dev) == before


def test_swap_refused(image, loops):
    dev = loops.loop(32 * MiB)
    loops.swap(dev)
    before = sha256_of(dev)
    assert_refused(run_script("--yes", image, dev), "in use as swap", "system disk")
    assert sha256_of(dev) == before


@pytest.mark.parametrize("kind", ["file", "loop"])
def test_too_large(image, target_file, loops, kind):
    size = 65 * GiB  # sparse: above the default 64 GiB limit
    dev = str(target_file(size)) if kind == "file" else loops.loop(size)
    before = sha256_of(dev, 2 * IMAGE_SIZE)
    assert_refused(run_script("--yes", image, dev), "above the 64GiB limit")
    assert_refused(run_make(FLASH_IMAGE=image, DEV=dev, YES=1), "above the 64GiB limit")
    assert_refused(run_make(FLASH_IMAGE=image, DEV=dev, YES=1, MAX_SIZE="16M"),
                   "above the 16MiB limit")
    assert sha256_of(dev, 2 * IMAGE_SIZE) == before
    # a raised limit, then no limit
    assert_written(run_make(FLASH_IMAGE=image, DEV=dev, YES=1, MAX_SIZE="66G"), image, dev)
    assert_written(run_make(FLASH_IMAGE=image, DEV=dev, YES=1, FORCE_SIZE=1), image, dev)


@pytest.mark.parametrize("size", ["lots", "16777216T", "16777217T", "9000000000G"])
def test_bad_max_size(image, target_file, size):
    # 16777216T is 2^64 bytes: a wrapping shift made it a 0-byte limit
    # (16777217T: 1 TiB), reported as the card being too large
    card = target_file(16 * MiB)
    r = run_script("--yes", "--max-size", size, image, card)
    assert r.rc == 2 and "is not a size" in r.err, r


def _root_disk():
    """The whole disk under / (a partition resolved to its disk), or None."""
    src = subprocess.run(["findmnt", "-n", "-o", "SOURCE", "/"], capture_output=True,
                         text=True).stdout.strip().split("[")[0]
    if not (src.startswith("/dev/") and Path(src).is_block_device()):
        return None
    sysd = (Path("/sys/class/block") / os.path.basename(os.path.realpath(src))).resolve()
    if (sysd / "partition").exists():
        sysd = sysd.parent
    return "/dev/" + sysd.name


def test_system_disk_root(image):
    """The disk holding / here. Never with --yes: should the checks miss it,
    the missing terminal still stops the script before it writes."""
    src = _root_disk()
    if src is None:
        pytest.skip("/ is not on a block device here; test_system_disk_partition covers "
                    "the partition-to-disk resolution")
    r = run_script("--force-size", "--allow-fixed", image, src)
    assert r.rc == 2, r
    assert f"is a system disk: {src} holds /" in r.err, r


def test_system_disk_partition(image, loops, tmp_path):
    """A loop disk whose partition carries a "system" mount (the script's
    test hook FLASH_SYSTEM_PATHS adds paths to /, /boot, /usr...): the
    partition resolves to its disk, which is refused as a system disk."""
    dev = loops.loop(32 * MiB, parts=2)
    mnt = loops.mkfs_mount(dev + "p2")
    env = dict(os.environ, FLASH_SYSTEM_PATHS=str(mnt))
    r = run_script("--yes", image, dev, env=env)
    assert_refused(r, f"{dev} is a system disk: {dev} holds {mnt}")


def test_fixed_disk_refused(image):
    """A non-removable disk that is neither USB, mmcblk nor loop: the root
    disk here (a virtio disk), again never with --yes."""
    src = _root_disk()
    if src is None:
        pytest.skip("no fixed block device visible here")
    name = os.path.basename(src)
    if (Path("/sys/class/block") / name / "removable").read_text().strip() != "0":
        pytest.skip(f"{name} is removable")
    r = run_script("--force-size", image, f"/dev/{name}")
    assert "is a fixed (non-removable" in r.err and r.rc == 2, r


def test_no_terminal_no_yes(image, target_file):
    card = target_file(16 * MiB)
    before = sha256_of(card)
    assert_refused(run_script(image, card), "no terminal to ask on")
    assert_refused(run_make(FLASH_IMAGE=image, DEV=card), "no terminal to ask on")
    assert sha256_of(card) == before


@pytest.mark.parametrize("answer", ["no", "y", "YES", ""])
def test_answer_not_yes(image, target_file, answer):
    card = target_file(16 * MiB)
    before = sha256_of(card)
    r = run_with_tty([image, card], answer)
    assert r.rc == 1, r
    assert 'Type "yes" to overwrite' in r.text and "aborted: nothing written" in r.err, r
    assert sha256_of(card) == before


def test_answer_yes(image, target_file):
    card = target_file(16 * MiB)
    r = run_with_tty([image, card], "yes")
    assert_written(r, image, card)
    assert f"image {image}: {IMAGE_SIZE} bytes" in r.out, r


@pytest.mark.parametrize("answer", ["no", "yes"])
def test_make_asks(image, target_file, answer):
    card = target_file(16 * MiB)
    before = sha256_of(card)
    cmd = ["make", "--no-print-directory", "-C", str(REPO), "flash",
           f"FLASH_IMAGE={image}", f"DEV={card}"]
    r = run_with_tty(None, answer, cmd=cmd)
    assert 'Type "yes" to overwrite' in r.text, r
    if answer == "yes":
        assert_written(r, image, card)
    else:
        assert r.rc != 0 and "aborted: nothing written" in r.err, r
        assert sha256_of(card) == before


@pytest.mark.parametrize("kind", ["file", "loop"])
def test_smaller_than_image(image, target_file, loops, kind):
    dev = str(target_file(4 * MiB)) if kind == "file" else loops.loop(4 * MiB)
    before = sha256_of(dev)
    assert_refused(run_script("--yes", image, dev), "is smaller than the image")
    assert sha256_of(dev) == before


def test_regular_file_in_dev_refused(image):
    """/dev/sdX as a regular file: what `dd of=/dev/sdX` leaves when the
    card was not there."""
    stray = Path(f"/dev/flashtest{os.getpid()}")
    with open(stray, "wb") as f:
        f.truncate(16 * MiB)
    try:
        assert_refused(run_script("--yes", image, stray), "is a regular file in /dev")
        assert sha256_of(stray) == hashlib.sha256(b"\0" * 16 * MiB).hexdigest()
    finally:
        stray.unlink()


def test_image_missing_or_empty(tmp_path, target_file):
    card = target_file(16 * MiB)
    assert_refused(run_script("--yes", tmp_path / "nope.img", card), "is missing")
    empty = tmp_path / "empty.img"
    empty.write_bytes(b"")
    assert_refused(run_script("--yes", empty, card), "is empty")


def test_dev_missing(image, tmp_path):
    assert_refused(run_script("--yes", image, tmp_path / "sdz"), "does not exist")
    assert not (tmp_path / "sdz").exists()
    r = run_make(FLASH_IMAGE=image)
    assert r.rc == 2 and "DEV= not given" in r.err, r
    assert_refused(run_script("--yes", image, "/dev/null"), "neither a block device nor a regular file")
    assert_refused(run_script("--yes", image, image), "is the image itself")


# ---- write errors ------------------------------------------------------------

def test_write_error_full_tmpfs(image, target_file, loops):
    fs = loops.tmpfs("2m")
    card = fs / "card.bin"
    with open(card, "wb") as f:
        f.truncate(16 * MiB)  # sparse: looks big enough, cannot hold the image
    r = run_script("--yes", image, card)
    assert r.rc == 1, r
    assert "FAILED: writing" in r.err and "No space left" in r.err and "INCOMPLETE" in r.err, r
    assert "done:" not in r.out


def test_write_error_readonly_loop(image, loops):
    dev = loops.loop(32 * MiB, readonly=True)
    before = sha256_of(dev)
    r = run_script("--yes", image, dev)
    assert r.rc == 1, r
    assert "FAILED: nothing could be written" in r.err and "is read-only" in r.err, r
    assert "done:" not in r.out
    assert sha256_of(dev) == before


def test_interrupt_while_writing(tmp_path, loops):
    """Ctrl-C (SIGINT to the process group) during dd: the script says the
    card is incomplete and does not claim success."""
    big = tmp_path / "big.img"
    with open(big, "wb") as f:
        f.truncate(192 * MiB)  # about 0.25 s to write and fsync here
    dev = loops.loop(200 * MiB)
    p = subprocess.Popen([str(FLASH), "--yes", str(big), dev], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True,
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    out = ""
    for line in p.stdout:
        out += line
        if line.startswith("flash: writing "):
            time.sleep(0.02)  # let dd start
            os.killpg(p.pid, signal.SIGINT)
            break
    rest, err = p.communicate(timeout=60)
    out += rest
    assert "done:" not in out, f"finished before the interrupt landed:\n{out}{err}"
    assert p.returncode == 130, f"rc={p.returncode}\n{out}{err}"
    assert "INTERRUPTED while writing" in err and "INCOMPLETE" in err, err


def _exclusive_open(dev):
    try:
        os.close(os.open(dev, os.O_RDONLY | os.O_EXCL))
        return "free"
    except OSError as e:
        return e.strerror


def test_card_claimed_while_writing(tmp_path, loops):
    """While dd writes and the script reads back, the card is claimed
    (O_EXCL): an automounter's mount would fail. Released at the end."""
    big = tmp_path / "big.img"
    with open(big, "wb") as f:
        f.write(os.urandom(MiB))
        f.truncate(128 * MiB)
    dev = loops.loop(128 * MiB)
    p = subprocess.Popen([str(FLASH), "--yes", str(big), dev], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    during = None
    out = ""
    for line in p.stdout:
        out += line
        if line.startswith("flash: writing "):
            during = _exclusive_open(dev)
            break
    rest, err = p.communicate(timeout=60)
    out += rest
    assert p.returncode == 0 and "done:" in out, f"{out}{err}"
    assert during == "Device or resource busy", during
    assert _exclusive_open(dev) == "free"


def test_help():
    r = run_script("--help")
    assert r.rc == 0 and "usage:" in r.out and "YES=1" in r.out and "MAX_SIZE" in r.out
