"""`make image` for every board, its output read back by tools that did not
make it: sfdisk/sgdisk for the partition tables, mtools for the FAT,
dumpimage for the FIT, dtc for every device tree, and plain bytes compared
with the files they came from."""
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import (PART_START, REPO, SECTOR, boards_by_boot, fat_dir, fat_read,
                      make_image, partitions, run, sha256)

BASIC_DATA = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"  # sgdisk 0700
ONIE_BOOT = "7412F7D5-A156-4B13-81DC-867174929325"  # sgdisk 3000 (CVA6 card)
HV_LOAD = 0x80200000
MiB = 1 << 20


def produced(image):
    """{path: size} from the summary `make image` prints."""
    return {REPO / m.group(1): int(m.group(2))
            for m in re.finditer(r"^\s+(\S+)\s+(\d+) bytes$", image.text, re.M)}


def hv_bin(image, ext):
    return (REPO / "build" / image.board /
            f"{image.cfg_name}{'-ext' if ext else ''}" / "hv.bin")


def test_make_image_prints_what_it_wrote(image):
    files = produced(image)
    assert image.disk in files, image.text
    assert image.out / "fw_payload.bin" in files and image.out / "fw_payload.elf" in files
    for path, size in files.items():
        assert path.stat().st_size == size, path
    # nothing half-written left beside them
    assert not [p for p in image.out.iterdir() if p.name.endswith(".tmp") or
                p.name.startswith(".disk.img.")]


def test_partition_table(image):
    pt = partitions(image.disk)
    assert len(pt["partitions"]) == 1, pt
    part = pt["partitions"][0]
    assert part["start"] == PART_START
    payload = {"uboot-fit": image.out / "rvhv.itb",
               "sd-gpt-payload": image.out / "fw_payload.bin",
               "sd-fat-elf": image.out / "fw_payload.elf"}[image.boot]
    assert part["size"] * SECTOR > payload.stat().st_size
    # the partition lies inside the image
    assert (part["start"] + part["size"]) * SECTOR <= image.disk.stat().st_size
    if image.boot == "sd-fat-elf":
        assert pt["label"] == "dos"
        assert part["type"] == "e" and part.get("bootable") is True
        p = run(["sfdisk", "-l", str(image.disk)])
        assert p.returncode == 0 and re.search(r"disk\.img1 \*\s+2048\s", p.stdout), p.stdout
        return
    assert pt["label"] == "gpt"
    p = run(["sgdisk", "-v", str(image.disk)])
    assert p.returncode == 0 and "No problems found" in p.stdout, p.stdout
    p = run(["sgdisk", "-p", str(image.disk)])
    assert p.returncode == 0, p.stderr
    row = re.search(r"^\s+1\s+(\d+)\s+(\d+)\s+\S+ \S+\s+([0-9A-F]{4})\s", p.stdout, re.M)
    assert row, p.stdout
    if image.boot == "uboot-fit":
        assert part["type"] == BASIC_DATA and row.group(3) == "0700"
        assert "LegacyBIOSBootable" in part.get("attrs", "")
    else:
        # the CVA6 instructions: sgdisk --new=1:2048:67583 --typecode=1:3000
        assert part["type"] == ONIE_BOOT and row.group(3) == "3000"
        assert (int(row.group(1)), int(row.group(2))) == (2048, 67583)


@pytest.mark.parametrize("board", boards_by_boot("sd-gpt-payload"))
def test_raw_payload_on_partition(board):
    img = make_image(board)
    assert img.rc == 0, img.text
    fw = (img.out / "fw_payload.bin").read_bytes()
    with open(img.disk, "rb") as f:
        f.seek(PART_START * SECTOR)
        assert f.read(len(fw)) == fw


