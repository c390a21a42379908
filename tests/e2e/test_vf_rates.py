"""Issue 14 on the whole platform: two lwIP guests send to the Linux peer at
once (iperf 2 clients) while the admin caps each VF's transmit rate from
the hypervisor console (`set vf ... max-tx-rate`) and changes the caps
during the transfer. The NIC firmware on its own hart enforces them: each
VF's rate, read from the NIC's counters (`counters VM`: frame bytes, as
the cap counts them), is within 5 % of its cap; the other VF is
unaffected by a change; nothing is dropped (the cap is backpressure into
the guest's ring) and both transfers complete whole at the peer."""
import time

from harness import PEER4
from topology import E2E, config

SECS = 45  # the guests' iperf runs (iperf-seconds)
VMS = [(f"tx{i}", "iperf", f"iperf-client={PEER4} iperf-seconds={SECS}", None) for i in (0, 1)]
WINDOW_S = 4.0
SETTLE_S = 1.5  # past the bucket's burst and the guest TCP's reaction
DROPS = ("tx_drop_port", "tx_drop_size", "tx_drop_spoof", "needs_reset_events")


def rates(s, secs):
    """Each guest's transmit rate (Mbit/s of frames) over the next secs."""
    def snap():
        t = time.monotonic()
        c = s.hv.counters()
        return (t + time.monotonic()) / 2, {vm: c[vm]["tx_bytes"] for vm in ("tx0", "tx1")}
    t0, b0 = snap()
    time.sleep(secs)
    t1, b1 = snap()
    return {vm: (b1[vm] - b0[vm]) * 8 / (t1 - t0) / 1e6 for vm in b0}


def set_caps(s, caps):
    for vm, cap in caps.items():
        assert s.hv.cmd(f"set vf {vm} max-tx-rate {cap}") == [f"vf {vm}: max-tx-rate {cap}"]


def test_caps_set_and_changed_at_runtime(tmp_path):
    s = E2E("vf-rates", config(VMS), [(v[0], v[1]) for v in VMS], tmp_path, iperf_server=True)
    try:
        s.wait_ready()
        free = rates(s, 2.0)  # both sending, no cap
        steps = [{"tx0": 10, "tx1": 20}, {"tx0": 20, "tx1": 10}, {"tx0": 5, "tx1": 20}]
        seen = []
        for caps in steps:
            set_caps(s, caps)
            time.sleep(SETTLE_S)
            seen.append((caps, rates(s, WINDOW_S)))
        shown = "\n".join(s.hv.cmd("show vf"))
        set_caps(s, {"tx0": 0, "tx1": 0})  # the rest at full speed
        deadline = time.monotonic() + SECS + 30
        while len(got := s.peer_iperf_bytes(timeout=SECS + 30)) < 2 and \
                time.monotonic() < deadline:
            time.sleep(0.5)
        after = s.hv.counters()
    finally:
        s.close()
    report = f"free {free}; " + "; ".join(f"caps {c} measured {r}" for c, r in seen)
    print(report)
    for caps, measured in seen:
        for vm, cap in caps.items():
            assert abs(measured[vm] - cap) <= 0.05 * cap, report
    # without caps each went faster than the caps it was then given
    assert min(free.values()) > 25, report
    assert "max-tx-rate=20" in shown and "max-tx-rate=5" in shown, shown
    assert len(got) == 2 and all(n > 0 for n in got), got
    for vm in ("tx0", "tx1"):
        assert after[vm]["tx_rate_held"] > 0, after[vm]
        for k in DROPS:
            assert after[vm][k] == 0, (vm, k, after[vm])
