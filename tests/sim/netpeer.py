"""Traffic ends for the simulator tests, run inside a namespace:
  netpeer.py tcp-sink PORT           accept one connection, check the
                                     pattern, print the byte count
  netpeer.py tcp-send ADDR PORT N    send N pattern bytes
  netpeer.py udp-echo PORT           echo datagrams until killed
  netpeer.py udp-probe ADDR PORT S.. send one datagram of each size S and
                                     check the echo; print how many matched
  netpeer.py udp-gso ADDR PORT N SEG send N bytes as one UDP_SEGMENT (USO)
                                     send of SEG-byte datagrams
  netpeer.py udp-count PORT K        receive K datagrams, check each one's
                                     pattern, print how many were right
The pattern is position-dependent, so a corrupted, lost or reordered byte
that the checksums missed is caught."""
import socket
import sys


def pattern(off, n):
    return bytes(((off + i) * 131 + ((off + i) >> 8)) & 0xFF for i in range(n))


PAT = pattern(0, 1 << 20)


def chunk(off, n):
    """Pattern bytes [off, off+n) from the 1 MiB table (period 1 MiB)."""
    out = bytearray()
    while n:
        s = off % len(PAT)
        k = min(n, len(PAT) - s)
        out += PAT[s:s + k]
        off += k
        n -= k
    return bytes(out)


def tcp_sink(port):
    fam = socket.AF_INET6
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.listen(1)
    print("listening", flush=True)
    c, _ = s.accept()
    got = 0
    while True:
        b = c.recv(1 << 16)
        if not b:
            break
        if b != chunk(got, len(b)):
            print(f"corrupt at {got}", flush=True)
            sys.exit(1)
        got += len(b)
    print(got, flush=True)


def tcp_send(addr, port, n):
    c = socket.create_connection((addr, port), timeout=60)
    off = 0
    while off < n:
        k = min(1 << 16, n - off)
        c.sendall(chunk(off, k))
        off += k
    c.shutdown(socket.SHUT_WR)
    c.recv(1)
    c.close()


def udp_echo(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    print("listening", flush=True)
    while True:
        b, a = s.recvfrom(65535)
        s.sendto(b, a)


def udp_probe(addr, port, sizes):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    ok = 0
    for n in sizes:
        data = chunk(n, n)
        for _ in range(3):  # UDP: a retry covers a drop at start-up
            s.sendto(data, (addr, port))
            try:
                b, _ = s.recvfrom(65535)
            except socket.timeout:
                continue
            if b == data:
                ok += 1
                break
    print(ok, flush=True)


UDP_SEGMENT = 103  # linux/udp.h


def udp_gso(addr, port, n, seg):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, seg)
    # Each datagram carries its index in its first byte and the pattern
    # from that index on, so the receiver can check every one.
    data = b"".join(bytes([i]) + chunk(i * seg, seg - 1) for i in range(n // seg))
    s.sendto(data, (addr, port))


def udp_count(port, k):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.settimeout(5)
    print("listening", flush=True)
    ok = 0
    try:
        for _ in range(k):
            b, _ = s.recvfrom(65535)
            i = b[0]
            ok += b[1:] == chunk(i * len(b), len(b) - 1)
    except socket.timeout:
        pass
    print(ok, flush=True)


# command: (function, converters of its arguments, converter of any further
# ones or None)
COMMANDS = {
    "tcp-sink": (tcp_sink, [int], None),
    "tcp-send": (tcp_send, [str, int, int], None),
    "udp-echo": (udp_echo, [int], None),
    "udp-probe": (udp_probe, [str, int], int),
    "udp-gso": (udp_gso, [str, int, int, int], None),
    "udp-count": (udp_count, [int, int], None),
}


USAGE = """usage: netpeer.py tcp-sink PORT | tcp-send ADDR PORT N | udp-echo PORT
       netpeer.py udp-probe ADDR PORT SIZE... | udp-gso ADDR PORT N SEG | udp-count PORT K
(--help for more)"""


def usage_error(msg):
    print(f"netpeer.py: {msg}\n{USAGE}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    """(function, arguments) for argv, or exits: 0 after --help, 2 on bad usage."""
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__ + "\nExit status: 0 done, 2 bad usage.")
        sys.exit(0)
    if not argv or argv[0] not in COMMANDS:
        usage_error((f"unknown command '{argv[0]}'" if argv else "no command") +
                    f", expected one of {', '.join(COMMANDS)}")
    fn, conv, more = COMMANDS[argv[0]]
    args = argv[1:]
    if len(args) < len(conv) or (more is None and len(args) > len(conv)):
        usage_error(f"{argv[0]} takes {len(conv)}{' or more' if more else ''} arguments, "
                    f"not {len(args)}")
    try:
        return fn, [(conv[i] if i < len(conv) else more)(a) for i, a in enumerate(args)]
    except ValueError as e:
        usage_error(f"{argv[0]}: {e}")


if __name__ == "__main__":
    fn, args = parse(sys.argv[1:])
    if fn is udp_probe:
        udp_probe(args[0], args[1], args[2:])
    else:
        fn(*args)
