"""Anti-spoofing across the simulator: a guest whose frames carry a source
MAC other than its VF's gets nothing onto the wire (the TAP capture never
sees that MAC), the drops are counted, and the other VF is unaffected."""
from conftest import UP_ADDR, vf_mac
from simnet import Capture, ping

SPOOF = "02:00:00:00:00:99"


def test_spoofing_vf_never_reaches_tap(topo, tmp_path):
    t = topo(n_vfs=2, tap_mac={0: SPOOF})
    cap = Capture(t.up, "up0", tmp_path / "up0.pcap")
    try:
        assert not ping(t, t.vms[0], UP_ADDR, count=3)
        assert ping(t, t.vms[1], UP_ADDR, count=2)
    finally:
        cap.stop()
    srcs = {f[1] for f in cap.frames()}
    assert SPOOF not in srcs
    assert vf_mac(1) in srcs
    c = t.counters()
    assert c["vf"]["0"]["tx_drop_spoof"] >= 3
    assert c["vf"]["0"]["tx_packets"] == 0
    assert c["vf"]["1"]["tx_drop_spoof"] == 0
