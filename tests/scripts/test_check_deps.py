"""Tests of scripts/check-deps.py on small synthetic trees (--root, no git)
and one run on the repository itself."""

import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "check-deps.py"
CLOSING = re.compile(r"^check-deps: (\d+) files, (\d+) includes, (\d+) violations$", re.M)

# Three layers and a sibling: arch <- hv-core <- hv-mgmt, and nicfw beside
# hv (it may use arch only), with an include root and a tests/ folder.
LAYERS = """\
# test layers
include-roots: lib/include
unchecked: hv/core/selftest

lib       lib                : 
arch      arch/riscv         : lib
hv-core   hv/core            : arch lib
hv-mgmt   hv/mgmt            : hv-core arch
nicfw     nic-firmware       : arch     # not hv
"""

CLEAN = {
    "lib/include/lib.h": "#pragma once\n#include <stdint.h>\n",
    "lib/lib.c": '#include "lib.h"\n',                         # via the include root
    "arch/riscv/csr.h": "#pragma once\n#include <stdint.h>\n",
    "arch/riscv/csr.c": '#include "csr.h"\n#include <lib.h>\n',
    "arch/riscv/entry.S": '#include "csr.h"\n',
    "hv/core/vm.h": "#pragma once\n#include <arch/riscv/csr.h>\n",
    "hv/core/vm.c": ('#include "vm.h"   /* own folder */\n'
                     "#include <arch/riscv/csr.h> // trailing comment\n"
                     "#include <libfdt.h>\n"
                     '#include "lib.h"\n'),
    "hv/mgmt/cmd.c": '#include <hv/core/vm.h>\n#include "arch/riscv/csr.h"\n',
    "nic-firmware/vq.c": '#include "vq.h"\n#include <arch/riscv/csr.h>\n',
    "nic-firmware/vq.h": "#include <stdint.h>\n",
    # No module: may include anything.
    "tests/test_vm.c": '#include "../hv/core/vm.h"\n#include <hv/mgmt/cmd.c>\n',
    "hv/core/selftest/t.c": '#include <hv/mgmt/cmd.c>\n',
    "README.md": "#include <hv/mgmt/cmd.c>\n",
}


def make_tree(root, files, layers=LAYERS):
    root.mkdir(parents=True, exist_ok=True)
    if layers is not None:
        (root / "layers.txt").write_text(textwrap.dedent(layers))
    for path, text in files.items():
        p = root / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return root


def run(*args, cwd=None):
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], cwd=cwd,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=60)


def closing(res):
    m = CLOSING.findall(res.stdout)
    assert len(m) == 1, res.stdout
    assert res.stdout.rstrip("\n").splitlines()[-1].startswith("check-deps: "), res.stdout
    return tuple(int(x) for x in m[0])


def violations(res):
    return [l for l in res.stdout.splitlines() if re.match(r"^\S+:\d+: includes ", l)]


def check_tree(tmp_path, extra=None, layers=LAYERS):
    files = dict(CLEAN)
    files.update(extra or {})
    return run("--root", make_tree(tmp_path / "t", files, layers))


# --------------------------------------------------------------------------

