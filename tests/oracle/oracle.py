"""Independent reference code for the oracle tests: checksums recomputed by
scapy, an RFC 1071 sum written from the RFC, and a Toeplitz hash written from
Microsoft's RSS specification. Nothing here shares code with offload-engine/."""

import struct

from scapy.all import (IP, TCP, UDP, ICMP, IPv6, Ether,
                       IPv6ExtHdrFragment)
from scapy.layers.inet6 import _ICMPv6

L4_CLASSES = (TCP, UDP)


def read_pcap(path):
    """Frames of a classic pcap file as bytes. Written here because scapy's
    reader cuts records at 65535 bytes, and TSO super-frames are longer."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        raise ValueError("%s: not a pcap file" % path)
    linktype = struct.unpack(end + "I", data[20:24])[0]
    assert linktype == 1, "not Ethernet"
    off, frames = 24, []
    while off < len(data):
        _, _, caplen, wirelen = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        assert caplen == wirelen, "truncated record in %s" % path
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", i, 0, len(fr), len(fr)))
            f.write(fr)


def ipv4_is_fragment(ip) -> bool:
    return bool(ip.flags.MF) or ip.frag != 0


def ipv6_is_fragment(pkt) -> bool:
    fh = pkt.getlayer(IPv6ExtHdrFragment)
    return fh is not None and (fh.m or fh.offset != 0)


def is_fragment(pkt) -> bool:
    if IP in pkt and ipv4_is_fragment(pkt[IP]):
        return True
    return IPv6 in pkt and ipv6_is_fragment(pkt)


def l4_layer(pkt):
    """The first TCP/UDP layer that is a real header (not inside ICMP
    errors), or None."""
    for cls in L4_CLASSES:
        if cls in pkt:
            return pkt[cls]
    return None


def icmp_layer(pkt):
    if ICMP in pkt:
        return pkt[ICMP]
    for layer in pkt.layers():
        if issubclass(layer, _ICMPv6):
            return pkt[layer]
    return None


def fill_checksums(raw: bytes) -> bytes:
    """What the wire must carry after `tx --csum`: every IPv4 header, TCP,
    UDP, ICMP and ICMPv6 checksum recomputed by scapy; fragments keep their L4
    sum (it covers the reassembled datagram)."""
    pkt = Ether(raw)
    if IP in pkt:
        del pkt[IP].chksum
    if not is_fragment(pkt):
        l4 = l4_layer(pkt) or icmp_layer(pkt)
        if l4 is not None:
            # ICMPv6 names the field cksum, the others chksum
            name = "cksum" if "cksum" in [f.name for f in l4.fields_desc] \
                else "chksum"
            delattr(l4, name)
    out = bytes(pkt)
    assert len(out) == len(raw), "scapy rebuild changed the frame length"
    return out


def checksums_ok(raw: bytes) -> bool:
    return fill_checksums(raw) == raw


def toeplitz(key: bytes, data: bytes) -> int:
    """Toeplitz hash as in Microsoft's "RSS hashing functions": for every
    set bit of the input (MSB first), XOR in the 32 key bits starting at
    that bit position."""
    k = int.from_bytes(key, "big")
    klen = len(key) * 8
    h = 0
    for i in range(len(data) * 8):
        if data[i // 8] & (0x80 >> (i % 8)):
            h ^= (k >> (klen - 32 - i)) & 0xFFFFFFFF
    return h


def rss_input(pkt):
    """The RSS hash input per Microsoft's spec: src addr, dst addr, then for
    TCP/UDP (non-fragments) src port, dst port. None for non-IP."""
    import socket
    if IP in pkt:
        ip = pkt[IP]
        b = socket.inet_pton(socket.AF_INET, ip.src) + \
            socket.inet_pton(socket.AF_INET, ip.dst)
        frag = ipv4_is_fragment(ip)
    elif IPv6 in pkt:
        ip = pkt[IPv6]
        b = socket.inet_pton(socket.AF_INET6, ip.src) + \
            socket.inet_pton(socket.AF_INET6, ip.dst)
        frag = ipv6_is_fragment(pkt)
    else:
        return None
    l4 = l4_layer(pkt)
    if l4 is not None and not frag:
        b += struct.pack("!HH", l4.sport, l4.dport)
    return b