@pytest.mark.parametrize("board", boards_by_boot("uboot-fit", "sd-fat-elf"))
def test_fat_files(board, tmp_path):
    img = make_image(board)
    assert img.rc == 0, img.text
    want = ({"boot.scr": img.out / "boot.scr", "rvhv.itb": img.out / "rvhv.itb"}
            if img.boot == "uboot-fit" else {"boot.elf": img.out / "fw_payload.elf"})
    listing = {k.lower(): v for k, v in fat_dir(img.disk).items()}
    assert listing == {k: v.stat().st_size for k, v in want.items()}
    for name, src in want.items():
        assert fat_read(img.disk, name, tmp_path / name) == src.read_bytes(), name


def test_fw_payload_carries_the_hypervisor(image):
    """OpenSBI's fw_payload: the embedded-image hv at offset 0x200000 (its
    link address 0x80200000 - FW_TEXT_START 0x80000000), an ELF entered at
    0x80000000, and the board's DTB inside where the boot ROM's tree will
    not do (FPGA boards)."""
    fw = (image.out / "fw_payload.bin").read_bytes()
    hv = hv_bin(image, ext=False).read_bytes()
    assert fw[0x200000:0x200000 + len(hv)] == hv
    p = run(["riscv64-unknown-elf-readelf", "-h", str(image.out / "fw_payload.elf")])
    assert re.search(r"Entry point address:\s+0x80000000$", p.stdout, re.M), p.stdout
    dtb = image.out / f"{image.board}.dtb"
    if image.boot in ("sd-gpt-payload", "sd-fat-elf"):
        assert dtb.read_bytes() in fw
    else:
        assert not dtb.exists() or dtb.read_bytes() not in fw


def fit_listing(itb):
    """dumpimage -l: {image name: {field: value}}, and the configuration."""
    p = run(["dumpimage", "-l", str(itb)])
    assert p.returncode == 0, p.stderr
    images, cur, conf, key = {}, None, {}, None
    for line in p.stdout.splitlines():
        m = re.match(r"^ Image (\d+) \((\S+)\)$", line)
        if m:
            cur = images.setdefault(m.group(2), {"index": int(m.group(1))})
            continue
        if re.match(r"^ (Default Configuration|Configuration \d+)", line):
            cur = conf
        m = re.match(r"^\s+([A-Za-z ]+):\s+(.*)$", line)
        if m and cur is not None:
            key = m.group(1).strip()
            cur[key] = m.group(2).strip()
        elif cur is conf and key == "Loadables" and line.strip():
            cur[key] += ", " + line.strip()  # one loadable per line
    return images, conf


def fdt_nodes(dtb, path):
    p = run(["fdtget", "-l", str(dtb), path])
    assert p.returncode == 0, p.stderr
    return p.stdout.split()


def fdt_reg(dtb, path):
    p = run(["fdtget", "-t", "x", str(dtb), path, "reg"])
    assert p.returncode == 0, p.stderr
    c = [int(x, 16) for x in p.stdout.split()]
    return (c[0] << 32 | c[1]), (c[2] << 32 | c[3])


