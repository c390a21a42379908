#!/usr/bin/env python3
"""Seeds for fuzz_nic: well-formed guests (plain, checksum offload, TSO,
mergeable RX) laid out as fuzz_nic.c reads its input, so the fuzzer starts
from chains the firmware accepts and mutates toward the bounds.
usage: fuzz_seeds.py OUTDIR"""
import os
import struct
import sys

BASE = 0x80000000
RXD, RXA, TXD, TXA = 0x0000, 0x1000, 0x3000, 0x4000
BUF = 0x10000  # first byte after the rings in the input's memory part


def frame(pay, tcp=True):
    dst, src = bytes.fromhex("02aa00000001"), bytes.fromhex("020000000001")
    l4 = (20 if tcp else 8) + pay
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + l4, 1, 0x4000, 64, 6 if tcp else 17, 0,
                     bytes([192, 0, 2, 10]), bytes([198, 51, 100, 1]))
    if tcp:
        h = struct.pack("!HHIIBBHHH", 1000, 2000, 1, 0, 5 << 4, 0x18, 65535, 0, 0)
    else:
        h = struct.pack("!HHHH", 1000, 2000, l4, 0)
    return dst + src + b"\x08\x00" + ip + h + bytes(i & 255 for i in range(pay))


def seed(feat, vnet, fr, rx_len=2048, n_rx=2):
    mem = bytearray(0x6000)
    for i in range(n_rx):
        struct.pack_into("<QIHH", mem, RXD + 16 * i, BASE + BUF + 0x8000 * i, rx_len, 2, 0)
        struct.pack_into("<H", mem, RXA + 4 + 2 * i, i)
    struct.pack_into("<QIHH", mem, TXD, BASE + BUF + 0x20000, 12, 1, 1)
    struct.pack_into("<QIHH", mem, TXD + 16, BASE + BUF + 0x20100, len(fr), 0, 0)
    struct.pack_into("<H", mem, TXA + 4, 0)
    # The input's memory part continues at guest offset 0x10000 (BUF):
    # header at BUF + 0x20000, frame at BUF + 0x20100, RX buffers below.
    bufs = bytearray(0x20100 + len(fr))
    bufs[0x20000:0x20000 + 12] = vnet
    bufs[0x20100:0x20100 + len(fr)] = fr
    return bytes([feat]) + struct.pack("<HH", 1, n_rx) + bytes(mem) + bytes(bufs)


def vnet(flags=0, gso=0, hdr_len=0, gso_size=0, start=0, off=0):
    return struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, start, off, 0)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
seeds = {
    "plain": seed(0, vnet(), frame(100)),
    "csum": seed(0, vnet(1, 0, 0, 0, 34, 16), frame(500)),
    "udp-csum-nomrg": seed(1, vnet(1, 0, 0, 0, 34, 6), frame(300, tcp=False)),
    "tso4": seed(0, vnet(1, 1, 54, 1000, 34, 16), frame(4000)),
    "uso": seed(3, vnet(1, 5, 42, 800, 34, 6), frame(3000, tcp=False), rx_len=600, n_rx=4),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
