"""Bad arguments, bad files, truncated and malformed frames: a clear message
and a non-zero exit, never a crash (run on the ASan/UBSan build)."""

import random
import struct

import pytest
from scapy.all import IP, TCP, UDP, IPv6, IPv6ExtHdrRouting, Dot1Q, Ether, Raw

from conftest import cpath
from oracle import fill_checksums, read_pcap, write_pcap

KEY = "6d5a56da255b0ec24167253d43a38fb0d0ca2bcbae7b30b477cb2da38030f20c" \
      "6a42b73bbeac01fa"

MAC_S, MAC_D = "02:00:00:00:00:01", "02:00:00:00:00:02"


def pcap_bytes(frames, linktype=1, records=None):
    b = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, linktype)
    for i, f in enumerate(frames):
        caplen, wirelen = (records[i] if records else (len(f), len(f)))
        b += struct.pack("<IIII", i, 0, caplen, wirelen) + f
    return b


@pytest.mark.parametrize("args,msg", [
    ([], "no command"),
    (["frob"], "unknown command"),
    (["tx"], "tx needs"),
    (["tx", "a.pcap"], "tx needs"),
    (["tx", "a", "b", "c"], "extra argument"),
    (["tx", "--tso"], "needs an MSS"),
    (["tx", "--tso", "0", "a", "b"], "bad MSS"),
    (["tx", "--tso", "-5", "a", "b"], "bad MSS"),
    (["tx", "--uso", "65536", "a", "b"], "bad MSS"),
    (["tx", "--uso", "12x", "a", "b"], "bad MSS"),
    (["tx", "--frob", "a", "b"], "unknown option"),
    (["rx"], "rx needs"),
    (["rx", "a", "b"], "rx needs"),
    (["rss", "x.pcap"], "--key"),
    (["rss", "--key", "zz", "x.pcap"], "bad key"),
    (["rss", "--key", "abc", "x.pcap"], "bad key"),
    (["rss", "--key", "0011", "x.pcap"], "bad key"),
    (["rss", "--key", KEY + "00", "x.pcap"], "bad key"),
    (["rss", "--key", KEY, "--table", "3", "x.pcap"], "table"),
    (["rss", "--key", KEY, "--table", "0", "x.pcap"], "table"),
    (["rss", "--key", KEY, "--table", "256", "x.pcap"], "table"),
    (["rss", "--key", KEY], "IN.pcap"),
])
def test_bad_arguments(tool_san, args, msg):
    p = tool_san(*args, check=False)
    assert p.returncode == 2
    assert msg in p.stderr.decode()


def test_help(tool_san):
    p = tool_san("--help")
    assert b"nic-offload tx" in p.stdout


@pytest.mark.parametrize("content,what", [
    (None, "missing"),
    (b"", "empty"),
    (b"this is not a capture file at all" * 10, "garbage"),
    (pcap_bytes([bytes(Ether(src=MAC_S, dst=MAC_D) / IP())], linktype=101), "raw-ip linktype"),
], ids=["missing", "empty", "garbage", "linktype"])
@pytest.mark.parametrize("cmd", ["tx", "rx", "rss"])
def test_bad_files(tool_san, tmp_path, content, what, cmd):
    path = tmp_path / "in.pcap"
    if content is not None:
        path.write_bytes(content)
    args = {"tx": ["tx", "--csum", str(path), str(tmp_path / "o.pcap")],
            "rx": ["rx", str(path)],
            "rss": ["rss", "--key", KEY, str(path)]}[cmd]
    p = tool_san(*args, check=False)
    assert p.returncode == 2, what
    err = p.stderr.decode()
    assert "in.pcap" in err, err


def test_unwritable_output(corpus, tool_san, tmp_path):
    p = tool_san("tx", cpath("csum.pcap"), "/nonexistent/dir/o.pcap", check=False)
    assert p.returncode == 2 and "/nonexistent/dir/o.pcap" in p.stderr.decode()


def test_empty_capture(tool_san, tmp_path):
    path = tmp_path / "in.pcap"
    path.write_bytes(pcap_bytes([]))
    tool_san("tx", "--csum", str(path), str(tmp_path / "o.pcap"))
    assert read_pcap(str(tmp_path / "o.pcap")) == []
    assert tool_san("rx", str(path)).stdout == b""


def good_frame():
    return bytes(Ether(src=MAC_S, dst=MAC_D) / IP(src="192.0.2.1", dst="192.0.2.2") /
                 UDP(sport=1, dport=2, chksum=0x1111) / Raw(b"x" * 30))


