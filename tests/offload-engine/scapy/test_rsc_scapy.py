"""RSC super-frames checked by scapy: TCP streams built by scapy (several
flows interleaved, IPv4/IPv6, untagged/802.1Q/QinQ, timestamps, a gap, a
retransmission, PSH, FIN, a bad checksum) go through rsc_pcap (oe_rsc with
ASan/UBSan); scapy parses every delivery and checks it against the segments
it was made of: per flow, deliveries follow the input order and carry
exactly its payload; a super-frame has the first segment's headers with
the lengths, ACK, window, TSecr and PSH of the rules, a virtio header that
names its checksum, and once completed from that header every checksum is
the one scapy computes itself."""

import os
import struct
import subprocess

import pytest
from scapy.all import Ether, Dot1Q, Dot1AD, IP, IPv6, TCP, Raw, wrpcap
from scapy.layers.inet import in4_pseudoheader
from scapy.layers.inet6 import in6_pseudoheader
from scapy.utils import checksum

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
TOOL = os.environ.get("RSC_PCAP", os.path.join(ROOT, "build/host/tests/offload/rsc_pcap"))
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
WHY = ["pass_not_tcp", "pass_ip", "pass_csum", "pass_flags", "pass_no_data", "pass_tcp_opt",
       "pass_alone", "end_psh", "end_short", "end_full", "flush_seq", "flush_size", "flush_hdr",
       "flush_ipid", "flush_opt", "flush_ts", "flush_ack", "flush_frame", "flush_evict",
       "flush_timeout", "flush_batch"]


