"""`nic-offload tx --tso MSS` / `--uso MSS`: every segment checked field by
field against the super-frame it came from (scapy parses both), checksums
recomputed by scapy and tshark, reassembly equals the original payload."""

import pytest
from scapy.all import IP, TCP, UDP, IPv6, Ether

from conftest import cpath, tshark_bad, tshark_fields
from oracle import checksums_ok, fill_checksums, is_fragment, read_pcap, \
    write_pcap

MTU = 1500
# offload-engine/include/oe.h: the smallest gso_size accepted
# (OE_GSO_MSS_MIN, Linux's TCP_MIN_GSO_SIZE) and the most segments one
# super-frame can then yield (OE_GSO_SEGS_MAX)
MSS_MIN = 8
SEGS_MAX = 8192


def layout(raw):
    """Offsets of L3, L4 and payload in a frame, the L4 class and the L3
    length, from scapy's parse."""
    pkt = Ether(raw)
    l3 = pkt[IP] if IP in pkt else pkt[IPv6] if IPv6 in pkt else None
    if l3 is None or is_fragment(pkt):
        return None
    l4 = pkt[TCP] if TCP in pkt else pkt[UDP] if UDP in pkt else None
    if l4 is None:
        return None
    l3len = l3.len if IP in pkt else 40 + l3.plen
    l3off = len(raw) - len(bytes(l3))
    l4off = len(raw) - len(bytes(l4))
    payoff = l4off + (l4.dataofs * 4 if isinstance(l4, TCP) else 8)
    return dict(pkt=pkt, l3off=l3off, l4off=l4off, payoff=payoff,
                end=l3off + l3len, cls=type(l4), v4=IP in pkt)


def check_segments(src, segs, mss, base=0, total=None):
    """All the per-segment rules (edge cases 11-15) for one super-frame;
    segs are segments base, base+1, ... of `total`. Returns the problems."""
    lo = layout(src)
    k = total or len(segs)
    pay = src[lo["payoff"]:lo["end"]]
    errs = []
    tcp = lo["cls"] is TCP
    l3off, l4off, payoff = lo["l3off"], lo["l4off"], lo["payoff"]
    sp = lo["pkt"]
    got = b""
    for i, s in enumerate(segs, base):
        want_pay = pay[i * mss:(i + 1) * mss]
        p = s[payoff:]
        got += p
        where = "segment %d/%d" % (i + 1, k)
        if len(s) != payoff + len(want_pay):
            errs.append("%s: length %d, want %d" % (where, len(s),
                                                    payoff + len(want_pay)))
            continue
        if p != want_pay:
            errs.append("%s: payload differs" % where)
        if s[:l3off] != src[:l3off]:
            errs.append("%s: L2 header differs" % where)
        if not checksums_ok(s):
            errs.append("%s: checksum wrong (scapy)" % where)
        q = Ether(s)
        if lo["v4"]:
            a, b = sp[IP], q[IP]
            if b.len != payoff - l3off + len(want_pay):
                errs.append("%s: IPv4 total length %d" % (where, b.len))
            if b.id != (a.id + i) & 0xFFFF:
                errs.append("%s: IPv4 ID %d, want %d" % (where, b.id,
                                                         (a.id + i) & 0xFFFF))
            # everything else in the IPv4 header (options too) is copied
            hs, hd = bytearray(src[l3off:l4off]), bytearray(s[l3off:l4off])
            for h in (hs, hd):
                h[2:6] = b"\0" * 4      # total length, ID
                h[10:12] = b"\0" * 2
            if hs != hd:
                errs.append("%s: IPv4 header fields/options changed" % where)
        else:
            b = q[IPv6]
            if b.plen != payoff - l3off - 40 + len(want_pay):
                errs.append("%s: IPv6 payload length %d" % (where, b.plen))
            hs, hd = bytearray(src[l3off:l4off]), bytearray(s[l3off:l4off])
            hs[4:6] = hd[4:6] = b"\0\0"
            if hs != hd:
                errs.append("%s: IPv6 header/extension headers changed" % where)
        ls, ld = bytearray(src[l4off:payoff]), bytearray(s[l4off:payoff])
        if tcp:
            a, b = sp[TCP], q[TCP]
            if b.seq != (a.seq + i * mss) & 0xFFFFFFFF:
                errs.append("%s: seq %d, want %d" % (where, b.seq,
                                                     (a.seq + i * mss) % 2**32))
            want = int(a.flags)
            if i > 0:
                want &= ~0x80            # CWR only on the first
            if i < k - 1:
                want &= ~0x09            # FIN, PSH only on the last
            if int(b.flags) != want:
                errs.append("%s: flags %s, want %s" % (where, b.flags,
                                                       TCP(flags=want).flags))
            for h in (ls, ld):           # seq, flags, sum
                h[4:8] = b"\0" * 4
                h[13] = 0
                h[16:18] = b"\0\0"
        else:
            if q[UDP].len != 8 + len(want_pay):
                errs.append("%s: UDP length %d" % (where, q[UDP].len))
            if q[UDP].chksum == 0:
                errs.append("%s: UDP sum 0 on the wire" % where)
            for h in (ls, ld):           # length, sum
                h[4:8] = b"\0" * 4
        if ls != ld:
            errs.append("%s: L4 header fields/options changed" % where)
    if total is None and got != pay:
        errs.append("reassembled payload differs from the original")
    return errs


