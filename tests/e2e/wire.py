"""Validation of a whole capture by an independent dissector (tshark, with
its IP/TCP/UDP checksum checks on, ARCHITECTURE.md §7)."""
import subprocess
from dataclasses import dataclass

TSHARK_CHECKS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                 "-o", "udp.check_checksum:TRUE"]
# no TCP stream analysis or reassembly (per-segment sums need neither; a
# sixth of tshark's time on a 100 MB capture), no name resolution. IP
# reassembly stays on: the UDP sum of a fragmented datagram is checked on
# the whole datagram.
TSHARK_CHEAP = ["-n", "-o", "tcp.analyze_sequence_numbers:FALSE",
                "-o", "tcp.desegment_tcp_streams:FALSE", "-o", "tcp.calculate_timestamps:FALSE",
                "--disable-protocol", "iperf2"]
FIELDS = ["frame.number", "frame.len", "eth.src", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "ip.checksum.status", "tcp.checksum.status", "udp.checksum.status", "tcp.len",
          "udp.length", "ip.flags.mf", "ip.frag_offset", "tcp.checksum", "tcp.checksum_calculated"]


@dataclass
class Frame:
    no: int
    length: int
    src_mac: str
    src: str
    dst: str
    ip_ok: str  # tshark checksum status: 0 bad, 1 good, 2 unverified
    tcp_ok: str
    udp_ok: str
    tcp_len: int
    udp_len: int
    fragment: bool
    tcp_sum: str  # as sent, and as tshark computes it
    tcp_sum_calc: str


def frames(pcap, timeout=300):
    r = subprocess.run(["tshark", "-r", str(pcap), *TSHARK_CHECKS, *TSHARK_CHEAP, "-T", "fields",
                        "-E", "separator=|", "-E", "occurrence=f",
                        *sum((["-e", f] for f in FIELDS), [])],
                       capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"tshark -r {pcap}: {r.stderr}"
    out = []
    for line in r.stdout.splitlines():
        f = line.split("|")
        out.append(Frame(int(f[0]), int(f[1]), f[2], f[3] or f[5], f[4] or f[6], f[7], f[8], f[9],
                         int(f[10] or 0), int(f[11] or 0),
                         f[12] in ("1", "True") or f[13] not in ("", "0"), f[14], f[15]))
    return out


def mangled_zero(f):
    """A TCP sum that computes to 0x0000 sent as 0xffff. tshark calls it bad
    (RFC 1624 §3), but in one's complement both are zero and a receiver's
    check (RFC 1071: everything sums to 0xffff) passes either way; Linux's
    own software checksum (skb_checksum_help, CSUM_MANGLED_0) sends this
    too, so it is not counted as a bad sum."""
    return f.tcp_ok == "0" and f.tcp_sum.lower() == "0xffff" and f.tcp_sum_calc.lower() == "0x0000"


def problems(fr, mtu):
    """Every frame tshark calls bad or that is over the MTU, as text."""
    bad = []
    for f in fr:
        why = []
        if f.length > mtu + 14:
            why.append(f"{f.length} bytes > MTU {mtu} + 14")
        for layer, st in (("ip", f.ip_ok), ("tcp", f.tcp_ok), ("udp", f.udp_ok)):
            if st == "0" and not (layer == "tcp" and mangled_zero(f)):
                why.append(f"bad {layer} checksum")
        if why:
            bad.append(f"frame {f.no} {f.src_mac} {f.src}->{f.dst}: {', '.join(why)}")
    return bad
