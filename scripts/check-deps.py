#!/usr/bin/env python3
"""check-deps: the include graph of the sources against the layers of layers.txt.

Usage: check-deps.py [--root DIR] [--layers FILE] [-v]

Reads layers.txt (the modules, lowest layer first, each with its folders
and the modules it may include; the format is described at its top) and every #include of the C/assembly
sources and headers (*.c, *.h, *.S) of the modules' folders. An include is
resolved to a file of the project: "x.h" first relative to the including
file's folder, then (both forms) relative to the repository root, then
against the include roots of layers.txt; <x.h> skips the first step, as
the compiler does (-I. and the include roots). Includes that resolve to no
file of the project (<stdint.h>, <libfdt.h>, lwIP) are not checked.

A file belongs to the module with the longest folder that holds it.
Files of no module (tests/, apps/, folders marked `unchecked:`) are not
checked; they may include anything. Violations, one line each:

  file:line: includes path (A -> B): points up a layer
  file:line: includes path (A -> B): not in A's may-use list
  file:line: includes path (A -> no module): target is in no module
  file:line: includes path (A -> B): relative path into another module; use <p>
  ... ; cycle A -> B -> .. -> A     (the edge closes a module cycle)

and, after them, one `check-deps: module cycle: ...` line per cycle found
in the actual graph, with the include that makes each hop. The closing
line `check-deps: N files, M includes, K violations` counts the files
checked, their includes that resolved to a project file, and the
violation lines (file:line lines).

Exit status: 0 no violation, 1 violations, 2 bad usage, an invalid
layers.txt (unknown module, a module that may use one listed after it, a
cycle in the declared graph) or git failing.

Options:
  --root DIR     check the tree at DIR by walking it (no git); for tests.
                 Default: the repository this script is in, files from
                 `git ls-files` (tracked and untracked-but-not-ignored).
  --layers FILE  the layer file (default: ROOT/layers.txt)
  -v, --verbose  also list quoted includes ("x.h") that resolved to no
                 project file, on stderr (they may hide a dependency that
                 only a -I flag makes work)
  -h, --help     this text
"""

import argparse
import os
import re
import subprocess
import sys
from collections import deque

SOURCE_EXTS = (".c", ".h", ".S")
EXIT_OK, EXIT_VIOLATIONS, EXIT_USAGE = 0, 1, 2


class LayersError(Exception):
    """layers.txt is invalid; the message lists every problem."""


# --------------------------------------------------------------------------
# layers.txt

class Module:
    def __init__(self, name, folders, may_use, index, lineno):
        self.name = name
        self.folders = folders
        self.may_use = may_use
        self.index = index        # position in layers.txt: lower layer = smaller
        self.lineno = lineno


class Layers:
    def __init__(self):
        self.modules = []         # in file order, lowest layer first
        self.by_name = {}
        self.include_roots = []
        self.unchecked = []       # folders inside module folders not checked
        self._owners = []         # (folder, module or None), longest first

    def finish(self):
        owners = [(f, m) for m in self.modules for f in m.folders]
        owners += [(f, None) for f in self.unchecked]
        self._owners = sorted(owners, key=lambda o: len(o[0]), reverse=True)

    def module_of(self, path):
        """The module owning repo-relative path (longest folder), or None."""
        for folder, mod in self._owners:
            if path.startswith(folder + "/"):
                return mod
        return None


NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*$")


def _folder_ok(folder):
    parts = folder.split("/")
    return (folder and not folder.startswith("/")
            and all(p not in ("", ".", "..") for p in parts))


