#!/usr/bin/env python3
"""Seeds for fuzz_nic: well-formed guests (plain, checksum offload, TSO,
mergeable RX, a TX chain in an indirect table) laid out as fuzz_nic.c
reads its input, so the fuzzer starts from chains the firmware accepts and
mutates toward the bounds; and command-form inputs (several rounds of
posting, frames and polls), one of them the in-flight ring overrun fixed
in abde0d9; the port's super-frames cut over several passes, a VF reset or
failed mid-cut; indirect tables honest and hostile (nested, too long, outside
the window, length not whole descriptors, loops); used_event values
around the wrap, one rewritten under the device's reads, the idle
hand-off.
usage: fuzz_seeds.py OUTDIR"""
import os
import re
import struct
import sys

BASE = 0x80000000
RXD, RXA, TXD, TXA = 0x0000, 0x1000, 0x3000, 0x4000
BUF = 0x10000  # first byte after the rings in the input's memory part
TXH = 0x2000  # TX header's offset from BUF (RX buffers below)


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


def seed(feat, vnet, fr, rx_len=2048, n_rx=2, indirect=False):
    """indirect: the TX chain's two descriptors are an indirect table at
    BUF + TXH - 0x100, the ring's descriptor 0 refers to it."""
    assert n_rx * 0x800 <= TXH - (0x100 if indirect else 0) and rx_len <= 0x800
    mem = bytearray(0x6000)
    bufs = bytearray(TXH + 0x100 + len(fr))
    for i in range(n_rx):
        struct.pack_into("<QIHH", mem, RXD + 16 * i, BASE + BUF + 0x800 * i, rx_len, 2, 0)
        struct.pack_into("<H", mem, RXA + 4 + 2 * i, i)
    chain = (bufs, TXH - 0x100) if indirect else (mem, TXD)
    struct.pack_into("<QIHH", chain[0], chain[1], BASE + BUF + TXH, 12, 1, 1)
    struct.pack_into("<QIHH", chain[0], chain[1] + 16, BASE + BUF + TXH + 0x100, len(fr), 0, 0)
    if indirect:
        struct.pack_into("<QIHH", mem, TXD, BASE + BUF + TXH - 0x100, 32, 4, 0)
    struct.pack_into("<H", mem, TXA + 4, 0)
    # The input's memory part continues at guest offset 0x10000 (BUF):
    # RX buffers (written by the device, not in the input) below TXH, then
    # the TX header at BUF + TXH and the frame 0x100 after. Kept short:
    # libFuzzer's cost per run grows with the input.
    bufs[TXH:TXH + 12] = vnet
    bufs[TXH + 0x100:TXH + 0x100 + len(fr)] = fr
    return bytes([feat]) + struct.pack("<HH", 1, n_rx) + bytes(mem) + bytes(bufs)


def vnet(flags=0, gso=0, hdr_len=0, gso_size=0, start=0, off=0):
    return struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, start, off, 0)


# Command form (fuzz_nic.c enum fz_op): byte 0 = 0x80 | RX256 << 2 |
# TX256 << 3 | features index, then 8-byte commands.
POST, AVAIL, INJECT, POLL, RESET, TX, POKE, ITABLE, EVENT, CTRL, PARAM = range(11)
# PARAM's keys, in the order of their one list (nicif/vf_param.h)
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "nicif",
                       "vf_param.h")) as _f:
    _KEYS = re.findall(r'^\s*X\((\w+), "', _f.read(), re.M)
MAX_TX_RATE, MIN_TX_RATE, WEIGHT, STORM, DHCP_GUARD, ROUTER_GUARD, TRUST = (
    _KEYS.index(k) for k in ("MAX_TX_RATE", "MIN_TX_RATE", "WEIGHT", "STORM", "DHCP_GUARD",
                             "ROUTER_GUARD", "TRUST"))
NKEYS = len(_KEYS)
RX256, TX256 = 4, 8
NO_INDIRECT, NO_EVENT_IDX = 16, 32  # byte 0 (and RESET's c[1]): features out
PASS = 64  # byte 0: the port takes and gives super-frames (port=pass)
# INJECT's kind bits: a virtio_net_hdr from the port
V_CSUM, V_GSO, V_ECN = 32, 64, 128
# ITABLE's c[3]
READABLE, LOOP, NESTED, RING_NEXT, ODD_LEN, STRADDLE, MIXED, LEN0 = (1 << i for i in range(8))
# EVENT's c[1]
TXQ, REL, SCRIBBLE, UNSCRIBBLE, AVAIL_EVENT, IDLE = 1, 2, 4, 8, 16, 32
DST_VF0, DST_BCAST, DST_VF1 = 0, 1, 2
ONLY_AVAIL = 8


