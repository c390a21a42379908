#!/usr/bin/python3
# Writes the committed seed corpora (run by hand with /usr/bin/python3, which
# has scapy; the build only reads the files). Frames come from scapy, so the
# seeds do not depend on the code under test.
import os, struct, sys

USAGE = "usage: mkseeds.py   (no arguments: rewrites tests/offload-engine/fuzz/seeds/)\n"
# before scapy's import: --help answers at once and writes nothing
if sys.argv[1:] in (["-h"], ["--help"]):
    sys.stdout.write(USAGE + "Writes the seed corpora rx, tx, gso and rsc from scapy frames.\n"
                     "Exit status: 0 written, 2 bad usage.\n")
    sys.exit(0)
if sys.argv[1:]:
    sys.stderr.write(f"mkseeds.py: unexpected argument '{sys.argv[1]}'\n" + USAGE)
    sys.exit(2)
from scapy.all import Ether, Dot1Q, Dot1AD, IP, IPv6, TCP, UDP, ICMP, Raw, raw
from scapy.layers.inet6 import (IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                                IPv6ExtHdrFragment, IPv6ExtHdrSegmentRouting, ICMPv6EchoRequest)

here = os.path.dirname(os.path.abspath(__file__))
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
A4 = dict(src="192.0.2.1", dst="198.51.100.7")
A6 = dict(src="2001:db8::1", dst="2001:db8::2")

def frames():
    pay = Raw(bytes(range(256)) * 12)
    for l2 in (E, E / Dot1Q(vlan=100), E / Dot1AD(vlan=100) / Dot1Q(vlan=200)):
        yield l2 / IP(**A4) / TCP(flags="PA") / Raw(b"x" * 40)
        yield l2 / IP(**A4, options=b"\x01\x01\x01\x00") / TCP(options=[("Timestamp", (1, 2)), ("SAckOK", b"")], flags="FPA") / pay
        yield l2 / IP(**A4) / UDP(sport=5353, dport=4789) / Raw(b"y" * 3)
        yield l2 / IP(**A4, flags="MF") / UDP() / Raw(b"z" * 64)
        yield l2 / IP(**A4) / ICMP() / Raw(b"ping")
        yield l2 / IPv6(**A6) / TCP(flags="SA") / pay
        yield l2 / IPv6(**A6) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() / UDP() / Raw(b"u" * 100)
        yield l2 / IPv6(**A6) / IPv6ExtHdrRouting(addresses=["2001:db8::5", "2001:db8::9"], segleft=2) / TCP() / Raw(b"r" * 30)
        yield l2 / IPv6(**A6) / IPv6ExtHdrSegmentRouting(addresses=["2001:db8::9", "2001:db8::5"], segleft=1) / UDP() / Raw(b"s" * 30)
        yield l2 / IPv6(**A6) / IPv6ExtHdrFragment(m=1) / UDP() / Raw(b"f" * 30)
        yield l2 / IPv6(**A6) / ICMPv6EchoRequest()

def vnet(flags, gso, hdr_len, gso_size, cs, co):
    return struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, cs, co, 0)

def write(name, blobs):
    d = os.path.join(here, "seeds", name)
    os.makedirs(d, exist_ok=True)
    for i, b in enumerate(blobs):
        with open(os.path.join(d, "seed%03d" % i), "wb") as f:
            f.write(b)

fs = [raw(f) for f in frames()]
write("rx", fs)

def l4_info(b):
    p = Ether(b)
    l4 = p.getlayer(TCP) or p.getlayer(UDP)
    if l4 is None:
        return None
    start = len(b) - len(raw(l4))
    hl = len(raw(l4)) - len(raw(l4.payload))
    return start, (16 if isinstance(l4, TCP) else 6), start + hl, isinstance(l4, TCP), p.haslayer(IPv6)

tx = []
for i, b in enumerate(fs):
    info = l4_info(b)
    cs, co = (info[0], info[1]) if info else (14, 10)
    tx.append(vnet(1, 0, 0, 0, cs, co) + bytes([0x87 if i % 2 else 0x06]) + b)
