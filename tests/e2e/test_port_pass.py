"""The demo as `make run` boots it: the NIC's port in pass mode (`nic
port=pass`, the default), lwIP guests that take no GUEST_TSO. Their TSO
super-frames cross the port whole (QEMU's TAP takes them with their
virtio_net_hdr); Linux's super-frames arrive whole at the port and the NIC
cuts them for the guests. Every byte is checked at the receiver; the other
e2e modules run the port in wire mode, where tshark judges every frame."""
import time

import pytest

from harness import PEER4, guest_addr
from topology import E2E, MiB, config, delta, iperf_ok

VMS = [("httpd", "httpd", "", None), ("iperf", "iperf", f"iperf-client={PEER4}", None)]
NBYTES = 20 * MiB
CLIENT_DONE = r"iperf: (?P<how>client-done|aborted\S*) .*?\bbytes=(?P<bytes>\d+)"
CLEAN = ("tx_drop_bad_hdr", "tx_drop_feature", "tx_drop_spoof", "tx_drop_size",
         "rx_drop_size", "rx_drop_small_buf", "dma_window_violations",
         "malformed_descriptors", "needs_reset_events")


@pytest.fixture(scope="module")
def s(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pass")
    e = E2E("pass", config(VMS, port="pass"), [(v[0], v[1]) for v in VMS], tmp,
            iperf_server=True, capture=False)
    try:
        e.wait_ready()
        yield e
    finally:
        e.close()


def port(s):
    return s.hv.counters("port 0")["port0"]


def test_guest_super_frames_cross_the_port_whole(s):
    """The lwiperf client's 10 s from boot: at least 20 MiB reach Linux, and
    the guest's super-frames left the port whole, none cut by the NIC."""
    p0, c0 = port(s), s.vf("iperf")
    m = s.wait_vm("iperf", CLIENT_DONE, timeout=60)
    assert m.group("how") == "client-done", m.group(0)
    got = s.peer_iperf_bytes()
    assert got and got[0] >= NBYTES, f"Linux received {got} bytes; guest: {m.group(0)}"
    dp, dc = delta(port(s), p0), delta(s.vf("iperf"), c0)
    assert dc["tx_gso_whole"] > 0 and dp["tx_gso_whole"] > 0, (dc, dp)
    assert dp["tx_gso_segmented"] == 0, dp
    for k in CLEAN:
        assert dc[k] == 0, (k, dc)


def test_peer_super_frames_are_cut_for_a_guest_without_guest_tso(s):
    """20 MiB Linux -> the guest's lwiperf server: Linux's super-frames
    arrive whole at the port; lwIP took no GUEST_TSO, so the NIC segments
    them for its VF, and every byte arrives."""
    p0, c0 = port(s), s.vf("iperf")
    start = s.con.mark()
    res = s.iperf(guest_addr(1), NBYTES)
    iperf_ok(res, "fwd", NBYTES)
    got = s.wait_vm("iperf", r"iperf: server-done .*?\bbytes=(\d+)", 30, start)
    # lwiperf leaves iperf 2's settings header (36 bytes) out of its count
    assert int(got.group(1)) >= NBYTES - 36, got.group(0)
    dp, dc = delta(port(s), p0), delta(s.vf("iperf"), c0)
    assert dp["rx_gso"] > 0 and dc["rx_gso_segmented"] > 0, (dp, dc)
    assert dc["rx_gso_whole"] == 0, dc
    assert dp["rx_drop_bad_hdr"] == 0, dp
    for k in CLEAN:
        assert dc[k] == 0, (k, dc)


def test_big_file_is_intact(s):
    """256 KiB from the httpd guest, its TSO super-frames passed whole to
    QEMU's TAP, reassembled by Linux into exactly the app's pattern."""
    p0 = port(s)
    code, body, err = s.curl(guest_addr(0), "/big.bin")
    assert code == "200", f"curl: HTTP {code!r} {err}"
    want = bytes((i * 7 + i // 251) & 255 for i in range(256 * 1024))
    assert body == want, (len(body), next((i for i in range(min(len(body), len(want)))
                                          if body[i] != want[i]), None))
    assert delta(port(s), p0)["tx_gso_whole"] > 0


def test_ping_both_guests(s):
    assert s.ping(guest_addr(0)) and s.ping(guest_addr(1))


def test_a_frame_from_the_wire_wakes_the_sleeping_nic(s):
    """Idle, the NIC core sleeps deep (after 50 ms of silence); an echo
    request from the wire must wake it through its port's interrupt (the
    hv takes the PLIC line on the NIC's hart: `traps nic` irq-other), not
    wait for the 100 ms backstop timer. The NIC's hart is 3 and OpenSBI
    boots a random hart: the hart's PLIC context must be set up on the
    NIC's hart after it started (SBI's hart start resets it), or no frame
    ever woke the NIC unless it was the boot hart."""
    s.wait_vm("iperf", CLIENT_DONE, timeout=60)  # the demo's traffic is over
    assert s.ping(guest_addr(0))
    time.sleep(0.5)
    t0 = s.hv.traps("nic")["nic"]
    r = s.ns.run("ping", "-c", "10", "-i", "0.3", "-W", "2", guest_addr(0), check=False,
                 timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    t1 = s.hv.traps("nic")["nic"]
    wakes = t1["irq-other"] - t0["irq-other"]
    rtt = r.stdout.strip().splitlines()[-1]
    assert wakes >= 5, f"{wakes} port wakes for 10 echo requests 0.3 s apart ({rtt})"
