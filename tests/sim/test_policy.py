"""Offload switches across the simulator: off for one VF only while the
other keeps its offloads; switched off on a live VF, the traffic in flight
is untouched and the change lands at the VF's next reset."""
import threading

from conftest import (F_CSUM, F_GUEST_CSUM, F_HOST_TSO4, MBOX_SET_POLICY,
                      MBOX_VF_GET_FEATURES, UP_ADDR)
from simnet import Capture, assert_wire_clean, tcp_transfer

MiB = 1 << 20


def test_one_vf_off_other_on(topo, tmp_path):
    t = topo(n_vfs=2, vf_policy={1: "none"})
    cap = Capture(t.up, "up0", tmp_path / "up0.pcap")
    try:
        assert tcp_transfer(t, t.vms[0], t.up, UP_ADDR, 4 * MiB, port=5001) == 4 * MiB
        assert tcp_transfer(t, t.vms[1], t.up, UP_ADDR, 4 * MiB, port=5002) == 4 * MiB
    finally:
        cap.stop()
    assert_wire_clean(cap.frames())
    c = t.counters()["vf"]
    assert c["0"]["tx-hw-gso-packets"] > 0 and c["0"]["rx_csum_valid"] > 0
    assert c["1"]["tx-hw-gso-packets"] == 0
    assert c["1"]["tx_csum_offload"] == 0 and c["1"]["rx_csum_valid"] == 0
    _, f1 = t.mbox(MBOX_VF_GET_FEATURES, 1)
    assert not f1[0] & (1 << F_CSUM | 1 << F_GUEST_CSUM | 1 << F_HOST_TSO4)


def test_live_toggle_takes_effect_at_reset(topo, tmp_path):
    t = topo(n_vfs=1)
    vm = t.vms[0]
    cap = Capture(t.up, "up0", tmp_path / "up0.pcap")
    try:
        # Switch everything off while 16 MiB are in flight.
        result = {}
        th = threading.Thread(target=lambda: result.setdefault(
            "n", tcp_transfer(t, vm, t.up, UP_ADDR, 16 * MiB)))
        th.start()
        while t.counters()["vf"]["0"]["tx_bytes"] < 2 * MiB:
            pass
        status, _ = t.mbox(MBOX_SET_POLICY, 0, 0)
        assert status == 0
        th.join(timeout=120)
        assert result["n"] == 16 * MiB  # intact: the pattern was checked
        before = t.counters()["vf"]["0"]
        assert before["tx-hw-gso-packets"] > 0  # still offloaded until reset
        _, f = t.mbox(MBOX_VF_GET_FEATURES, 0)
        assert f[0] & (1 << F_HOST_TSO4)

        # The guest restarts: reset, renegotiation, no offload offered.
        assert t.stop_guest(0) == 0
        _, f = t.mbox(MBOX_VF_GET_FEATURES, 0)
        assert not f[0] & (1 << F_CSUM | 1 << F_GUEST_CSUM | 1 << F_HOST_TSO4)
        t.start_guest(0)
        assert tcp_transfer(t, vm, t.up, UP_ADDR, 4 * MiB) == 4 * MiB
    finally:
        cap.stop()
    assert_wire_clean(cap.frames())
    after = t.counters()["vf"]["0"]
    assert after["tx-hw-gso-packets"] == before["tx-hw-gso-packets"]
    assert after["tx_csum_offload"] == before["tx_csum_offload"]
    assert after["tx_bytes"] > before["tx_bytes"] + 4 * MiB
    assert after["resets"] > before["resets"]
