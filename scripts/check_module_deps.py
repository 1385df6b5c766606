#!/usr/bin/env python3
"""Fails when a module includes a module it must not.

Reads the table of allowed dependencies (src/module_dependencies.txt; its format is described at
its top) and every #include of every file under src/ and include/, and reports each include of
another module that the table does not allow, as FILE:LINE. Whatever the table says, four rules
hold, and a table line that breaks one must mark the dependency with '!' and say why in a comment:

  - the ports (include/pictor) include nothing from src/;
  - core includes no adapter (in fact only what its table line names);
  - an adapter is included only by app: not by core, a library module or another adapter;
  - nothing but app includes app.

Usage: check_module_deps.py [--root DIR] [--table FILE] [--unused]
  --root    the tree to check (default: the checkout this script is in)
  --table   the table (default: ROOT/src/module_dependencies.txt)
  --unused  also list allowed dependencies no include uses (information only)
Exit status: 0 clean, 1 forbidden includes found, 2 the table or the command line is wrong.
"""

import argparse
import os
import re
import sys

KINDS = ("ports", "core", "lib", "adapter", "app")
PORTS_DIR = os.path.join("include", "pictor")
SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".cc", ".cpp", ".inc")
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


class TableError(Exception):
    pass


class Module:
    def __init__(self, name, kind, line):
        self.name = name
        self.kind = kind
        self.line = line
        self.allowed = set()  # module names, or "*" for anything
        self.exceptions = set()  # allowed although a rule forbids it (marked '!')


def rule_broken(user, used):
    """The rule `user` including `used` breaks, or None."""
    if user.name == used.name or used.kind == "ports":
        return None
    if user.kind == "ports":
        return "the ports include nothing from src/"
    if used.kind == "app" and user.kind != "app":
        return "nothing but app includes app"
    if used.kind == "adapter" and user.kind != "app":
        if user.kind == "adapter":
            return "an adapter never includes another adapter"
        return "adapters are wired by app only; %s must not include one" % user.kind
    if user.kind == "core" and used.kind != "core":
        return "core includes only core and the ports"
    return None


def read_table(path):
    """{name: Module} from the table at `path`; raises TableError naming the line."""
    modules = {}
    pending = []  # (module, dependency, marked, line number)
    try:
        with open(path, encoding="utf-8") as table:
            lines = table.read().splitlines()
    except OSError as error:
        raise TableError("cannot read the table %s: %s" % (path, error.strerror))
    for number, raw in enumerate(lines, 1):
        text, _, comment = raw.partition("#")
        words = text.split()
        if not words:
            continue
        if len(words) < 2 or words[1] not in KINDS:
            raise TableError("%s:%d: expected 'MODULE KIND [DEPENDENCY...]' with KIND one of %s"
                             % (path, number, ", ".join(KINDS)))
        name, kind = words[0], words[1]
        if name in modules:
            raise TableError("%s:%d: module %s is listed twice" % (path, number, name))
        if (kind == "ports") != (name == "pictor"):
            raise TableError("%s:%d: the ports are the module 'pictor' (include/pictor), of kind "
                             "ports, and nothing else is" % (path, number))
        if kind == "adapter" and name.count("/") != 1:
            raise TableError("%s:%d: an adapter lives in src/<kind>/<name>, not src/%s"
                             % (path, number, name))
        module = Module(name, kind, number)
        modules[name] = module
        for word in words[2:]:
            marked = word.startswith("!")
            dependency = word.lstrip("!")
            if marked and not comment.strip():
                raise TableError("%s:%d: the exception !%s needs a comment saying why"
                                 % (path, number, dependency))
            pending.append((module, dependency, marked, number))
    for module, dependency, marked, number in pending:
        if dependency == "*":
            if module.kind != "app":
                raise TableError("%s:%d: only app may include anything ('*')" % (path, number))
            module.allowed.add("*")
            continue
        used = modules.get(dependency)
        if used is None:
            raise TableError("%s:%d: %s depends on %s, which is not in the table"
                             % (path, number, module.name, dependency))
        broken = rule_broken(module, used)
        if broken and not marked:
            raise TableError("%s:%d: %s may not depend on %s: %s (mark it '!' with a comment "
                             "saying why, if it must stay for now)"
                             % (path, number, module.name, dependency, broken))
        if marked and not broken:
            raise TableError("%s:%d: %s -> %s breaks no rule; drop the '!'"
                             % (path, number, module.name, dependency))
        module.allowed.add(dependency)
        if marked:
            module.exceptions.add(dependency)
    if "pictor" not in modules:
        raise TableError("%s: the ports (pictor, kind ports) are missing" % path)
    return modules