@pytest.mark.parametrize("board", boards_by_boot("uboot-fit"))
def test_fit_lists_every_image_hashed(board, tmp_path):
    img = make_image(board)
    assert img.rc == 0, img.text
    images, conf = fit_listing(img.out / "rvhv.itb")
    rows = img.images_txt()
    assert set(images) == {"hv", "fdt", *(r[0] for r in rows)}
    for name, f in images.items():
        assert f["Hash algo"] == "sha256", name
    # each hash is the SHA-256 of the file it came from
    hv = images["hv"]
    assert (hv["Type"], hv["OS"], hv["Architecture"]) == ("Kernel Image", "Linux", "RISC-V")
    assert int(hv["Load Address"], 16) == HV_LOAD and int(hv["Entry Point"], 16) == HV_LOAD
    assert hv["Hash value"] == sha256(hv_bin(img, ext=True))
    fdt = img.out / f"{board}-fit.dtb"
    assert images["fdt"]["Hash value"] == sha256(fdt)
    assert conf["Kernel"] == "hv" and conf["FDT"] == "fdt"
    assert conf.get("Loadables", "").split(", ") == ([r[0] for r in rows] or [""])
    # the tree inside the FIT is the one built, and it names each image
    # where the FIT loads it
    out = tmp_path / "fit-fdt.dtb"
    p = run(["dumpimage", "-T", "flat_dt", "-p", str(images["fdt"]["index"]),
             "-o", str(out), str(img.out / "rvhv.itb")])
    assert p.returncode == 0, p.stderr
    assert out.read_bytes() == fdt.read_bytes()
    nodes = fdt_nodes(out, "/chosen/hypervisor-images")
    assert [n.split("@")[0] for n in nodes] == [r[0] for r in rows]
    mk = img.mk
    base, ram_end = int(mk["BOARD_IMAGES_BASE"], 16), int(mk["BOARD_RAM_BASE"], 16) + int(
        mk["BOARD_RAM_SIZE"], 16)
    end = base
    for (node, path, size), dt_node in zip(rows, nodes):
        f = images[node]
        load = int(f["Load Address"], 16)
        assert f["Hash value"] == sha256(path), node
        assert f["Data Size"].split()[0] == str(size) == str(path.stat().st_size)
        assert fdt_reg(out, f"/chosen/hypervisor-images/{dt_node}") == (load, size)
        assert dt_node == f"{node}@{load:x}"
        # in order, 1 MiB aligned, not overlapping, above the base, in RAM
        assert load % MiB == 0 and load >= end and load + size <= ram_end
        end = load + size
    fdt_load = int(images["fdt"]["Load Address"], 16)
    assert fdt_load >= end and fdt_load + fdt.stat().st_size <= ram_end


def dtbs(image, tmp_path):
    """Every DTB `make image` wrote, and for U-Boot boards the one inside
    the FIT."""
    out = sorted(image.out.glob("*.dtb"))
    if image.boot == "uboot-fit":
        images, _ = fit_listing(image.out / "rvhv.itb")
        ext = tmp_path / "from-fit.dtb"
        p = run(["dumpimage", "-T", "flat_dt", "-p", str(images["fdt"]["index"]),
                 "-o", str(ext), str(image.out / "rvhv.itb")])
        assert p.returncode == 0, p.stderr
        out.append(ext)
    return out


def test_every_dtb_decompiles_without_warning(image, tmp_path):
    found = dtbs(image, tmp_path)
    if image.boot != "sd-fat-elf":
        assert found, "no DTB written"
    for dtb in found:
        p = run(["dtc", "-I", "dtb", "-O", "dts", "-o", "/dev/null", str(dtb)])
        assert p.returncode == 0 and p.stderr == "", f"{dtb}:\n{p.stderr}"


@pytest.mark.parametrize("board", boards_by_boot("sd-gpt-payload", "sd-fat-elf"))
def test_failed_image_build_leaves_no_partial_image(board, tmp_path):
    """A partition too small for the payload fails the build after the
    image file was started: neither a fresh nor an earlier disk.img may be
    left partial."""
    fresh = tmp_path / "fresh"
    small = "IMG_PART_MB=1"
    r = make_image(board, small, out=str(fresh))
    assert r.rc != 0
    assert re.search(r"does not fit|full", r.text), r.text
    assert not (fresh / "disk.img").exists()
    assert not list(fresh.glob(".disk.img.*"))
    # an earlier, complete image stays as it was
    ok = make_image(board)
    assert ok.rc == 0, ok.text
    again = tmp_path / "again"
    again.mkdir()
    shutil.copyfile(ok.disk, again / "disk.img")
    before = sha256(again / "disk.img")
    p = subprocess.run(["make", "--no-print-directory", "image", f"BOARD={board}", small,
                        f"IMG_OUT={again}"], cwd=REPO, capture_output=True, text=True,
                       timeout=600)
    assert p.returncode != 0
    assert sha256(again / "disk.img") == before
    assert not list(again.glob(".disk.img.*"))