def run_gso(tool, tmp_path, opt, mss, src_path, l4cls, check=True):
    out = str(tmp_path / "out.pcap")
    tool("tx", opt, str(mss), src_path, out)
    ins, outs = read_pcap(src_path), read_pcap(out)
    if not check:
        return out, outs
    problems, pos, nsegs = [], 0, 0
    for n, f in enumerate(ins, 1):
        lo = layout(f)
        seg = lo is not None and lo["cls"] is l4cls and \
            lo["end"] - lo["payoff"] > mss
        if not seg:
            if pos >= len(outs) or outs[pos] != fill_checksums(f):
                problems.append("frame %d (pass-through) wrong" % n)
            pos += 1
            continue
        k = -(-(lo["end"] - lo["payoff"]) // mss)
        segs = outs[pos:pos + k]
        pos += k
        nsegs += k
        if len(segs) != k:
            problems.append("frame %d: %d segments, want %d" % (n, len(segs), k))
            break
        problems += ["frame %d: %s" % (n, e) for e in check_segments(f, segs, mss)]
    if pos != len(outs):
        problems.append("%d output frames, want %d" % (len(outs), pos))
    assert not problems, "%d problems:\n" % len(problems) + "\n".join(problems[:25])
    assert nsegs > 0
    return out, outs


@pytest.mark.parametrize("opt,name,l4cls", [("--tso", "tso", TCP),
                                             ("--uso", "uso", UDP)])
def test_gso_corpus(corpus, tool, tmp_path, opt, name, l4cls):
    mss = corpus["mss_" + name]
    out, outs = run_gso(tool, tmp_path, opt, mss, cpath(name + ".pcap"), l4cls)
    assert tshark_bad(out) == []
    # and what goes on the wire passes our own receive validation
    import json
    for line in tool("rx", out).stdout.decode().splitlines():
        v = json.loads(line)
        assert v["ip"] in ("good", "none") and v["l4"] in ("good", "none"), v


@pytest.mark.parametrize("opt,name,l4cls", [("--tso", "tso", TCP),
                                             ("--uso", "uso", UDP)])
def test_gso_fits_mtu(corpus, tool, tmp_path, opt, name, l4cls):
    """With MSS = MTU - the largest L3+L4 header in the corpus, no output
    frame is over the MTU (checked by tshark's own IP length)."""
    ins = read_pcap(cpath(name + ".pcap"))
    hdr = max(lo["payoff"] - lo["l3off"] for lo in map(layout, ins)
              if lo and lo["cls"] is l4cls)
    # (the segments themselves are checked by test_gso_corpus)
    out, outs = run_gso(tool, tmp_path, opt, MTU - hdr, cpath(name + ".pcap"),
                        l4cls, check=False)
    rows = tshark_fields(out, "frame.number", "ip.len", "ipv6.plen",
                         extra=["-o", "ip.defragment:FALSE"])
    sizes = {}
    for r in rows:
        n = int(r[0])
        l3 = int(r[1]) if r[1] else 40 + int(r[2]) if r[2] else 0
        sizes[n] = l3
    # every TCP (UDP) frame out is within the MTU; the other protocol's
    # frames pass through whole and may be larger on purpose
    over = [n for n, f in enumerate(outs, 1)
            if (lambda lo: lo and lo["cls"] is l4cls)(layout(f)) and sizes[n] > MTU]
    assert len(sizes) == len(outs)
    assert not over, "frames over the MTU: %s" % over[:10]


@pytest.mark.parametrize("opt,name,l4cls", [("--tso", "tso", TCP),
                                             ("--uso", "uso", UDP)])
def small_superframes(mss, l4cls):
    import gen_corpus
    g = gen_corpus.Gen(mss)
    small = []
    for v6 in (False, True):
        for l2k in ("plain", "vlan", "qinq"):
            for size in (2, 3, 17, 40 if mss == MSS_MIN else 333):
                kw = {"flags": "CEFPA"} if l4cls is TCP else {}
                small.append(gen_corpus.superframe(
                    g, l4cls.__name__.lower(), v6, l2k, size, **kw)[0])
    return small


@pytest.mark.parametrize("opt,name,l4cls", [("--tso", "tso", TCP),
                                             ("--uso", "uso", UDP)])
@pytest.mark.parametrize("mss", [MSS_MIN, MSS_MIN + 1])
def test_gso_tiny_mss(corpus, tool, tmp_path, opt, name, l4cls, mss):
    """The smallest gso_size (edge case 15) and an odd MSS: on the small
    super-frames."""
    src = str(tmp_path / "small.pcap")
    write_pcap(src, small_superframes(mss, l4cls))
    run_gso(tool, tmp_path, opt, mss, src, l4cls)


@pytest.mark.parametrize("opt,name,l4cls", [("--tso", "tso", TCP),
                                             ("--uso", "uso", UDP)])
@pytest.mark.parametrize("mss", [1, MSS_MIN - 1])
def test_gso_below_min_mss_refused(corpus, tool, tmp_path, opt, name, l4cls, mss):
    """Under the smallest gso_size a stack sends (edge case 16): every
    super-frame that would be cut is refused as gso_size_low, nothing of
    it is written; the frames that need no cut pass through."""
    src, out = str(tmp_path / "small.pcap"), str(tmp_path / "out.pcap")
    frames = small_superframes(mss, l4cls)
    write_pcap(src, frames)
    p = tool("tx", opt, str(mss), src, out, check=False)
    err = p.stderr.decode(errors="replace")
    cut = [f for f in frames if layout(f)["end"] - layout(f)["payoff"] > mss]
    assert p.returncode == 1 and cut, err[:1500]
    assert "nic-offload: %d of %d frames refused" % (len(cut), len(frames)) in err
    assert "(gso_size_low)" in err and "(gso_size_zero)" not in err
    assert read_pcap(out) == [fill_checksums(f) for f in frames if f not in cut]


@pytest.mark.parametrize("opt,name,l4cls", [("--tso", "tso", TCP),
                                             ("--uso", "uso", UDP)])
def test_gso_most_segments(corpus, tool, tmp_path, opt, name, l4cls):
    """The most segments (edge case 15): the 64 KiB super-frames with the
    smallest gso_size give one segment per MSS_MIN payload bytes; the first
    and last few are checked field by field, all by length."""
    frames = read_pcap(cpath(name + ".pcap"))
    big = [f for f, m in zip(frames, corpus[name]) if m["case"] == "max"]
    assert len(big) == 2
    src, out = str(tmp_path / "big.pcap"), str(tmp_path / "out.pcap")
    write_pcap(src, big)
    tool("tx", opt, str(MSS_MIN), src, out)
    outs = read_pcap(out)
    pos = 0
    for f in big:
        lo = layout(f)
        pay = lo["end"] - lo["payoff"]
        k = -(-pay // MSS_MIN)
        assert pay > 65000 and k <= SEGS_MAX
        segs = outs[pos:pos + k]
        pos += k
        last = pay - (k - 1) * MSS_MIN
        assert [len(s) for s in segs] == \
            [lo["payoff"] + MSS_MIN] * (k - 1) + [lo["payoff"] + last]
        assert b"".join(s[lo["payoff"]:] for s in segs) == f[lo["payoff"]:lo["end"]]
        errs = check_segments(f, segs[:3], MSS_MIN, 0, k) + \
            check_segments(f, segs[-3:], MSS_MIN, k - 3, k)
        assert not errs, errs
    assert pos == len(outs)
