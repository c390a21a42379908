"""The demo with every offload on: httpd (192.0.2.10) and iperf
(192.0.2.11) guests behind their VFs, Linux on the TAP. The iperf guest's
lwiperf client sends to Linux's `iperf -s` for 10 s from boot; then Linux
sends 20 MiB to its server. Ping, curl, the traps the datapath costs, the
NIC's TSO counters, and tshark over the whole capture."""
import time

import pytest

from topology import MiB, delta, iperf_ok
from harness import MTU, PEER4, guest_addr, guest_addr6
import wire

VMS = [("httpd", "httpd", "", None), ("iperf", "iperf", f"iperf-client={PEER4}", None)]
NBYTES = 20 * MiB
MAX_TRAPS_PER_PACKET = 0.05
# The NIC core's traps per frame on its port: the port guard's (hv/nic/
# port_guard.c) notification traps, one per batch of frames, not per frame.
MAX_NIC_TRAPS_PER_FRAME = 0.5
CLIENT_DONE = r"iperf: (?P<how>client-done|aborted\S*) .*?\bbytes=(?P<bytes>\d+)"
seen = {}  # results handed from the traffic tests to the counter checks


@pytest.fixture(scope="module")
def s(boot):
    return boot("on", VMS, iperf_server=True)


def _traps_and_counters(s):
    return s.hv.traps("iperf")["iperf"], s.vf("iperf")


def _nic_traps_and_port(s):
    return s.hv.traps("nic")["nic"], s.hv.counters("port 0")["port0"]


def _ratio(dt, dc):
    packets = dc["rx_packets"] + dc["tx_packets"]
    return dt["total"] / max(packets, 1), packets


def test_guests_negotiated_the_offloads(s):
    for vm in ("httpd", "iperf"):
        got = s.offloads(vm)
        for k in ("tx-csum", "rx-csum", "tso4", "tso6"):
            assert got.get(k), (vm, got)


def test_iperf_from_guest_and_traps_per_packet(s, record_property):
    """The guest's 10 s lwiperf client, running since boot: at least 20 MiB
    reach Linux, sent as TSO super-frames; its hart traps less than once
    per 20 packets meanwhile."""
    t0, c0 = _traps_and_counters(s)
    n0, p0 = _nic_traps_and_port(s)
    m = s.wait_vm("iperf", CLIENT_DONE, timeout=60)
    t1, c1 = _traps_and_counters(s)
    n1, p1 = _nic_traps_and_port(s)
    assert m.group("how") == "client-done", m.group(0)
    got = s.peer_iperf_bytes()
    assert got and got[0] >= NBYTES, f"Linux received {got} bytes; guest: {m.group(0)}"
    dt, dc = delta(t1, t0), delta(c1, c0)
    seen["tx"] = dc
    ratio, packets = _ratio(dt, dc)
    mbps = got[0] * 8 / 10 / 1e6
    record_property("iperf_from_guest_mbps", round(mbps, 1))
    record_property("traps_per_packet_tx", round(ratio, 4))
    print(f"from guest: {mbps:.1f} Mbit/s, {packets} packets, traps {dt}")
    assert ratio < MAX_TRAPS_PER_PACKET, f"{dt['total']} traps for {packets} packets: {dt}"
    # the NIC core: its port's frames both ways against its traps (the
    # guard's notifications, console and mailbox traffic included)
    dn, dp = delta(n1, n0), delta(p1, p0)
    frames = dp["tx_packets"] + dp["rx_packets"]
    nic_ratio = dn["total"] / max(frames, 1)
    record_property("nic_traps_per_port_frame", round(nic_ratio, 4))
    print(f"NIC core: {frames} port frames, traps {dn}")
    assert frames > 0 and nic_ratio < MAX_NIC_TRAPS_PER_FRAME, (frames, dn)


def test_nic_segmented_tso_super_frames(s):
    """The guest's lwIP sent super-frames (gso) and the NIC cut them."""
    assert "tx" in seen, "the transfer from the guest did not run"
    dc = seen["tx"]
    assert dc["tx-hw-gso-packets"] > 0, dc
    assert dc["tx-hw-gso-wire-packets"] > dc["tx-hw-gso-packets"], dc
    assert dc["tx_csum_offload"] > 0, dc
    for bad in ("tx_drop_bad_hdr", "tx_drop_feature", "tx_drop_spoof", "tx_drop_size",
                "dma_window_violations", "malformed_descriptors", "needs_reset_events"):
        assert dc[bad] == 0, (bad, dc)


def test_ping_both_guests(s):
    assert s.ping(guest_addr(0)), "httpd guest does not answer ping"
    assert s.ping(guest_addr(1)), "iperf guest does not answer ping"


