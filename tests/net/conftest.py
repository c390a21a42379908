"""Fixtures of the guest network tests; the helpers are in netlab.py."""
import os

import pytest

from netlab import Net


@pytest.fixture(scope="module")
def net():
    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces")
    n = Net()
    yield n
    n.close()