def test_clean_tree_passes(tmp_path):
    res = check_tree(tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert violations(res) == []
    # lib.h lib.c, arch's csr.h csr.c entry.S, vm.h vm.c, cmd.c, vq.c vq.h;
    # not tests/, not the unchecked selftest, not README.md.
    files, includes, k = closing(res)
    assert (files, k) == (10, 0)
    # lib.c 1, csr.c 2, entry.S 1, vm.h 1, vm.c 3 (not libfdt), cmd.c 2, vq.c 2
    assert includes == 12


def test_upward_include_fails_naming_the_edge(tmp_path):
    res = check_tree(tmp_path, {
        "arch/riscv/csr.c": '#include "csr.h"\n\n#include <hv/core/vm.h>\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "arch/riscv/csr.c:3: includes hv/core/vm.h (arch -> hv-core): points up a layer; "
        "cycle arch -> hv-core -> arch"]
    assert closing(res)[2] == 1


def test_one_edge_with_every_reason(tmp_path):
    # hv-core -> hv-mgmt through "../": relative, up, and (cmd.c includes
    # vm.h) a cycle.
    res = check_tree(tmp_path, {
        "hv/mgmt/mgmt.h": "#pragma once\n",
        "hv/core/vm.c": CLEAN["hv/core/vm.c"] + '#include "../mgmt/mgmt.h"\n'})
    assert res.returncode == 1
    v = violations(res)
    assert v == ["hv/core/vm.c:5: includes hv/mgmt/mgmt.h (hv-core -> hv-mgmt): "
                 "relative path into another module; use <hv/mgmt/mgmt.h>; "
                 "points up a layer; cycle hv-core -> hv-mgmt -> hv-core"]


def test_sibling_not_in_may_use_fails(tmp_path):
    res = check_tree(tmp_path, {"nic-firmware/vq.c": '#include <hv/core/vm.h>\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "nic-firmware/vq.c:1: includes hv/core/vm.h (nicfw -> hv-core): "
        "not in nicfw's may-use list"]


def test_lower_module_skipped_in_may_use_fails(tmp_path):
    # hv-mgmt lists hv-core and arch, not lib: transitive use is not enough.
    res = check_tree(tmp_path, {"hv/mgmt/cmd.c": '#include <lib.h>\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "hv/mgmt/cmd.c:1: includes lib/include/lib.h (hv-mgmt -> lib): "
        "not in hv-mgmt's may-use list"]


def test_module_cycle_is_reported(tmp_path):
    # arch -> nicfw (up) and nicfw -> arch (allowed): a cycle of two.
    res = check_tree(tmp_path, {
        "arch/riscv/csr.c": '#include "csr.h"\n#include <lib.h>\n#include <nic-firmware/vq.h>\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "arch/riscv/csr.c:3: includes nic-firmware/vq.h (arch -> nicfw): "
        "points up a layer; cycle arch -> nicfw -> arch"]
    cyc = [l for l in res.stdout.splitlines() if l.startswith("check-deps: module cycle")]
    assert cyc == ["check-deps: module cycle: arch -> nicfw -> arch "
                   "(arch/riscv/csr.c:3, nic-firmware/vq.c:2)"]


def test_longer_cycle_path(tmp_path):
    # lib -> nicfw -> arch -> lib: a hop per line, each with its include.
    res = check_tree(tmp_path, {"lib/lib.c": '#include "lib.h"\n#include <nic-firmware/vq.h>\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "lib/lib.c:2: includes nic-firmware/vq.h (lib -> nicfw): "
        "points up a layer; cycle lib -> nicfw -> arch -> lib"]
    assert [l for l in res.stdout.splitlines() if "module cycle" in l] == [
        "check-deps: module cycle: lib -> nicfw -> arch -> lib "
        "(lib/lib.c:2, nic-firmware/vq.c:2, arch/riscv/csr.c:2)"]


def test_relative_include_into_another_module_fails(tmp_path):
    res = check_tree(tmp_path, {"hv/core/vm.c": '#include "../../arch/riscv/csr.h"\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "hv/core/vm.c:1: includes arch/riscv/csr.h (hv-core -> arch): "
        "relative path into another module; use <arch/riscv/csr.h>"]


def test_relative_include_suggests_include_root_spelling(tmp_path):
    res = check_tree(tmp_path, {"arch/riscv/csr.c": '#include "../../lib/include/lib.h"\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "arch/riscv/csr.c:1: includes lib/include/lib.h (arch -> lib): "
        "relative path into another module; use <lib.h>"]


def test_relative_include_inside_a_module_passes(tmp_path):
    res = check_tree(tmp_path, {
        "nic-firmware/hal/dma.h": '#include "../vq.h"\n'})
    assert res.returncode == 0, res.stdout
    assert closing(res)[2] == 0


def test_include_of_a_file_in_no_module_fails(tmp_path):
    res = check_tree(tmp_path, {
        "tests/fake.h": "#pragma once\n",
        "hv/core/vm.c": '#include <tests/fake.h>\n'})
    assert res.returncode == 1
    assert violations(res) == [
        "hv/core/vm.c:1: includes tests/fake.h (hv-core -> no module): "
        "target is in no module"]


def test_includes_in_comments_are_ignored(tmp_path):
    res = check_tree(tmp_path, {"arch/riscv/csr.c": textwrap.dedent("""\
        #include "csr.h" /* not <hv/core/vm.h> */
        // #include <hv/core/vm.h>
        /*
        #include <hv/core/vm.h>
        */
        static const char *s = "/* not a comment";
        #include <lib.h>
        """)})
    assert res.returncode == 0, res.stdout
    assert closing(res) == (10, 12, 0)


def test_spacing_variants_are_parsed(tmp_path):
    res = check_tree(tmp_path, {"arch/riscv/csr.c": '  #  include\t<hv/core/vm.h>\t/* x */\n'})
    assert res.returncode == 1
    assert violations(res)[0].startswith("arch/riscv/csr.c:1: includes hv/core/vm.h (arch -> hv-core)")


def test_longest_folder_wins(tmp_path):
    # hv/core/selftest is unchecked although hv/core is a module; make
    # sure the file there is really exempt and a sibling is not.
    res = check_tree(tmp_path, {"hv/core/other/t.c": '#include <hv/mgmt/cmd.c>\n'})
    assert res.returncode == 1
    assert [v.split(":")[0] for v in violations(res)] == ["hv/core/other/t.c"]


def test_angle_include_does_not_search_the_including_folder(tmp_path):
    # <vq.h> from nic-firmware is not nic-firmware/vq.h (the compiler has
    # -I. and the include roots only), so it resolves to nothing.
    res = check_tree(tmp_path, {"nic-firmware/vq.c": '#include <vq.h>\n'})
    assert res.returncode == 0
    assert closing(res)[1] == 10        # 12 - vq.c's two includes


def test_layers_with_a_cycle_is_rejected(tmp_path):
    layers = """\
        a   a   : b
        b   b   : a
        """
    res = run("--root", make_tree(tmp_path / "t", {"a/x.c": ""}, layers))
    assert res.returncode == 2
    assert "the declared graph has a cycle: a -> b -> a" in res.stderr
    assert "layers.txt:1: module 'a' may use 'b', which is listed after it" in res.stderr
    assert "check-deps:" in res.stderr and "invalid" in res.stderr
    assert res.stdout == ""


def test_layers_with_an_unknown_module_is_rejected(tmp_path):
    layers = """\
        a   a   :
        b   b   : a nosuch
        """
    res = run("--root", make_tree(tmp_path / "t", {"a/x.c": ""}, layers))
    assert res.returncode == 2
    assert "layers.txt:2: module 'b' may use 'nosuch', which is not a module" in res.stderr
    assert res.stdout == ""


def test_layers_with_a_later_module_is_rejected(tmp_path):
    layers = """\
        a   a   : b
        b   b   :
        """
    res = run("--root", make_tree(tmp_path / "t", {"a/x.c": ""}, layers))
    assert res.returncode == 2
    assert "layers.txt:1: module 'a' may use 'b', which is listed after it" in res.stderr
    assert "cycle" not in res.stderr


def test_layers_syntax_errors_are_rejected(tmp_path):
    layers = """\
        a   a   :
        a   c   :
        b       : a
        c   a   :
        justwords here
        d   ../x :
        """
    res = run("--root", make_tree(tmp_path / "t", {"a/x.c": ""}, layers))
    assert res.returncode == 2
    err = res.stderr
    assert "layers.txt:2: module 'a' already defined at line 1" in err
    assert "layers.txt:3: module line needs a name and at least one folder" in err
    assert "layers.txt:4: folder 'a' already given at line 1" in err
    assert "layers.txt:5: expected 'name folder... : may-use...'" in err
    assert "layers.txt:6: bad folder '../x'" in err


def test_missing_layers_file_is_a_usage_error(tmp_path):
    res = run("--root", make_tree(tmp_path / "t", {"a/x.c": ""}, layers=None))
    assert res.returncode == 2
    assert "cannot read" in res.stderr and "layers.txt" in res.stderr


def test_help_goes_to_stdout(tmp_path):
    res = run("--help")
    assert res.returncode == 0
    assert res.stdout.startswith("check-deps:")
    assert "--root DIR" in res.stdout and "layers.txt" in res.stdout
    assert res.stderr == ""


def test_bad_usage_goes_to_stderr(tmp_path):
    res = run("--no-such-option")
    assert res.returncode == 2
    assert res.stdout == ""
    assert "usage:" in res.stderr
    res = run("--root", tmp_path / "missing")
    assert res.returncode == 2
    assert "not a directory" in res.stderr


def test_verbose_lists_unresolved_quoted_includes(tmp_path):
    res = check_tree(tmp_path, {"nic-firmware/vq.c": '#include "hal.h"\n#include <sys/x.h>\n'})
    assert res.returncode == 0
    assert "hal.h" not in res.stderr
    res = run("-v", "--root", tmp_path / "t")
    assert res.returncode == 0
    assert 'nic-firmware/vq.c:1: "hal.h" is no project file' in res.stderr
    assert "sys/x.h" not in res.stderr


def test_real_tree_runs_fast():
    """The repository's own layers.txt and sources: a valid layer file, a
    closing line, and well under 5 s. (Violations are allowed here; the
    suite's real-tree check in tests/scripts/module.mk requires none.)"""
    start = time.monotonic()
    res = run(cwd=REPO)
    took = time.monotonic() - start
    assert res.returncode in (0, 1), res.stderr
    files, includes, k = closing(res)
    assert files > 50 and includes > 50
    assert k == len(violations(res))
    assert (res.returncode == 0) == (k == 0)
    assert took < 5, took
