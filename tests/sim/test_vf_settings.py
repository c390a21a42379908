"""The switch's per-VF settings (nicif/vf_param.h) across the simulator,
with Linux stacks as the guests and the peer: max-tx-rate measured on the
NIC's own counters while VFs send bulk TCP at once, changed during a
transfer; dhcp-guard and router-guard against frames scapy sends from a
guest, seen (or not) on the uplink by tshark; storm control; bad values."""
import subprocess
import textwrap
import time

from conftest import NICSIM, UP_ADDR, sh, vf_addr, vf_mac
from simnet import Capture

PY = "/usr/bin/python3"
NETPEER = __import__("simnet").NETPEER
EINVAL = -22


def senders(t, caps_s, port0=5001):
    """A bulk TCP sender in each VF's namespace to its own sink on the
    peer: (sinks, sends). Each sends what its cap moves in caps_s[i][1] s."""
    sinks, sends = [], []
    for i, (cap, secs) in enumerate(caps_s):
        n = cap * 125000 * secs
        sink = t.popen(t.up, PY, NETPEER, "tcp-sink", str(port0 + i))
        assert sink.stdout.readline().strip() == "listening"
        sinks.append((sink, n))
        sends.append(t.popen(t.vms[i], PY, NETPEER, "tcp-send", UP_ADDR, str(port0 + i), str(n)))
    return sinks, sends


def finish(sinks, sends):
    """Every transfer completes and its sink verified every byte."""
    for p in sends:
        p.wait(timeout=120)
        assert p.returncode == 0, p.stderr.read()
    for sink, n in sinks:
        out, err = sink.communicate(timeout=60)
        assert sink.returncode == 0, out + err
        assert int(out.strip().splitlines()[-1]) == n


def tx_rates(t, vfs, secs):
    """Each VF's transmit rate (Mbit/s of frames) over the next secs."""
    c0, t0 = t.counters()["vf"], time.monotonic()
    time.sleep(secs)
    c1, t1 = t.counters()["vf"], time.monotonic()
    return [(c1[str(i)]["tx_bytes"] - c0[str(i)]["tx_bytes"]) * 8 / (t1 - t0) / 1e6 for i in vfs]


def test_max_tx_rate_each_vf_at_its_cap(topo):
    caps = [40, 80]
    t = topo(n_vfs=2, vf_opts={0: {"max-tx-rate": 40}, 1: {"max-tx-rate": 80}})
    assert [t.get_vf(i, "max-tx-rate") for i in (0, 1)] == caps
    sinks, sends = senders(t, [(40, 6), (80, 6)])
    time.sleep(1.5)  # past the burst and slow start
    rates = tx_rates(t, (0, 1), 3.0)
    finish(sinks, sends)
    for cap, rate in zip(caps, rates):
        assert abs(rate - cap) <= cap * 0.05, (caps, rates)
    c = t.counters()["vf"]
    for i in (0, 1):
        assert c[str(i)]["tx_rate_held"] > 0
        assert c[str(i)]["tx_drop_port"] == 0 and c[str(i)]["needs_reset_events"] == 0


def test_max_tx_rate_changed_during_a_transfer(topo):
    t = topo(n_vfs=1, vf_opts={0: {"max-tx-rate": 20}})
    sinks, sends = senders(t, [(20, 12)])
    time.sleep(1.5)
    low = tx_rates(t, (0,), 2.0)[0]
    assert t.set_vf(0, "max-tx-rate", 60) == 0
    time.sleep(0.5)
    high = tx_rates(t, (0,), 2.0)[0]
    assert t.set_vf(0, "max-tx-rate", 0) == 0  # the rest at full speed
    finish(sinks, sends)  # nothing lost, nothing corrupted
    assert abs(low - 20) <= 1.0, low
    assert abs(high - 60) <= 3.0, high


SCAPY = textwrap.dedent("""
    import sys
    from scapy.all import (BOOTP, DHCP, DHCP6_Advertise, Ether, ICMP, ICMPv6ND_RA,
                           ICMPv6ND_Redirect, IP, IPv6, UDP, conf, sendp)
    conf.verb = 0
    mac, ip4, what, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    b = Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
    f = {
        "offer": b / IP(src=ip4, dst="255.255.255.255") / UDP(sport=67, dport=68)
                 / BOOTP(op=2) / DHCP(options=[("message-type", "offer"), "end"]),
        "request": b / IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67)
                   / BOOTP(op=1) / DHCP(options=[("message-type", "request"), "end"]),
        "advertise6": Ether(src=mac, dst="33:33:00:01:00:02") / IPv6(src="fe80::99", dst="ff02::1:2")
                      / UDP(sport=547, dport=546) / DHCP6_Advertise(),
        "ra": Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src="fe80::99", dst="ff02::1")
              / ICMPv6ND_RA(),
        "redirect6": Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src="fe80::99", dst="ff02::1")
                     / ICMPv6ND_Redirect(tgt="fe80::1", dst="2001:db8::5"),
        "redirect4": b / IP(src=ip4, dst="192.0.2.255") / ICMP(type=5, code=1, gw="192.0.2.99"),
        "bcast": b / IP(src=ip4, dst="192.0.2.255") / UDP(sport=9, dport=9) / b"storm",
    }[what]
    sendp(f, iface="vm0", count=n, inter=0)
""")


