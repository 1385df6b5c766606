"""scripts/lambda-package.sh is reproducible: the same binary packaged twice, at different times
(two runs without SOURCE_DATE_EPOCH, the file times changed between them), gives one sha256; the commit
time or SOURCE_DATE_EPOCH is every entry's timestamp; entries are sorted with fixed modes; the
binary in the zip is stripped. Needs PICTOR_BIN."""

import hashlib
import os
import shutil
import subprocess
import tempfile
import time
import unittest
import zipfile

from deploy_files import ROOT

SCRIPT = ROOT / "scripts" / "lambda-package.sh"


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class LambdaPackage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = os.environ.get("PICTOR_BIN", "")

    def setUp(self):
        self.assertTrue(self.binary and os.access(self.binary, os.X_OK), "PICTOR_BIN is not set")
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def package(self, name, binary=None, epoch=None):
        env = dict(os.environ)
        env.pop("SOURCE_DATE_EPOCH", None)
        if epoch is not None:
            env["SOURCE_DATE_EPOCH"] = str(epoch)
        out = os.path.join(self.tmp.name, name)
        proc = subprocess.run([str(SCRIPT), binary or self.binary, out], env=env,
                              capture_output=True, text=True, check=False, timeout=240)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return out

    def test_two_packagings_of_one_binary_have_one_hash(self):
        # A copy of the binary with another mtime and a later packaging: nothing of either shows.
        copy = os.path.join(self.tmp.name, "pictor")
        shutil.copy(self.binary, copy)
        first = self.package("first.zip", copy)
        time.sleep(2.1)  # zip timestamps have two-second resolution
        os.utime(copy, (time.time() - 86400, time.time() - 86400))
        second = self.package("second.zip", copy)
        self.assertEqual(sha256(first), sha256(second))

    def test_source_date_epoch_sets_every_timestamp_entries_are_sorted_and_binary_stripped(self):
        epoch = 1700000000  # 2023-11-14 22:13:20 UTC
        zip_path = self.package("epoch.zip", epoch=epoch)
        with zipfile.ZipFile(zip_path) as z:
            infos = z.infolist()
            packed = z.read("bin/pictor")
        names = [i.filename for i in infos]
        self.assertEqual(names, sorted(names))
        self.assertIn("bootstrap", names)
        for info in infos:
            self.assertEqual(info.date_time, (2023, 11, 14, 22, 13, 20), info.filename)
            self.assertEqual(info.create_system, 3)
            self.assertIn(info.external_attr >> 16, (0o100755, 0o100644), info.filename)
            self.assertEqual(info.extra, b"", info.filename)
        modes = {i.filename: i.external_attr >> 16 for i in infos}
        self.assertEqual(modes["bootstrap"], 0o100755)
        self.assertEqual(modes["bin/pictor"], 0o100755)
        # Stripped: no symbol table, no debug sections (no build paths).
        path = os.path.join(self.tmp.name, "packed-pictor")
        with open(path, "wb") as f:
            f.write(packed)
        sections = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True,
                                  check=True).stdout
        self.assertIn(".text", sections)
        self.assertNotIn(".debug_info", sections)
        self.assertNotIn(".symtab", sections)
        # Another time gives other bytes: the timestamp is really in the zip.
        self.assertNotEqual(sha256(zip_path), sha256(self.package("later.zip", epoch=epoch + 86400)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