def flow(l2, l3, sport, n, mss, opts=True, gap=None, retrans=None, psh=(), fin=False, bad=()):
    """n segments of one flow as a sender makes them: sequence, ID +1,
    timestamps that tick every 4 segments, the ACK moving now and then."""
    segs, seq, ts = [], 1000 * sport, 5000
    order = list(range(n))
    if gap is not None:
        order.remove(gap)
    if retrans is not None:
        order.insert(order.index(retrans) + 3, retrans)
    for k, i in enumerate(order):
        pay = bytes((sport + i * 7 + j) & 0xFF for j in range(mss))
        flags = "A" + ("P" if i in psh else "") + ("F" if fin and i == n - 1 else "")
        o = [("NOP", None), ("NOP", None), ("Timestamp", (ts + i // 4, 777 + i // 8))] if opts else []
        tcp = TCP(sport=sport, dport=80, seq=seq + i * mss, ack=90000 + 1448 * (i // 5),
                  window=4000 + (i // 3), flags=flags, options=o)
        ip = l3.copy()
        if IP in ip:
            ip.id = 300 + i
            ip.flags = "DF"
        p = E / l2 / ip / tcp / Raw(pay) if l2 is not None else E / ip / tcp / Raw(pay)
        if i in bad:
            p = Ether(bytes(p))
            p[TCP].chksum ^= 0x1234
        segs.append(Ether(bytes(p)))
    return segs


def scenario():
    a4 = IP(src="192.0.2.1", dst="198.51.100.7")
    a6 = IPv6(src="2001:db8::1", dst="2001:db8::2", fl=0x12345)
    flows = [
        flow(None, a4, 1, 40, 1448, psh=(20,)),
        flow(Dot1Q(vlan=100), a6, 2, 14, 1000, retrans=5),
        flow(Dot1AD(vlan=100) / Dot1Q(vlan=200), a4, 3, 50, 536, opts=False, gap=25, fin=True),
        flow(None, a6, 4, 10, 1220, bad=(3,)),
        flow(Dot1Q(vlan=7), a4, 5, 6, 100),
    ]
    frames, t = [], 1.0
    while any(flows):
        for f in flows:
            if f:
                p = f.pop(0)
                p.time = t
                t += 0.00001
                frames.append(p)
    return frames


def key(p):
    ip = p[IP] if IP in p else p[IPv6]
    return (ip.src, ip.dst, p[TCP].sport, p[TCP].dport)


def run(tmp_path, frames, args=()):
    src, out = tmp_path / "in.pcap", tmp_path / "out.bin"
    wrpcap(str(src), frames)
    subprocess.run([TOOL, *args, str(src), str(out)], check=True)
    data, recs = out.read_bytes(), []
    while data:
        n, why, _, segs = struct.unpack_from("<IBBH", data)
        vh = struct.unpack_from("<BBHHHHH", data, 8)
        recs.append((WHY[why], segs, vh, data[20:20 + n]))
        data = data[20 + n:]
    return recs


def completed(frame, vh):
    """The frame with its checksum finished from NEEDS_CSUM, as a guest does."""
    start, off = vh[4], vh[5]
    b = bytearray(frame)
    b[start + off:start + off + 2] = struct.pack(">H", checksum(bytes(b[start:])))
    return bytes(b)


def check_super(rec, segs):
    why, n, vh, frame = rec
    p, s0, sl = Ether(frame), segs[0], segs[-1]
    ip, ip0 = (p[IP], s0[IP]) if IP in p else (p[IPv6], s0[IPv6])
    tcp = p[TCP]
    payload = b"".join(bytes(s[TCP].payload) for s in segs)
    hdr_len = len(frame) - len(payload)
    # every segment MSS-sized but the last, and in sequence
    mss = len(s0[TCP].payload)
    assert all(len(s[TCP].payload) == mss for s in segs[:-1]) and len(sl[TCP].payload) <= mss
    assert [s[TCP].seq for s in segs] == [s0[TCP].seq + i * mss for i in range(n)]
    assert bytes(tcp.payload) == payload
    # IP: lengths, the rest the first segment's
    if IP in p:
        assert ip.len == len(bytes(ip))
        assert (ip.id, ip.ttl, ip.tos, ip.flags) == (ip0.id, ip0.ttl, ip0.tos, ip0.flags)
        q = IP(bytes(ip))
        del q.chksum
        assert IP(bytes(q)).chksum == ip.chksum, "IPv4 header checksum"
    else:
        assert ip.plen == len(bytes(ip)) - 40
        assert (ip.tc, ip.fl, ip.hlim) == (ip0.tc, ip0.fl, ip0.hlim)
    # TCP: first's header, last's ACK/window/TSecr, PSH from the last
    assert (tcp.sport, tcp.dport, tcp.seq) == (s0[TCP].sport, s0[TCP].dport, s0[TCP].seq)
    assert (tcp.ack, tcp.window) == (sl[TCP].ack, sl[TCP].window)
    assert int(tcp.flags) == int(s0[TCP].flags) | (int(sl[TCP].flags) & 0x08)
    ts = dict(tcp.options).get("Timestamp")
    if ts:
        assert ts == (dict(s0[TCP].options)["Timestamp"][0], dict(sl[TCP].options)["Timestamp"][1])
    # virtio 1.2 §5.1.6.4: NEEDS_CSUM naming the TCP checksum, which holds
    # the pseudo-header sum; GSO type, MSS, exact header length
    l4 = len(frame) - len(bytes(tcp))
    v4 = IP in p
    assert vh[:6] == (1, 1 if v4 else 4, hdr_len, mss, l4, 16)
    ph = in4_pseudoheader(6, ip, len(bytes(tcp))) if v4 else in6_pseudoheader(6, ip, len(bytes(tcp)))
    assert tcp.chksum == (~checksum(bytes(ph))) & 0xFFFF, "pseudo-header sum in the field"
    done = Ether(completed(frame, vh))
    q = done.copy()
    del q[TCP].chksum
    assert Ether(bytes(q))[TCP].chksum == done[TCP].chksum, "completed TCP checksum"


def check_stream(frames, recs):
    inputs, cursor, supers = {}, {}, 0
    for f in frames:
        inputs.setdefault(key(f), []).append(f)
    for rec in recs:
        why, n, vh, frame = rec
        k = key(Ether(frame))
        got, at = inputs[k], cursor.get(k, 0)
        segs = got[at:at + n]
        assert len(segs) == n, "more segments out than in"
        if why.startswith("pass"):
            assert frame == bytes(segs[0]), "a frame handed back changed"
            assert vh[0] == (0 if why == "pass_csum" else 2)
        elif n == 1:
            assert frame == bytes(segs[0])[:len(frame)] and vh[0] == 2
        else:
            check_super(rec, segs)
            supers += 1
        cursor[k] = at + n
    assert all(cursor.get(k, 0) == len(v) for k, v in inputs.items()), "segments lost"
    return supers


@pytest.mark.parametrize("args", [(), ("-n", "2"), ("-s", "4"), ("-b", "7"), ("-t", "40")])
def test_scenario(tmp_path, args):
    frames = scenario()
    recs = run(tmp_path, frames, args)
    assert check_stream(frames, recs) > 0
    whys = {r[0] for r in recs}
    if not args:
        assert {"end_psh", "flush_seq", "pass_flags", "pass_csum", "flush_batch"} <= whys, whys
    if args == ("-s", "4"):
        assert "end_full" in whys
    if args == ("-n", "2"):
        assert "flush_evict" in whys
    if args == ("-t", "40"):
        assert "flush_timeout" in whys


def test_64k(tmp_path):
    frames = flow(None, IP(src="192.0.2.1", dst="198.51.100.7"), 9, 100, 1448)
    for i, p in enumerate(frames):
        p.time = 1.0 + i * 0.00001  # well within the 1 s timeout, however slow the host
    recs = run(tmp_path, frames, ("-s", "100"))
    assert [(r[0], r[1]) for r in recs] == [("end_full", 45), ("end_full", 45), ("flush_batch", 10)]
    assert check_stream(frames, recs) == 3
    assert all(len(r[3]) - 14 <= 65535 for r in recs)
