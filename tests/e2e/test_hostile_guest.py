"""A hostile guest (`badvf`) posts descriptors the NIC must refuse: buffers
outside its window, a looping chain, GSO with gso_size 0, indirect tables
(virtio 1.2 §2.7.5.3) nested, longer than the queue, straddling the end of
its RAM, not whole descriptors (one attack per boot). Its VF is put in
DEVICE_NEEDS_RESET, counted, and comes back after the reset; meanwhile the
iperf guest beside it, whose lwiperf client sends to Linux from boot,
finishes its transfer unharmed and the hypervisor keeps answering. With
event indices (§2.7.7) badvf rewrites used_event all the time: that breaks
no rule, so its VF goes on, and costs nobody else anything."""
import pytest

from topology import MiB
from harness import MTU, PEER4
import wire

MIN_BYTES = 4 * MiB
CLIENT_DONE = r"iperf: (?P<how>client-done|aborted\S*) .*?\bbytes=(?P<bytes>\d+)"
# attack -> the counter of the bad VF that must move
ATTACKS = {
    "window": "dma_window_violations",
    "loop": "malformed_descriptors",
    "gso0": "tx_drop_bad_hdr",
    "ind-nested": "malformed_descriptors",
    "ind-long": "malformed_descriptors",
    "ind-window": "dma_window_violations",
    "ind-len": "malformed_descriptors",
}
ERRORS = ("dma_window_violations", "malformed_descriptors", "tx_drop_bad_hdr",
          "needs_reset_events")


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_hostile_vf_is_reset_and_neighbour_unharmed(boot, attack):
    s = boot(f"bad-{attack}", [("badvf", "badvf", f"attack={attack}", None),
                               ("iperf", "iperf", f"iperf-client={PEER4} iperf-seconds=3",
                                None)],
             iperf_server=True)
    try:
        m = s.wait_vm("badvf", r"badvf: device status (0x[0-9a-f]+) needs-reset (yes|no)", 60)
        assert m.group(2) == "yes", f"the NIC did not ask for a reset: {m.group(0)}"
        s.wait_vm("badvf", r"badvf: after reset: device up", 30)
        done = s.wait_vm("iperf", CLIENT_DONE, 60)
        assert done.group("how") == "client-done", done.group(0)
        got = s.peer_iperf_bytes()
        assert got and got[0] >= MIN_BYTES, f"Linux received {got}; guest: {done.group(0)}"
        c = s.hv.counters()
        bad, good = c["badvf"], c["iperf"]
        assert bad[ATTACKS[attack]] > 0, (attack, bad)
        assert bad["needs_reset_events"] > 0, (attack, bad)
        neighbour_unharmed(s, good, got)
    finally:
        s.close()


def neighbour_unharmed(s, good, got):
    for k in ERRORS:
        assert good[k] == 0, (k, good)
    assert good["tx_bytes"] >= got[0], good
    assert "badvf" in s.hv.traps(), "hv console stopped answering"
    assert s.ping("192.0.2.11"), "iperf guest lost"
    problems = wire.problems(s.wire(), MTU)
    assert not problems, "\n".join(problems[:10])
    s.drop_capture()


def test_hostile_used_event_costs_only_its_own_interrupts(boot):
    s = boot("bad-event", [("badvf", "badvf", "attack=event", None),
                           ("iperf", "iperf", f"iperf-client={PEER4} iperf-seconds=3", None)],
             iperf_server=True)
    try:
        m = s.wait_vm("badvf", r"badvf: event: sent (\d+) received (\d+) kicks (\d+)", 120)
        assert m.group(1) == m.group(2) == "500", m.group(0)
        m = s.wait_vm("badvf", r"badvf: device status (0x[0-9a-f]+) needs-reset (yes|no)", 60)
        assert m.group(2) == "no", f"a used_event is no reason for a reset: {m.group(0)}"
        s.wait_vm("badvf", r"badvf: after reset: device up", 30)
        done = s.wait_vm("iperf", CLIENT_DONE, 60)
        assert done.group("how") == "client-done", done.group(0)
        got = s.peer_iperf_bytes()
        assert got and got[0] >= MIN_BYTES, f"Linux received {got}; guest: {done.group(0)}"
        c = s.hv.counters()
        bad, good = c["badvf"], c["iperf"]
        for k in ERRORS:
            assert bad[k] == 0, (k, bad)
        assert bad["rx_packets"] >= 500 and bad["tx_packets"] >= 500, bad
        # At most one interrupt per publish: never more than the chains.
        assert bad["interrupts"] <= bad["tx_packets"] + bad["rx_packets"], bad
        neighbour_unharmed(s, good, got)
    finally:
        s.close()
