"""The wire checker itself, on frames built by scapy: it must flag a bad
IP, TCP or UDP sum and a frame over the MTU, and pass good frames (a TCP
sum of zero sent as 0xffff included, see wire.mangled_zero)."""
from scapy.all import IP, TCP, UDP, Ether, Raw, wrpcap

import wire

SRC, DST = "192.0.2.11", "192.0.2.1"
ETH = Ether(src="02:00:00:00:00:02", dst="02:00:00:00:01:00")


def tcp_zero_sum():
    """A TCP segment whose correct sum is 0x0000, then sent as 0xffff."""
    base = ETH / IP(src=SRC, dst=DST) / TCP(sport=5001, dport=40000, seq=1, flags="A")
    # with two payload bytes 0 the sum is c; the payload word c makes it 0
    c = Ether(bytes(base / Raw(b"\0\0")))[TCP].chksum
    p = Ether(bytes(base / Raw(c.to_bytes(2, "big"))))
    assert p[TCP].chksum == 0
    p[TCP].chksum = 0xFFFF
    return p


def test_checker_flags_exactly_the_bad_frames(tmp_path):
    good = [ETH / IP(src=SRC, dst=DST) / TCP(sport=5001, dport=40000) / Raw(b"x" * 100),
            ETH / IP(src=SRC, dst=DST) / UDP(sport=7, dport=40000) / Raw(b"y" * 1472),
            tcp_zero_sum()]
    bad = [ETH / IP(src=SRC, dst=DST, chksum=0x1234) / UDP(sport=7, dport=1) / Raw(b"z"),
           ETH / IP(src=SRC, dst=DST) / TCP(sport=5001, dport=40000, chksum=0x1234) / Raw(b"w"),
           ETH / IP(src=SRC, dst=DST) / UDP(sport=7, dport=1, chksum=0x1234) / Raw(b"v"),
           ETH / IP(src=SRC, dst=DST) / UDP(sport=7, dport=1) / Raw(b"u" * 1473)]
    pcap = tmp_path / "mixed.pcap"
    wrpcap(str(pcap), good + bad)
    fr = wire.frames(pcap)
    assert len(fr) == len(good) + len(bad)
    found = wire.problems(fr, 1500)
    bad_numbers = list(range(len(good) + 1, len(good) + len(bad) + 1))
    assert [int(p.split()[1]) for p in found] == bad_numbers
    assert "bad ip checksum" in found[0] and "bad tcp checksum" in found[1]
    assert "bad udp checksum" in found[2] and "> MTU" in found[3]
    assert wire.mangled_zero(fr[2]) and fr[0].tcp_ok == "1"
