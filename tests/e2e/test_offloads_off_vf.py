"""Offloads off for one VF only: the echo guest (VF 0) keeps them, the iperf
guest (VF 1) has `policy=none` in the board config. UDP echo of 1 B..8 KiB
(IP fragments both ways) and TCP echo on the first, iperf on the second; the
NIC offloads for VF 0 only. Then the console swaps it at run time (VF 0
off, VF 1 on) and the counters follow."""
import pytest

from topology import MiB, delta, iperf_ok
from harness import MTU, PEER4, guest_addr, guest_addr6
import wire

VMS = [("echo", "echo", "", None), ("iperf", "iperf", f"iperf-client={PEER4}", "none")]
CLIENT_DONE = r"iperf: (?P<how>client-done|aborted\S*) .*?\bbytes=(?P<bytes>\d+)"
NBYTES = 20 * MiB
UDP_SIZES = [1, 2, 17, 64, 512, 1000, 1452, 1472, 1473, 1480, 2000, 2961, 4000, 6000, 8192]


@pytest.fixture(scope="module")
def s(boot):
    return boot("vfoff", VMS, iperf_server=True)


def _echo_all(s):
    r4 = s.udp_echo(guest_addr(0), UDP_SIZES)
    r6 = s.udp_echo(guest_addr6(0), UDP_SIZES)
    assert r4 == {n: "ok" for n in UDP_SIZES}, f"UDP echo over IPv4: {r4}"
    assert r6 == {n: "ok" for n in UDP_SIZES}, f"UDP echo over IPv6: {r6}"
    assert s.tcp_echo(guest_addr(0), 256 * 1024) == 256 * 1024


def test_only_the_second_vf_lost_its_offloads(s):
    echo, iperf = s.offloads("echo"), s.offloads("iperf")
    assert echo and all(echo.values()), echo
    assert iperf and not any(iperf.values()), iperf


def test_udp_and_tcp_echo_with_offloads(s):
    c0 = s.vf("echo")
    _echo_all(s)
    d = delta(s.vf("echo"), c0)
    assert d["tx_csum_offload"] > 0 and d["rx_csum_valid"] > 0, d


def test_iperf_on_the_vf_without_offloads(s):
    """The guest's 10 s client from boot, then 20 MiB from Linux."""
    m = s.wait_vm("iperf", CLIENT_DONE, timeout=60)
    assert m.group("how") == "client-done", m.group(0)
    got = s.peer_iperf_bytes()
    assert got and got[0] >= NBYTES, f"Linux received {got} bytes; guest: {m.group(0)}"
    c0 = s.vf("iperf")
    res = s.iperf(guest_addr(1), NBYTES)
    iperf_ok(res, "fwd", NBYTES)
    c1 = s.vf("iperf")
    d = delta(c1, c0)
    assert d["rx_bytes"] >= NBYTES, d
    assert c1["tx_bytes"] >= NBYTES, c1
    for k in ("tx-hw-gso-packets", "tx_csum_offload", "rx_csum_valid"):
        assert c1[k] == 0, (k, c1)


def test_console_swaps_the_vf_policies(s):
    s.hv.cmd("offload echo all off")
    s.hv.cmd("offload iperf all on")
    echo, iperf = s.reset_vf("echo"), s.reset_vf("iperf")
    assert echo and not any(echo.values()), echo
    assert iperf.get("tso4") and iperf.get("tx-csum"), iperf
    assert s.ping(guest_addr(0)) and s.ping(guest_addr(1)), "a guest was lost by its reset"
    e0, i0 = s.vf("echo"), s.vf("iperf")
    _echo_all(s)
    res = s.iperf(guest_addr(1), seconds=2, reverse=True)
    iperf_ok(res, "rev", 1 * MiB)
    de, di = delta(s.vf("echo"), e0), delta(s.vf("iperf"), i0)
    assert de["tx_packets"] > 0 and de["tx_csum_offload"] == 0 and de["rx_csum_valid"] == 0, de
    assert di["tx-hw-gso-packets"] > 0 and di["rx_csum_valid"] > 0, di


def test_wire_is_clean(s):
    fr = s.wire()
    bad = wire.problems(fr, MTU)
    assert not bad, f"{len(bad)} bad frames, first: " + "\n".join(bad[:10])
    frags = [f for f in fr if f.fragment and f.src == guest_addr(0)]
    assert frags, "the echo guest sent no IPv4 fragment (8 KiB replies)"
    s.drop_capture()