def parse_layers(text, fname="layers.txt"):
    """Parse and validate the layer file; raise LayersError listing all errors."""
    lay = Layers()
    errors = []
    seen_folders = {}           # module and unchecked folders -> line
    seen_roots = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = "%s:%d" % (fname, lineno)
        m = re.match(r"^(include-roots|unchecked)\s*:(.*)$", line)
        if m:
            folders = [f.rstrip("/") for f in m.group(2).split()]
            # A module folder may also be an include root; a folder is
            # owned by one module or `unchecked:`, not both.
            seen = seen_roots if m.group(1) == "include-roots" else seen_folders
            for f in folders:
                if not _folder_ok(f):
                    errors.append("%s: bad folder '%s' (repo-relative, no '..')" % (where, f))
                elif f in seen:
                    errors.append("%s: folder '%s' already given at line %d"
                                  % (where, f, seen[f]))
                else:
                    seen[f] = lineno
            (lay.include_roots if m.group(1) == "include-roots"
             else lay.unchecked).extend(folders)
            continue
        if ":" not in line:
            errors.append("%s: expected 'name folder... : may-use...', got '%s'"
                          % (where, line))
            continue
        left, right = line.split(":", 1)
        words = left.split()
        if len(words) < 2:
            errors.append("%s: module line needs a name and at least one folder"
                          % where)
            continue
        name, folders = words[0], [f.rstrip("/") for f in words[1:]]
        if not NAME_RE.match(name):
            errors.append("%s: bad module name '%s'" % (where, name))
            continue
        if name in lay.by_name:
            errors.append("%s: module '%s' already defined at line %d"
                          % (where, name, lay.by_name[name].lineno))
            continue
        for f in folders:
            if not _folder_ok(f):
                errors.append("%s: bad folder '%s' (repo-relative, no '..')" % (where, f))
            elif f in seen_folders:
                errors.append("%s: folder '%s' already given at line %d"
                              % (where, f, seen_folders[f]))
            else:
                seen_folders[f] = lineno
        may_use = []
        for u in right.split():
            if u != name and u not in may_use:   # a module always may use itself
                may_use.append(u)
        mod = Module(name, folders, may_use, len(lay.modules), lineno)
        lay.modules.append(mod)
        lay.by_name[name] = mod

    for mod in lay.modules:
        for u in mod.may_use:
            if u not in lay.by_name:
                errors.append("%s:%d: module '%s' may use '%s', which is not a module"
                              % (fname, mod.lineno, mod.name, u))

    cyc = _declared_cycle(lay)
    if cyc:
        errors.append("%s: the declared graph has a cycle: %s"
                      % (fname, " -> ".join(cyc)))
    for mod in lay.modules:
        for u in mod.may_use:
            dep = lay.by_name.get(u)
            if dep is not None and dep.index > mod.index:
                errors.append("%s:%d: module '%s' may use '%s', which is listed after "
                              "it (list lower layers first)" % (fname, mod.lineno, mod.name, u))
    if not lay.modules and not errors:
        errors.append("%s: no modules" % fname)
    if errors:
        raise LayersError("\n".join(errors))
    lay.finish()
    return lay


def _declared_cycle(lay):
    """A cycle of the may-use graph as a list of names (first == last), or None."""
    graph = {m.name: [u for u in m.may_use if u in lay.by_name] for m in lay.modules}
    state = {}                      # 1 = on the DFS stack, 2 = done
    stack = []

    def dfs(n):
        state[n] = 1
        stack.append(n)
        for u in graph[n]:
            if state.get(u) == 1:
                return stack[stack.index(u):] + [u]
            if u not in state:
                found = dfs(u)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for m in lay.modules:
        if m.name not in state:
            found = dfs(m.name)
            if found:
                return found
    return None


# --------------------------------------------------------------------------
# sources and includes

