"""What the repository keeps out and in for deployment: .gitignore covers Terraform's working
folder, variable and backend files, state, plans and SAM's build folder (asked of git itself,
for paths in each Terraform root), and the lock files are tracked."""

import shutil
import subprocess
import unittest

from deploy_files import ROOT

IGNORED = [
    "deploy/terraform/.terraform/providers/x",
    "deploy/terraform/bootstrap/.terraform/terraform.tfstate",
    "deploy/terraform/terraform.tfvars",
    "deploy/terraform/bootstrap/terraform.tfvars",
    "deploy/terraform/backend.hcl",
    "deploy/terraform/bootstrap/backend.hcl",
    "deploy/terraform/tfplan",
    "deploy/terraform/prod.tfplan",
    "deploy/terraform/terraform.tfstate",
    "deploy/terraform/terraform.tfstate.backup",
    ".aws-sam/build/template.yaml",
    "deploy/sam/.aws-sam/build.toml",
]
KEPT = [
    "deploy/terraform/.terraform.lock.hcl",
    "deploy/terraform/bootstrap/.terraform.lock.hcl",
    "deploy/terraform/backend.hcl.example",
    "deploy/terraform/terraform.tfvars.example",
    "deploy/terraform/versions.tf",
]


class RepositoryFiles(unittest.TestCase):
    def git(self, *args):
        git = shutil.which("git")
        self.assertIsNotNone(git, "git is not installed")
        return subprocess.run([git, "-C", str(ROOT), *args], capture_output=True, text=True, check=False)

    def test_gitignore_keeps_terraform_and_sam_working_files_out(self):
        proc = self.git("check-ignore", "--no-index", "-v", *IGNORED)
        ignored = {line.split("\t", 1)[1] for line in proc.stdout.splitlines() if "\t" in line}
        self.assertEqual(set(IGNORED) - ignored, set(), f".gitignore misses them:\n{proc.stdout}")

    def test_lock_files_examples_and_code_are_not_ignored(self):
        proc = self.git("check-ignore", "--no-index", *KEPT)
        self.assertEqual(proc.stdout.strip(), "", "ignored although they belong in the repository")

    def test_lock_files_are_committed(self):
        if self.git("rev-parse", "--is-inside-work-tree").returncode != 0:
            self.fail(f"{ROOT} is not a git checkout")
        for path in KEPT[:2]:
            proc = self.git("ls-files", "--error-unmatch", path)
            self.assertEqual(proc.returncode, 0, f"{path} is not tracked")


if __name__ == "__main__":
    unittest.main(verbosity=2)
