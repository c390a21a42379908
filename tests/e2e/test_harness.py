"""The harness itself, on a VM set without a NIC: QEMU runs inside the test's
namespace with its port on the TAP, the capture sees the Linux peer's own
frames, Ctrl-T moves the console, and closing leaves no QEMU and no
namespace behind."""
import subprocess

from harness import FOCUS_RE, PEER4, Scenario, guest_addr
import wire

CONFIG = """vm conin1 harts=1 ram=16M image=conin args="timeout_ms=30000"
vm ticker harts=2 ram=16M image=ticker args="seconds=30"
nic hart=3
"""


def test_namespace_capture_console_teardown(tmp_path):
    s = Scenario("harness", CONFIG, [("conin1", "conin"), ("ticker", "ticker")], tmp_path)
    try:
        s.wait_vm("conin1", r"conin: ready", timeout=60)
        start = s.con.mark()
        s.con.type(b"\x14")
        assert s.con.wait_for(FOCUS_RE, 10, start).group(1) == "ticker"
        # nobody answers on the wire yet: Linux keeps asking (ARP), and the
        # capture must see those requests
        assert not s.ping(guest_addr(0), count=1, timeout=1)
    finally:
        s.close()
    fr = wire.frames(s.pcap)
    assert fr, "the capture on the TAP recorded nothing"
    assert not wire.problems(fr, 1500)
    want = f"arp.dst.proto_ipv4 == {guest_addr(0)} && arp.src.proto_ipv4 == {PEER4}"
    arp = subprocess.run(["tshark", "-r", str(s.pcap), "-Y", want], capture_output=True, text=True)
    assert arp.stdout.strip(), "no ARP request of the peer in the capture"
    assert s.con.p.poll() is not None, "QEMU still running"
    ns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert s.ns.name not in ns.split(), "namespace left behind"