def send(t, vf, what, n=1):
    t.run(t.vms[vf], PY, "-c", SCAPY, vf_mac(vf), vf_addr(vf), what, str(n))


# tshark filters for what each frame kind looks like on the uplink
SEEN = {
    "offer": "udp.srcport == 67", "request": "udp.srcport == 68",
    "advertise6": "udp.srcport == 547", "ra": "icmpv6.type == 134",
    "redirect6": "icmpv6.type == 137", "redirect4": "icmp.type == 5",
}


def seen_on_uplink(pcap, what, mac):
    r = sh("tshark", "-r", str(pcap), "-Y", f"({SEEN[what]}) && eth.src == {mac}", "-T", "fields",
           "-e", "frame.number")
    return len(r.stdout.split())


def guard_case(t, tmp_path, kinds):
    """Each kind sent twice from VF 0 (guarded) and VF 1 (not): how many of
    each reached the uplink, per VF."""
    cap = Capture(t.up, "up0", tmp_path / "up0.pcap")
    try:
        for what in kinds:
            for vf in (0, 1):
                send(t, vf, what, 2)
    finally:
        cap.stop()
    return {w: [seen_on_uplink(cap.path, w, vf_mac(vf)) for vf in (0, 1)] for w in kinds}


def test_dhcp_guard_stops_a_rogue_server(topo, tmp_path):
    t = topo(n_vfs=2, vf_opts={0: {"dhcp-guard": "on"}})
    got = guard_case(t, tmp_path, ["offer", "advertise6", "request", "ra"])
    assert got["offer"] == [0, 2] and got["advertise6"] == [0, 2], got
    assert got["request"] == [2, 2] and got["ra"] == [2, 2], got  # clients, routers: not its
    c = t.counters()["vf"]
    assert c["0"]["tx_drop_guard"] == 4 and c["1"]["tx_drop_guard"] == 0
    assert c["0"]["needs_reset_events"] == 0


def test_router_guard_set_at_runtime(topo, tmp_path):
    t = topo(n_vfs=2)
    assert t.get_vf(0, "router-guard") == 0
    assert t.set_vf(0, "router-guard", 1) == 0
    got = guard_case(t, tmp_path, ["ra", "redirect6", "redirect4", "offer"])
    assert got["ra"] == [0, 2] and got["redirect6"] == [0, 2] and got["redirect4"] == [0, 2], got
    assert got["offer"] == [2, 2], got
    assert t.counters()["vf"]["0"]["tx_drop_guard"] == 6


def test_storm_caps_broadcast(topo, tmp_path):
    t = topo(n_vfs=2, vf_opts={0: {"storm": 20}})
    t0 = time.monotonic()
    send(t, 0, "bcast", 400)
    secs = time.monotonic() - t0
    c = t.counters()["vf"]["0"]
    # At most a tenth of a second's worth at once, then 20 a second.
    assert c["tx_drop_storm"] > 0
    assert c["tx_packets"] <= 2 + 20 * (secs + 0.2), (c["tx_packets"], secs)
    assert c["tx_packets"] + c["tx_drop_storm"] >= 400


def test_bad_values_change_nothing(topo, tmp_path):
    t = topo(n_vfs=1, vf_opts={0: {"max-tx-rate": 100}})
    for word, bad in [("max-tx-rate", 400001), ("spoofchk", 2), ("storm", 1 << 33)]:
        assert t.set_vf(0, word, bad) == EINVAL
    assert t.mbox(15, 0, 99, 0)[0] == EINVAL  # no such setting
    assert t.mbox(15, 7, 4, 1)[0] == -2  # no such VF
    assert t.get_vf(0, "max-tx-rate") == 100 and t.get_vf(0, "spoofchk") == 1
    # On nicsim's command line: one clear line, the usage, exit 2.
    for spec, why in [("max-tx-rate=fast", "max-tx-rate: expected a number from 0 to 400000"),
                      ("spoofchk=maybe", "spoofchk: expected on or off"),
                      ("storm=-1", "storm: expected a number"), ("colour=red", "unknown key 'colour'")]:
        r = subprocess.run([NICSIM, "--ctl", str(tmp_path / "x"), "--vf", spec],
                           capture_output=True, text=True, timeout=20)
        assert r.returncode == 2 and why in r.stderr.splitlines()[0], r.stderr
