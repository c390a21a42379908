"""Isolation across the simulator: a guest whose frames carry a source MAC
other than its VF's gets nothing onto the wire (the TAP capture never sees
that MAC); a guest posting a hostile descriptor chain gets its VF put in
DEVICE_NEEDS_RESET and counted; in both cases the other VF is unaffected."""
import signal
import time

import pytest

from conftest import UP_ADDR, vf_addr, vf_mac
from simnet import Capture, ping, tcp_transfer

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


HOSTILE = {
    "oow": "dma_window_violations",
    "loop": "malformed_descriptors",
    "gso0": "tx_drop_bad_hdr",
}


@pytest.mark.parametrize("mode", list(HOSTILE))
def test_hostile_guest_reset_others_unharmed(topo, mode):
    t = topo(n_vfs=2, guest_args={0: ["--hostile", mode]})
    assert ping(t, t.vms[0], UP_ADDR, count=1)  # a working VF first
    t.vfdrv[0].send_signal(signal.SIGUSR1)
    # The guest saw DEVICE_NEEDS_RESET (status 3) and left; leaving resets
    # the VF, so its counters tell the rest.
    assert t.vfdrv[0].wait(timeout=20) == 3
    c = t.counters()["vf"]
    assert c["0"][HOSTILE[mode]] == 1, c["0"]
    assert c["0"]["needs_reset_events"] == 1
    # The other VF: traffic both ways, content checked.
    assert tcp_transfer(t, t.vms[1], t.up, UP_ADDR, 2 << 20) == 2 << 20
    assert tcp_transfer(t, t.up, t.vms[1], vf_addr(1), 1 << 20) == 1 << 20
    assert t.counters()["vf"]["1"]["needs_reset_events"] == 0
    # The guest comes back: reset on reconnect, a working VF again.
    time.sleep(0.2)
    t.start_guest(0, extra=[])
    assert t.counters()["vf"]["0"]["needs_reset"] == 0
    assert ping(t, t.vms[0], UP_ADDR, count=2)
