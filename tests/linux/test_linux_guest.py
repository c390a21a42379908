"""A stock Linux 6.1 guest (guest/linux) on its VF under the hypervisor:
it boots with one and with four vCPUs, its unmodified virtio-net driver
negotiates the VF's offloads, and it moves data both ways over TCP and UDP,
IPv4 and IPv6, every byte checked at the receiving end."""
import re
import time

import pytest

from harness import PEER4, PEER6, guest_addr, guest_addr6
from linux import RVNET_HOST, MiB

# virtio 1.2 §5.1.3 feature bits
CSUM, GUEST_CSUM, MAC, HOST_TSO4, HOST_TSO6, VERSION_1 = 0, 1, 5, 11, 12, 32
GUEST_TSO4, GUEST_TSO6, MRG_RXBUF = 7, 8, 15
CTRL_VQ, CTRL_RX, CTRL_MAC_ADDR = 17, 18, 23


@pytest.fixture(scope="module")
def one(boot):
    return boot("linux1", [("linux", "linux", [1], "")])


@pytest.fixture(scope="module")
def four(boot):
    # harts 1-4 for the guest, 5 for the NIC core, 0 the hv console
    return boot("linux4", [("linux", "linux", [1, 2, 3, 4], "")], harts=6, nic_hart=5)


def test_boots_with_one_vcpu_and_negotiates_the_vf(one):
    m = one.wait_vm("linux", r"linux: ready \((\d+) cpus")
    assert m.group(1) == "1"
    bits = one.virtio_features("linux")
    assert {VERSION_1, MAC, CSUM, HOST_TSO4, HOST_TSO6, GUEST_CSUM, GUEST_TSO4, GUEST_TSO6,
            MRG_RXBUF, CTRL_VQ, CTRL_RX, CTRL_MAC_ADDR} <= bits, sorted(bits)
    feat = one.ethtool_features("linux")
    for f in ("tx-checksum-ip-generic", "tx-scatter-gather", "tx-tcp-segmentation",
              "tx-tcp6-segmentation"):
        assert feat.get(f), f"{f} off: {feat}"


def test_control_queue_answers_and_keeps_the_admins_rules(one):
    """Linux's virtio_net sends its receive mode and MAC filter over the
    control queue (CTRL_VQ) at `ip link set up` and whenever they change,
    and busy-waits for each answer: all are answered. Promiscuous mode and
    a MAC other than the one the admin gave are refused (the driver says
    so, the link stays as it was); the VF keeps working."""
    sh = one.shell("linux")
    before = one.hv.counters("linux")["linux"]
    for on in ("on", "off"):
        rc, out = sh.run(f"ip link set eth0 promisc {on}", ok=False)
        assert rc == 0, out  # refused by the device, not by Linux: it warns
    rc, out = sh.run("ip link set eth0 address 02:00:00:00:00:77", ok=False)
    assert rc != 0, out
    _, link = sh.run("ip link show eth0")
    after = one.hv.counters("linux")["linux"]
    ok, refused = (after[k] - before[k] for k in ("ctrl_ok", "ctrl_refused"))
    # promisc on: PROMISC 1 refused, ALLMULTI and MAC_TABLE_SET done; off:
    # all three done; the MAC: refused (Linux may send its receive mode
    # once more meanwhile, as its multicast list changes)
    assert refused >= 2 and ok >= 5, (before, after)
    assert not any("02:00:00:00:00:77" in l for l in link), link
    assert after["needs_reset_events"] == before["needs_reset_events"], after
    assert one.ping(guest_addr(0)), "no IPv4 echo reply after the control commands"


def test_ping_v4_and_v6(one):
    assert one.ping(guest_addr(0)), "no IPv4 echo reply"
    assert one.ping(guest_addr6(0)), "no IPv6 echo reply"
    rc, out = one.shell("linux").run(f"ping -c 3 -W 2 {PEER6}", ok=False)
    assert rc == 0, "\n".join(out)


@pytest.mark.parametrize("peer", [PEER4, PEER6])
def test_tcp_guest_to_peer_checked(one, peer):
    port = 5101 if peer == PEER4 else 5106
    ok, rate, out = one.send_from_guest("linux", peer, port, 16 * MiB, 7)
    assert ok, out
    print(f"guest -> peer ({peer}): {rate:.0f} Mbit/s")


@pytest.mark.parametrize("addr", ["v4", "v6"])
def test_tcp_peer_to_guest_checked(one, addr):
    dst, port = (guest_addr(0), 5201) if addr == "v4" else (guest_addr6(0), 5206)
    ok, rate, out = one.send_to_guest("linux", dst, port, 16 * MiB, 9)
    assert ok, out
    print(f"peer -> guest ({addr}): {rate:.0f} Mbit/s")


def test_super_frames_cross_the_port_whole(one):
    """port=pass (the default): after 16 MiB each way, checked by rvnet at
    the receiving end, the port has carried super-frames whole both ways
    (the guest's TSO out, the peer kernel's GSO in)."""
    before = one.port_counters()
    ok, rate, out = one.send_from_guest("linux", PEER4, 5111, 16 * MiB, 21)
    assert ok, out
    ok, rate_in, out = one.send_to_guest("linux", guest_addr(0), 5211, 16 * MiB, 22)
    assert ok, out
    after = one.port_counters()
    d = {k: after[k] - before.get(k, 0) for k in after}
    print(f"port=pass: out {rate:.0f} Mbit/s, in {rate_in:.0f} Mbit/s, {d}")
    assert d["tx_gso_whole"] > 0 and d["rx_gso"] > 0, d
    assert d["tx_bytes"] >= 16 * MiB and d["rx_bytes"] >= 16 * MiB, d
    assert d["rx_drop_bad_hdr"] == 0 and d["tx_drop_busy"] == 0, d


def test_udp_both_ways(one):
    sh = one.shell("linux")
    out = open(one.tmp / "udp.out", "w")
    p = one.ns.popen(RVNET_HOST, "udp-recv", 5301, 200, 1400, 3, 30, stdout=out, stderr=out)
    out.close()
    deadline = time.monotonic() + 10
    while "listening" not in (one.tmp / "udp.out").read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    rc, gout = sh.run(f"rvnet udp-send {PEER4} 5301 200 1400 3", ok=False)
    p.wait(timeout=60)
    text = (one.tmp / "udp.out").read_text()
    got = re.search(r"received (\d+) good datagrams of \d+, (\d+) bad", text)
    assert rc == 0 and p.returncode == 0 and got and int(got.group(1)) >= 190, \
        f"peer: {text}\nguest: {gout}"
    start = one.con.mark()
    sh.start("rvnet udp-recv 5302 200 1400 4 30")
    one.wait_vm("linux", r"rvnet: listening on 5302", 20, start)
    r = one.ns.run(RVNET_HOST, "udp-send", guest_addr(0), 5302, 200, 1400, 4, check=False)
    m = one.wait_vm("linux", r"rvnet: received (\d+) good datagrams of \d+, (\d+) bad", 60, start)
    # UDP may lose a datagram; it may not corrupt one
    assert r.returncode == 0 and int(m.group(2)) == 0 and int(m.group(1)) >= 190, m.group(0)


def test_four_vcpus_boot_and_transfer(four):
    m = four.wait_vm("linux", r"linux: ready \((\d+) cpus")
    assert m.group(1) == "4"
    ok, _, out = four.send_from_guest("linux", PEER4, 5401, 16 * MiB, 11)
    assert ok, out
    ok, _, out = four.send_to_guest("linux", guest_addr(0), 5402, 16 * MiB, 12)
    assert ok, out
