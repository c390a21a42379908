"""nicfw's self-test on bare OpenSBI: a loopback VF in NIC RAM sends TSO4,
TSO6, USO (v4/v6) super-frames and checksum-offloaded frames through the
engines to the uplink, a QEMU virtio-net-device on a TAP in a namespace
whose Linux side is the peer 192.0.2.1 / 2001:db8::1 (02:00:00:00:01:01).

Checked independently on the TAP: tshark verifies every IP/TCP/UDP sum of
every frame the VF sent, scapy reassembles each stream and compares it with
the pattern the firmware wrote (nq_selftest.c: byte i = i*131 + i>>8), and
checks segment sizes against the MSS / gso_size. The receive path is
checked by the peer's echo reply reaching the VF."""
import subprocess

import pytest

from nicq_run import VF_MAC, PEER_MAC, run_nicfw

# (name, ipv6, udp, payload bytes, gso_size, source port) as nq_selftest.c
CASES = [("tso4", False, False, 64000, 1448, 40000),
         ("tso6", True, False, 60000, 1428, 40001),
         ("uso4", False, True, 12000, 1400, 40002),
         ("uso6", True, True, 9000, 1000, 40003),
         ("csum4-tcp", False, False, 1000, 0, 40004),
         ("csum6-udp", True, True, 700, 0, 40005)]


def pattern(n):
    return bytes((i * 131 + (i >> 8)) & 0xFF for i in range(n))


@pytest.fixture(scope="module")
def run():
    import os
    if os.geteuid() != 0:
        pytest.skip("needs root for the network namespace")
    return run_nicfw("nicq-selftest", f"mac={VF_MAC} peer={PEER_MAC}")


def test_selftest_passes(run):
    nicq = [l for l in run["lines"] if l.startswith("nicq:")]
    assert "nicq: selftest passed" in nicq, f"see {run['log']}:\n" + "\n".join(nicq)
    assert run["rc"] == 0
    assert not [l for l in nicq if "FAIL" in l]


def test_rx_echo_reply_reached_vf(run):
    assert "nicq: pass rx: echo reply from the peer delivered to the VF" in run["lines"]


def test_rx_checked_sums_marked_valid(run):
    """The peer's RSTs (one per TCP segment we sent to its closed port)
    reach the VF marked DATA_VALID; as many as tshark saw on the wire."""
    import re
    m = [re.match(r"nicq: pass rx: peer's TCP RSTs delivered with DATA_VALID \((\d+) of (\d+)\)",
                  l) for l in run["lines"]]
    m = [x for x in m if x]
    assert m, "no passing RST/DATA_VALID line"
    rsts = _fields(run["pcap"], "frame.number", filt="tcp.flags.reset == 1 && "
                   f"eth.dst == {VF_MAC} && tcp.checksum.status == 1")
    assert 0 < int(m[0].group(1)) == int(m[0].group(2)) <= len(rsts)


def _fields(pcap, *fields, filt):
    args = ["tshark", "-r", str(pcap), "-o", "ip.check_checksum:TRUE", "-o",
            "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE", "-Y", filt,
            "-T", "fields", "-E", "separator=;"]
    for f in fields:
        args += ["-e", f]
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    return [l.split(";") for l in out.splitlines() if l]


def test_tshark_every_sum_good(run):
    """Every frame from the VF: IPv4 header sum and TCP/UDP sum good, no
    malformed or bad-checksum expert info."""
    rows = _fields(run["pcap"], "frame.number", "ip.checksum.status", "tcp.checksum.status",
                   "udp.checksum.status", "_ws.malformed", filt=f"eth.src == {VF_MAC}")
    want = sum((p + g - 1) // g if g else 1 for _, _, _, p, g, _ in CASES)
    assert len(rows) >= want, f"only {len(rows)} frames from the VF, expected >= {want}"
    bad = [r for r in rows if any(v not in ("", "1") for v in r[1:4]) or r[4]]
    assert not bad, f"frames with a bad or unverified sum: {bad[:10]}"
    # Every L4 frame was actually verified (status 1 = good), not skipped.
    l4 = [r for r in rows if r[2] or r[3]]
    assert len(l4) >= want - 0 and all(r[2] == "1" or r[3] == "1" for r in l4)
    bad_all = _fields(run["pcap"], "frame.number", filt="_ws.expert.severity >= 6 && "
                      f"eth.src == {VF_MAC}")
    assert not bad_all, f"tshark expert errors on frames {bad_all[:10]}"


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_scapy_stream(run, case):
    """The segments of each super-frame carry exactly the payload, in MSS
    pieces, with lengths consistent in every header."""
    from scapy.all import IP, TCP, UDP, IPv6, Ether, rdpcap
    name, v6, udp, plen, gso, sport = case
    L4 = UDP if udp else TCP
    segs = []
    for p in rdpcap(str(run["pcap"])):
        if Ether not in p or p[Ether].src != VF_MAC or L4 not in p or p[L4].sport != sport:
            continue
        if p.haslayer(IPv6) != v6:
            continue
        segs.append(p)
    want = (plen + gso - 1) // gso if gso else 1
    assert len(segs) == want, f"{name}: {len(segs)} frames on the wire, want {want}"
    stream = bytearray(plen)
    seen = 0
    for i, p in enumerate(segs):
        l3 = p[IPv6] if v6 else p[IP]
        pay = bytes(p[L4].payload)
        if gso:
            assert len(pay) <= gso
            assert i == want - 1 or len(pay) == gso, f"{name}: short non-final segment"
        if v6:
            assert l3.plen == len(l3.payload)
        else:
            assert l3.len == len(l3) and l3.flags.DF
        if udp:
            assert p[UDP].len == 8 + len(pay)
            off = seen
        else:
            off = p[TCP].seq - 1000
            assert 0 <= off <= plen - len(pay)
            fin_psh = p[TCP].flags & 0x09
            assert not fin_psh or i == want - 1, f"{name}: PSH/FIN on a middle segment"
        stream[off:off + len(pay)] = pay
        seen += len(pay)
    assert seen == plen
    assert bytes(stream) == pattern(plen), f"{name}: payload differs from what the VF sent"
