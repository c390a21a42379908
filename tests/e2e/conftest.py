"""Fixtures of the e2e suite: one QEMU boot (hypervisor + NIC core + two lwIP
guests with VFs) per scenario, closed after its test module even on failure."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import reap_stale_namespaces  # noqa: E402
from topology import E2E, config  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def no_stale_namespaces():
    reap_stale_namespaces()


@pytest.fixture(scope="module")
def boot(tmp_path_factory, request):
    """boot(name, vms, host_policy=None, iperf_server=False, capture=True) -> E2E,
    booted and serving; closed (QEMU killed, capture stopped, namespace deleted)
    after the module."""
    made = []

    def make(name, vms, host_policy=None, iperf_server=False, capture=True):
        tmp = tmp_path_factory.mktemp(name)
        s = E2E(name, config(vms, host_policy), [(v[0], v[1]) for v in vms], tmp,
                iperf_server=iperf_server, capture=capture)
        made.append(s)
        s.wait_ready()
        return s

    yield make
    for s in made:
        s.close()

