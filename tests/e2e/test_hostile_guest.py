"""A hostile guest (`badvf`) posts descriptors the NIC must refuse: buffers
outside its window, a looping chain, GSO with gso_size 0. Its VF is reset
(DEVICE_NEEDS_RESET) and the NIC counts it; the iperf guest beside it
finishes a transfer unharmed and the hypervisor keeps answering."""
import pytest

from topology import MiB, delta, iperf_ok
from harness import MTU, guest_addr
import wire

NBYTES = 10 * MiB
# attack -> the counter of the bad VF that must move
ATTACKS = {
    "window": "dma_window_violations",
    "loop": "malformed_descriptors",
    "gso0": "tx_drop_bad_hdr",
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hostile_vf_is_reset_and_neighbour_unharmed(boot, attack):
    s = boot(f"bad-{attack}", [("badvf", "badvf", f"attack={attack}", None),
                               ("iperf", "iperf", "", None)])
    try:
        m = s.wait_vm("badvf", r"badvf: device status (0x[0-9a-f]+) needs-reset (yes|no)", 60)
        assert m.group(2) == "yes", f"the NIC did not ask for a reset: {m.group(0)}"
        s.wait_vm("badvf", r"badvf: after reset: device up", 30)
        i0 = s.vf("iperf")
        res = s.iperf(guest_addr(1), NBYTES)
        iperf_ok(res, "fwd", NBYTES)
        res = s.iperf(guest_addr(1), seconds=4, reverse=True)
        iperf_ok(res, "rev", 1 * MiB)
        di = delta(s.vf("iperf"), i0)
        assert di["rx_bytes"] >= NBYTES and di["tx_bytes"] >= res["rev"], di
        bad = s.vf("badvf")
        assert bad[ATTACKS[attack]] > 0, (attack, bad)
        assert bad["needs_reset_events"] > 0, (attack, bad)
        good = s.vf("iperf")
        for k in ATTACKS.values():
            assert good[k] == 0, (k, good)
        assert good["needs_reset_events"] == 0, good
        assert "badvf" in s.hv.traps(), "hv console stopped answering"
        fr = s.wire()
        problems = wire.problems(fr, MTU)
        assert not problems, "\n".join(problems[:10])
    finally:
        s.close()