def cmd(op, *b):
    return bytes([op, *b]) + bytes(7 - len(b))


def post(n, head, ln, area=0, flags=0, segs=1):
    """n chains from descriptor head on, segs descriptors of ln bytes each,
    buffers from 0x10000 + area."""
    return cmd(POST, n - 1, head, flags | (segs - 1) << 1, *struct.pack("<HH", ln, area // 16))


def inject(pay, dst=DST_VF0, kind=0, n=1, gso_size=0):
    return cmd(INJECT, *struct.pack("<H", pay), dst, kind, n - 1, *struct.pack("<H", gso_size))


def poll(n=1):
    return cmd(POLL, n - 1)


def tx(pay, dst=DST_VF1, udp=False, csum=False, tso=False, gso_size=1000, table=None):
    """tso: TSO (USO with udp) at gso_size; table: through the indirect
    table in that slot."""
    return cmd(TX, *struct.pack("<H", pay), dst,
               int(udp) | int(csum) << 1 | int(tso) << 2 | int(table is not None) << 3,
               *struct.pack("<H", gso_size), table or 0)


def itable(n, ln, rd, q=0, slot=0, flags=0, aux=0, too_long=False):
    """An indirect chain on queue q (0 RX): a table of n entries of ln
    bytes in slot, ring descriptor rd; flags and aux as fuzz_nic.c's
    FZ_ITABLE."""
    return cmd(ITABLE, q | slot << 1, (n - 1) | int(too_long) << 7, flags,
               *struct.pack("<H", ln), rd, aux)


def event(v, how=0, seed=0):
    """used_event of RX (TXQ in how: of TX) = v (REL: used->idx + v)."""
    return cmd(EVENT, how, *struct.pack("<HH", v & 0xffff, seed))


def prog(mode, *cmds):
    return bytes([0x80 | mode]) + b"".join(cmds)


out = sys.argv[1]
os.makedirs(out, exist_ok=True)
seeds = {
    "plain": seed(0, vnet(), frame(100)),
    "csum": seed(0, vnet(1, 0, 0, 0, 34, 16), frame(500)),
    "udp-csum-nomrg": seed(1, vnet(1, 0, 0, 0, 34, 6), frame(300, tcp=False)),
    "tso4": seed(0, vnet(1, 1, 54, 1000, 34, 16), frame(4000)),
    "uso": seed(3, vnet(1, 5, 42, 800, 34, 6), frame(3000, tcp=False), rx_len=600, n_rx=4),
    "cmd-rounds": prog(0, post(8, 0, 2048), inject(100, n=3), poll(), tx(300, csum=True),
                       tx(1500, tso=True, csum=True), poll(), post(8, 8, 2048, 0x4000),
                       inject(1000, DST_BCAST, kind=2), poll()),
    # Mergeable, 256 ring: a frame larger than what is posted waits in the
    # backlog; more is posted later and the backlog drains.
    "cmd-backlog-256": prog(RX256 | TX256, post(4, 0, 64), inject(1400, kind=1), poll(),
                            post(16, 4, 256, 0x1000), poll(), inject(200, n=4), poll(2)),
    # Without mergeable buffers: a too-small buffer drops, a bigger one
    # posted after is used by the next frame.
    "cmd-small-then-big": prog(1, post(2, 0, 100), inject(500), poll(), post(1, 2, 2048, 0x2000),
                               inject(500), poll(), cmd(RESET, 1, 0), post(4, 0, 1600),
                               inject(700, n=2), poll()),
    # abde0d9: the device holds 255 of 256 chains (1-byte buffers, the
    # newest with room for the header) after a frame went to the backlog;
    # the driver then claims a whole ring more. Before the fix one frame
    # took 255 + 256 chains, past nic->scr.heads (vf_rx.c).
    "cmd-inflight-overrun": prog(RX256, post(254, 0, 1), post(1, 254, 12, 0x1000),
                                 inject(600, kind=1), poll(), post(1, 255, 1, 0x2000),
                                 post(255, 0, 0, flags=ONLY_AVAIL), poll()),
    # The smallest gso_size (8, OE_GSO_MSS_MIN): super-frames of hundreds
    # of segments that go on over several passes, to the uplink, to VF 1,
    # broadcast; one below it, refused; a reset while the port still reads
    # one of them.
    "cmd-min-mss": prog(0, post(8, 0, 2048), tx(1700, 3, csum=True, tso=True, gso_size=8),
                        tx(1700, DST_VF1, csum=True, tso=True, gso_size=8),
                        tx(1200, DST_BCAST, udp=True, csum=True, tso=True, gso_size=8),
                        poll(2), inject(300, DST_VF0), poll(8)),
    "cmd-below-min-mss": prog(0, tx(1000, 3, csum=True, tso=True, gso_size=7), poll(),
                              tx(1000, 3, udp=True, csum=True, tso=True, gso_size=1), poll()),
    "cmd-reset-mid-superframe": prog(0, tx(1790, 3, csum=True, tso=True, gso_size=8), poll(2),
                                     cmd(RESET, 0, 0, 0, 3), tx(500, 3, csum=True), poll(2)),
    # Indirect tables (virtio 1.2 §2.7.5.3): TX frames and a super-frame
    # through tables, RX chains that are tables (one after a direct
    # descriptor), mergeable over them.
    "indirect-plain": seed(0, vnet(), frame(100), indirect=True),
    "cmd-indirect-honest": prog(0, tx(300, 3, csum=True, table=0),
                                tx(1500, 3, csum=True, tso=True, gso_size=500, table=1),
                                tx(200, DST_VF1, table=2), poll(2),
                                itable(2, 1024, 0, slot=3), itable(1, 2048, 1, slot=4, aux=16),
                                itable(1, 1500, 4, slot=5, flags=MIXED, aux=32),
                                inject(900, n=3), poll(), itable(3, 300, 8, slot=6, aux=48),
                                itable(3, 300, 9, slot=7, aux=64), inject(1400, kind=1), poll()),
    # Each hostile table on its own (the VF fails at the first): nested,
    # a loop, not whole descriptors, straddling the window's end, past it,
    # NEXT beside INDIRECT, length 0, longer than the queue; on TX too.
    **{f"cmd-indirect-{name}": prog(0, post(2, 20, 2048), itable(3, 512, 0, q=q, flags=fl, aux=aux,
                                                              too_long=tl),
                                    inject(300), tx(100, 3), poll(2))
       for name, q, fl, aux, tl in (
           ("nested", 0, NESTED, 1, False), ("loop", 0, LOOP, 0, False),
           ("odd-len", 0, ODD_LEN, 8, False), ("straddle", 0, STRADDLE, 1, False),
           ("past-window", 0, STRADDLE, 0x80, False), ("next", 0, RING_NEXT, 0, False),
           ("len0", 0, LEN0, 0, False), ("too-long", 0, 0, 0, True),
           ("tx-nested", 1, READABLE | NESTED, 2, False),
           ("tx-loop", 1, READABLE | LOOP | MIXED, 0, False))},
    "indirect-not-negotiated": prog(NO_INDIRECT, tx(300, 3, table=0), poll()),
    # Event indices (§2.7.7, §2.7.10): used_event at, behind and past the
    # used index, at 0xfffe and 0xffff; one rewritten as the device reads it;
    # avail_event scribbled on; the idle hand-off, then a chain; and a VF
    # without them.
    "cmd-event-idx": prog(0, post(16, 0, 2048), event(2), inject(100, n=3), poll(),
                          event(0xffff, REL), inject(100), poll(), event(1, REL), inject(100, n=2),
                          poll(), event(0x8000), event(0, TXQ), tx(200, 3), poll(),
                          event(3, REL | SCRIBBLE, 0x1234), inject(200, n=4), tx(300, 3), poll(2),
                          event(0, UNSCRIBBLE | AVAIL_EVENT, 0xbeef), tx(300, 3), poll(),
                          event(0, TXQ | IDLE), tx(300, 3), poll()),
    "cmd-event-idx-edges": prog(0, post(16, 0, 2048), event(0xfffe), event(0xffff, TXQ),
                               inject(60, n=8), tx(100, 3), poll(), post(8, 16, 2048, 0x8000),
                               event(0xffff, REL | SCRIBBLE, 7), inject(60, n=8), poll(4)),
    # port=pass: VF 0's super-frames to the port and to VF 1 whole, the
    # port's super-frames whole to VF 1 and cut up for a VF 0 without
    # GUEST_TSO (features index 3), a sum the port left undone, ECN.
    "cmd-pass": prog(PASS, post(32, 0, 2048), tx(1800, 3, tso=True, gso_size=500),
                     tx(1800, DST_VF1, tso=True, gso_size=300), poll(),
                     inject(1500, DST_VF1, V_CSUM | V_GSO, gso_size=400),
                     inject(1500, DST_VF0, V_CSUM | V_GSO | V_ECN, gso_size=400),
                     inject(700, DST_BCAST, V_CSUM | 1), poll(2)),
    "cmd-pass-no-guest-tso": prog(PASS | 3, post(32, 0, 2048),
                                  inject(2000, DST_VF0, V_CSUM | V_GSO | 2, n=2, gso_size=8),
                                  inject(2000, DST_VF0, V_CSUM | V_GSO, gso_size=1),
                                  inject(900, DST_VF0, V_CSUM | 1), poll(4)),
    # The port's super-frames cut for VF 0 over several passes (issue 12):
    # VF 0 reset mid-cut and up again; a broadcast USO one cut for VF 0
    # (no GUEST_USO) and whole to VF 1, VF 0's ring broken (avail a ring
    # ahead) mid-cut.
    "cmd-pass-cut-over-passes": prog(PASS | 3, post(64, 0, 2048),
                                     inject(2000, DST_VF0, V_CSUM | V_GSO, n=2, gso_size=8),
                                     poll(), cmd(RESET, 3, 0), post(64, 0, 2048), poll(2),
                                     inject(2000, DST_BCAST, V_CSUM | V_GSO | 1, gso_size=8),
                                     poll(), cmd(AVAIL, 0, 0xff, 0x7f), poll(3)),
    "cmd-no-event-idx": prog(NO_EVENT_IDX, post(4, 0, 2048), event(5), cmd(AVAIL, 0, 0, 0, 2, 1),
                             inject(100, n=2), poll(), event(0, IDLE), tx(100, 3), poll()),
    # The control queue: promisc off and on, a MAC table with a count past
    # its data, the ack byte read-only, outside the window, commands left
    # unkicked and then kicked.
    "cmd-ctrl": prog(0, cmd(CTRL, 0, 0, 1, 0), cmd(CTRL, 0, 0, 1 | 64, 1), poll(),
                     cmd(CTRL, 1, 0, 9, 0xff, 0xff, 0xff, 0x7f), cmd(CTRL, 1, 1, 6 | 128, 2),
                     cmd(CTRL, 0, 0x80, 1, 0), cmd(CTRL, 4, 0, 2 | 64, 1, 0), poll(2),
                     cmd(CTRL, 0x80, 0, 1, 0), poll(), cmd(RESET, 0, 0), cmd(CTRL, 0x40, 0, 1, 0),
                     poll()),
    # The admin's settings under traffic: a 1 Mbit/s cap on VF 0 while it
    # sends a super-frame, time moving 1 ms a command; a guarantee, a low
    # weight, a storm cap on broadcasts, the guards; a key past the list.
    "cmd-param": prog(0, cmd(PARAM, MAX_TX_RATE, 1, 0, 0, 0, 0xe8, 0x03),
                      tx(8000, tso=True, gso_size=500), poll(2),
                      cmd(PARAM, MIN_TX_RATE, 1, 0, 0, 0, 0xe8, 0x03), poll(2),
                      cmd(PARAM, WEIGHT, 1, 0, 0, 0, 0xe8, 0x03), tx(1400, dst=DST_BCAST),
                      cmd(PARAM, STORM, 1, 0, 0, 0, 0xe8, 0x03), tx(100, dst=DST_BCAST),
                      tx(100, dst=DST_BCAST), cmd(PARAM, DHCP_GUARD, 1), cmd(PARAM, ROUTER_GUARD, 1),
                      tx(300, udp=True), cmd(PARAM, NKEYS, 5),
                      cmd(PARAM, TRUST, 1), cmd(CTRL, 0, 0, 1, 1), cmd(CTRL, 1, 1, 6, 0x02, 0x33), inject(100, dst=3), cmd(PARAM, MAX_TX_RATE | 128, 0xff, 0xff),
                      poll(4), cmd(PARAM, MAX_TX_RATE, 0, 0, 0, 0, 0xff, 0xff), poll(4)),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
