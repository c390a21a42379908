"""nicsim configured from a file (same options as the command line), and
its counters dumped on exit."""
import json
import os
import signal
import socket
import struct
import subprocess
import time

from conftest import NICSIM, SIMP_MBOX

MBOX_VF_GET_STATE, MBOX_VF_GET_FEATURES = 14, 9


def mbox(ctl, cmd, vf):
    mb = struct.pack("<IHHiI6Q", cmd, vf, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    msg = struct.pack("<IIIIiIQQ64s64s", SIMP_MBOX, 0, 0, 0, 0, 0, 0, 0, b"", mb)
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.connect(ctl)
        s.send(msg)
        f = struct.unpack("<IHHiI6Q", s.recv(len(msg))[-64:])
    return f[3], f[5:]


def test_config_file(tmp_path):
    ctl = tmp_path / "ctl"
    cfg = tmp_path / "nic.conf"
    cfg.write_text(f"""# two VFs, no uplink traffic: pcap port with no input
ctl {ctl}
port pcap:,{tmp_path}/out.pcap
host-policy tx_csum+rx_csum
vf mac=02:00:00:00:10:01,mtu=9000,mem=8M
vf mac=02:00:00:00:10:02,mtu=1280,mem=8M,policy=none
""")
    p = subprocess.Popen([NICSIM, "--config", str(cfg)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(200):
            if ctl.exists():
                break
            time.sleep(0.01)
        st, a = mbox(str(ctl), MBOX_VF_GET_STATE, 0)
        assert st == 0 and a[1] == 0x020000001001 and a[2] == 9000
        st, a = mbox(str(ctl), MBOX_VF_GET_STATE, 1)
        assert st == 0 and a[1] == 0x020000001002 and a[2] == 1280
        # Host policy allows checksums only; VF 1's own switch allows nothing.
        _, f0 = mbox(str(ctl), MBOX_VF_GET_FEATURES, 0)
        _, f1 = mbox(str(ctl), MBOX_VF_GET_FEATURES, 1)
        assert f0[0] & 0b11 == 0b11 and not f0[0] & (1 << 11)
        assert f1[0] & 0b11 == 0
        st, _ = mbox(str(ctl), MBOX_VF_GET_STATE, 2)
        assert st == -2  # no such VF
    finally:
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=10)
    assert p.returncode == 0, err
    dump = json.loads(out.strip().splitlines()[-1])  # counters on exit
    assert set(dump["vf"]) == {"0", "1"} and dump["port"]["0"]["tx_packets"] == 0
    assert not os.path.exists(ctl)  # socket removed on exit
