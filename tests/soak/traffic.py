"""The soak's Linux-peer traffic, run inside the test's namespace: one load
per honest guest for SECONDS, and every second the bytes each moved in it.
  traffic.py SECONDS OUT.json httpd=ADDR echo=ADDR iperf=ADDR linux=ADDR:PORT
httpd: HTTP GETs back to back (bytes of response received); echo: a TCP
echo stream in 16 KiB pieces, every byte compared (bytes echoed intact);
iperf: Debian's iperf 2 client, one-second reports; linux: rvnet send -i to
an `rvnet recv` in the guest (which checks every byte). OUT.json gets
{service: [bytes in second 1, 2, ...], service + "_errors": [...]}.
A reporter's per-second line (iperf, rvnet) is counted in the second its
own interval covers, not the second the line happened to arrive in: a line
that comes a little late would otherwise leave one second at zero and the
next at double. rvnet prints a line for every second that ended, 0 for
each second a blocked write spanned, so a stall still shows as zero
seconds; iperf's interval lines come from its reporter thread.
Exit status: 0 ran (the test judges the numbers), 2 bad usage."""
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

RVNET = Path(__file__).resolve().parents[2] / "build" / "host" / "rvnet"
REPORT_GRACE = 2  # seconds


class Meter:
    """Bytes per second of the run (second 0 starts at t0)."""
    def __init__(self, t0):
        self.lock = threading.Lock()
        self.t0 = t0
        self.seconds = {}
        self.errors = []

    def add(self, n, at=None):
        """n bytes moved at monotonic time `at` (default: now)."""
        s = int((time.monotonic() if at is None else at) - self.t0)
        with self.lock:
            self.seconds[s] = self.seconds.get(s, 0) + n

    def error(self, what):
        with self.lock:
            if len(self.errors) < 20:
                self.errors.append(f"{time.monotonic():.1f} {what}")

    def series(self, seconds):
        with self.lock:
            return [self.seconds.get(s, 0) for s in range(seconds)]


def httpd(addr, meter, stop):
    while not stop.is_set():
        try:
            with socket.create_connection((addr, 80), timeout=5) as c:
                c.sendall(f"GET / HTTP/1.0\r\nHost: {addr}\r\n\r\n".encode())
                got = 0
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    got += len(b)
                    meter.add(len(b))
                if not got:
                    meter.error("empty response")
        except OSError as e:
            meter.error(f"httpd: {e}")
            time.sleep(0.2)


def pattern(off, n):
    return bytes(((off + i) * 131 + ((off + i) >> 8)) & 0xFF for i in range(n))


def echo(addr, meter, stop):
    piece = 16 * 1024
    while not stop.is_set():
        try:
            with socket.create_connection((addr, 7), timeout=5) as c:
                off = 0
                while not stop.is_set():
                    data = pattern(off, piece)
                    c.sendall(data)
                    got = b""
                    while len(got) < piece:
                        b = c.recv(piece - len(got))
                        if not b:
                            raise OSError("echo closed the connection")
                        got += b
                    if got != data:
                        meter.error(f"echo: corrupted piece at {off}")
                        break
                    meter.add(piece)
                    off += piece
        except OSError as e:
            meter.error(f"echo: {e}")
            time.sleep(0.2)


def lines_of(cmd, meter, parse, stop, restart=True):
    """A per-second reporter subprocess: parse(line) -> (k, bytes) for
    the reporter's k-th one-second interval (from 0), or None."""
    while not stop.is_set():
        started = time.monotonic()
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in p.stdout:
            r = parse(line)
            if r is not None:
                meter.add(r[1], at=started + r[0] + 0.5)
            elif "rvnet: MISMATCH" in line or "connect" in line and "refused" not in line:
                meter.error(line.strip())
            if stop.is_set():
                break
        p.kill()
        p.wait()
        if not restart:
            return
        time.sleep(0.5)


def iperf_line(line):
    f = line.strip().split(",")
    if len(f) >= 9 and "-" in f[6]:
        begin, end = (float(x) for x in f[6].split("-"))
        if end - begin <= 1.5:  # not the whole-run summary
            return int(begin), int(f[7])
    return None


def rvnet_line(line):
    w = line.split()
    if len(w) == 5 and w[1] == "second" and w[4] == "bytes":
        return int(w[2]) - 1, int(w[3])
    return None


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return 0
    if len(argv) < 3:
        print("usage: " + __doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    seconds, out = int(argv[0]), Path(argv[1])
    targets = dict(a.split("=", 1) for a in argv[2:])
    stop = threading.Event()
    meters, threads = {}, []
    t0 = time.monotonic()
    for name, addr in targets.items():
        m = meters[name] = Meter(t0)
        if name == "httpd":
            t = threading.Thread(target=httpd, args=(addr, m, stop))
        elif name == "echo":
            t = threading.Thread(target=echo, args=(addr, m, stop))
        elif name == "iperf":
            cmd = ["iperf", "-c", addr, "-p", "5001", "-t", str(seconds + 5), "-i", "1", "-y", "C"]
            t = threading.Thread(target=lines_of, args=(cmd, m, iperf_line, stop))
        elif name == "linux":
            host, port = addr.rsplit(":", 1)
            cmd = [str(RVNET), "send", "-i", host, port, str(1 << 40), "5"]
            t = threading.Thread(target=lines_of, args=(cmd, m, rvnet_line, stop, False))
        else:
            print(f"traffic.py: unknown service {name}", file=sys.stderr)
            return 2
        t.daemon = True
        threads.append(t)
    for t in threads:
        t.start()
    # a reporter's line for the last second comes after that second
    time.sleep(max(0, t0 + seconds + REPORT_GRACE - time.monotonic()))
    stop.set()
    series = {}
    for name, m in meters.items():
        series[name] = m.series(seconds)
        series[name + "_errors"] = m.errors
    out.write_text(json.dumps(series))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
