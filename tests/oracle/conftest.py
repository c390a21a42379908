"""Fixtures for the oracle tests: the tool, the corpus, tshark."""

import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

TOOL = os.environ.get("NIC_OFFLOAD",
                      os.path.join(ROOT, "build/host/bin/nic-offload"))
# The same tool built with ASan/UBSan, for the hostile-input tests.
TOOL_SAN = os.environ.get("NIC_OFFLOAD_SAN",
                          os.path.join(ROOT, "build/host/nic-offload-san"))
# ORACLE_SEED=N runs the suite on another corpus (build/oracle-seed-N), for
# soaking the engines beyond the fixed seed `make test` uses.
SEED = os.environ.get("ORACLE_SEED")
CORPUS = os.path.join(ROOT, "build/oracle" + ("-seed-" + SEED if SEED else ""))
TSHARK_OPTS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
               "-o", "udp.check_checksum:TRUE"]


SAN_ENV = dict(os.environ, ASAN_OPTIONS="exitcode=86:detect_leaks=1",
               UBSAN_OPTIONS="exitcode=87:print_stacktrace=1")


def run(tool, *args, check=True):
    p = subprocess.run([tool, *args], capture_output=True, timeout=120,
                       env=SAN_ENV)
    err = p.stderr.decode(errors="replace")
    assert "Sanitizer" not in err and "runtime error" not in err, err[-3000:]
    assert p.returncode >= 0, "killed by signal %d" % -p.returncode
    if check and p.returncode != 0:
        raise AssertionError("%s %s -> %d\n%s" % (
            os.path.basename(tool), " ".join(args), p.returncode, err[:1500]))
    return p


@pytest.fixture(scope="session")
def corpus():
    """Generate the corpus once per session (it is cheap and seeded)."""
    gen = os.path.join(HERE, "gen_corpus.py")
    man = os.path.join(CORPUS, "manifest.json")
    if not os.path.exists(man) or os.path.getmtime(man) < max(
            os.path.getmtime(gen), os.path.getmtime(os.path.join(HERE, "oracle.py"))):
        subprocess.run([sys.executable, gen, CORPUS] + ([SEED] if SEED else []),
                       check=True, capture_output=True)
    with open(man) as f:
        return json.load(f)


@pytest.fixture(scope="session")
def tool():
    assert os.access(TOOL, os.X_OK), "build the tool first: make tools"
    return lambda *a, check=True: run(TOOL, *a, check=check)


@pytest.fixture(scope="session")
def tool_san():
    assert os.access(TOOL_SAN, os.X_OK), "build it first: make " + TOOL_SAN
    return lambda *a, check=True: run(TOOL_SAN, *a, check=check)


def cpath(name):
    return os.path.join(CORPUS, name)


def tshark_fields(path, *fields, extra=()):
    p = subprocess.run(["tshark", "-r", path, *TSHARK_OPTS, *extra, "-T",
                        "fields", *sum((["-e", f] for f in fields), [])],
                       capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return [line.split("\t") for line in p.stdout.decode().splitlines()]


def tshark_bad(path):
    """Frame numbers tshark flags with a bad IPv4/TCP/UDP checksum."""
    p = subprocess.run(
        ["tshark", "-r", path, *TSHARK_OPTS, "-Y",
         'ip.checksum.status == "Bad" || tcp.checksum.status == "Bad" || '
         'udp.checksum.status == "Bad"', "-T", "fields", "-e", "frame.number"],
        capture_output=True, timeout=120)
    assert p.returncode == 0, p.stderr.decode(errors="replace")
    return [int(x) for x in p.stdout.split()]
