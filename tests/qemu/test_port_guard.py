"""The NIC partition's physical port can reach only the NIC's RAM and the
VF windows (hv/nic/port_guard.c): QEMU 7.2's virt has no IOMMU, so the
hypervisor mediates the port's rings. A stand-in NIC firmware programs its
port with a buffer in another VM's RAM (tests/images/fake_nic.c,
FAKE_NIC_PORT_TX / _RX); that VM (apps/canary) holds a pattern there and
checks it every 100 ms. The NIC must be stopped with one line at its
notification, the port reset, the pattern neither sent on the wire (QEMU's
own capture of the port) nor changed, and the hypervisor and the other VM
must go on to a clean power-off."""
import re

import pytest

from conftest import LOGS

UNIT = "build/riscv/test-images"
# the canary's pattern: little-endian words 0xca9a2e5a_0000xxxx
MAGIC = bytes.fromhex("5a2e9aca")


def cfg(nic):
    # base= pins the canary where the stand-in NIC aims (PORT_TARGET)
    return (f'vm canary harts=1 ram=4M base=0x8a000000 image=canary args="seconds=4"\n'
            f"nic hart=3 ram=4M image={UNIT}/{nic}.bin\n")


@pytest.mark.parametrize("way", ["tx", "rx"])
def test_port_dma_outside_the_partition_stops_the_nic(hv_run, way):
    pcap = LOGS / f"port-guard-{way}.pcap"
    pcap.unlink(missing_ok=True)
    net = ["-global", "virtio-mmio.force-legacy=false",
           "-netdev", "user,id=port0,net=192.0.2.0/24,host=192.0.2.2,restrict=on",
           "-device", "virtio-net-device,netdev=port0,mac=02:00:00:00:01:00",
           "-object", f"filter-dump,id=cap0,netdev=port0,file={pcap}"]
    r = hv_run(f"port-guard-{way}", cfg(f"fake_nic_port_{way}"), qemu_args=net)
    assert not r.timed_out and r.rc == 0, r.describe()
    assert r.has(f"[nic] fakenic: port {way.upper()} buffer at 0x8a100000, notifying"), \
        r.describe()
    # stopped at the notification: the access never completed
    assert not [l for l in r.lines if "port DMA survived" in l], r.describe()
    guard = [l for l in r.lines if re.match(
        r"^hv: nic: port 0x[0-9a-f]+: port DMA outside the NIC partition and the VF windows "
        r"\(0x8a100000\): the port was reset$", l)]
    assert len(guard) == 1, r.describe()
    assert any(re.match(r"^hv: vm nic stopped: port DMA outside the NIC partition and the VF "
                        r"windows sepc=0x0 addr=0x8a100000$", l) for l in r.lines), r.describe()
    # the other VM: pattern intact to its last check, then a clean end
    assert any(re.match(r"^\[canary\] canary: intact after \d+ checks$", l) for l in r.lines), \
        r.describe()
    assert not [l for l in r.lines if "CHANGED" in l], r.describe()
    assert r.has("hv: no VM running, powering off"), r.describe()
    # nothing of the pattern left on the wire
    data = pcap.read_bytes()
    assert data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"), "not a pcap"
    assert MAGIC not in data[24:], "the canary's memory went out on the port"
