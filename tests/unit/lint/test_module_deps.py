#!/usr/bin/env python3
"""Tests of scripts/check_module_deps.py: the clean fixture tree passes, and each forbidden
include added to a copy of it fails, naming the file and line."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.environ.get("PICTOR_SOURCE_DIR", os.path.join(HERE, "..", "..", ".."))
SCRIPT = os.path.join(SOURCE_DIR, "scripts", "check_module_deps.py")
CLEAN = os.path.join(HERE, "fixtures", "clean")


def run(root, *extra):
    result = subprocess.run([sys.executable, SCRIPT, "--root", root, *extra],
                            capture_output=True, text=True, check=False, timeout=60)
    return result.returncode, result.stdout + result.stderr


class ModuleDependencyCheckTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="module-deps-")
        self.root = os.path.join(self.tmp, "tree")
        shutil.copytree(CLEAN, self.root)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def write(self, path, text):
        full = os.path.join(self.root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8") as out:
            out.write(text)

    def table_line(self, old, new):
        path = os.path.join(self.root, "src", "module_dependencies.txt")
        with open(path, encoding="utf-8") as table:
            text = table.read()
        self.assertIn(old, text)
        with open(path, "w", encoding="utf-8") as table:
            table.write(text.replace(old, new))

    def assert_fails(self, where, reason, code=1):
        rc, output = run(self.root)
        self.assertEqual(rc, code, output)
        self.assertIn(where, output)
        self.assertIn(reason, output)
        return output

    def test_clean_tree_passes(self):
        rc, output = run(self.root)
        self.assertEqual(rc, 0, output)
        self.assertIn("clean", output)

    def test_adapter_including_another_adapter_fails_naming_file_and_line(self):
        self.write("src/store/s3/s3_listing.cc",
                   '#include "core/key.h"\n#include "store/file/key_path.h"\n')
        output = self.assert_fails("src/store/s3/s3_listing.cc:2:",
                                   "an adapter never includes another adapter")
        self.assertIn("store/s3 (adapter) includes store/file (adapter)", output)

    def test_relative_include_of_another_adapter_fails(self):
        self.write("src/store/s3/sneaky.cc", '#include "../file/key_path.h"\n')
        self.assert_fails("src/store/s3/sneaky.cc:1:", "an adapter never includes another adapter")

    def test_angle_bracket_include_of_another_adapter_fails(self):
        self.write("src/store/s3/angle.cc", "#include <store/file/key_path.h>\n")
        self.assert_fails("src/store/s3/angle.cc:1:", "an adapter never includes another adapter")

    def test_core_including_an_adapter_fails(self):
        self.write("src/core/pipeline.cc", '#include "core/key.h"\n\n#include "store/file/key_path.h"\n')
        self.assert_fails("src/core/pipeline.cc:3:", "adapters are wired by app only")

    def test_core_including_a_library_fails(self):
        self.write("src/core/fetch.cc", '#include "http/client.h"\n')
        self.assert_fails("src/core/fetch.cc:1:", "core includes only core and the ports")

    def test_library_including_an_adapter_fails(self):
        self.write("src/http/server.cc", '#include "store/s3/s3_store.h"\n')
        self.assert_fails("src/http/server.cc:1:", "adapters are wired by app only")

    def test_including_app_from_outside_app_fails(self):
        self.write("src/store/file/settings.cc", '#include "app/settings.h"\n')
        self.assert_fails("src/store/file/settings.cc:1:", "nothing but app includes app")

    def test_port_including_src_fails(self):
        self.write("include/pictor/job.h", '#include "pictor/status.h"\n#include "core/key.h"\n')
        self.assert_fails("include/pictor/job.h:2:", "the ports include nothing from src/")

    def test_port_reaching_into_src_by_a_relative_path_fails(self):
        self.write("include/pictor/job.h", '#include "../../src/core/key.h"\n')
        self.assert_fails("include/pictor/job.h:1:", "is in no module of the table")

    def test_dependency_missing_from_the_table_fails(self):
        self.write("src/store/file/fetch.cc", '#include "http/client.h"\n')
        self.assert_fails("src/store/file/fetch.cc:1:", "which the table does not allow")

    def test_module_missing_from_the_table_fails(self):
        self.write("src/cache/lru.cc", '#include "core/key.h"\n')
        self.assert_fails("src/cache/lru.cc", "is not in the table")

    def test_table_cannot_allow_what_the_rules_forbid(self):
        self.table_line("store/s3    adapter  core http", "store/s3    adapter  core http store/file")
        self.assert_fails("module_dependencies.txt:6:", "an adapter never includes another adapter",
                          code=2)

    def test_an_exception_needs_a_comment(self):
        self.table_line("store/s3    adapter  core http", "store/s3    adapter  core http !store/file")
        self.assert_fails("module_dependencies.txt:6:", "needs a comment saying why", code=2)

    def test_an_exception_on_a_legal_dependency_is_refused(self):
        self.table_line("store/s3    adapter  core http", "store/s3    adapter  core !http  # why")
        self.assert_fails("module_dependencies.txt:6:", "breaks no rule", code=2)

    def test_an_explained_exception_lets_the_include_pass(self):
        self.table_line("store/s3    adapter  core http",
                        "store/s3    adapter  core http !store/file  # shared key paths, for now")
        self.write("src/store/s3/s3_listing.cc", '#include "store/file/key_path.h"\n')
        rc, output = run(self.root)
        self.assertEqual(rc, 0, output)
        self.assertIn("1 known exception", output)

    def test_unused_allowances_are_listed_on_request(self):
        self.table_line("store/file  adapter  core", "store/file  adapter  core http")
        rc, output = run(self.root, "--unused")
        self.assertEqual(rc, 0, output)
        self.assertIn("unused: store/file may include http, and does not", output)
        self.assertNotIn("unused: store/s3", output)


if __name__ == "__main__":
    unittest.main()
