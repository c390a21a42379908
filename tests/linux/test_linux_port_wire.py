"""The same Linux guest with `nic port=wire`: the NIC's port carries wire
frames only (what a PHY needs, and what HIL tests want). After 16 MiB each
way over TCP, every byte checked by rvnet, the port counted no super-frame
and tshark on the TAP saw no frame over the MTU and no bad sum. What the
peer sends arrives as wire frames and reaches the guest (GUEST_TSO4) as
super-frames the NIC coalesced (RSC), every byte still checked."""
import pytest

import wire
from harness import MTU, PEER4, guest_addr
from linux import MiB


@pytest.fixture(scope="module")
def wired(boot):
    return boot("linuxwire", [("linux", "linux", [1], "")], port="wire")


def test_port_wire_sends_only_wire_frames(wired):
    ok, rate, out = wired.send_from_guest("linux", PEER4, 5121, 16 * MiB, 31)
    assert ok, out
    before = wired.hv.counters("linux")["linux"]
    ok, rate_in, out = wired.send_to_guest("linux", guest_addr(0), 5221, 16 * MiB, 32)
    assert ok, out
    after = wired.hv.counters("linux")["linux"]
    c = wired.port_counters()
    gro = {k: after[k] - before[k] for k in ("rx-hw-gro-packets", "rx-hw-gro-wire-packets",
                                             "rx_packets")}
    print(f"port=wire: out {rate:.0f} Mbit/s, in {rate_in:.0f} Mbit/s, {c}, RSC {gro}")
    assert c["tx_gso_whole"] == 0 and c["rx_gso"] == 0, c
    assert c["tx_gso_segmented"] > 0, c  # the guest's TSO cut up by the engines
    # the peer's 16 MiB came as ~11,600 wire frames; most of them reached
    # the guest inside super-frames, so it got far fewer frames
    assert gro["rx-hw-gro-packets"] > 0, gro
    assert gro["rx-hw-gro-wire-packets"] > 16 * MiB // 1448 // 2, gro
    assert gro["rx_packets"] < 16 * MiB // 1448 // 2, gro
    frames = wired.wire()
    assert len(frames) > 2 * 16 * MiB // 1514, len(frames)
    bad = wire.problems(frames, MTU)
    assert not bad, bad[:10]
    wired.drop_capture()
