"""A VF and the Linux stack of a network namespace across the simulated NIC's
TAP uplink: ICMP, TCP bulk (10 MiB each way, content checked) and UDP, with
offloads on and off; tshark on the TAP checks every checksum and size."""
import pytest

from conftest import UP_ADDR, UP_ADDR6, vf_addr, vf_addr6
from simnet import (NETPEER, PY, Capture, assert_wire_clean, ping, tcp_transfer,
                    udp_roundtrip)

MiB = 1 << 20
UDP_SIZES = [1, 18, 100, 1472, 1473, 4000, 8192]

CASES = {
    # id: (vfdrv features, host policy, offloads expected in use)
    "offloads-on": ("all", "all", True),
    "guest-asks-none": ("none", "all", False),
    "host-policy-off": ("all", "none", False),
}


@pytest.mark.parametrize("case", list(CASES))
def test_vf_and_linux(topo, tmp_path, case):
    features, host_policy, offloaded = CASES[case]
    t = topo(n_vfs=1, features=features, host_policy=host_policy)
    vm = t.vms[0]
    cap = Capture(t.up, "up0", tmp_path / "up0.pcap")
    try:
        assert ping(t, vm, UP_ADDR)
        assert ping(t, t.up, vf_addr(0))
        assert ping(t, vm, UP_ADDR6)
        assert tcp_transfer(t, vm, t.up, UP_ADDR, 10 * MiB) == 10 * MiB
        assert tcp_transfer(t, t.up, vm, vf_addr(0), 10 * MiB) == 10 * MiB
        assert tcp_transfer(t, vm, t.up, UP_ADDR6, 4 * MiB) == 4 * MiB
        assert udp_roundtrip(t, vm, t.up, UP_ADDR, UDP_SIZES) == len(UDP_SIZES)
        assert udp_roundtrip(t, t.up, vm, vf_addr6(0), UDP_SIZES) == len(UDP_SIZES)
    finally:
        cap.stop()
    assert_wire_clean(cap.frames())

    c = t.counters()
    vf, port = c["vf"]["0"], c["port"]["0"]
    assert vf["needs_reset"] == 0
    assert vf["tx_bytes"] > 14 * MiB and vf["rx_bytes"] > 10 * MiB
    for k in ("tx_drop_bad_hdr", "tx_drop_feature", "tx_drop_spoof", "tx_drop_size",
              "dma_window_violations", "malformed_descriptors", "rx_drop_size"):
        assert vf[k] == 0, k
    assert port["tx_drop_busy"] == 0
    if offloaded:
        # Linux sent super-frames; the NIC cut them (Linux's own names).
        assert vf["tx-hw-gso-packets"] > 0
        assert vf["tx-hw-gso-wire-packets"] > vf["tx-hw-gso-packets"]
        assert vf["rx_csum_valid"] > 0
    else:
        assert vf["tx-hw-gso-packets"] == 0
        assert vf["tx_csum_offload"] == 0
        assert vf["rx_csum_valid"] == 0


def test_uso_from_linux(topo, tmp_path):
    """Linux's UDP_SEGMENT super-datagram (USO) is cut by the NIC into
    whole datagrams, each with its own length and checksum."""
    t = topo(n_vfs=1)
    vm = t.vms[0]
    cap = Capture(t.up, "up0", tmp_path / "up0.pcap")
    try:
        sink = t.popen(t.up, PY, NETPEER, "udp-count", "7100", "40")
        assert sink.stdout.readline().strip() == "listening"
        t.run(vm, PY, NETPEER, "udp-gso", UP_ADDR, "7100", str(40 * 1200), "1200")
        out, _ = sink.communicate(timeout=30)
    finally:
        cap.stop()
    assert int(out.strip()) == 40
    assert_wire_clean(cap.frames())
    vf = t.counters()["vf"]["0"]
    assert vf["tx-hw-gso-packets"] >= 1
    assert vf["tx-hw-gso-wire-packets"] >= 40
