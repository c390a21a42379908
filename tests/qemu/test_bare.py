"""The guest contract without the hypervisor: the same .bin images boot on
plain OpenSBI fw_jump, which loads them at 0x80200000 instead of 0x80000000
(so this also checks the image's self-relocation) and offers no DBCN."""
import re

from conftest import done_line


def test_hello_on_opensbi(bare_run):
    r = bare_run("bare-hello", "hello")
    assert not r.timed_out and r.rc == 0, r.describe()
    assert any(re.match(r"^hello: hello from vcpu 0 of vm guest \(boot 0, sstc timer, legacy console, "
                        r"10000000 Hz\)$", l)
               for l in r.lines), r.describe()
    ms = [int(m.group(1)) for m in (re.match(r"^hello: slept (\d+) ms$", l) for l in r.lines) if m]
    # Never early; late only by host scheduling (+140 ms seen on a loaded host).
    assert len(ms) == 1 and 1000 <= ms[0] <= 2000, (ms, r.describe())
    naps = [int(m.group(1)) for m in
            (re.match(r"^hello: 1000 naps of 100 ticks took (\d+) us$", l) for l in r.lines) if m]
    assert len(naps) == 1 and naps[0] >= 10000, (naps, r.describe())
    assert r.has("hello: bye"), r.describe()


def test_ticker_on_opensbi(bare_run):
    r = bare_run("bare-ticker", "ticker", args="seconds=1")
    assert not r.timed_out and r.rc == 0, r.describe()
    d = done_line(r.lines, "ticker")
    assert d, r.describe()
    ticks, expected = d
    assert expected >= 1000 and abs(ticks - expected) <= expected * 0.005, (d, r.describe())


def test_smp_on_opensbi(bare_run):
    r = bare_run("bare-smp", "smp", smp=2)
    assert not r.timed_out and r.rc == 0, r.describe()
    # OpenSBI's boot hart lottery decides which hart runs main().
    m = [re.match(r"^smp: vcpu (\d) up$", l) for l in r.lines]
    up = [x.group(1) for x in m if x]
    assert len(up) == 1, r.describe()
    assert r.has(f"smp: vcpu {up[0]} got ipi"), r.describe()
    assert any(re.match(rf"^smp: vcpu {up[0]} stopped, vcpu \d reports ok$", l) for l in r.lines), \
        r.describe()
    assert not any("FAIL" in l for l in r.lines), r.describe()


def test_exception_is_reported(bare_run):
    # OpenSBI's PMP guards its own memory: the runtime must report the
    # access fault with scause/sepc/stval and shut down instead of hanging.
    r = bare_run("bare-fault", "intruder", args="attempt=read addr=0x80000000")
    assert not r.timed_out and r.rc == 0, r.describe()
    assert any(re.match(r"^guest: vcpu 0 load access fault: scause=0x5 sepc=0x802[0-9a-f]{5} "
                        r"stval=0x80000000 ", l) for l in r.lines), r.describe()
    assert not r.has("intruder: attempt survived"), r.describe()


def test_console_input_on_opensbi(bare_run):
    r = bare_run("bare-conin", "conin", script=[(r"conin: ready", b"typed on the console\r")])
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.has("conin: ready (legacy console)"), r.describe()
    assert r.has('conin: got "typed on the console" (20 bytes)'), r.describe()


def test_stack_overflow_is_reported(bare_run):
    r = bare_run("bare-overflow", "intruder", args="attempt=overflow")
    assert not r.timed_out and r.rc == 0, r.describe()
    assert any(re.match(r"^guest: vcpu 0 stack overflow: guard word at 0x802[0-9a-f]{5} clobbered ", l)
               for l in r.lines), r.describe()
    assert not any(l.startswith("intruder: recursion returned") for l in r.lines), r.describe()
