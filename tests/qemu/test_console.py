"""The shared console under hostile guests (issue 12, findings 5 and 7):
apps/babble forges terminal controls, floods, and hands DBCN its whole
RAM, beside a ticker whose lines must all come through in time."""
import re

from conftest import done_line
from test_hv import assert_clean_exit


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