@pytest.mark.parametrize("cmd", ["tx", "rx", "rss"])
def test_file_cut_mid_record(tool_san, tmp_path, cmd):
    """The file ends inside the second record: the first frame is still
    handled, then a message and exit 2."""
    path = tmp_path / "in.pcap"
    path.write_bytes(pcap_bytes([good_frame(), good_frame()])[:-10])
    out = tmp_path / "o.pcap"
    args = {"tx": ["tx", "--csum", str(path), str(out)], "rx": ["rx", str(path)],
            "rss": ["rss", "--key", KEY, str(path)]}[cmd]
    p = tool_san(*args, check=False)
    assert p.returncode == 2
    assert "in.pcap" in p.stderr.decode()
    if cmd == "tx":
        assert read_pcap(str(out)) == [fill_checksums(good_frame())]
    else:
        assert len(p.stdout.splitlines()) == 1


@pytest.mark.parametrize("cmd", ["tx", "rx", "rss"])
def test_capture_shorter_than_frame(tool_san, tmp_path, cmd):
    """A record whose captured length is below the frame length (snaplen
    cut): refused with a message, the other frames still processed, exit 1."""
    f = good_frame()
    path = tmp_path / "in.pcap"
    path.write_bytes(pcap_bytes([f, f[:40], f],
                                records=[(len(f), len(f)), (40, len(f)),
                                         (len(f), len(f))]))
    out = tmp_path / "o.pcap"
    args = {"tx": ["tx", "--csum", str(path), str(out)], "rx": ["rx", str(path)],
            "rss": ["rss", "--key", KEY, str(path)]}[cmd]
    p = tool_san(*args, check=False)
    assert p.returncode == 1
    assert "frame 2: truncated capture" in p.stderr.decode()
    if cmd == "tx":
        assert read_pcap(str(out)) == [fill_checksums(f)] * 2
    else:
        assert [__import__("json").loads(x)["frame"]
                for x in p.stdout.splitlines()] == [1, 3]


def malformed_frames():
    """Frames whose headers lie or stop short."""
    ip = bytes(Ether(src=MAC_S, dst=MAC_D) / IP(src="192.0.2.1", dst="192.0.2.2") /
               TCP(sport=1, dport=2) / Raw(b"y" * 20))
    ip6 = bytes(Ether(src=MAC_S, dst=MAC_D) / IPv6(src="2001:db8::1", dst="2001:db8::2") /
                IPv6ExtHdrRouting(addresses=["2001:db8::3"], segleft=1) /
                UDP(sport=1, dport=2) / Raw(b"z" * 20))
    out = {
        "empty": b"",
        "5 bytes": ip[:5],
        "eth only": ip[:14],
        "vlan cut": bytes(Ether(src=MAC_S, dst=MAC_D) / Dot1Q(vlan=1))[:16],
        "ipv4 cut": ip[:25],
        "ipv4 ihl 4": ip[:14] + b"\x44" + ip[15:],
        "ipv4 ihl 15 past": ip[:14] + b"\x4f" + ip[15:40],
        "ipv4 len > frame": ip[:16] + b"\x05\xdc" + ip[18:],
        "ipv4 len < hdr": ip[:16] + b"\x00\x10" + ip[18:],
        "tcp doff 2": ip[:46] + b"\x20" + ip[47:],
        "tcp doff 15 past": ip[:46] + b"\xf0" + ip[47:],
        "tcp cut": ip[:40],
        "ipv6 cut": ip6[:40],
        "ipv6 plen > frame": ip6[:18] + b"\x05\xdc" + ip6[20:],
        "ipv6 rh cut": ip6[:60],
        "ipv6 rh len lies": ip6[:55] + b"\x20" + ip6[56:],
        "udp len lies": ip6[:14 + 40 + 24 + 4] + b"\x00\x03" + ip6[14 + 40 + 24 + 6:],
        "three tags": bytes(Ether(src=MAC_S, dst=MAC_D) / Dot1Q(vlan=1) / Dot1Q(vlan=2) / Dot1Q(vlan=3) /
                            IP(src="192.0.2.1", dst="192.0.2.2") / UDP() / Raw(b"q")),
        "ethertype 0x86dd, v4 inside": bytes(Ether(src=MAC_S, dst=MAC_D, type=0x86DD)) + ip[14:],
    }
    return out


