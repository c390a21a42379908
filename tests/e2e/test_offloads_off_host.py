"""Offloads switched off for the whole host in the board config
(`nic ... policy=none`): traffic works with the guests computing every
checksum and segment themselves; the NIC offloads nothing. Then the console
switches them back on host-wide (`offload host all on` + `reset`) and the
next transfer is offloaded again."""
import pytest

from topology import MiB, delta, iperf_ok
from harness import MTU, PEER4, guest_addr
import wire

VMS = [("httpd", "httpd", "", None), ("iperf", "iperf", f"iperf-client={PEER4}", None)]
CLIENT_DONE = r"iperf: (?P<how>client-done|aborted\S*) .*?\bbytes=(?P<bytes>\d+)"
NBYTES = 20 * MiB
OFFLOAD_COUNTERS = ("tx-hw-gso-packets", "tx-hw-gso-wire-packets", "tx_csum_offload",
                    "rx_csum_valid")


@pytest.fixture(scope="module")
def s(boot):
    return boot("hostoff", VMS, host_policy="none", iperf_server=True)


def test_guests_negotiated_no_offload(s):
    for vm in ("httpd", "iperf"):
        got = s.offloads(vm)
        assert got and not any(got.values()), (vm, got)


def test_ping_and_curl(s):
    assert s.ping(guest_addr(0)) and s.ping(guest_addr(1))
    code, body, err = s.curl(guest_addr(0))
    assert code == "200" and b"<html" in body.lower(), (code, err, body[:200])


def test_iperf_both_ways_without_offloads(s):
    """The guest's 10 s client from boot (>= 20 MiB to Linux), then 20 MiB
    from Linux; the NIC offloads nothing for either VF."""
    c0 = s.hv.counters()
    m = s.wait_vm("iperf", CLIENT_DONE, timeout=60)
    assert m.group("how") == "client-done", m.group(0)
    got = s.peer_iperf_bytes()
    assert got and got[0] >= NBYTES, f"Linux received {got} bytes; guest: {m.group(0)}"
    res = s.iperf(guest_addr(1), NBYTES)
    iperf_ok(res, "fwd", NBYTES)
    c1 = s.hv.counters()
    for vm in ("httpd", "iperf"):
        d = delta(c1[vm], c0[vm])
        for k in OFFLOAD_COUNTERS:
            assert c1[vm][k] == 0, (vm, k, c1[vm])
        if vm == "iperf":
            assert d["rx_bytes"] >= NBYTES, d


def test_console_switches_host_offloads_back_on(s):
    s.hv.cmd("offload host all on")
    for vm in ("httpd", "iperf"):
        got = s.reset_vf(vm)
        assert got.get("tso4") and got.get("tx-csum") and got.get("rx-csum"), (vm, got)
    assert s.ping(guest_addr(1), timeout=30), "iperf guest lost after the reset"
    c0 = s.vf("iperf")
    res = s.iperf(guest_addr(1), seconds=2, reverse=True)
    iperf_ok(res, "rev", 1 * MiB)
    d = delta(s.vf("iperf"), c0)
    assert d["tx-hw-gso-packets"] > 0 and d["tx-hw-gso-wire-packets"] > d["tx-hw-gso-packets"], d
    assert d["rx_csum_valid"] > 0, d


def test_wire_is_clean(s):
    fr = s.wire()
    bad = wire.problems(fr, MTU)
    assert not bad, f"{len(bad)} bad frames, first: " + "\n".join(bad[:10])
    from_guest = [f for f in fr if f.src == guest_addr(1) and f.tcp_len > 0]
    assert len(from_guest) > NBYTES // MTU
    assert all(f.tcp_ok == "1" or wire.mangled_zero(f) for f in from_guest)
    s.drop_capture()
