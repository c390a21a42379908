"""Fixtures of the linux suite: one QEMU boot per scenario (hypervisor, NIC
core, Linux VMs and maybe lwIP ones), closed after its test module."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from harness import reap_stale_namespaces  # noqa: E402
from linux import LinuxE2E, config  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def no_stale_namespaces():
    reap_stale_namespaces()


@pytest.fixture(scope="module")
def boot(tmp_path_factory):
    """boot(name, vms) -> LinuxE2E, booted; vms as linux.config takes them."""
    made = []

    def make(name, vms, harts=4, nic_hart=3, port="pass"):
        """harts: QEMU's -smp (more than the board's 4 for big guests);
        port: the NIC's port mode."""
        tmp = tmp_path_factory.mktemp(name)
        more = harts != 4
        s = LinuxE2E(name, config(vms, nic_hart, port), [(v[0], v[1]) for v in vms], tmp,
                     qemu_extra=("-smp", str(harts)) if more else (),
                     make_vars=(f"BOARD_HARTS={harts}",) if more else ())
        made.append(s)
        s.wait_ready(timeout=180)
        return s

    yield make
    for s in made:
        s.close()
