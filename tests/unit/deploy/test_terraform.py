"""Asserts the Terraform module's required settings on its parsed HCL (via @cdktf/hcl2json)."""

import json
import re
import shutil
import subprocess
import unittest

from deploy_files import ROOT, merged_terraform, parse_hcl, terraform_files

TF_DIR = ROOT / "deploy" / "terraform"


class TerraformModule(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tf = merged_terraform()

    def resource(self, rtype, name=None):
        named = self.tf.get("resource", {}).get(rtype, {})
        self.assertTrue(named, f"no resource of type {rtype}")
        if name is None:
            self.assertEqual(len(named), 1, f"expected one {rtype}, found {sorted(named)}")
            return next(iter(named.values()))
        self.assertIn(name, named, f"no {rtype}.{name}")
        return named[name]

    def queue_name(self):
        """Name of the prompt queue resource: the one with a redrive policy."""
        queues = self.tf["resource"]["aws_sqs_queue"]
        with_redrive = [n for n, q in queues.items() if "redrive_policy" in q]
        self.assertEqual(len(with_redrive), 1, "exactly one queue should have a redrive policy")
        return with_redrive[0]

    def test_every_tf_file_parses(self):
        files = terraform_files()
        self.assertGreaterEqual(len(files), 5, "the module's .tf files are missing")
        parsed = parse_hcl(files)
        self.assertEqual(len(parsed), len(files))

    def test_examples_parse(self):
        parse_hcl([TF_DIR / "terraform.tfvars.example", TF_DIR / "backend.hcl.example"])

    def test_provider_versions_are_pinned(self):
        tf = self.tf["terraform"][0]
        self.assertIn("required_version", tf)
        providers = tf["required_providers"][0]
        self.assertIn("aws", providers)
        for name, spec in providers.items():
            version = spec.get("version", "")
            self.assertRegex(version, r"^=?\s*\d+\.\d+\.\d+$", f"provider {name} is not pinned: {version!r}")

    def test_s3_backend_comes_from_a_backend_file(self):
        backend = self.tf["terraform"][0].get("backend", {})
        self.assertIn("s3", backend, "no S3 backend")
        settings = backend["s3"][0] if isinstance(backend["s3"], list) else backend["s3"]
        self.assertEqual(settings, {}, f"backend settings are hard-coded: {settings}")
        example = parse_hcl([TF_DIR / "backend.hcl.example"])
        keys = set(next(iter(example.values())))
        self.assertTrue({"bucket", "key", "region"} <= keys, f"backend example lacks keys: {keys}")

    def test_queue_has_dead_letter_redrive_with_variable_max_receive_count(self):
        queue = self.resource("aws_sqs_queue", self.queue_name())
        policy = queue["redrive_policy"]
        match = re.search(r"deadLetterTargetArn\s*=\s*aws_sqs_queue\.(\w+)\.arn", policy)
        self.assertIsNotNone(match, f"redrive policy has no dead-letter target: {policy}")
        self.assertNotEqual(match.group(1), self.queue_name(), "the queue is its own DLQ")
        self.assertIn(match.group(1), self.tf["resource"]["aws_sqs_queue"])
        self.assertRegex(policy, r"maxReceiveCount\s*=\s*var\.max_receive_count")
        self.assertIn("max_receive_count", self.tf["variable"])

    def test_visibility_timeout_is_six_times_function_timeout(self):
        queue = self.resource("aws_sqs_queue", self.queue_name())
        expr = queue["visibility_timeout_seconds"]
        local = re.fullmatch(r"\$\{local\.(\w+)\}", expr)
        if local:
            locals_ = {k: v for block in self.tf.get("locals", []) for k, v in block.items()}
            expr = locals_[local.group(1)]
        self.assertRegex(expr, r"6\s*\*\s*var\.function_timeout_seconds",
                         f"visibility timeout is not 6x the function timeout: {expr}")
        fn = self.resource("aws_lambda_function")
        self.assertEqual(fn["timeout"], "${var.function_timeout_seconds}")

    def test_function_runs_the_packaged_custom_runtime(self):
        fn = self.resource("aws_lambda_function")
        self.assertEqual(fn["runtime"], "provided.al2023")
        self.assertEqual(fn["handler"], "bootstrap")
        self.assertEqual(fn["architectures"], ["${var.architecture}"])
        self.assertEqual(fn["filename"], "${var.lambda_zip_path}")
        self.assertIn("pictor-lambda.zip", self.tf["variable"]["lambda_zip_path"]["default"])
        self.assertIn("source_code_hash", fn)

    def function_environment_text(self):
        fn = self.resource("aws_lambda_function")
        env = fn["environment"][0]["variables"]
        locals_ = {k: v for block in self.tf.get("locals", []) for k, v in block.items()}
        local = re.fullmatch(r"\$\{local\.(\w+)\}", env)
        self.assertIsNotNone(local, f"environment is not from a local: {env}")
        return locals_[local.group(1)]

    def test_function_environment_comes_from_variables(self):
        body = self.function_environment_text()
        for name, var in [("PICTOR_MODEL", "model_id"), ("BUCKET_NAME", "bucket_name"),
                          ("KEY_PREFIX", "key_prefix"), ("PICTOR_BEDROCK_REGION", "bedrock_region")]:
            self.assertRegex(body, rf"{name}\s*=\s*\"?[^\n]*var\.{var}", f"{name} not from var.{var}")

    def test_event_source_mapping_reports_batch_item_failures(self):
        esm = self.resource("aws_lambda_event_source_mapping")
        self.assertEqual(esm["function_response_types"], ["ReportBatchItemFailures"])
        self.assertEqual(esm["event_source_arn"], f"${{aws_sqs_queue.{self.queue_name()}.arn}}")
        self.assertEqual(esm["batch_size"], "${var.batch_size}")
        self.assertEqual(esm["maximum_batching_window_in_seconds"], "${var.batching_window_seconds}")
        self.assertEqual(esm["scaling_config"][0]["maximum_concurrency"], "${var.maximum_concurrency}")

    def policy_statements(self):
        docs = self.tf["data"]["aws_iam_policy_document"]
        role_policy = self.resource("aws_iam_role_policy")
        match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)\.json\}", role_policy["policy"])
        self.assertIsNotNone(match, "the role policy should come from an aws_iam_policy_document")
        return docs[match.group(1)]["statement"]

    def statement_for(self, action):
        found = [s for s in self.policy_statements() if action in s["actions"]]
        self.assertEqual(len(found), 1, f"expected one statement allowing {action}")
        return found[0]

    def test_no_statement_allows_every_resource_or_action(self):
        for s in self.policy_statements():
            self.assertNotIn("*", s["resources"], f"statement {s.get('sid')} allows Resource *")
            for action in s["actions"]:
                self.assertNotIn("*", action, f"statement {s.get('sid')} allows a wildcard action")

    def statement_with_sid(self, sid):
        found = [s for s in self.policy_statements() if s.get("sid") == sid]
        self.assertEqual(len(found), 1, f"expected one statement {sid}")
        return found[0]

    def test_s3_images_read_and_written_only_under_prefix_generated_images_from_queue(self):
        s = self.statement_with_sid("StoreAndFindQueueImages")
        self.assertEqual(sorted(s["actions"]), ["s3:GetObject", "s3:PutObject"])
        self.assertEqual(len(s["resources"]), 1)
        self.assertRegex(s["resources"][0], r"^arn:[^:]+:s3:::\$\{var\.bucket_name\}/"
                                            r"\$\{var\.key_prefix\}/generated_images/from_queue/\*$")

    def test_job_records_read_only_under_prefix_jobs_and_listing_only_this_bucket(self):
        body = self.function_environment_text()
        self.assertRegex(body, r'PICTOR_JOBS\s*=\s*"store"')
        s = self.statement_with_sid("KeepJobRecords")
        self.assertEqual(sorted(s["actions"]), ["s3:GetObject", "s3:PutObject"])
        self.assertEqual(len(s["resources"]), 1)
        self.assertRegex(s["resources"][0],
                         r"^arn:[^:]+:s3:::\$\{var\.bucket_name\}/\$\{var\.key_prefix\}/jobs/\*$")
        s = self.statement_for("s3:ListBucket")
        self.assertEqual(s["actions"], ["s3:ListBucket"])
        self.assertEqual(len(s["resources"]), 1)
        self.assertRegex(s["resources"][0], r"^arn:[^:]+:s3:::\$\{var\.bucket_name\}$")

    def test_bedrock_invoke_only_on_the_configured_model(self):
        s = self.statement_for("bedrock:InvokeModel")
        self.assertEqual(s["actions"], ["bedrock:InvokeModel"])
        self.assertEqual(len(s["resources"]), 1)
        self.assertRegex(s["resources"][0],
                         r"^arn:[^:]+:bedrock:\$\{var\.bedrock_region\}::foundation-model/\$\{var\.model_id\}$")

    def test_sqs_only_the_consumer_actions_on_this_queue(self):
        s = self.statement_for("sqs:ReceiveMessage")
        self.assertEqual(sorted(s["actions"]), sorted(["sqs:ReceiveMessage", "sqs:DeleteMessage",
                                                       "sqs:ChangeMessageVisibility",
                                                       "sqs:GetQueueAttributes",
                                                       "sqs:SendMessage"]))
        self.assertEqual(s["resources"], [f"${{aws_sqs_queue.{self.queue_name()}.arn}}"])

    def test_logs_only_on_the_function_log_group(self):
        s = self.statement_for("logs:PutLogEvents")
        self.assertEqual(len(s["resources"]), 1)
        self.assertRegex(s["resources"][0], r"aws_cloudwatch_log_group\.\w+\.arn")

    def test_alarm_on_oldest_message_age_from_the_queue_resource(self):
        alarms = self.tf["resource"]["aws_cloudwatch_metric_alarm"]
        age = [a for a in alarms.values() if a["metric_name"] == "ApproximateAgeOfOldestMessage"]
        self.assertEqual(len(age), 1, "no alarm on ApproximateAgeOfOldestMessage")
        alarm = age[0]
        self.assertEqual(alarm["namespace"], "AWS/SQS")
        self.assertEqual(alarm["statistic"], "Maximum")
        self.assertEqual(alarm["dimensions"], {"QueueName": f"${{aws_sqs_queue.{self.queue_name()}.name}}"})
        for key in ("period", "evaluation_periods", "threshold"):
            self.assertRegex(str(alarm[key]), r"^\$\{var\.\w+\}$", f"alarm {key} is not a variable")
        topic = self.resource("aws_sns_topic")
        self.assertIsNotNone(topic)
        topic_name = next(iter(self.tf["resource"]["aws_sns_topic"]))
        self.assertIn(f"${{aws_sns_topic.{topic_name}.arn}}", alarm["alarm_actions"])

    def test_alarm_topic_has_email_subscription_from_alert_email(self):
        sub = self.resource("aws_sns_topic_subscription")
        self.assertEqual(sub["protocol"], "email")
        self.assertEqual(sub["endpoint"], "${var.alert_email}")
        self.assertIn("alert_email", self.tf["variable"])

    def test_outputs(self):
        outputs = self.tf["output"]
        expected = {"queue_url": r"aws_sqs_queue\.\w+\.url", "dead_letter_queue_url": r"aws_sqs_queue\.\w+\.url",
                    "function_name": r"aws_lambda_function\.\w+\.function_name",
                    "alarm_arn": r"aws_cloudwatch_metric_alarm\.\w+\.arn"}
        for name, pattern in expected.items():
            self.assertIn(name, outputs)
            self.assertRegex(outputs[name]["value"], pattern)
        self.assertNotEqual(outputs["queue_url"]["value"], outputs["dead_letter_queue_url"]["value"])

    def test_tfvars_example_sets_only_declared_variables(self):
        example = next(iter(parse_hcl([TF_DIR / "terraform.tfvars.example"]).values()))
        declared = set(self.tf["variable"])
        self.assertFalse(set(example) - declared, f"undeclared: {set(example) - declared}")
        required = {n for n, v in self.tf["variable"].items() if "default" not in v}
        self.assertFalse(required - set(example), f"example lacks required {required - set(example)}")

    def test_every_variable_has_a_description(self):
        for name, var in self.tf["variable"].items():
            self.assertTrue(var.get("description"), f"variable {name} has no description")

    def test_terraform_fmt_is_clean(self):
        terraform = shutil.which("terraform")
        if terraform is None:
            self.skipTest("terraform is not installed; the terraform workflow checks fmt")
        proc = subprocess.run([terraform, "fmt", "-check", "-recursive", "-diff", str(TF_DIR)],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, f"terraform fmt differs:\n{proc.stdout}")


if __name__ == "__main__":
    unittest.main(verbosity=2)
