"""Parses deploy/docker/Dockerfile (no Docker engine runs here) and asserts its stages, user,
entrypoint and healthcheck, and that its build steps are the README's: the apt packages of
scripts/install-deps.sh's build group and the cmake/ninja commands of the Makefile's build target."""

import json
import re
import shlex
import shutil
import subprocess
import unittest

from deploy_files import ROOT

DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"


def parse_dockerfile(text):
    """[(INSTRUCTION, arguments)] with comments dropped and backslash continuations joined."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1].rstrip() + " "
            continue
        full = (pending + stripped).strip()
        pending = ""
        keyword, _, args = full.partition(" ")
        instructions.append((keyword.upper(), args.strip()))
    if pending:
        raise ValueError("the Dockerfile ends inside a continued line")
    return instructions


def stages(instructions):
    """[{"from": base, "name": alias, "body": [(INSTRUCTION, args)]}]"""
    out = []
    for keyword, args in instructions:
        if keyword == "FROM":
            parts = args.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            out.append({"from": parts[0], "name": name, "body": []})
        elif out:
            out[-1]["body"].append((keyword, args))
    return out


def exec_form(args):
    value = json.loads(args)
    assert isinstance(value, list), f"not exec form: {args}"
    return value


def apt_install_packages(run_args):
    words = shlex.split(run_args)
    if "install" not in words:
        return []
    packages = []
    for w in words[words.index("install") + 1:]:
        if w in ("&&", ";"):
            break
        if not w.startswith("-"):
            packages.append(w)
    return packages


def install_deps_build_packages():
    text = (ROOT / "scripts" / "install-deps.sh").read_text()
    match = re.search(r"^build_pkgs=\((.*?)\)", text, re.S | re.M)
    assert match, "build_pkgs=( ... ) not found in scripts/install-deps.sh"
    return match.group(1).split()


def makefile_build_commands():
    """The commands of the Makefile's `build:` recipe, with its variables expanded."""
    text = (ROOT / "Makefile").read_text()
    variables = dict(re.findall(r"^([A-Z_]+)\s*:?\?=\s*(.*)$", text, re.M))
    variables.update(re.findall(r"^([A-Z_]+)\s*:=\s*(.*)$", text, re.M))
    recipe = re.search(r"^build:.*\n((?:\t.*\n)+)", text, re.M)
    assert recipe, "no build: target in the Makefile"
    commands = []
    for line in recipe.group(1).splitlines():
        cmd = line.strip().lstrip("@")
        for _ in range(3):
            cmd = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), cmd)
        cmd = re.sub(r"\s*>\s*/dev/null\s*$", "", cmd)
        commands.append(shlex.split(cmd))
    return commands


class Dockerfile(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.instructions = parse_dockerfile(DOCKERFILE.read_text())
        cls.stages = stages(cls.instructions)

    def final(self):
        return self.stages[-1]

    def of(self, stage, keyword):
        return [args for k, args in stage["body"] if k == keyword]

    def test_multi_stage_build_on_bookworm_run_on_slim(self):
        self.assertGreaterEqual(len(self.stages), 2, "not a multi-stage build")
        self.assertEqual(self.stages[0]["from"], "debian:bookworm")
        self.assertRegex(self.final()["from"], r"^debian:bookworm-slim$")
        copies = self.of(self.final(), "COPY")
        self.assertTrue(any(f"--from={self.stages[0]['name']}" in c and "pictor" in c for c in copies),
                        "the run stage does not copy pictor from the build stage")

    def test_runs_as_a_non_root_user(self):
        users = self.of(self.final(), "USER")
        self.assertTrue(users, "no USER in the run stage")
        user = users[-1].split(":")[0]
        self.assertNotIn(user, ("root", "0"), "the image runs as root")
        runs = " ".join(self.of(self.final(), "RUN"))
        self.assertRegex(runs, rf"useradd\b.*\b{re.escape(user)}\b", f"user {user} is never created")

    def test_entrypoint_is_pictor(self):
        entry = self.of(self.final(), "ENTRYPOINT")
        self.assertEqual(len(entry), 1)
        argv = exec_form(entry[0])
        self.assertEqual(len(argv), 1, "extra ENTRYPOINT arguments would come before `send`/`serve`")
        self.assertRegex(argv[0], r"(^|/)pictor$")
        copies = self.of(self.final(), "COPY")
        self.assertTrue(any(c.split()[-1] == argv[0] for c in copies), f"{argv[0]} is not copied in")

    def test_healthcheck_uses_what_the_image_contains(self):
        checks = self.of(self.final(), "HEALTHCHECK")
        self.assertEqual(len(checks), 1)
        match = re.search(r"\bCMD\s+(\[.*\])\s*$", checks[0])
        self.assertIsNotNone(match, f"HEALTHCHECK is not `CMD [...]`: {checks[0]}")
        script_in_image = exec_form(match.group(1))[0]
        copies = [c.split() for c in self.of(self.final(), "COPY")]
        source = [c[-2] for c in copies if c[-1] == script_in_image and not c[0].startswith("--from")]
        self.assertEqual(len(source), 1, f"{script_in_image} is not copied from the repository")
        script = (ROOT / source[0]).read_text()
        self.assertIn("/healthz", script)
        self.assertIn("curl", script)
        installed = [p for r in self.of(self.final(), "RUN") for p in apt_install_packages(r)]
        self.assertIn("curl", installed, "the healthcheck uses curl but the run stage lacks it")

    def test_healthcheck_script_passes_shellcheck(self):
        shellcheck = shutil.which("shellcheck")
        self.assertIsNotNone(shellcheck, "shellcheck is not installed")
        proc = subprocess.run([shellcheck, str(ROOT / "deploy" / "docker" / "healthcheck.sh")],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout)

    def test_build_stage_installs_the_build_packages_of_install_deps(self):
        build = self.stages[0]
        installed = [p for r in self.of(build, "RUN") for p in apt_install_packages(r)]
        expected = install_deps_build_packages()
        self.assertEqual(installed, expected,
                         f"missing {sorted(set(expected) - set(installed))}, "
                         f"extra {sorted(set(installed) - set(expected))}, or another order")

    def test_build_stage_runs_the_makefile_build_commands(self):
        build = self.stages[0]
        runs = [shlex.split(r) for r in self.of(build, "RUN")]
        for command in makefile_build_commands():
            self.assertIn(command, runs, f"the build stage does not run `{shlex.join(command)}`")

    def test_parser_joins_continuations_and_drops_comments(self):
        parsed = parse_dockerfile("# c\nFROM a AS b\nRUN x \\\n  # inner\n  y\n")
        self.assertEqual(parsed, [("FROM", "a AS b"), ("RUN", "x y")])


if __name__ == "__main__":
    unittest.main(verbosity=2)