def test_malformed_frames(tool_san, tmp_path):
    """Each malformed frame: tx refuses it by name (exit 1, the good frames
    around it come out right); rx gives verdicts without a crash."""
    good = good_frame()
    names, frames = [], []
    for name, f in malformed_frames().items():
        names.append(name)
        frames += [good, f]
    frames.append(good)
    path, out = tmp_path / "in.pcap", tmp_path / "o.pcap"
    write_pcap(str(path), frames)
    for opts in (["--csum"], ["--tso", "8"], ["--uso", "8"]):
        p = tool_san("tx", *opts, str(path), str(out), check=False)
        assert p.returncode == 1, opts
        outs = read_pcap(str(out))
        if opts == ["--csum"]:
            assert outs.count(fill_checksums(good)) == len(names) + 1
    p = tool_san("rx", str(path))
    lines = p.stdout.decode().splitlines()
    assert len(lines) == len(frames)
    import json
    for i, name in enumerate(names):
        v = json.loads(lines[2 * i + 1])
        # a frame whose IP header is damaged is never "good" at both layers
        if name not in ("empty", "5 bytes", "eth only", "vlan cut"):
            assert not (v["ip"] in ("good", "none") and v["l4"] == "good"), (name, v)
    tool_san("rss", "--key", KEY, str(path))


def test_random_mutations(corpus, tool_san, tmp_path):
    """Bit flips, truncations and length-field lies on corpus frames, through
    every command: exit 0 or 1, never a sanitizer report."""
    r = random.Random(99)
    src = read_pcap(cpath("csum.pcap")) + read_pcap(cpath("tso.pcap"))[:20]
    frames = []
    for _ in range(400):
        f = bytearray(r.choice(src))
        for _ in range(r.randrange(1, 6)):
            what = r.randrange(3)
            if what == 0 and f:
                f[r.randrange(len(f))] ^= 1 << r.randrange(8)
            elif what == 1 and f:
                del f[r.randrange(len(f)):]
            elif len(f) > 20:
                i = r.randrange(12, min(len(f), 80) - 1)
                f[i:i + 2] = r.randrange(65536).to_bytes(2, "big")
        frames.append(bytes(f))
    path, out = tmp_path / "in.pcap", tmp_path / "o.pcap"
    write_pcap(str(path), frames)
    for args in (["tx", "--csum"], ["tx", "--generic"], ["tx", "--tso", "100"], ["tx", "--uso", "33"],
                 ["tx", "--tso", "1", "--uso", "1", "--csum"]):
        p = tool_san(*args, str(path), str(out), check=False)
        assert p.returncode in (0, 1)
    assert tool_san("rx", str(path)).returncode == 0
    assert tool_san("rss", "--key", KEY, str(path)).returncode == 0


@pytest.mark.parametrize("args", [["tx", "--csum"], ["tx", "--generic"], ["tx", "--tso", "1448"],
                                  ["tx", "--uso", "1200"], ["rx"], ["rss", "--key", KEY]])
@pytest.mark.parametrize("name", ["csum", "tso", "uso", "rx"])
def test_corpus_under_sanitizers(corpus, tool, tool_san, tmp_path, args, name):
    """The whole corpus through the ASan/UBSan build: no report, and the
    same output as the optimised build."""
    src = cpath(name + ".pcap")
    if args[0] == "tx":
        a, b = str(tmp_path / "a.pcap"), str(tmp_path / "b.pcap")
        pa = tool(*args, src, a, check=False)
        pb = tool_san(*args, src, b, check=False)
        assert pa.returncode == pb.returncode
        assert read_pcap(a) == read_pcap(b)
    else:
        pa, pb = tool(*args, src), tool_san(*args, src)
        assert pa.stdout == pb.stdout


def test_pcapng_input(corpus, tool, tmp_path):
    """pcapng (tshark's default format, converted by editcap) reads the same
    as classic pcap."""
    import subprocess
    ng = str(tmp_path / "in.pcapng")
    subprocess.run(["editcap", "-F", "pcapng", cpath("csum.pcap"), ng], check=True,
                   capture_output=True)
    a, b = str(tmp_path / "a.pcap"), str(tmp_path / "b.pcap")
    tool("tx", "--csum", ng, a)
    tool("tx", "--csum", cpath("csum.pcap"), b)
    assert read_pcap(a) == read_pcap(b)
    assert tool("rx", ng).stdout == tool("rx", cpath("csum.pcap")).stdout


def test_record_over_snaplen(tool_san, tmp_path):
    """A record longer than any Ethernet capture may be: a file error."""
    path = tmp_path / "in.pcap"
    path.write_bytes(pcap_bytes([b"x" * 300000]))
    p = tool_san("rx", str(path), check=False)
    assert p.returncode == 2 and "in.pcap" in p.stderr.decode()
