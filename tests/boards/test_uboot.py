"""The flash flow in QEMU: the qemu-virt disk image written by `make flash`
to a file standing in for a 64 MiB card, that card attached as a virtio
disk, booted by OpenSBI fw_jump and
Debian's U-Boot (S-mode) whose distro boot finds boot.scr, loads the FIT,
checks every image's SHA-256 and boots the hypervisor, whose guests reach
their first output. Then the same disk with one byte of a guest image
flipped: U-Boot must refuse it before anything runs."""
import re
import shutil
import subprocess

import pytest

from conftest import (REPO, boards_by_boot, fat_file_offset, fdt_prop_offset, make_image, qemu_boot,
                      qemu_machine, uboot_boot)

# basic.cfg: hello + ticker, both finish and the hv powers off, so QEMU
# exits by itself
DEMO = "basic"
BOOT_TIMEOUT = 180  # U-Boot's 2 s autoboot delay, QEMU on a shared machine
QEMU_BOARDS = [b for b in boards_by_boot("uboot-fit") if qemu_machine(b)]


def basic_image(board):
    img = make_image(board, f"DEMO={DEMO}")
    assert img.rc == 0, img.text
    return img


@pytest.fixture(params=QEMU_BOARDS)
def basic(request):
    return basic_image(request.param)


def fit_images(lines):
    """U-Boot's FIT log: [(image name, [lines up to the next image])]."""
    out = []
    for line in lines:
        m = re.match(r"^\s+Trying '(\S+)' \S+ subimage$", line)
        if m:
            out.append((m.group(1), []))
        elif out:
            out[-1][1].append(line)
    return out


def flash_card(board, path, size=64 << 20):
    """`make flash` of the board's basic image onto a card-sized file, as a
    user writes a card; the card is bigger than the image, like a real one."""
    with open(path, "wb") as f:
        f.truncate(size)
    p = subprocess.run(["make", "--no-print-directory", "flash", f"BOARD={board}",
                        f"DEMO={DEMO}", f"DEV={path}", "YES=1"], cwd=REPO,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout + p.stderr
    assert path.stat().st_size == size  # the card keeps its size


def test_uboot_boots_the_disk(basic, tmp_path):
    disk = tmp_path / "card.img"
    flash_card(basic.board, disk)
    rows = basic.images_txt()
    vms = [n[3:] for n, _, _ in rows if n.startswith("vm-")]
    lines, reason = uboot_boot(disk, f"uboot-{basic.board}", r"^hv: no VM running, powering off$",
                               timeout=BOOT_TIMEOUT, machine=qemu_machine(basic.board))
    text = "\n".join(lines)
    assert "Found U-Boot script /boot.scr" in lines, text
    checked = fit_images(lines)
    # every image of the FIT: the hv, its tree and each guest image
    assert sorted(n for n, _ in checked) == sorted(["hv", "fdt", *(n for n, _, _ in rows)]), text
    for name, log in checked:
        assert "   Verifying Hash Integrity ... sha256+ OK" in log, f"{name}:\n" + "\n".join(log)
    assert "Starting kernel ..." in lines
    start = lines.index("Starting kernel ...")
    after = lines[start + 1:]
    assert any(l.startswith("hv: rvhv on hart ") for l in after), text
    # the hv took its guests from the tree, where the FIT put them
    assert f"hv: {len(rows)} guest images from the device tree (/chosen/hypervisor-images)" \
        in after, text
    # each guest reached its first output
    for vm in vms:
        assert any(l.startswith(f"[{vm}] ") for l in after), f"no output from {vm}:\n{text}"
    assert reason == "matched", f"{reason}:\n{text}"


def test_uboot_refuses_a_flipped_byte(tmp_path):
    basic = basic_image("qemu-virt")
    disk = tmp_path / "card.img"
    shutil.copyfile(basic.disk, disk)
    rows = basic.images_txt()
    node, path, size = next(r for r in rows if r[0].startswith("vm-"))
    # where the guest image's bytes are on the disk: the FIT file's place
    # in the FAT, plus the image's data property inside the FIT
    fit = (basic.out / "rvhv.itb").read_bytes()
    data, length = fdt_prop_offset(fit, f"/images/{node}", "data")
    assert length == size
    at = fat_file_offset(disk, "rvhv.itb") + data + size // 2
    blob = bytearray(disk.read_bytes())
    original = path.read_bytes()
    # the computed place holds exactly the guest image
    assert bytes(blob[at - size // 2:at - size // 2 + size]) == original
    blob[at] ^= 0x01
    disk.write_bytes(bytes(blob))

    lines, reason = uboot_boot(disk, "uboot-tampered",
                               r"SCRIPT FAILED|^Starting kernel|^hv: ", timeout=BOOT_TIMEOUT)
    text = "\n".join(lines)
    checked = dict(fit_images(lines))
    assert node in checked, text
    log = "\n".join(checked[node])
    assert "sha256 error" in log or "Bad hash value" in log, text
    assert "Starting kernel ..." not in lines
    assert not any(l.startswith("hv: ") for l in lines), text
    assert reason == "matched" and "SCRIPT FAILED" in lines[-1], f"{reason}:\n{text}"


@pytest.mark.parametrize("board", QEMU_BOARDS)
def test_fw_payload_boots(board):
    """The other path `make image` gives QEMU boards: OpenSBI fw_payload
    (hv with its images linked in) as QEMU's firmware, no U-Boot."""
    img = basic_image(board)
    lines, reason = qemu_boot(["-bios", str(img.out / "fw_payload.elf")], f"fw-payload-{board}",
                              r"^hv: no VM running, powering off$", timeout=BOOT_TIMEOUT,
                              machine=qemu_machine(board))
    text = "\n".join(lines)
    assert any(l.startswith("OpenSBI v1.1") for l in lines), text
    assert any(l.startswith("hv: rvhv on hart ") for l in lines), text
    for vm in ("hello", "ticker"):
        assert any(l.startswith(f"[{vm}] ") for l in lines), f"no output from {vm}:\n{text}"
    assert reason == "matched", f"{reason}:\n{text}"
