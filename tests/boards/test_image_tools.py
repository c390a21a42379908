"""The two generators behind `make image`, on their own and fast:
scripts/mkimage-disk.sh (each layout read back by sfdisk and mtools; a
failure in the middle leaves neither a partial image nor its temporary
file, and an earlier image untouched) and scripts/mkfit.py (where the
images go, and what it refuses)."""
import os
import subprocess

import pytest

from conftest import PART_START, REPO, SECTOR, fat_dir, fat_read, partitions, run

DISK = REPO / "scripts" / "mkimage-disk.sh"
MKFIT = REPO / "scripts" / "mkfit.py"
PY = "/usr/bin/python3"
MiB = 1 << 20


def blob(path, size, seed):
    path.write_bytes(bytes((i * 131 + seed) & 0xFF for i in range(size)))
    return path


@pytest.mark.parametrize("kind,label,ptype", [("gpt-fat", "gpt", "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"),
                                              ("mbr-fat", "dos", "e")])
def test_fat_layouts_hold_the_files(kind, label, ptype, tmp_path):
    a = blob(tmp_path / "a.bin", 300_000, 1)
    b = blob(tmp_path / "b.bin", 5_000, 2)
    out = tmp_path / "disk.img"
    p = run([str(DISK), kind, str(out), "4", str(a), f"{b}:renamed.elf"])
    assert p.returncode == 0, p.stderr
    assert out.stat().st_size == (2048 + 4 * 2048 + 2048) * SECTOR
    pt = partitions(out)
    assert pt["label"] == label
    (part,) = pt["partitions"]
    assert (part["start"], part["size"], part["type"]) == (PART_START, 4 * 2048, ptype)
    assert {k.lower(): v for k, v in fat_dir(out).items()} == {"a.bin": 300_000,
                                                                "renamed.elf": 5_000}
    assert fat_read(out, "renamed.elf", tmp_path / "r") == b.read_bytes()
    assert fat_read(out, "a.bin", tmp_path / "r2") == a.read_bytes()


def test_raw_layout_puts_the_payload_at_partition_1(tmp_path):
    pay = blob(tmp_path / "fw.bin", 3 * MiB + 7, 3)
    out = tmp_path / "disk.img"
    p = run([str(DISK), "gpt-raw", str(out), "4", str(pay)])
    assert p.returncode == 0, p.stderr
    data = out.read_bytes()
    assert data[PART_START * SECTOR:PART_START * SECTOR + pay.stat().st_size] == pay.read_bytes()
    assert partitions(out)["partitions"][0]["type"] == "7412F7D5-A156-4B13-81DC-867174929325"


@pytest.mark.parametrize("kind", ["gpt-fat", "mbr-fat", "gpt-raw"])
def test_a_failure_leaves_no_partial_image(kind, tmp_path):
    """2 MiB into a 1 MiB partition: mcopy finds the FAT full (FAT
    layouts), the size check refuses it (raw); both after the image file
    was started."""
    big = blob(tmp_path / "big.bin", 2 * MiB, 4)
    out = tmp_path / "disk.img"
    p = run([str(DISK), kind, str(out), "1", str(big)])
    assert p.returncode != 0
    assert "full" in p.stderr or "does not fit" in p.stderr, p.stderr
    assert sorted(os.listdir(tmp_path)) == ["big.bin"]
    # over an earlier image: it stays as it was
    out.write_bytes(b"earlier image")
    p = run([str(DISK), kind, str(out), "1", str(big)])
    assert p.returncode != 0
    assert out.read_bytes() == b"earlier image"
    assert sorted(os.listdir(tmp_path)) == ["big.bin", "disk.img"]


def mkfit(*args):
    return subprocess.run([PY, str(MKFIT), *map(str, args)], capture_output=True, text=True)


