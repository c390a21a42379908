#!/usr/bin/python3
"""Generate the oracle corpus (pcaps + a JSON manifest) with scapy, from a
fixed seed, so every run checks the same frames:

  csum.pcap   random transmit frames with zeroed / corrupted / good sums
              (VLAN, QinQ, IPv4 options, IPv6 extension chains with routing
              headers, fragments, padding, UDP sums that compute to 0, ...)
  tso.pcap    TCP super-frames (IPv4/IPv6, tags, options, flags, ID wrap,
              MSS boundaries) mixed with frames that must pass through
  uso.pcap    UDP super-frames, the same way
  rx.pcap     receive frames with good and bad sums at every layer
  rss.pcap    IPv4/IPv6 TCP/UDP/other frames for the RSS hash

usage: gen_corpus.py OUTDIR [SEED]
       gen_corpus.py -h | --help
Exit status: 0 written, 2 bad usage.
"""

import json
import os
import random
import sys

from scapy.all import (ARP, ICMP, IP, IPOption_NOP, IPOption_RR, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, ICMPv6EchoRequest, PadN,
                       Dot1AD, Dot1Q, Ether, Raw, TCP, UDP,
                       fragment)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from oracle import write_pcap  # noqa: E402

MSS_TSO = 1448
MSS_USO = 1200
SRC6, DST6 = "2001:db8::1", "2001:db8:1::2"

MAC_S, MAC_D = "02:00:00:00:00:01", "02:00:00:00:00:02"


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def payload(self, n):
        return bytes(self.r.getrandbits(8) for _ in range(n))

    # --- layer choices -------------------------------------------------
    def l2(self, kind=None):
        kind = kind or self.r.choice(["plain", "plain", "vlan", "qinq",
                                      "qinq-8100"])
        e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
        if kind == "vlan":
            return e / Dot1Q(vlan=self.r.randrange(1, 4095),
                             prio=self.r.randrange(8)), kind
        if kind == "qinq":
            return e / Dot1AD(vlan=self.r.randrange(1, 4095)) / \
                Dot1Q(vlan=self.r.randrange(1, 4095)), kind
        if kind == "qinq-8100":  # pre-802.1ad double tagging
            return e / Dot1Q(vlan=self.r.randrange(1, 4095)) / \
                Dot1Q(vlan=self.r.randrange(1, 4095)), kind
        return e, kind

    def ipv4(self, opts=None, **kw):
        opts = self.r.random() < 0.3 if opts is None else opts
        options = []
        if opts:
            options = self.r.choice([
                [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(),
                 IPOption_NOP()],
                [IPOption_RR(routers=["192.0.2.9", "192.0.2.10"])],
                [IPOption_RR(routers=["192.0.2.%d" % i for i in range(9)])],
            ])
        kw.setdefault("id", self.r.randrange(65536))
        kw.setdefault("ttl", self.r.randrange(1, 256))
        return IP(src="192.0.2.%d" % self.r.randrange(1, 255),
                  dst="198.51.100.%d" % self.r.randrange(1, 255),
                  options=options, **kw), ("ipv4+opt" if opts else "ipv4")

    def ipv6(self, chain=None):
        chain = chain if chain is not None else self.r.choice(
            ["", "", "hbh", "dst", "rt0", "rt0-done", "srh", "srh-done", "rt2",
             "hbh+rt0+dst", "atomic-frag"])
        h = IPv6(src=SRC6, dst=DST6, hlim=self.r.randrange(1, 256),
                 fl=self.r.randrange(1 << 20))
        for part in filter(None, chain.split("+")):
            if part == "hbh":
                h = h / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0" * 4)])
            elif part == "dst":
                h = h / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0" * 12)])
            elif part == "rt0":
                # Routing header type 0 with segments left: the pseudo-header
                # uses the last address (RFC 8200 §8.1).
                h = h / IPv6ExtHdrRouting(
                    addresses=["2001:db8:2::%x" % i for i in range(1, 4)],
                    segleft=2)
            elif part == "rt0-done":
                h = h / IPv6ExtHdrRouting(addresses=["2001:db8:2::1"],
                                          segleft=0)
            elif part == "srh":
                # Segment routing header (type 4): final destination is
                # Segment List[0] (RFC 8754 §2).
                h = h / IPv6ExtHdrSegmentRouting(
                    addresses=["2001:db8:3::1", "2001:db8:3::2"], segleft=1)
            elif part == "srh-done":
                h = h / IPv6ExtHdrSegmentRouting(
                    addresses=["2001:db8:3::1", "2001:db8:3::2"], segleft=0)
            elif part == "rt2":
                # Type 2 (Mobile IPv6, RFC 6275 §6.4): one address.
                h = h / IPv6ExtHdrRouting(type=2, addresses=["2001:db8:9::1"],
                                          segleft=1)
            elif part == "atomic-frag":
                h = h / IPv6ExtHdrFragment(offset=0, m=0,
                                           id=self.r.getrandbits(32))
        return h, "ipv6" + ("[" + chain + "]" if chain else "")

    def tcp(self, **kw):
        opts = self.r.choice([
            [],
            [("MSS", 1460)],
            [("NOP", None), ("NOP", None),
             ("Timestamp", (self.r.getrandbits(32), self.r.getrandbits(32)))],
            [("NOP", None), ("NOP", None), ("SAck", (1000, 2000, 3000, 4000))],
            [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (1, 2)),
             ("NOP", None), ("WScale", 7)],
        ])
        kw.setdefault("flags", self.r.choice(["A", "PA", "FA", "FPA", "SA",
                                              "CEA", "RA", "UA"]))
        return TCP(sport=self.r.randrange(1, 65536),
                   dport=self.r.randrange(1, 65536),
                   seq=self.r.getrandbits(32), ack=self.r.getrandbits(32),
                   window=self.r.randrange(65536), options=opts, **kw)

    def udp(self):
        return UDP(sport=self.r.randrange(1, 65536),
                   dport=self.r.randrange(1, 65536))

    def spoil(self, pkt, layer, mode):
        """Zero or corrupt the checksum of `layer` in the built frame."""
        if mode == "zero":
            pkt[layer].chksum = 0
        elif mode == "corrupt":
            pkt[layer].chksum = self.r.randrange(1, 65536)
        return pkt

    def pad(self, raw):
        if len(raw) < 60:
            raw += self.payload(60 - len(raw))  # non-zero padding on purpose
        return raw