# Comments, and the string/char literals that may hold comment-like text.
LEX_RE = re.compile(r'//[^\n]*|/\*.*?(?:\*/|\Z)|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                    re.S)
INCLUDE_RE = re.compile(r'^[ \t]*#[ \t]*include[ \t]*([<"])([^>"\n]+)[>"]', re.M)


def _blank_comment(m):
    s = m.group(0)
    if s.startswith("/"):
        return re.sub(r"[^\n]", " ", s)     # keep the line numbers
    return s


def find_includes(text):
    """[(lineno, '<' or '"', spelled path)] of the file, comments ignored."""
    code = LEX_RE.sub(_blank_comment, text)
    out = []
    for m in INCLUDE_RE.finditer(code):
        lineno = code.count("\n", 0, m.start()) + 1
        out.append((lineno, m.group(1), m.group(2).strip()))
    return out


def list_files_git(repo):
    try:
        res = subprocess.run(
            ["git", "-C", repo, "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        err = getattr(e, "stderr", b"") or b""
        raise RuntimeError("git ls-files failed in %s: %s"
                           % (repo, err.decode(errors="replace").strip() or e))
    files = set()
    for p in res.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if p and os.path.isfile(os.path.join(repo, p)):   # not deleted in the work tree
            files.add(p)
    return files


def list_files_walk(root):
    files = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != ".git"]
        rel = os.path.relpath(dirpath, root)
        for f in filenames:
            files.add(f if rel == "." else rel.replace(os.sep, "/") + "/" + f)
    return files


def _norm(path):
    """Normalised repo-relative path, or None when it leaves the repo."""
    p = os.path.normpath(path).replace(os.sep, "/")
    if p == ".." or p.startswith("../") or p.startswith("/"):
        return None
    return p


def resolve(inc_from, kind, spelled, files, include_roots):
    """The project file an include names, or None."""
    cands = []
    if kind == '"':
        cands.append(os.path.join(os.path.dirname(inc_from), spelled))
    cands.append(spelled)
    cands += [os.path.join(r, spelled) for r in include_roots]
    for c in cands:
        p = _norm(c)
        if p is not None and p in files:
            return p
    return None


def spelling_for(target, include_roots):
    """How another module should include target: <root-relative path>."""
    for r in include_roots:
        if target.startswith(r + "/"):
            return target[len(r) + 1:]
    return target


# --------------------------------------------------------------------------
# the check

class Edge:
    def __init__(self, src, lineno, target, smod, tmod, spelled):
        self.src, self.lineno, self.target = src, lineno, target
        self.smod, self.tmod, self.spelled = smod, tmod, spelled
        self.why = []


def _sccs(nodes, graph):
    """Strongly connected components (Tarjan, iterative)."""
    index, low, on, stack, out = {}, {}, set(), [], []
    counter = [0]
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(graph.get(start, ())))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on.add(start)
        while work:
            n, it = work[-1]
            pushed = False
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    pushed = True
                    break
                if w in on:
                    low[n] = min(low[n], index[w])
            if pushed:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[n])
            if low[n] == index[n]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == n:
                        break
                out.append(comp)
    return out


def _path(graph, start, goal, allowed):
    """Shortest path start -> goal inside allowed (BFS), as a node list."""
    prev = {start: None}
    q = deque([start])
    while q:
        n = q.popleft()
        if n == goal:
            path = []
            while n is not None:
                path.append(n)
                n = prev[n]
            return path[::-1]
        for w in sorted(graph.get(n, ())):
            if w in allowed and w not in prev:
                prev[w] = n
                q.append(w)
    return None


