"""Guest <-> guest TCP through the NIC's embedded switch: the iperf guest
`iperfb` (192.0.2.11) runs lwiperf's client against the iperf server of
`iperfa` (192.0.2.10). The traffic must stay inside the NIC (nothing of it
on the TAP) and the super-frames of the sender are segmented by the NIC."""
import re

import pytest

from topology import MiB, delta
from harness import MTU, guest_addr
import wire

VMS = [("iperfa", "iperf", "", None),
       ("iperfb", "iperf", f"iperf-client={guest_addr(0)}", None)]  # lwiperf's client: 10 s


@pytest.fixture(scope="module")
def s(boot):
    return boot("g2g", VMS)


def test_guest_client_to_guest_server(s, record_property):
    c0 = s.hv.counters()
    m = s.wait_vm("iperfb", r"iperf: (?P<how>client-done|aborted\S*) .*?\bbytes=(?P<bytes>\d+)",
                  timeout=120)
    assert m.group("how") == "client-done", m.group(0)
    n = int(m.group("bytes"))
    c1 = s.hv.counters()
    record_property("guest_to_guest_bytes", n)
    assert n >= 4 * MiB, m.group(0)
    da, db = delta(c1["iperfa"], c0["iperfa"]), delta(c1["iperfb"], c0["iperfb"])
    assert da["rx_bytes"] >= n and db["tx_bytes"] >= n, (da, db)
    assert db["tx-hw-gso-packets"] > 0 and db["tx-hw-gso-wire-packets"] > db["tx-hw-gso-packets"]
    for d in (da, db):
        for bad in ("tx_drop_bad_hdr", "tx_drop_spoof", "dma_window_violations",
                    "malformed_descriptors", "needs_reset_events"):
            assert d[bad] == 0, (bad, d)


def test_peer_still_reaches_both(s):
    assert s.ping(guest_addr(0)) and s.ping(guest_addr(1))


def test_switched_traffic_stays_off_the_wire(s):
    fr = s.wire()
    bad = wire.problems(fr, MTU)
    assert not bad, f"{len(bad)} bad frames, first: " + "\n".join(bad[:10])
    leaked = [f for f in fr if {f.src, f.dst} == {guest_addr(0), guest_addr(1)}]
    assert not leaked, f"{len(leaked)} guest<->guest frames on the uplink"
    assert re.search(r"\[iperfa\]", s.con.text), "server guest printed nothing"
    s.drop_capture()