def udp_sum_zero(pkt):
    """Make the last two payload bytes so the UDP sum computes to 0 (which
    the wire must carry as 0xFFFF). Returns the built frame."""
    pkt[UDP].chksum = None
    pay = bytes(pkt[UDP].payload)
    assert len(pay) >= 2 and len(pay) % 2 == 0
    pkt[UDP].remove_payload()
    pkt[UDP].add_payload(Raw(pay[:-2] + b"\0\0"))
    built = Ether(bytes(pkt))
    l4 = built[UDP]
    ck = l4.chksum  # complement of the sum including the pseudo-header
    s = (~ck) & 0xFFFF if ck != 0xFFFF else 0  # the folded sum
    # want s + x == 0xFFFF (one's complement), i.e. x = ~s
    x = (~s) & 0xFFFF
    pkt[UDP].remove_payload()
    pkt[UDP].add_payload(Raw(pay[:-2] + x.to_bytes(2, "big")))
    pkt[UDP].chksum = None
    out = Ether(bytes(pkt))
    assert out[UDP].chksum == 0xFFFF, hex(out[UDP].chksum)
    return out


def gen_csum(g, n=320):
    frames, meta = [], []

    def add(pkt, desc, raw=None):
        raw = bytes(pkt) if raw is None else raw
        frames.append(g.pad(raw))
        meta.append(desc)

    # Hand-picked edge cases first: UDP sum 0 on IPv4 and IPv6, with tags.
    for l2k in ("plain", "vlan", "qinq"):
        for v6 in (False, True):
            e, _ = g.l2(l2k)
            ip, ipd = g.ipv6("") if v6 else g.ipv4(False)
            pkt = udp_sum_zero(e / ip / g.udp() / Raw(g.payload(40)))
            for mode in ("zero", "corrupt"):
                p = pkt.copy()
                if IP in p:
                    g.spoil(p, IP, mode)
                g.spoil(p, UDP, mode)
                add(p, {"case": "udp-sum-0", "l2": l2k, "l3": ipd,
                        "mode": mode})
    # IPv4 fragments of good datagrams: the engine must fill the IP header
    # sum and leave the L4 sum (covering the reassembled datagram) alone.
    for l4 in ("udp", "tcp"):
        e, l2k = g.l2("plain")
        ip, ipd = g.ipv4(False, id=g.r.randrange(65536))
        dgram = ip / (g.udp() if l4 == "udp" else g.tcp(flags="A")) / \
            Raw(g.payload(1000))
        for fr in fragment(IP(bytes(dgram)), fragsize=400):
            fr.chksum = 0
            add(e / fr, {"case": "ipv4-frag", "l4": l4})
    # IPv6 fragments (non-atomic): L4 sum left alone.
    e, _ = g.l2("plain")
    dgram = IPv6(src=SRC6, dst=DST6) / g.udp() / Raw(g.payload(700))
    dgram = IPv6(bytes(dgram))
    blob = bytes(dgram.payload)
    fid = g.r.getrandbits(32)
    for off in range(0, len(blob), 304):
        part = blob[off:off + 304]
        p = e / IPv6(src=SRC6, dst=DST6) / IPv6ExtHdrFragment(
            nh=17, offset=off // 8, m=int(off + 304 < len(blob)), id=fid) / \
            Raw(part)
        add(p, {"case": "ipv6-frag"})
    # Non-IP and ICMP pass through (ICMP sums are the guest's business).
    add(Ether(dst="ff:ff:ff:ff:ff:ff") / ARP(psrc="192.0.2.1",
                                             pdst="192.0.2.2"),
        {"case": "arp"})
    e, _ = g.l2("vlan")
    ip, _ = g.ipv4(False)
    p = e / ip / ICMP(chksum=0) / Raw(g.payload(56))
    p[IP].chksum = 0
    add(p, {"case": "icmp"})
    add(Ether(src=MAC_S, dst=MAC_D) / IPv6(src=SRC6, dst=DST6) /
        ICMPv6EchoRequest(data=b"x" * 9, cksum=0x1234), {"case": "icmpv6"})
    add(Ether(src=MAC_S, dst=MAC_D) / Dot1Q(vlan=3) / IPv6(src=SRC6, dst=DST6) /
        IPv6ExtHdrRouting(addresses=["2001:db8:2::1", "2001:db8:2::2"],
                          segleft=2) /
        ICMPv6EchoRequest(data=b"y" * 20, cksum=0), {"case": "icmpv6-rt0"})
    # Unknown IP protocol: only the IPv4 header sum.
    ip, _ = g.ipv4(True, proto=253)
    ip.chksum = 0xDEAD
    add(Ether(src=MAC_S, dst=MAC_D) / ip / Raw(g.payload(33)), {"case": "ipv4-proto-253"})
    add(Ether(src=MAC_S, dst=MAC_D) / IPv6(src=SRC6, dst=DST6, nh=253) / Raw(g.payload(20)),
        {"case": "ipv6-proto-253"})

    # Random frames.
    for i in range(n):
        e, l2k = g.l2()
        v6 = g.r.random() < 0.45
        ip, ipd = g.ipv6() if v6 else g.ipv4()
        l4k = g.r.choice(["tcp", "tcp", "udp", "udp"])
        l4 = g.tcp() if l4k == "tcp" else g.udp()
        size = g.r.choice([0, 1, 2, 3, g.r.randrange(0, 64),
                           g.r.randrange(0, 1400), g.r.randrange(1400, 9000)])
        pkt = e / ip / l4 / Raw(g.payload(size))
        mode = g.r.choice(["zero", "corrupt", "good"])
        pkt = Ether(bytes(pkt))
        if mode != "good":
            if IP in pkt:
                g.spoil(pkt, IP, mode)
            g.spoil(pkt, TCP if l4k == "tcp" else UDP, mode)
        add(pkt, {"case": "random", "l2": l2k, "l3": ipd, "l4": l4k,
                  "size": size, "mode": mode})
    return frames, meta


def superframe(g, l4k, v6, l2k, size, **kw):
    e, _ = g.l2(l2k)
    if v6:
        ip, ipd = g.ipv6(kw.pop("chain", ""))
    else:
        ip, ipd = g.ipv4(kw.pop("opts", None), id=kw.pop("id", None) or
                         g.r.randrange(65536))
    if l4k == "tcp":
        l4 = g.tcp(flags=kw.pop("flags", "PA"))
    else:
        l4 = g.udp()
    if size is None:  # fill the 16-bit IP length exactly
        hdr = len(ip / l4) - (40 if v6 else 0)
        size = 65535 - hdr
    pkt = Ether(bytes(e / ip / l4 / Raw(g.payload(size))))
    # A guest's super-frame carries only the pseudo-header sum in practice;
    # zero it, and zero the IPv4 header sum, so the engine has to fill both.
    pkt[TCP if l4k == "tcp" else UDP].chksum = 0
    if IP in pkt:
        pkt[IP].chksum = 0
    return bytes(pkt), {"l2": l2k, "l3": ipd, "l4": l4k, "size": size}


def gen_gso(g, l4k, mss):
    frames, meta = [], []

    for v6 in (False, True):
        for l2k in ("plain", "vlan", "qinq"):
            # Boundaries (edge case 15).
            for size in (1, mss - 1, mss, mss + 1, 2 * mss, 2 * mss + 1):
                raw, m = superframe(g, l4k, v6, l2k, size)
                frames.append(raw)
                meta.append(dict(m, case="boundary"))
    # The largest frames: 64 KiB of IP.
    for v6 in (False, True):
        kw = {"opts": True} if not v6 else {"chain": "dst"}
        raw, m = superframe(g, l4k, v6, "vlan", None, **kw)
        frames.append(raw)
        meta.append(dict(m, case="max"))
    # IPv4 ID wrap (edge case 13) and flags (edge case 12).
    for flags in ("FPA", "CEA", "CEFPA", "A", "UA"):
        raw, m = superframe(g, l4k, False, "plain", 5 * mss + 17,
                            id=65533, flags=flags, opts=True)
        frames.append(raw)
        meta.append(dict(m, case="idwrap-flags", flags=flags))
    # IPv6 extension chains incl. routing headers.
    for chain in ("hbh", "rt0", "srh", "rt2", "hbh+rt0+dst"):
        raw, m = superframe(g, l4k, True, "qinq", 3 * mss + 5, chain=chain)
        frames.append(raw)
        meta.append(dict(m, case="ipv6-ext"))
    # Random super-frames.
    for _ in range(24):
        v6 = g.r.random() < 0.5
        raw, m = superframe(g, l4k, v6, None, g.r.randrange(1, 30000))
        frames.append(raw)
        meta.append(dict(m, case="random"))
    # Trailing bytes after the IP datagram (Ethernet padding or junk): the
    # IP length ends the payload, the junk is not segmented.
    for v6 in (False, True):
        raw, m = superframe(g, l4k, v6, "vlan", 2 * mss + 100)
        frames.append(raw + g.payload(7))
        meta.append(dict(m, case="trailing-junk"))
    # Pass-through frames: the other L4 protocol, ICMP, ARP.
    other = "udp" if l4k == "tcp" else "tcp"
    for v6 in (False, True):
        raw, m = superframe(g, other, v6, "vlan", 3000)
        frames.append(raw)
        meta.append(dict(m, case="other-l4"))
    frames.append(g.pad(bytes(Ether(src=MAC_S, dst=MAC_D) / ARP())))
    meta.append({"case": "arp"})
    return frames, meta


def gen_rx(g, n=300):
    frames, meta = [], []
    for i in range(n):
        e, l2k = g.l2()
        v6 = g.r.random() < 0.45
        ip, ipd = g.ipv6() if v6 else g.ipv4()
        l4k = g.r.choice(["tcp", "udp", "udp0", "icmp", "253", "frag"])
        if l4k == "tcp":
            l4 = g.tcp()
        elif l4k in ("udp", "udp0"):
            l4 = g.udp()
        elif l4k == "icmp":
            l4 = ICMPv6EchoRequest() if v6 else ICMP()
        else:
            l4 = None
        size = g.r.choice([0, 1, g.r.randrange(0, 64), g.r.randrange(0, 1500)])
        if l4k == "frag":
            pkt = e / ip / g.udp() / Raw(g.payload(600))
            pkt = Ether(bytes(pkt))
            if v6:
                # first fragment of a good datagram, behind the ext chain
                if "atomic-frag" in ipd:
                    ip, ipd = g.ipv6("hbh")
                blob = bytes(pkt[UDP])
                pkt = Ether(bytes(e / ip / IPv6ExtHdrFragment(
                    nh=17, offset=0, m=1, id=7) / Raw(blob[:256])))
            else:
                frs = fragment(pkt[IP], fragsize=256)
                pkt = Ether(bytes(e / frs[g.r.randrange(len(frs))]))
        elif l4 is None:
            if v6:
                ip.lastlayer().nh = 253
                pkt = Ether(bytes(e / ip / Raw(g.payload(size))))
            else:
                ip.proto = 253
                pkt = Ether(bytes(e / ip / Raw(g.payload(size))))
        else:
            pkt = Ether(bytes(e / ip / l4 / Raw(g.payload(size))))
        if l4k == "udp0":
            pkt[UDP].chksum = 0
        mode = g.r.choice(["good", "good", "ip", "l4", "both"])
        if mode in ("ip", "both") and IP in pkt:
            g.spoil(pkt, IP, "corrupt")
        if mode in ("l4", "both") and l4k in ("tcp", "udp"):
            g.spoil(pkt, TCP if l4k == "tcp" else UDP, "corrupt")
        frames.append(g.pad(bytes(pkt)))
        meta.append({"l2": l2k, "l3": ipd, "l4": l4k, "mode": mode})
    frames.append(g.pad(bytes(Ether(src=MAC_S, dst=MAC_D) / ARP())))
    meta.append({"l4": "arp"})
    return frames, meta


def gen_rss(g, n=200):
    frames = []
    for i in range(n):
        e, _ = g.l2()
        v6 = g.r.random() < 0.5
        ip = IPv6(src="2001:db8::%x" % g.r.getrandbits(16),
                  dst="2001:db8:1::%x" % g.r.getrandbits(16)) if v6 else \
            IP(src="192.0.2.%d" % g.r.randrange(256),
               dst="198.51.100.%d" % g.r.randrange(256))
        k = g.r.choice(["tcp", "udp", "icmp", "frag", "tcp-ext"])
        if k == "tcp-ext":
            # ports found behind IPv4 options / IPv6 extension headers (the
            # plain IPv6 hash types hash the IPv6 header's addresses)
            if v6:
                chain = g.r.choice(["hbh", "dst", "hbh+dst", "rt0", "srh"])
                ext, _ = g.ipv6(chain)
                ext.src, ext.dst = ip.src, ip.dst
                ip = ext
            else:
                ip.options = [IPOption_RR(routers=["192.0.2.9"])]
            p = e / ip / (g.tcp() if g.r.random() < 0.5 else g.udp())
        elif k == "tcp":
            p = e / ip / g.tcp()
        elif k == "udp":
            p = e / ip / g.udp() / Raw(g.payload(10))
        elif k == "icmp":
            p = e / ip / (ICMPv6EchoRequest() if v6 else ICMP())
        else:
            if v6:
                p = e / ip / IPv6ExtHdrFragment(nh=17, offset=8, m=0) / \
                    Raw(g.payload(16))
            else:
                ip.frag = 8
                ip.proto = 17
                p = e / ip / Raw(g.payload(16))
        frames.append(g.pad(bytes(p)))
    frames.append(g.pad(bytes(Ether(src=MAC_S, dst=MAC_D) / ARP())))
    return frames


def write(path, frames):
    write_pcap(path, frames)  # fixed timestamps: the files are reproducible


def main():
    args = sys.argv[1:]
    if any(a in ("-h", "--help") for a in args):
        print(__doc__.strip())
        return
    if not 1 <= len(args) <= 2 or args[0].startswith("-") or \
            (len(args) == 2 and not args[1].isdigit()):
        print(f"gen_corpus.py: expected OUTDIR [SEED], got {' '.join(args) or 'nothing'}\n"
              "usage: gen_corpus.py OUTDIR [SEED]", file=sys.stderr)
        sys.exit(2)
    out = args[0]
    seed = int(args[1]) if len(args) > 1 else 20261122
    os.makedirs(out, exist_ok=True)
    g = Gen(seed)
    manifest = {"seed": seed, "mss_tso": MSS_TSO, "mss_uso": MSS_USO}
    f, m = gen_csum(g)
    write(os.path.join(out, "csum.pcap"), f)
    manifest["csum"] = m
    f, m = gen_gso(g, "tcp", MSS_TSO)
    write(os.path.join(out, "tso.pcap"), f)
    manifest["tso"] = m
    f, m = gen_gso(g, "udp", MSS_USO)
    write(os.path.join(out, "uso.pcap"), f)
    manifest["uso"] = m
    f, m = gen_rx(g)
    write(os.path.join(out, "rx.pcap"), f)
    manifest["rx"] = m
    write(os.path.join(out, "rss.pcap"), gen_rss(g))
    with open(os.path.join(out, "manifest.json"), "w") as fp:
        json.dump(manifest, fp, indent=0)


if __name__ == "__main__":
    main()
