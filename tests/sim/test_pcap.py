"""A pcap port: frames read from a file (made with scapy) are classified to
their VF or counted as for no VF, flooded when broadcast, checked on receive
(DATA_VALID only for a good checksum), and what the VF sends lands in the
output file."""
import time

from scapy.all import ARP, IP, UDP, Ether, Raw, rdpcap, wrpcap

from conftest import vf_addr, vf_mac

PEER = "02:aa:00:00:00:01"


def test_pcap_port(topo, tmp_path):
    good = [Ether(src=PEER, dst=vf_mac(0)) / IP(src="198.51.100.7", dst=vf_addr(0))
            / UDP(sport=9, dport=9) / Raw(bytes([i]) * (20 + i)) for i in range(3)]
    bad = Ether(bytes(good[0]))
    bad[UDP].chksum ^= 0x5555
    stray = [Ether(src=PEER, dst="02:00:00:00:77:%02x" % i) / IP(dst="198.51.100.9")
             / UDP() for i in range(2)]
    arp = Ether(src=PEER, dst="ff:ff:ff:ff:ff:ff") / ARP(
        op=1, hwsrc=PEER, psrc="192.0.2.77", pdst=vf_addr(0))
    wrpcap(str(tmp_path / "in.pcap"), good + [bad] + stray + [arp])

    t = topo(n_vfs=1, port=f"pcap:{tmp_path}/in.pcap,{tmp_path}/out.pcap")
    for _ in range(100):
        c = t.counters()
        if c["port"]["0"]["rx_packets"] == 7 and c["port"]["0"]["tx_packets"] >= 1:
            break
        time.sleep(0.05)
    port, vf = c["port"]["0"], c["vf"]["0"]
    assert port["rx_packets"] == 7
    assert port["rx_drop_no_vf"] == 2
    assert port["rx_flooded"] == 1
    assert vf["rx_packets"] == 5
    assert vf["rx_csum_valid"] == 3  # the scapy frames with a right sum
    assert vf["rx_csum_bad"] == 1    # delivered, not flagged
    # What the VF sends goes to the output file: Linux behind it resolving
    # an address it has no answer for.
    t.run(t.vms[0], "ping", "-c", "1", "-W", "1", "192.0.2.77", check=False)
    asks = [p for p in rdpcap(str(tmp_path / "out.pcap"))
            if ARP in p and p[ARP].op == 1 and p[ARP].pdst == "192.0.2.77"]
    assert asks and asks[0][Ether].src == vf_mac(0)
    assert asks[0][Ether].dst == "ff:ff:ff:ff:ff:ff"
