"""`nic-offload tx --csum`: every checksum of every frame, checked by scapy
(recomputed from scratch) and by tshark."""

from scapy.all import Ether, UDP

from conftest import cpath, tshark_bad
from oracle import fill_checksums, read_pcap


def test_tx_csum_matches_scapy(corpus, tool, tmp_path):
    out = str(tmp_path / "out.pcap")
    tool("tx", "--csum", cpath("csum.pcap"), out)
    ins, outs = read_pcap(cpath("csum.pcap")), read_pcap(out)
    assert len(outs) == len(ins)
    bad = []
    for i, (a, b) in enumerate(zip(ins, outs)):
        want = fill_checksums(a)
        if b != want:
            diff = [k for k in range(min(len(b), len(want))) if b[k] != want[k]]
            bad.append("frame %d %s: len %d/%d, differs at %s" % (
                i + 1, corpus["csum"][i], len(b), len(want), diff[:6]))
    assert not bad, "%d frames wrong:\n" % len(bad) + "\n".join(bad[:20])


def test_udp_zero_sum_goes_out_as_ffff(corpus, tool, tmp_path):
    """Edge case 1: a UDP sum computing to 0 is sent as 0xFFFF (v4 and v6,
    with and without tags)."""
    out = str(tmp_path / "out.pcap")
    tool("tx", "--csum", cpath("csum.pcap"), out)
    outs = read_pcap(out)
    idx = [i for i, m in enumerate(corpus["csum"]) if m["case"] == "udp-sum-0"]
    assert len(idx) == 12
    for i in idx:
        assert Ether(outs[i])[UDP].chksum == 0xFFFF, corpus["csum"][i]


def test_tx_csum_tshark_clean(corpus, tool, tmp_path):
    out = str(tmp_path / "out.pcap")
    tool("tx", "--csum", cpath("csum.pcap"), out)
    assert tshark_bad(out) == []


def test_input_really_needs_fixing(corpus):
    """The corpus is not already right (guards against a vacuous test), and
    tshark does see the spoiled sums."""
    ins = read_pcap(cpath("csum.pcap"))
    spoiled = sum(fill_checksums(f) != f for f in ins)
    assert spoiled > len(ins) // 2
    assert len(tshark_bad(cpath("csum.pcap"))) > len(ins) // 3
