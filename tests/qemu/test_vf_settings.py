"""The VF's switch settings (nicif/vf_param.h) from the admin's side, with
the real NIC firmware: the board config's values reach the NIC through its
device tree, `show vf` reads back what the NIC holds (NIC_MBOX_VF_GET_PARAM,
not the hypervisor's copy), `set vf` changes one at once, and every bad
command is one error line that changes nothing. One boot: httpd with a VF,
no port (the settings need no traffic to be read back)."""
import re

import pytest

from conftest import REPO

CONFIG = ("vm httpd harts=1 ram=16M image=httpd vf=yes mac=02:00:00:00:00:01 "
          'max-tx-rate=50 dhcp-guard=on args="ip=192.0.2.10/24 gw=192.0.2.1"\n'
          "nic hart=3 ram=32M image=nicfw\n")
SHOW = re.compile(r"hv: vf 0 httpd .*")


def setting_words():
    """The words of nicif/vf_param.h's list, in key order."""
    return re.findall(r'X\(\w+, "([^"]+)"', (REPO / "nicif" / "vf_param.h").read_text())


# (command, its one answer line); each bad one leaves everything as it was
BAD = [("set vf", "hv: error: usage: set vf <VF|VM> <setting> <value>"),
       ("set vf 9 storm 1", "hv: error: no such VF"),
       ("set vf 0 colour 1", f"hv: error: unknown setting 'colour' ({', '.join(setting_words())})"),
       ("set vf 0 storm -1", "hv: error: storm: expected a number from 0 to 10000000 (frames/s)"),
       ("set vf 0 spoofchk maybe", "hv: error: spoofchk: expected on or off"),
       ("show vf nosuch", "hv: error: no such VF")]


@pytest.fixture(scope="module")
def run(hv_run):
    steps = [(r"\[httpd\] httpd: listening", b"\x01c"),
             (r"hv> ", b"show vf\r"),
             (r"hv: vf 0 httpd [^\n]*tx-burst=", b"set vf httpd storm 100\r"),
             (r"hv: vf httpd: storm 100", b"show vf 0\r"),
             (r"storm=100", BAD[0][0].encode() + b"\r")]
    # the next command once this one's answer is out (two answer alike)
    after = [re.escape(command) + r"[\s\S]*" + re.escape(answer) for command, answer in BAD]
    steps += [(a, command.encode() + b"\r") for a, (command, _) in zip(after, BAD[1:])]
    steps += [(after[-1], b"show vf httpd\r"),
              (r"(hv: vf 0 httpd [^\n]*tx-burst=[^\n]*\n[\s\S]*){3}", b"help\r"),
              (r"hv: set vf ", b"\x01x")]
    return hv_run("vf-settings", CONFIG, script=steps)


def answers(r, prefix):
    """The console's lines from prefix on (the "hv> " echo before it left out)."""
    return [l[l.index(prefix):] for l in r.lines if prefix in l]


def test_config_values_are_what_the_nic_enforces(run):
    r = run
    assert not r.timed_out and r.rc == 0 and r.has("hv: power off (Ctrl-A x)"), r.describe()
    shows = answers(r, "hv: vf 0 httpd ")
    assert len(shows) == 3, r.describe()
    # the config's two, every other setting its default, in the list's order
    assert shows[0] == ("hv: vf 0 httpd mac=02:00:00:00:00:01 mtu=1500 spoofchk=on trust=off "
                        "dhcp-guard=on router-guard=off storm=0 max-tx-rate=50 tx-burst=0 "
                        "min-tx-rate=0 weight=100"), r.describe()
    assert [kv.split("=")[0] for kv in shows[0].split()[6:]] == setting_words()


def test_set_applies_at_once(run):
    r = run
    assert answers(r, "hv: vf httpd: ") == ["hv: vf httpd: storm 100"], r.describe()
    shows = answers(r, "hv: vf 0 httpd ")
    assert shows[1] == shows[0].replace("storm=0", "storm=100"), r.describe()


def test_bad_commands_say_one_line_and_change_nothing(run):
    r = run
    assert answers(r, "hv: error: ") == [answer for _, answer in BAD], r.describe()
    # no setting changed: the last read equals the one after the good set
    shows = answers(r, "hv: vf 0 httpd ")
    assert shows[2] == shows[1], r.describe()
    # each command got its one line and no "ok": the only ones are the
    # good commands' (show, set, show, show, help)
    assert len(answers(r, "hv: ok")) == 5, r.describe()


def test_help_lists_set_and_show(run):
    words = "|".join(setting_words())
    assert f"hv: set vf <VF|VM> <{words}> <value> | show vf [VF|VM]" in \
        answers(run, "hv: set vf "), run.describe()