write("tx", tx)

gso = []
for i, b in enumerate(fs):
    info = l4_info(b)
    if not info:
        continue
    cs, co, hl, tcp, v6 = info
    t = (4 if v6 else 1) if tcp else 5
    # refused (1, 7), the smallest accepted (8, OE_GSO_MSS_MIN), odd, usual;
    # flags: oe_gso_start's two bits, and piecewise data in 1-8 segment pieces
    for k, mss in enumerate((1, 7, 8, 9, 100, 1448)):
        split = hl + (i % 3)
        fl = (i % 4) | (4 | (k % 8) << 3 if k % 2 else 0)
        gso.append(vnet(1, t, hl, mss, cs, co) + bytes([fl]) + struct.pack(">H", split) + b)
write("gso", gso)
# rsc: 4 configuration bytes (slots, max_segs, max_ip, timeout/families),
# then 4-byte records (fuzz_rsc.c): op (low 3 bits: 0-4 a segment of flow
# `a` with events `ev` and payload byte `c`, 5 a raw frame of a<<8|ev bytes
# that follow, 6 batch flush, 7 timeout flush; high 3 bits: time passing).
def seg(flow, ev=0, c=255, t=0):
    return bytes([t << 5, flow, ev, c])

def raw(b):
    return bytes([5, len(b) >> 8, len(b) & 255, 0]) + b

FLUSH, EXPIRE = bytes([6, 0, 0, 0]), bytes([7 | 7 << 5, 0, 0, 0])
rsc = [
    bytes([7, 0, 0, 40]) + seg(2) * 20 + FLUSH,                     # in order, MSS 1448
    bytes([7, 0, 0, 40]) + b"".join(seg(f) for f in range(12)) * 5 + FLUSH,  # more flows than slots
    bytes([3, 1, 2, 8]) + seg(1) * 6 + EXPIRE + seg(1) * 3 + FLUSH,  # 4 slots, max_segs 2
    bytes([7, 3, 1, 40]) + seg(0) * 30 + seg(0, c=1) + FLUSH,        # MSS 8, max_segs 8192, 576 bytes
    bytes([7, 0, 0, 40]) + seg(3) * 3 + seg(3, ev=1) + seg(3) * 3 + FLUSH,  # PSH
    bytes([7, 0, 0, 40]) + seg(3) * 3 + seg(3, ev=2) + seg(3, ev=4) + FLUSH,  # gap, retransmission
    bytes([7, 0, 0, 40]) + seg(5) * 3 + b"".join(seg(5, ev=8, c=k) for k in range(8)) + FLUSH,
    bytes([7, 0, 0, 40]) + seg(4) * 2 + seg(4, ev=16, c=1) + seg(4, ev=16, c=4) + seg(4, ev=32, c=9)
    + seg(4, ev=64, c=1) + seg(4, ev=64, c=128) + FLUSH,           # timestamps, ACK, ID, TTL
    bytes([7, 0, 0, 40]) + seg(2) * 2 + seg(2, ev=128) + bytes([60]) + seg(2) * 2 + FLUSH,  # a spoiled byte
    bytes([7, 0, 0, 40]) + b"".join(seg(f % 2, c=1) for f in range(200)) + FLUSH,  # 1-byte segments
    bytes([7, 0, 0, 40]) + seg(2, c=0) + seg(2) + seg(2, c=7) + FLUSH,  # pure ACK, short
    bytes([7, 0, 0, 41]) + seg(0) * 3 + seg(1) * 3 + FLUSH,          # IPv4 off
]
mixed = b"".join(seg(k % 12) + raw(b) for k, b in enumerate(fs) if len(b) < 200)  # fits max_len
rsc.append(bytes([7, 0, 0, 40]) + mixed + FLUSH)
write("rsc", rsc)
print("seeds: rx %d, tx %d, gso %d, rsc %d" % (len(fs), len(tx), len(gso), len(rsc)))
