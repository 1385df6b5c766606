"""Asserts the GitHub Actions workflows' triggers, OIDC role assumption, pinned actions and steps
on the parsed YAML, and that yamllint passes on every workflow (test_pipeline.py checks the
pipeline's rules across events)."""

import re
import shutil
import subprocess
import unittest

from deploy_files import ROOT, workflow

WORKFLOWS = ROOT / ".github" / "workflows"
NAMES = ["ci.yml", "deploy-api.yml", "terraform.yml", "docker.yml"]


def steps(doc):
    for job in doc["jobs"].values():
        yield from job.get("steps", [])


def runs(doc):
    return "\n".join(s.get("run", "") for s in steps(doc))


def uses(doc, action):
    return [s for s in steps(doc) if s.get("uses", "").split("@")[0] == action]


class Workflows(unittest.TestCase):
    def test_all_present_and_yamllint_passes(self):
        yamllint = shutil.which("yamllint")
        self.assertIsNotNone(yamllint, "yamllint is not installed (Debian package yamllint)")
        files = [str(WORKFLOWS / n) for n in NAMES]
        proc = subprocess.run([yamllint, "-s", "-c", str(ROOT / ".yamllint"), *files],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, f"yamllint:\n{proc.stdout}{proc.stderr}")

    def test_actions_pinned_to_a_version(self):
        for name in NAMES:
            for s in steps(workflow(name)):
                if "uses" in s:
                    self.assertRegex(s["uses"], r"^[\w.-]+/[\w./-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$",
                                     f"{name}: {s['uses']} is not pinned to a version")

    def test_no_long_lived_access_keys(self):
        for name in NAMES:
            text = (WORKFLOWS / name).read_text()
            self.assertNotRegex(text, r"aws-access-key-id|AWS_SECRET_ACCESS_KEY|aws-secret-access-key",
                                f"{name} uses access keys instead of OIDC")

    def assert_oidc(self, name):
        doc = workflow(name)
        creds = uses(doc, "aws-actions/configure-aws-credentials")
        self.assertTrue(creds, f"{name} does not assume an AWS role")
        for step in creds:
            self.assertRegex(step["with"]["role-to-assume"], r"^\$\{\{\s*vars\.\w+\s*\}\}$",
                             f"{name}: role-to-assume should come from a variable")
        for job_name, job in doc["jobs"].items():
            if any(s in creds for s in job.get("steps", [])):
                perms = job.get("permissions", doc.get("permissions", {}))
                self.assertEqual(perms.get("id-token"), "write", f"{name}/{job_name} lacks id-token: write")

    def test_ci_builds_and_tests_on_every_push_and_pull_request(self):
        doc = workflow("ci.yml")
        self.assertIn("push", doc["on"])
        self.assertIn("pull_request", doc["on"])
        self.assertIsNone(doc["on"]["push"], "ci should run on every push, without filters")
        self.assertRegex(runs(doc), r"(?m)^make test$")

    def test_ci_calls_the_delivery_workflows_after_the_tests(self):
        doc = workflow("ci.yml")
        calls = {name: job for name, job in doc["jobs"].items() if "uses" in job}
        self.assertEqual({j["uses"] for j in calls.values()},
                         {f"./.github/workflows/{n}" for n in ("terraform.yml", "deploy-api.yml", "docker.yml")})
        for name, job in calls.items():
            needs = job["needs"] if isinstance(job["needs"], list) else [job["needs"]]
            self.assertIn("test", needs, f"{name} does not wait for the tests")
        self.assertIn("make lambda-package", runs(doc))

    def test_deploy_api_sam_builds_and_deploys_on_main(self):
        doc = workflow("deploy-api.yml")
        self.assertEqual(set(doc["on"]), {"workflow_call"})
        caller = workflow("ci.yml")["jobs"]["deploy-api"]
        self.assertIn("github.ref == 'refs/heads/main'", caller["if"])
        self.assertIn("github.event_name == 'push'", caller["if"])
        text = runs(doc)
        self.assertRegex(text, r"sam build --template-file deploy/sam/template\.yaml")
        self.assertRegex(text, r"sam deploy")
        self.assertTrue(uses(doc, "aws-actions/setup-sam"))
        self.assert_oidc("deploy-api.yml")

    def test_terraform_checks_everywhere_and_applies_only_on_main(self):
        doc = workflow("terraform.yml")
        self.assertEqual(set(doc["on"]), {"workflow_call"})
        all_steps = list(steps(doc))
        commands = [s.get("run", "") for s in all_steps]
        check = doc["jobs"]["check"]
        self.assertNotIn("if", check, "the plan-less check runs for every push and pull request")
        check_text = "\n".join(s.get("run", "") for s in check["steps"])
        for needed in ("terraform fmt -check", "terraform init -input=false -backend=false",
                       "terraform validate"):
            self.assertIn(needed, check_text)
        self.assertTrue(any('-backend-config="envs/backend-' in c for c in commands))
        apply = [s for s in all_steps if "terraform apply" in s.get("run", "")]
        self.assertEqual(len(apply), 2, "one apply per environment")
        for job in ("apply-dev", "apply-prod"):
            self.assertIn("github.ref == 'refs/heads/main'", doc["jobs"][job]["if"])
            self.assertIn("github.event_name == 'push'", doc["jobs"][job]["if"])
        self.assert_oidc("terraform.yml")

    def test_docker_builds_everywhere_pushes_on_main_and_tags(self):
        doc = workflow("docker.yml")
        self.assertEqual(set(doc["on"]), {"workflow_call"})
        caller = workflow("ci.yml")["jobs"]["docker"]
        self.assertEqual(caller["if"], "github.event_name == 'push'")
        build = uses(doc, "docker/build-push-action")
        self.assertEqual(len(build), 2)
        for b in build:
            self.assertEqual(b["with"]["file"], "deploy/docker/Dockerfile")
        publish = doc["env"]["PUBLISH"]
        self.assertIn("github.ref == 'refs/heads/main'", publish)
        self.assertIn("startsWith(github.ref, 'refs/tags/v')", publish)
        pushing = doc["jobs"]["publish"]
        self.assertIn("github.ref == 'refs/heads/main'", pushing["if"])
        self.assertIn("startsWith(github.ref, 'refs/tags/v')", pushing["if"])
        pushed = [s for s in pushing["steps"] if s.get("uses", "").startswith("docker/build-push-action")]
        self.assertEqual(pushed[0]["with"]["push"], "${{ env.PUBLISH == 'true' }}")
        built = [s for s in doc["jobs"]["build"]["steps"] if s.get("uses", "").startswith("docker/build-push-action")]
        self.assertIs(built[0]["with"]["push"], False)
        self.assert_oidc("docker.yml")

    def test_docker_tags_sha_on_main_semver_on_tags_and_never_latest(self):
        # The repository's tags are immutable: test_pipeline.py's ImageTags replays these rules.
        meta = uses(workflow("docker.yml"), "docker/metadata-action")
        self.assertEqual(len(meta), 1)
        tags = [t.strip() for t in meta[0]["with"]["tags"].splitlines() if t.strip()]
        self.assertEqual(tags, ["type=sha,format=long,prefix=,enable=${{ github.ref == 'refs/heads/main' }}",
                                "type=semver,pattern={{version}}"])
        # metadata-action adds `latest` to semver tags by default: that must be off.
        self.assertIn("latest=false", meta[0]["with"].get("flavor", ""))

if __name__ == "__main__":
    unittest.main(verbosity=2)
