"""`nic-offload rss`: Toeplitz hashes against Microsoft's published RSS
verification vectors and against an independent Python Toeplitz."""

import json
import random

import pytest
from scapy.all import ICMP, IP, TCP, IPv6, Ether, ICMPv6EchoRequest

from conftest import cpath
from oracle import read_pcap, rss_input, toeplitz, write_pcap

MS_KEY = bytes.fromhex("6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b4"
                       "77cb2da38030f20c6a42b73bbeac01fa")
# "Verifying the RSS Hash Calculation" (Microsoft NDIS documentation):
# destination, destination port, source, source port, IPv4/IPv6-only hash,
# hash with TCP ports.
MS_V4 = [
    ("161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178),
    ("65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea),
    ("12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a),
    ("209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f),
    ("202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2),
]
MS_V6 = [
    ("3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794,
     0x2cc18cd5, 0x40207d3d),
    ("ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230,
     0x0f0c461c, 0xdde51bbf),
    ("fe80::200:f8ff:fe21:67cf", 38024,
     "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251, 0x4b61e985, 0x02d1feef),
]

MAC_S, MAC_D = "02:00:00:00:00:01", "02:00:00:00:00:02"


def run_rss(tool, path, key, table=None):
    args = ["rss", "--key", key.hex()]
    if table is not None:
        args += ["--table", str(table)]
    p = tool(*args, path)
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


def test_oracle_toeplitz_matches_microsoft():
    """The Python oracle itself reproduces the published vectors."""
    import socket
    import struct
    for fam, vecs in ((socket.AF_INET, MS_V4), (socket.AF_INET6, MS_V6)):
        for d, dp, s, sp, h2, h4 in vecs:
            b = socket.inet_pton(fam, s) + socket.inet_pton(fam, d)
            assert toeplitz(MS_KEY, b) == h2
            assert toeplitz(MS_KEY, b + struct.pack("!HH", sp, dp)) == h4


def test_microsoft_vectors(tool, tmp_path):
    frames, want = [], []
    for d, dp, s, sp, h2, h4 in MS_V4:
        frames.append(Ether(src=MAC_S, dst=MAC_D) / IP(src=s, dst=d) / TCP(sport=sp, dport=dp))
        want.append((h4, "tcpv4"))
        frames.append(Ether(src=MAC_S, dst=MAC_D) / IP(src=s, dst=d) / ICMP())
        want.append((h2, "ipv4"))
    for d, dp, s, sp, h2, h4 in MS_V6:
        frames.append(Ether(src=MAC_S, dst=MAC_D) / IPv6(src=s, dst=d) / TCP(sport=sp, dport=dp))
        want.append((h4, "tcpv6"))
        frames.append(Ether(src=MAC_S, dst=MAC_D) / IPv6(src=s, dst=d) / ICMPv6EchoRequest())
        want.append((h2, "ipv6"))
    path = str(tmp_path / "ms.pcap")
    write_pcap(path, [bytes(f) for f in frames])
    got = run_rss(tool, path, MS_KEY)
    assert [(int(g["hash"], 16), g["type"]) for g in got] == want
    assert [g["queue"] for g in got] == [h & 127 for h, _ in want]


@pytest.mark.parametrize("table", [None, 1, 8, 128])
def test_rss_corpus(corpus, tool, table):
    key = random.Random(7).randbytes(40)
    frames = read_pcap(cpath("rss.pcap"))
    got = run_rss(tool, cpath("rss.pcap"), key, table)
    assert len(got) == len(frames)
    n = 128 if table is None else table
    bad = []
    for f, g in zip(frames, got):
        inp = rss_input(Ether(f))
        h = 0 if inp is None else toeplitz(key, inp)
        if int(g["hash"], 16) != h or g["queue"] != h % n:
            bad.append("frame %d %s: got %s/%d, want 0x%08x/%d" % (
                g["frame"], Ether(f).summary(), g["hash"], g["queue"], h, h % n))
    assert not bad, "\n".join(bad[:20])
