"""The shared console under hostile guests (issue 12, findings 5 and 7):
apps/babble forges terminal controls, floods, and hands DBCN its whole
RAM, beside a ticker whose lines must all come through in time."""
import re

from conftest import REPO, done_line
from test_hv import assert_clean_exit


def console_constant(name):
    """A number #defined in hv/core/console.h (the meter's rate and burst)."""
    text = (REPO / "hv" / "core" / "console.h").read_text()
    return int(re.search(rf"#define {name}\s+(\d+)", text).group(1))


def babble_config(mode, seconds=2):
    return (f"vm ticker harts=2 ram=16M image=ticker args=\"seconds={seconds}\"\n"
            f"vm babble harts=1 ram=4M image=babble args=\"mode={mode}\"\n")


def assert_ticker_unharmed(r):
    assert not any(l.startswith("hv: vm ticker stopped") for l in r.lines), r.describe()
    d = done_line(r.vm_lines("ticker"), "ticker")
    assert d and abs(d[0] - d[1]) <= 0.005 * d[1], (d, r.describe())


def is_terminal_control(ch):
    o = ord(ch)
    return (o < 0x20 and ch != "\t") or 0x7f <= o <= 0x9f


def test_guest_cannot_forge_lines(hv_run):
    """ESC, CSI raw, after a stray byte ("\\xff\\x9b": issue 12) and as UTF-8,
    and NEL all come out as '?': nothing the guest prints is a control to a
    terminal, or a byte that is not UTF-8 (a terminal may read those as
    Latin-1, 0x9b as CSI). Its lines keep their prefix; its UTF-8 stays."""
    r = hv_run("hv-babble-forge", babble_config("forge", seconds=1))
    assert_clean_exit(r)
    for l in r.lines:
        # the log decodes with errors="replace": a byte that is not UTF-8
        # shows as U+FFFD
        assert "\ufffd" not in l and not any(map(is_terminal_control, l)), repr(l)
        if "forged" in l:
            assert l.startswith("[babble] babble: "), repr(l)
    out = r.vm_lines("babble")
    for want in ("babble: caf\u00e9 \u20ac \u2014 \u201b \u65e5 ok",
                 "babble: ??2Khv: vm ticker stopped: forged sepc=0x0 addr=0x0",
                 "babble: ?[2K?[1Ahv: forged with ESC",
                 "babble: ??2K??hv: forged with UTF-8 C1",
                 "babble: ?2K?hv: forged with raw C1",
                 "babble: bye"):
        assert want in out, (want, out)
    assert r.has("hv: vm babble shut down"), r.describe()
    assert_ticker_unharmed(r)


FLOOD_LINE = re.compile(r"^babble: flood \d{6} ")
DROPPED = re.compile(r"^hv: vm babble: (\d+) bytes of console output dropped$")


def test_flood_is_metered_and_counted(hv_run):
    """A guest printing as fast as it can gets its meter's worth of lines
    out (burst + rate x time), whole; the rest is dropped and counted once a
    second, every byte accounted for. The ticker beside it loses no line."""
    r = hv_run("hv-babble-flood", babble_config("flood seconds=3", seconds=3))
    assert_clean_exit(r)
    out = r.vm_lines("babble")
    m = [re.match(r"^babble: flood wrote (\d+) lines, (\d+) bytes in (\d+) ms$", l) for l in out]
    m = [x for x in m if x]
    assert len(m) == 1, r.describe()
    lines, total, ms = map(int, m[0].groups())
    printed = [l for l in out if FLOOD_LINE.match(l)]
    assert all(len(l) > 100 for l in printed), "a line was cut"
    printed_bytes = sum(len(l) + 1 for l in printed)  # + its newline
    drops = [int(x.group(1)) for x in map(DROPPED.match, r.lines) if x]
    assert drops, f"nothing dropped of {lines} lines: {r.describe()}"
    assert printed_bytes + sum(drops) == total, (printed_bytes, drops, total)
    # the meter charges the prefix too, so the text alone stays under it;
    # the time is the flood's, the quiet second and a half, and one more
    rate, burst = console_constant("CONSOLE_RATE_BYTES"), console_constant("CONSOLE_BURST_BYTES")
    assert printed_bytes <= burst + rate * (ms / 1000 + 1.5 + 1), (printed_bytes, ms)
    assert printed_bytes < total / 4, "the flood was not held back"
    # one report a second at most, and the one when the VM stops
    assert len(drops) <= ms / 1000 + 2, drops
    # every one of the ticker's lines came, each about as late as the others
    # (guest time against the host's arrival time: a line that waited
    # behind the flood would arrive late by that wait)
    reports = [(i, int(m.group(1))) for i, m in
               ((i, re.match(r"^\[ticker\] ticker: \d+ ticks at (\d+) ms$", l))
                for i, l in enumerate(r.lines)) if m]
    assert len(reports) == 3, r.vm_lines("ticker")
    lags = [r.times[i] - ms / 1000 for i, ms in reports]
    assert max(lags) - min(lags) <= 0.5, (lags, r.describe())
    assert_ticker_unharmed(r)


def test_dbcn_write_of_whole_ram_is_capped(hv_run):
    """SBI DBCN write of the guest's whole RAM: the call writes at most 256
    bytes and says how many (SBI 2.0 12.1 allows partial writes), at once;
    it used to hold its hart in the hypervisor for minutes."""
    r = hv_run("hv-babble-ram", babble_config("ram"))
    assert_clean_exit(r)
    out = r.vm_lines("babble")
    m = [re.match(r"^babble: dbcn write of (\d+) bytes returned (-?\d+) in (\d+) us$", l) for l in out]
    m = [x for x in m if x]
    assert len(m) == 1, r.describe()
    size, written, us = map(int, m[0].groups())
    assert size == 4 << 20, size
    assert 0 < written <= 256, written
    assert us < 1_000_000, f"the call took {us} us"
    assert "babble: bye" in out and r.has("hv: vm babble shut down"), r.describe()
    assert_ticker_unharmed(r)
