"""`terraform init` and `terraform validate` of deploy/terraform and deploy/terraform/bootstrap,
offline: each root is copied to a temporary folder with its committed lock file, and the AWS
provider comes from the machine's local provider mirror through a CLI configuration with a
`filesystem_mirror` (and direct installation turned off), written in that folder."""

import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest

from deploy_files import ROOT

TF_DIR = ROOT / "deploy" / "terraform"
ROOTS = [TF_DIR, TF_DIR / "bootstrap"]
# Where machine images keep provider mirrors; PICTOR_TF_PLUGIN_DIR names another.
MIRRORS = ["/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins",
           os.path.expanduser("~/.terraform.d/plugins")]


def find_mirror():
    candidates = [os.environ.get("PICTOR_TF_PLUGIN_DIR", "")] + MIRRORS
    for path in candidates:
        if path and (pathlib.Path(path) / "registry.terraform.io" / "hashicorp" / "aws").is_dir():
            return pathlib.Path(path)
    return None


class TerraformValidate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.terraform = shutil.which("terraform")
        cls.mirror = find_mirror()

    def setUp(self):
        self.assertIsNotNone(self.terraform, "terraform is not installed")
        self.assertIsNotNone(self.mirror, f"no AWS provider mirror in {MIRRORS} (PICTOR_TF_PLUGIN_DIR)")

    def run_tf(self, cwd, tmp, *args):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp,
               "TF_CLI_CONFIG_FILE": os.path.join(tmp, "terraformrc"), "TF_IN_AUTOMATION": "1",
               "TF_DATA_DIR": os.path.join(cwd, ".terraform"), "CHECKPOINT_DISABLE": "1"}
        return subprocess.run([self.terraform, *args], cwd=cwd, env=env, capture_output=True,
                              text=True, check=False, timeout=240)

    def init_and_validate(self, root):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "terraformrc"), "w", encoding="utf-8") as f:
                f.write(f'provider_installation {{\n  filesystem_mirror {{\n    path    = "{self.mirror}"\n'
                        '    include = ["registry.terraform.io/*/*"]\n  }\n'
                        '  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n'
                        'disable_checkpoint = true\n')
            work = os.path.join(tmp, "module")
            os.mkdir(work)
            for path in list(root.glob("*.tf")) + [root / ".terraform.lock.hcl"]:
                self.assertTrue(path.is_file(), f"{path} is missing (commit the lock file)")
                shutil.copy(path, work)
            lock_before = (root / ".terraform.lock.hcl").read_text()
            proc = self.run_tf(work, tmp, "init", "-backend=false", "-input=false", "-lockfile=readonly")
            self.assertEqual(proc.returncode, 0, f"terraform init in {root}:\n{proc.stdout}{proc.stderr}")
            self.assertEqual(pathlib.Path(work, ".terraform.lock.hcl").read_text(), lock_before)
            proc = self.run_tf(work, tmp, "validate", "-no-color")
            self.assertEqual(proc.returncode, 0, f"terraform validate in {root}:\n{proc.stdout}{proc.stderr}")
            return work, tmp

    def test_main_module_inits_offline_and_validates(self):
        self.init_and_validate(TF_DIR)

    def test_bootstrap_inits_offline_and_validates(self):
        self.init_and_validate(TF_DIR / "bootstrap")

    def test_validate_can_fail(self):
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(TF_DIR / "bootstrap", os.path.join(tmp, "bootstrap"),
                            ignore=shutil.ignore_patterns(".terraform"))
            with open(os.path.join(tmp, "bootstrap", "broken.tf"), "w", encoding="utf-8") as f:
                f.write('output "broken" {\n  value = aws_iam_role.nonexistent.arn\n}\n')
            root = pathlib.Path(tmp, "bootstrap")
            with self.assertRaises(AssertionError):
                self.init_and_validate(root)

    def test_provider_pin_is_the_mirrored_version_in_both_roots(self):
        # Unpacked layout (a folder per version) or packed (terraform providers mirror: zips).
        mirrored = set()
        for p in (self.mirror / "registry.terraform.io" / "hashicorp" / "aws").iterdir():
            m = re.fullmatch(r"(?:terraform-provider-aws_)?(\d+\.\d+\.\d+)(?:_\w+\.zip)?", p.name)
            if m:
                mirrored.add(m.group(1))
        mirrored = sorted(mirrored)
        for root in ROOTS:
            text = (root / "versions.tf").read_text()
            lock = (root / ".terraform.lock.hcl").read_text()
            pinned = [v for v in mirrored if f'version = "{v}"' in text]
            self.assertTrue(pinned, f"{root}/versions.tf pins no mirrored version ({mirrored})")
            self.assertIn(f'version     = "{pinned[0]}"', lock)

    def test_fmt_is_clean_in_both_roots(self):
        for root in ROOTS:
            proc = subprocess.run([self.terraform, "fmt", "-check", "-recursive", "-diff", str(root)],
                                  capture_output=True, text=True, check=False)
            self.assertEqual(proc.returncode, 0, f"terraform fmt differs:\n{proc.stdout}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