def module_of(path, modules):
    """The module a path under src/ (or an include path) belongs to: the longest table entry
    that is a prefix of its directory. None when there is none."""
    directory = os.path.dirname(path)
    best = None
    for name in modules:
        if directory == name or directory.startswith(name + "/"):
            if best is None or len(name) > len(best):
                best = name
    return best


def project_roots(root):
    """First path segments that name project code: every folder of src/, and pictor."""
    src = os.path.join(root, "src")
    names = {"pictor"}
    if os.path.isdir(src):
        names.update(e for e in os.listdir(src) if os.path.isdir(os.path.join(src, e)))
    return names


def source_files(root):
    """(path relative to ROOT, path relative to src/ or include/) per file; include/pictor/x.h
    is pictor/x.h, as the includes name it."""
    for top, is_port in (("src", False), (PORTS_DIR, True)):
        base = os.path.join(root, top)
        for directory, subdirs, files in os.walk(base):
            subdirs.sort()
            for name in sorted(files):
                if not name.endswith(SOURCE_SUFFIXES):
                    continue
                full = os.path.join(directory, name)
                inner = os.path.relpath(full, os.path.join(root, "include" if is_port else "src"))
                yield os.path.relpath(full, root), inner.replace(os.sep, "/")


def resolve(include, quoted, inner, roots):
    """The include's path as seen from src/ (or include/), or None for a system header."""
    if quoted and (include.startswith(".") or "/" not in include):
        # Relative to the including file: the compiler looks beside it first.
        return os.path.normpath(os.path.join(os.path.dirname(inner), include)).replace(
            os.sep, "/")
    first = include.split("/", 1)[0]
    return include if first in roots else None


def check(root, modules):
    """(violations, used dependencies); each violation is a message naming FILE:LINE."""
    roots = project_roots(root)
    violations = []
    used_edges = set()
    for shown, inner in source_files(root):
        user_name = module_of(inner, modules)
        if user_name is None:
            violations.append("%s: its module (src/%s) is not in the table; add a line for it"
                              % (shown, os.path.dirname(inner)))
            continue
        user = modules[user_name]
        with open(os.path.join(root, shown), encoding="utf-8", errors="replace") as source:
            for number, line in enumerate(source, 1):
                match = INCLUDE_RE.match(line)
                if not match:
                    continue
                quoted, include = match.group(1) == '"', match.group(2)
                target = resolve(include, quoted, inner, roots)
                if target is None:
                    continue
                used_name = module_of(target, modules)
                where = "%s:%d" % (shown, number)
                if used_name is None:
                    violations.append('%s: "%s" is in no module of the table' % (where, include))
                    continue
                if used_name == user_name:
                    continue
                used = modules[used_name]
                broken = rule_broken(user, used)
                if used_name in user.exceptions:
                    used_edges.add((user_name, used_name))
                    continue
                if broken:
                    violations.append('%s: %s (%s) includes %s (%s) with "%s": %s'
                                      % (where, user_name, user.kind, used_name, used.kind,
                                         include, broken))
                elif used.kind != "ports" and used_name not in user.allowed \
                        and "*" not in user.allowed:
                    violations.append('%s: %s includes %s with "%s", which the table does not '
                                      "allow" % (where, user_name, used_name, include))
                else:
                    used_edges.add((user_name, used_name))
    return violations, used_edges


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.dirname(here))
    parser.add_argument("--table")
    parser.add_argument("--unused", action="store_true")
    args = parser.parse_args(argv)
    table = args.table or os.path.join(args.root, "src", "module_dependencies.txt")
    try:
        modules = read_table(table)
    except TableError as error:
        print("module dependencies: %s" % error, file=sys.stderr)
        return 2
    violations, used_edges = check(args.root, modules)
    for violation in violations:
        print(violation, file=sys.stderr)
    exceptions = sum(len(m.exceptions) for m in modules.values())
    if args.unused:
        for module in modules.values():
            for dependency in sorted(module.allowed - {"*"}):
                if (module.name, dependency) not in used_edges:
                    print("unused: %s may include %s, and does not" % (module.name, dependency))
    if violations:
        print("module dependencies: %d forbidden include(s); the allowed ones are in %s"
              % (len(violations), os.path.relpath(table, args.root)), file=sys.stderr)
        return 1
    print("module dependencies: clean (%d modules, %d known exception(s) in the table)"
          % (len(modules), exceptions))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
