"""Linux-peer traffic ends the e2e tests run inside the namespace:
  peer.py udp-echo ADDR PORT SIZE...  one datagram of each size to an echo
                                      server; prints `SIZE ok|lost|wrong`
  peer.py tcp-echo ADDR PORT N        N bytes through a TCP echo server;
                                      prints the byte count echoed intact
The payload depends on the size and position, so a reply that is another
datagram's, truncated or corrupted despite good checksums is caught."""
import re
import socket
import sys


def payload(n, salt=0):
    return bytes(((i * 131) + (i >> 8) + n + salt) & 0xFF for i in range(n))


def udp_echo(addr, port, sizes):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.settimeout(2)
    bad = 0
    for n in sizes:
        verdict = "lost"
        for attempt in range(3):  # a drop while ARP/ND resolves is not a failure
            data = payload(n, attempt)
            s.sendto(data, (addr, port))
            try:
                while True:
                    got, _ = s.recvfrom(65535)
                    if got == data:
                        verdict = "ok"
                        break
                    if len(got) != n or got != payload(n, attempt - 1):
                        verdict = "wrong"  # not a late echo of the previous try
                        break
            except socket.timeout:
                continue
            break
        bad += verdict != "ok"
        print(n, verdict, flush=True)
    return bad


def tcp_echo(addr, port, n):
    c = socket.create_connection((addr, port), timeout=20)
    data = payload(n)
    c.sendall(data)
    got = b""
    while len(got) < n:
        b = c.recv(65536)
        if not b:
            break
        got += b
    c.close()
    ok = 0
    while ok < min(len(got), n) and got[ok] == data[ok]:
        ok += 1
    print(ok, flush=True)
    return ok != n


def usage_error(msg):
    # the command lines of the docstring, without their descriptions
    forms = [re.split(r"\s{2,}", l.strip())[0] for l in __doc__.splitlines()
             if l.strip().startswith("peer.py ")]
    print(f"peer.py: {msg}\nusage: " + "\n       ".join(forms) + "\n(--help for more)",
          file=sys.stderr)
    sys.exit(2)


def parse(argv):
    """(command, addr, port, numbers) from argv, or exits: 0 after --help, 2 on
    bad usage."""
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__ + "\nExit status: 0 all intact, 1 something lost or wrong, 2 bad usage.")
        sys.exit(0)
    if not argv or argv[0] not in ("udp-echo", "tcp-echo"):
        usage_error((f"unknown command '{argv[0]}'" if argv else "no command") +
                    ", expected udp-echo or tcp-echo")
    nums = 1 if argv[0] == "tcp-echo" else None
    if len(argv) < 4 or (nums and len(argv) != 4):
        usage_error(f"{argv[0]} takes ADDR PORT and " + ("N" if nums else "SIZE..."))
    try:
        return argv[0], argv[1], int(argv[2]), [int(x) for x in argv[3:]]
    except ValueError as e:
        usage_error(f"{argv[0]}: {e}")


if __name__ == "__main__":
    cmd, addr, port, nums = parse(sys.argv[1:])
    if cmd == "udp-echo":
        sys.exit(1 if udp_echo(addr, port, nums) else 0)
    sys.exit(1 if tcp_echo(addr, port, nums[0]) else 0)