def test_mkfit_places_images_in_order_on_1mib_boundaries(tmp_path):
    rows = [("vm-a", 5), ("vm-b", MiB + 1), ("nic", 4096)]
    lines = []
    for i, (node, size) in enumerate(rows):
        lines.append(f"{node} {blob(tmp_path / f'{i}.bin', size, i)} {size}")
    txt = tmp_path / "images.txt"
    txt.write_text("\n".join(lines) + "\n")
    p = mkfit("dtsi", txt, "0x90000000")
    assert p.returncode == 0, p.stderr
    # compiled by dtc, read back by fdtget: addresses and sizes
    dts = tmp_path / "t.dts"
    dts.write_text("/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>; };\n" + p.stdout)
    dtb = tmp_path / "t.dtb"
    c = run(["dtc", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(dts)])
    assert c.returncode == 0 and c.stderr == "", c.stderr
    nodes = run(["fdtget", "-l", str(dtb), "/chosen/hypervisor-images"]).stdout.split()
    assert nodes == ["vm-a@90000000", "vm-b@90100000", "nic@90300000"]
    for node, (_, size) in zip(nodes, rows):
        reg = [int(x, 16) for x in run(["fdtget", "-t", "x", str(dtb),
                                        f"/chosen/hypervisor-images/{node}", "reg"]).stdout.split()]
        assert reg == [0, int(node.split("@")[1], 16), 0, size]


def test_mkfit_refuses_a_stale_list_and_a_bad_base(tmp_path):
    img = blob(tmp_path / "a.bin", 100, 5)
    txt = tmp_path / "images.txt"
    txt.write_text(f"vm-a {img} 99\n")
    p = mkfit("dtsi", txt, "0xa0000000")
    assert p.returncode == 1 and "images.txt says 99" in p.stderr
    txt.write_text(f"vm-a {img} 100\n")
    p = mkfit("dtsi", txt, "0xa0000800")
    assert p.returncode == 1 and "not 1 MiB aligned" in p.stderr
    txt.write_text(f"guest {img} 100\n")
    p = mkfit("dtsi", txt, "0xa0000000")
    assert p.returncode == 1 and "neither vm-<name> nor nic" in p.stderr


def test_mkfit_refuses_images_reaching_uboot(tmp_path):
    # bootm copies loadables to `load` without looking where U-Boot lives:
    # past IMAGES_TOP (make image: end of RAM less U-Boot's area) the build
    # must stop, not make a disk that hangs at boot
    img = tmp_path / "big.bin"
    with open(img, "wb") as f:
        f.truncate(2 * MiB + 1)  # vm-a at 0xa0000000, the tree at 0xa0300000
    txt = tmp_path / "images.txt"
    txt.write_text(f"vm-a {img} {2 * MiB + 1}\n")
    dtb = blob(tmp_path / "t.dtb", 4096, 3)
    for top, ok in (("0xa0400000", True), ("0xa03fffff", False)):
        env = dict(os.environ, IMAGES_TOP=top)
        for args in (("dtsi", txt, "0xa0000000"), ("its", txt, "0xa0000000", img, dtb)):
            p = subprocess.run([PY, str(MKFIT), *map(str, args)], capture_output=True,
                               text=True, env=env)
            if ok:
                assert p.returncode == 0, p.stderr
            else:
                assert p.returncode == 1 and "above 0xa03fffff" in p.stderr, p.stderr
                assert p.stdout == ""


def test_opensbi_payload_refuses_what_its_tree_copy_would_overwrite(tmp_path):
    # fw_payload copies the device tree to 0x82200000 before it jumps: a
    # payload (the hv, images embedded) from 0x80200000 past that was
    # built and then silently corrupted at boot
    big = tmp_path / "hv.bin"
    with open(big, "wb") as f:
        f.truncate(0x2000000 + 1)
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    p = subprocess.run(["make", "--no-print-directory", "-s", "-C", str(REPO), "opensbi-payload",
                        f"OSBI_OUT={out}", f"OSBI_PAYLOAD={big}"], capture_output=True, text=True,
                       env=env, timeout=600)
    assert p.returncode != 0 and "0x82200000" in p.stderr, p.stderr
    assert not (out / "fw_payload.bin").exists() and not (out / "fw_payload.elf").exists()
