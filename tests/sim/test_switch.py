"""Two VFs exchange frames through the NIC's embedded switch with every
combination of offloads on each side: a TSO sender to a receiver without
GUEST_TSO is segmented by the switch, checksums completed or validated."""
import itertools

import pytest

from conftest import vf_addr, vf_addr6
from simnet import ping, tcp_transfer, udp_roundtrip

MiB = 1 << 20
FEATURES = {
    "all": "all",
    "none": "none",
    "csum-no-tso": "csum+guest_csum+mrg",
    "tso-no-rxcsum": "csum+tso4+tso6",
}


@pytest.mark.parametrize("a,b", list(itertools.product(FEATURES, repeat=2)))
def test_vf_to_vf(topo, a, b):
    t = topo(n_vfs=2, features=[FEATURES[a], FEATURES[b]])
    v0, v1 = t.vms
    assert ping(t, v0, vf_addr(1), count=2)
    assert tcp_transfer(t, v0, v1, vf_addr(1), 2 * MiB) == 2 * MiB
    assert tcp_transfer(t, v1, v0, vf_addr6(0), 1 * MiB) == 1 * MiB
    assert udp_roundtrip(t, v0, v1, vf_addr(1), [1, 1472, 6000]) == 3
    c = t.counters()
    for i in ("0", "1"):
        vf = c["vf"][i]
        assert vf["needs_reset"] == 0
        assert vf["tx_drop_bad_hdr"] == vf["rx_drop_size"] == 0
    # VF-to-VF unicast never reaches the uplink: only floods (ARP, ND) do.
    assert c["port"]["0"]["tx_bytes"] < 64 * 1024
    if "tso" in FEATURES[a] or a == "all":
        assert c["vf"]["0"]["tx-hw-gso-packets"] > 0
    else:
        assert c["vf"]["0"]["tx-hw-gso-packets"] == 0