def check(root, lay, files, verbose=False):
    """Returns (n_files, n_includes, violation lines, cycle lines, notes)."""
    notes = []
    for mod in lay.modules:
        for f in mod.folders:
            if not any(p.startswith(f + "/") for p in files):
                notes.append("check-deps: note: module %s: no files under %s/"
                             % (mod.name, f))
    for r in lay.include_roots:
        if not any(p.startswith(r + "/") for p in files):
            notes.append("check-deps: note: include root %s/ has no files" % r)

    sources = sorted(p for p in files
                     if p.endswith(SOURCE_EXTS) and lay.module_of(p) is not None)
    edges = []
    for src in sources:
        smod = lay.module_of(src)
        try:
            with open(os.path.join(root, src), encoding="utf-8",
                      errors="surrogateescape") as fh:
                text = fh.read()
        except OSError as e:
            raise RuntimeError("cannot read %s: %s" % (src, e))
        for lineno, kind, spelled in find_includes(text):
            target = resolve(src, kind, spelled, files, lay.include_roots)
            if target is None:
                if verbose and kind == '"':
                    notes.append("check-deps: note: %s:%d: \"%s\" is no project file"
                                 % (src, lineno, spelled))
                continue
            edges.append(Edge(src, lineno, target, smod, lay.module_of(target),
                              spelled))

    # Per-edge rules.
    for e in edges:
        if e.tmod is e.smod:
            continue
        if ".." in re.split(r"[/\\]", e.spelled):
            e.why.append("relative path into another module; use <%s>"
                         % spelling_for(e.target, lay.include_roots))
        if e.tmod is None:
            e.why.append("target is in no module")
        elif e.tmod.index > e.smod.index:
            e.why.append("points up a layer")
        elif e.tmod.name not in e.smod.may_use:
            e.why.append("not in %s's may-use list" % e.smod.name)

    # Module cycles in the actual graph. With may-use lists that only name
    # earlier modules, every cycle holds an edge that points up a layer;
    # each such edge is told which cycle it closes.
    graph, witness = {}, {}
    for e in edges:
        if e.tmod is not None and e.tmod is not e.smod:
            graph.setdefault(e.smod.name, set()).add(e.tmod.name)
            witness.setdefault((e.smod.name, e.tmod.name), e)
    order = [m.name for m in lay.modules]
    cycle_lines, closing = [], {}
    for comp in _sccs(order, graph):
        if len(comp) < 2:
            continue
        members = set(comp)
        ups = sorted(((u, v) for u in members for v in graph.get(u, ())
                      if v in members and lay.by_name[v].index > lay.by_name[u].index),
                     key=lambda p: (lay.by_name[p[0]].index, lay.by_name[p[1]].index))
        for u, v in ups:
            back = _path(graph, v, u, members)
            cyc = [u] + back
            closing[(u, v)] = cyc
            hops = ["%s:%d" % (witness[(a, b)].src, witness[(a, b)].lineno)
                    for a, b in zip(cyc, cyc[1:])]
            cycle_lines.append("check-deps: module cycle: %s (%s)"
                               % (" -> ".join(cyc), ", ".join(hops)))
    for e in edges:
        if e.tmod is not None and (e.smod.name, e.tmod.name) in closing:
            e.why.append("cycle " + " -> ".join(closing[(e.smod.name, e.tmod.name)]))

    lines = []
    for e in edges:
        if e.why:
            lines.append("%s:%d: includes %s (%s -> %s): %s"
                         % (e.src, e.lineno, e.target, e.smod.name,
                            e.tmod.name if e.tmod else "no module", "; ".join(e.why)))
    return len(sources), len(edges), lines, cycle_lines, notes


# --------------------------------------------------------------------------

class Parser(argparse.ArgumentParser):
    def format_help(self):
        return __doc__.strip() + "\n"

    def format_usage(self):
        return "usage: check-deps.py [--root DIR] [--layers FILE] [-v]\n"


def main(argv=None):
    ap = Parser(prog="check-deps.py", add_help=True)
    ap.add_argument("--root")
    ap.add_argument("--layers")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    if args.root is not None:
        root = args.root
        if not os.path.isdir(root):
            print("check-deps: --root %s: not a directory" % root, file=sys.stderr)
            return EXIT_USAGE
    else:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    layers_path = args.layers or os.path.join(root, "layers.txt")
    try:
        with open(layers_path, encoding="utf-8") as fh:
            text = fh.read()
    except OSError as e:
        print("check-deps: cannot read %s: %s" % (layers_path, e.strerror),
              file=sys.stderr)
        return EXIT_USAGE
    try:
        lay = parse_layers(text, os.path.basename(layers_path))
    except LayersError as e:
        print(str(e), file=sys.stderr)
        print("check-deps: %s is invalid" % layers_path, file=sys.stderr)
        return EXIT_USAGE

    try:
        files = list_files_walk(root) if args.root is not None else list_files_git(root)
        n_files, n_inc, lines, cycles, notes = check(root, lay, files, args.verbose)
    except RuntimeError as e:
        print("check-deps: %s" % e, file=sys.stderr)
        return EXIT_USAGE

    for n in notes:
        print(n, file=sys.stderr)
    for line in lines:
        print(line)
    for line in cycles:
        print(line)
    print("check-deps: %d files, %d includes, %d violations"
          % (n_files, n_inc, len(lines)))
    return EXIT_VIOLATIONS if lines else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