def test_ping_after_idle_is_answered(s):
    """Issue 13: after 50 ms without work the NIC core sleeps in wfi until
    woken; a frame from the wire must wake it (the port's PLIC line). After
    2 s of silence one echo request, sent once, gets its reply (the peer's
    ARP entry is still fresh: nothing else crosses the wire first)."""
    assert s.ping(guest_addr(0))
    time.sleep(2)
    r = s.ns.run("ping", "-c", "1", "-W", "5", guest_addr(0), check=False, timeout=30)
    assert r.returncode == 0, r.stdout


def test_ping6_both_guests(s):
    assert s.ping(guest_addr6(0)), "httpd guest does not answer ping over IPv6"
    assert s.ping(guest_addr6(1)), "iperf guest does not answer ping over IPv6"


def test_curl_page(s):
    code, body, err = s.curl(guest_addr(0))
    assert code == "200", f"curl: HTTP {code!r} {err}"
    assert b"<html" in body.lower() and len(body) > 100, body[:200]


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_curl_big_file_is_intact(s, family):
    """256 KiB from the httpd guest: lwIP's TSO4/TSO6 super-frames, cut by
    the NIC, reassembled by Linux into exactly the app's pattern."""
    c0 = s.vf("httpd")
    code, body, err = s.curl(guest_addr(0) if family == "ipv4" else guest_addr6(0), "/big.bin")
    d = delta(s.vf("httpd"), c0)
    assert code == "200", f"curl: HTTP {code!r} {err}"
    want = bytes((i * 7 + i // 251) & 255 for i in range(256 * 1024))
    assert len(body) == len(want), len(body)
    assert body == want, next(i for i in range(len(want)) if body[i] != want[i])
    assert d["tx-hw-gso-packets"] > 0 and d["tx-hw-gso-wire-packets"] > d["tx-hw-gso-packets"], d


def test_iperf_to_guest_and_traps_per_packet(s, record_property):
    """20 MiB Linux -> guest (iperf -c -n). The guest's hart may trap at
    most once per 20 packets (the NIC polls and suppresses notifications)."""
    t0, c0 = _traps_and_counters(s)
    start = s.con.mark()
    res = s.iperf(guest_addr(1), NBYTES)
    t1, c1 = _traps_and_counters(s)
    iperf_ok(res, "fwd", NBYTES)
    got = s.wait_vm("iperf", r"iperf: server-done .*?\bbytes=(\d+)", 30, start)
    # lwiperf leaves iperf 2's settings header (36 bytes) out of its count
    assert int(got.group(1)) >= NBYTES - 36, got.group(0)
    dt, dc = delta(t1, t0), delta(c1, c0)
    assert dc["rx_bytes"] >= NBYTES, dc
    assert dc["rx_csum_valid"] > 0, dc
    ratio, packets = _ratio(dt, dc)
    record_property("iperf_to_guest_mbps", round(res["fwd_bps"] / 1e6, 1))
    record_property("traps_per_packet_rx", round(ratio, 4))
    print(f"to guest: {res['fwd_bps'] / 1e6:.1f} Mbit/s, {packets} packets, traps {dt}")
    assert ratio < MAX_TRAPS_PER_PACKET, f"{dt['total']} traps for {packets} packets: {dt}"


def test_traps_are_counted_by_cause(s):
    """`traps` answers per VM with a total and its causes adding up, and
    the SBI calls among them split by extension adding up to `ecall`."""
    t = s.hv.traps()
    assert set(t) >= {"httpd", "iperf"}, t
    for vm, causes in t.items():
        parts = sum(v for k, v in causes.items() if k != "total" and not k.startswith("sbi-"))
        assert causes["total"] == parts, (vm, causes)
        assert causes["total"] > 0, (vm, causes)
        sbi = sum(v for k, v in causes.items() if k.startswith("sbi-"))
        assert causes["ecall"] == sbi, (vm, causes)


def test_wire_is_clean(s):
    """tshark over the whole run: no bad IP/TCP/UDP checksum, no frame over
    the MTU, and the guests' TCP really was checked."""
    fr = s.wire()
    bad = wire.problems(fr, MTU)
    assert not bad, f"{len(bad)} bad frames, first: " + "\n".join(bad[:10])
    from_guest = [f for f in fr if f.src == guest_addr(1) and f.tcp_len > 0]
    assert len(from_guest) > NBYTES // MTU, f"only {len(from_guest)} TCP data frames from the guest"
    assert all(f.tcp_ok == "1" or wire.mangled_zero(f) for f in from_guest), \
        "tshark did not verify the guest's TCP sums"
    assert any(f.src == PEER4 and f.dst == guest_addr(1) for f in fr)
    s.drop_capture()
