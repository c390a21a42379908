"""`nic-offload tx --csum`: every checksum of every frame, checked by scapy
(recomputed from scratch) and by tshark."""

from scapy.all import Ether, UDP

from conftest import cpath, tshark_bad
from oracle import fill_checksums, read_pcap


def test_tx_csum_matches_scapy(corpus, tool, tmp_path):
    out = str(tmp_path / "out.pcap")
    tool("tx", "--csum", cpath("csum.pcap"), out)
    ins, outs = read_pcap(cpath("csum.pcap")), read_pcap(out)
    assert len(outs) == len(ins)
    bad = []
    for i, (a, b) in enumerate(zip(ins, outs)):
        want = fill_checksums(a)
        if b != want:
            diff = [k for k in range(min(len(b), len(want))) if b[k] != want[k]]
            bad.append("frame %d %s: len %d/%d, differs at %s" % (
                i + 1, corpus["csum"][i], len(b), len(want), diff[:6]))
    assert not bad, "%d frames wrong:\n" % len(bad) + "\n".join(bad[:20])


def test_udp_zero_sum_goes_out_as_ffff(corpus, tool, tmp_path):
    """Edge case 1: a UDP sum computing to 0 is sent as 0xFFFF (v4 and v6,
    with and without tags)."""
    out = str(tmp_path / "out.pcap")
    tool("tx", "--csum", cpath("csum.pcap"), out)
    outs = read_pcap(out)
    idx = [i for i, m in enumerate(corpus["csum"]) if m["case"] == "udp-sum-0"]
    assert len(idx) == 12
    for i in idx:
        assert Ether(outs[i])[UDP].chksum == 0xFFFF, corpus["csum"][i]


def test_tx_csum_tshark_clean(corpus, tool, tmp_path):
    out = str(tmp_path / "out.pcap")
    tool("tx", "--csum", cpath("csum.pcap"), out)
    assert tshark_bad(out) == []


def test_input_really_needs_fixing(corpus):
    """The corpus is not already right (guards against a vacuous test), and
    tshark does see the spoiled sums."""
    ins = read_pcap(cpath("csum.pcap"))
    spoiled = sum(fill_checksums(f) != f for f in ins)
    assert spoiled > len(ins) // 2
    assert len(tshark_bad(cpath("csum.pcap"))) > len(ins) // 3


def deep_frame(ext_bytes, n_ext, l4="udp"):
    """QinQ + IPv6 + n_ext destination-options headers totalling ext_bytes
    (multiples of 8) + UDP/TCP: a header stack as deep as we like."""
    from scapy.all import (Dot1AD, Dot1Q, IPv6, IPv6ExtHdrDestOpt, PadN,
                           Raw, TCP)
    sizes = [8] * n_ext
    for i in range((ext_bytes - 8 * n_ext) // 8):
        sizes[i % n_ext] += 8
    p = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / \
        Dot1AD(vlan=10) / Dot1Q(vlan=20) / \
        IPv6(src="2001:db8::1", dst="2001:db8::2")
    for s in sizes:
        p = p / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * (s - 4))])
    p = p / (UDP(sport=7, dport=9) if l4 == "udp" else
             TCP(sport=7, dport=9, flags="PA")) / Raw(b"deep" * 300)
    raw = bytearray(bytes(p))
    l4off = 14 + 8 + 40 + ext_bytes
    raw[l4off + (6 if l4 == "udp" else 16)] ^= 0x12  # spoil the sum
    return bytes(raw), l4off


def test_deepest_stack_accepted_and_one_past_refused(tool, tmp_path):
    """Edge case 10: the engine bounds headers at OE_HDR_MAX (512) bytes and
    OE_IPV6_EXT_MAX (8) extension headers. QinQ+IPv6+440 bytes of options+UDP
    ends at 510 (the deepest stack that fits, lengths being 2 mod 4) and
    gets a right sum; 8 more bytes (518) and a 9th extension header are each
    refused by name, and the frames around them still come out."""
    ok, off = deep_frame(440, 8)
    assert off + 8 == 510
    past, _ = deep_frame(448, 8)
    nine, _ = deep_frame(72, 9)
    src = str(tmp_path / "deep.pcap")
    out = str(tmp_path / "out.pcap")
    from oracle import write_pcap
    write_pcap(src, [ok, past, nine, ok])
    p = tool("tx", "--csum", src, out, check=False)
    err = p.stderr.decode()
    assert p.returncode == 1, err
    assert "frame 2:" in err and "hdr_depth" in err
    assert "frame 3:" in err and "ext_depth" in err
    outs = read_pcap(out)
    assert outs == [fill_checksums(ok)] * 2
    assert ok != fill_checksums(ok)
    assert tshark_bad(out) == []
    # segmentation of the deepest stack works too
    p = tool("tx", "--uso", "100", src, out, check=False)
    assert p.returncode == 1
    segs = read_pcap(out)
    assert len(segs) == 2 * 12 and all(len(s) <= 510 + 100 for s in segs)
    assert tshark_bad(out) == []


def test_tx_without_options_copies(corpus, tool, tmp_path):
    out = str(tmp_path / "out.pcap")
    tool("tx", cpath("csum.pcap"), out)
    assert read_pcap(out) == read_pcap(cpath("csum.pcap"))


def test_tso_and_uso_together(corpus, tool, tmp_path):
    """Both offloads on one mixed file: each super-frame is cut by its own
    MSS, the rest gets its sums; tshark sees nothing bad."""
    from test_gso import layout, check_segments
    from scapy.all import TCP
    from oracle import write_pcap
    mixed = read_pcap(cpath("tso.pcap"))[:30] + read_pcap(cpath("uso.pcap"))[:30]
    src, out = str(tmp_path / "mixed.pcap"), str(tmp_path / "out.pcap")
    write_pcap(src, mixed)
    tool("tx", "--tso", "1000", "--uso", "700", src, out)
    outs, pos = read_pcap(out), 0
    for f in mixed:
        lo = layout(f)
        mss = 1000 if lo and lo["cls"] is TCP else 700
        k = -(-(lo["end"] - lo["payoff"]) // mss) if lo else 1
        if k <= 1:
            assert outs[pos] == fill_checksums(f)
        else:
            assert check_segments(f, outs[pos:pos + k], mss) == []
        pos += max(k, 1)
    assert pos == len(outs)
    assert tshark_bad(out) == []


def test_tx_generic_insertion_matches_scapy(corpus, tool, tmp_path):
    """--generic: TCP/UDP sums through virtio's NEEDS_CSUM path (pseudo-header
    seed in the field, csum_start/csum_offset, no parsing in the engine),
    with routing headers, tags, padding and UDP sums of 0: the same wire bytes
    as scapy computes."""
    out = str(tmp_path / "out.pcap")
    tool("tx", "--generic", cpath("csum.pcap"), out)
    ins, outs = read_pcap(cpath("csum.pcap")), read_pcap(out)
    bad = [i + 1 for i, (a, b) in enumerate(zip(ins, outs)) if fill_checksums(a) != b]
    assert len(outs) == len(ins) and not bad, bad[:20]
    assert tshark_bad(out) == []
