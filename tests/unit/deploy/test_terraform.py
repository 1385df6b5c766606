"""Asserts the Terraform module's required settings on its parsed HCL (via @cdktf/hcl2json).

Kept in one file although long: every case reads the one parse of the module (made once, it is
the slow part), grouped by the part of the module it checks."""

import json
import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import unittest
import zipfile

from deploy_files import ROOT, merged_terraform, parse_hcl, role_policy_statements, terraform_files

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
        # local.NAME, or merge(local.NAME, { what only the function has }).
        local = re.fullmatch(r"\$\{(?:merge\()?local\.(\w+)(,[^}]*\})?\)?\}", env)
        self.assertIsNotNone(local, f"environment is not from a local: {env}")
        return locals_[local.group(1)] + (local.group(2) or "")

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
        """The Lambda worker role's statements (its document and the worker's it builds on)."""
        role_policy = self.resource("aws_iam_role_policy", "worker")
        self.assertEqual(role_policy["role"], "${aws_iam_role.worker[0].id}")
        return role_policy_statements(self.tf, "worker")

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
        self.assertRegex(s["resources"][0], r"aws_cloudwatch_log_group\.function\[0\]\.arn")

    def test_alarm_on_oldest_message_age_from_the_queue_resource(self):
        alarms = self.tf["resource"]["aws_cloudwatch_metric_alarm"]
        age = [a for a in alarms.values() if a.get("metric_name") == "ApproximateAgeOfOldestMessage"]
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
                    "function_name": r"aws_lambda_function\.\w+\[\*\]\.function_name",
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

    def test_environment_files_set_declared_variables_and_their_own_environment(self):
        """envs/<env>.tfvars: only declared variables, `environment` = the file's name, none of the
        settings both environments share (a -var-file would override the pipeline's TF_VAR_*);
        envs/backend-<env>.hcl.example: a state key of its own."""
        declared = set(self.tf["variable"])
        keys = {}
        for env in ("dev", "prod"):
            values = next(iter(parse_hcl([TF_DIR / "envs" / f"{env}.tfvars"]).values()))
            self.assertFalse(set(values) - declared, f"{env}: undeclared {set(values) - declared}")
            self.assertEqual(values["environment"], env)
            self.assertFalse({"bucket_name", "alert_email", "region"} & set(values),
                             f"{env}.tfvars would override the shared settings")
            backend = next(iter(parse_hcl([TF_DIR / "envs" / f"backend-{env}.hcl.example"]).values()))
            keys[env] = backend["key"]
        self.assertNotEqual(keys["dev"], keys["prod"])
        validation = self.tf["variable"]["environment"]["validation"][0]["condition"]
        for env in ("dev", "prod"):
            self.assertIn(f'"{env}"', validation)

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


def longest_model_call_seconds():
    """The longest one model call may take: the largest total_timeout of the model adapters'
    options (model/bedrock, model/openai), in seconds. A call retried after a timeout takes
    longer; that is what redelivery covers (docs/DEPLOY.md)."""
    found = []
    for header in ("src/model/bedrock/bedrock_model.h", "src/model/openai/openai_model.h"):
        text = (ROOT / header).read_text(encoding="utf-8")
        match = re.search(r"std::chrono::milliseconds total_timeout\{(\d+)\}", text)
        if match is None:
            raise AssertionError(f"{header}: no total_timeout default")
        found.append(int(match.group(1)) // 1000)
    return max(found)


class EcsCompute(unittest.TestCase):
    """compute = "ecs": the Fargate worker service, its scaling, roles and logs."""

    @classmethod
    def setUpClass(cls):
        cls.tf = merged_terraform()
        cls.locals = {k: v for block in cls.tf.get("locals", []) for k, v in block.items()}

    def resources(self, rtype):
        return self.tf["resource"].get(rtype, {})

    def test_compute_selects_lambda_or_ecs(self):
        var = self.tf["variable"]["compute"]
        self.assertEqual(var["default"], "lambda")
        self.assertIn('contains(["lambda", "ecs"], var.compute)', var["validation"][0]["condition"])
        self.assertEqual(self.locals["lambda"], '${var.compute == "lambda"}')
        self.assertEqual(self.locals["ecs"], '${var.compute == "ecs"}')
        for rtype in ("aws_lambda_function", "aws_lambda_event_source_mapping", "aws_iam_role_policy"):
            self.assertEqual(self.resources(rtype)["worker" if rtype != "aws_lambda_event_source_mapping"
                                                   else "prompts"]["count"], "${local.lambda ? 1 : 0}")
        for rtype in ("aws_ecr_repository", "aws_ecs_cluster", "aws_ecs_service", "aws_ecs_task_definition",
                      "aws_appautoscaling_target", "aws_iam_role"):
            for name, body in self.resources(rtype).items():
                if rtype == "aws_iam_role" and name in ("worker", "k8s", "codedeploy"):
                    continue  # the Lambda roles (above); the pods' roles (kubernetes_roles)
                self.assertRegex(body.get("count", ""), r"^\$\{local\.(ecs|serve)\b",
                                 f"{rtype}.{name} exists whatever compute is")

    def test_queue_alarms_exist_in_both_modes(self):
        alarms = self.resources("aws_cloudwatch_metric_alarm")
        for name in ("oldest_message_age", "dead_letters"):
            self.assertNotIn("count", alarms[name], f"alarm {name} depends on compute")
        saturated = alarms["worker_saturated"]
        self.assertEqual(saturated["count"], "${local.ecs ? 1 : 0}")
        self.assertEqual(saturated["alarm_actions"], saturated["ok_actions"])

    def test_ecr_repository_scans_on_push_with_immutable_tags_and_a_lifecycle(self):
        repo = self.resources("aws_ecr_repository")["pictor"]
        self.assertEqual(repo["image_tag_mutability"], "IMMUTABLE")
        self.assertIs(repo["image_scanning_configuration"][0]["scan_on_push"], True)
        lifecycle = self.resources("aws_ecr_lifecycle_policy")["pictor"]
        self.assertEqual(lifecycle["repository"], "${aws_ecr_repository.pictor[0].name}")
        self.assertIn("imageCountMoreThan", lifecycle["policy"])
        self.assertIn("var.ecr_keep_images", lifecycle["policy"])
        self.assertIn('var.image_tag != "latest"',
                      " ".join(v["condition"] for v in self.tf["variable"]["image_tag"]["validation"]))

    def container(self, name):
        return self.resources("aws_ecs_task_definition")[name]["container_definitions"]

    def test_worker_task_runs_pictor_worker_with_the_lambda_environment(self):
        defs = self.container("worker")
        self.assertRegex(defs, r'command\s*=\s*\["worker", "--concurrency", tostring\(var\.ecs_worker_concurrency\), '
                               r'"--max-receive-count", tostring\(var\.max_receive_count\)\]')
        self.assertRegex(defs, r"image\s*=\s*local\.ecs_image")
        self.assertIn("aws_ecr_repository.pictor[0].repository_url}:${var.image_tag}", self.locals["ecs_image"])
        self.assertRegex(defs, r"environment\s*=.*local\.ecs_worker_environment")
        self.assertRegex(self.locals["ecs_worker_environment"], r"^\$\{merge\(local\.function_environment,")
        self.assertRegex(defs, r"readonlyRootFilesystem\s*=\s*true")
        self.assertRegex(defs, r'user\s*=\s*"10001:10001"')
        task = self.resources("aws_ecs_task_definition")["worker"]
        self.assertEqual(task["requires_compatibilities"], ["FARGATE"])
        self.assertEqual(task["task_role_arn"], "${aws_iam_role.ecs_worker[0].arn}")

    def test_stop_timeout_covers_the_longest_model_call_within_fargate_limit(self):
        longest = longest_model_call_seconds()
        self.assertGreaterEqual(longest, 90, "the model adapters' timeouts were not read")
        for name in ("worker", "serve"):
            self.assertRegex(self.container(name), r"stopTimeout\s*=\s*local\.ecs_stop_timeout")
        stop = self.locals["ecs_stop_timeout"]
        self.assertGreaterEqual(stop, longest, "SIGKILL would cut the longest model call short")
        self.assertLessEqual(stop, 120, "Fargate refuses a stopTimeout above 120 s")

    def test_logs_go_to_a_log_group_with_retention(self):
        group = self.resources("aws_cloudwatch_log_group")["ecs"]
        self.assertEqual(group["retention_in_days"], "${var.log_retention_days}")
        self.assertGreater(self.tf["variable"]["log_retention_days"]["default"], 0)
        options = self.locals["ecs_log_options"]
        self.assertEqual(options["awslogs-group"], '${try(aws_cloudwatch_log_group.ecs[0].name, "")}')
        for name in ("worker", "serve"):
            self.assertRegex(self.container(name), r'logDriver\s*=\s*"awslogs"')
            self.assertIn("local.ecs_log_options", self.container(name))
        for name, g in self.resources("aws_cloudwatch_log_group").items():
            self.assertIn("retention_in_days", g, f"log group {name} keeps logs for ever")

    def test_desired_count_tracks_backlog_per_running_task(self):
        policy = self.resources("aws_appautoscaling_policy")["worker_backlog"]
        self.assertEqual(policy["policy_type"], "TargetTrackingScaling")
        config = policy["target_tracking_scaling_policy_configuration"][0]
        self.assertEqual(config["target_value"], "${local.ecs_backlog_goal}")
        self.assertEqual(self.locals["ecs_backlog_goal"],
                         "${coalesce(var.ecs_backlog_per_task, var.ecs_worker_concurrency)}")
        metrics = {m["id"]: m for m in config["customized_metric_specification"][0]["metrics"]}
        returned = [m for m in metrics.values() if m["return_data"]]
        self.assertEqual(len(returned), 1, "target tracking needs exactly one returned series")
        self.assertEqual(returned[0]["expression"], "(visible + in_flight) / tasks")
        expected = {
            "visible": ("AWS/SQS", "ApproximateNumberOfMessagesVisible",
                        [{"name": "QueueName", "value": "${aws_sqs_queue.prompts.name}"}]),
            "in_flight": ("AWS/SQS", "ApproximateNumberOfMessagesNotVisible",
                          [{"name": "QueueName", "value": "${aws_sqs_queue.prompts.name}"}]),
            "tasks": ("ECS/ContainerInsights", "RunningTaskCount",
                      [{"name": "ClusterName", "value": "${aws_ecs_cluster.pictor[0].name}"},
                       {"name": "ServiceName", "value": "${aws_ecs_service.worker[0].name}"}]),
        }
        for metric_id, (namespace, name, dimensions) in expected.items():
            metric = metrics[metric_id]["metric_stat"][0]["metric"][0]
            self.assertEqual((metric["namespace"], metric["metric_name"]), (namespace, name), metric_id)
            self.assertEqual(metric["dimensions"], dimensions, metric_id)
            self.assertIs(metrics[metric_id]["return_data"], False)
        cluster = self.resources("aws_ecs_cluster")["pictor"]
        self.assertEqual(cluster["setting"][0], {"name": "containerInsights", "value": "enabled"})

    def test_scale_to_zero_has_a_wake_up_alarm(self):
        target = self.resources("aws_appautoscaling_target")["worker"]
        self.assertEqual(target["min_capacity"], "${local.ecs_min_capacity}")
        self.assertEqual(self.locals["ecs_min_capacity"], "${var.ecs_scale_to_zero ? 0 : var.ecs_min_tasks}")
        wake = self.resources("aws_appautoscaling_policy")["worker_wake"]
        self.assertEqual(wake["count"], "${local.ecs && var.ecs_scale_to_zero ? 1 : 0}")
        self.assertEqual(wake["policy_type"], "StepScaling")
        alarm = self.resources("aws_cloudwatch_metric_alarm")["worker_wake"]
        self.assertEqual(alarm["alarm_actions"], ["${aws_appautoscaling_policy.worker_wake[0].arn}"])
        queries = {q["id"]: q for q in alarm["metric_query"]}
        self.assertEqual(queries["visible"]["metric"][0]["metric_name"], "ApproximateNumberOfMessagesVisible")
        self.assertIn("visible", queries["waiting_without_tasks"]["expression"])

    def all_role_statements(self):
        return {name: role_policy_statements(self.tf, name)
                for name in self.resources("aws_iam_role_policy")}

    def test_no_role_allows_a_wildcard_action_or_resource(self):
        for role, statements in self.all_role_statements().items():
            for s in statements:
                for action in s["actions"]:
                    self.assertNotIn("*", action, f"{role}: {s.get('sid')} allows a wildcard action")
                if "*" in s["resources"]:
                    # IAM has no resource for it: the token is the registry's.
                    self.assertEqual(s["actions"], ["ecr:GetAuthorizationToken"],
                                     f"{role}: {s.get('sid')} allows Resource *")

    def test_worker_task_role_is_given_the_lambda_workers_own_document(self):
        ecs = self.resources("aws_iam_role_policy")["ecs_worker"]
        self.assertEqual(ecs["policy"], "${data.aws_iam_policy_document.worker.json}")
        lambda_doc = self.tf["data"]["aws_iam_policy_document"]["lambda_worker"]
        self.assertEqual(lambda_doc["source_policy_documents"], ["${data.aws_iam_policy_document.worker.json}"])
        self.assertEqual([s["sid"] for s in lambda_doc["statement"]], ["WriteOwnLogs"])

    def test_worker_task_role_may_protect_only_its_clusters_tasks_from_scale_in(self):
        # The ECS agent's task-protection endpoint calls UpdateTaskProtection as the task role.
        self.assertEqual(self.resources("aws_iam_role_policy")["ecs_worker_protection"]["role"],
                         "${aws_iam_role.ecs_worker[0].id}")
        [statement] = role_policy_statements(self.tf, "ecs_worker_protection")
        self.assertEqual(statement["actions"], ["ecs:UpdateTaskProtection"])
        [resource] = statement["resources"]
        self.assertTrue(resource.endswith(":task/${aws_ecs_cluster.pictor[0].name}/*"), resource)

    def test_serve_task_role_is_the_api_functions_plus_keys_and_probe(self):
        statements = role_policy_statements(self.tf, "ecs_serve")
        by_sid = {s["sid"]: s for s in statements}
        self.assertEqual(by_sid["ReadApiKeys"]["actions"], ["s3:GetObject"])
        self.assertTrue(by_sid["ReadApiKeys"]["resources"][0].endswith("/${var.key_prefix}/keys/*"))
        self.assertEqual(by_sid["RemoveReadinessProbe"]["actions"], ["s3:DeleteObject"])
        self.assertTrue(by_sid["RemoveReadinessProbe"]["resources"][0].endswith(
            "/generated_images/.pictor-readyz-*"))
        self.assertEqual(sorted(by_sid["SendToPromptQueue"]["actions"]), ["sqs:GetQueueAttributes", "sqs:SendMessage"])
        for s in statements:
            for r in s["resources"]:
                self.assertRegex(r, r"(\$\{var\.bucket_name\}|\$\{var\.model_id\}|aws_sqs_queue\.prompts\.arn)",
                                 f"{s['sid']} reaches beyond the bucket, the model and the queue")

    def test_execution_role_pulls_only_this_repository_and_writes_only_its_logs(self):
        by_sid = {s["sid"]: s for s in role_policy_statements(self.tf, "ecs_execution")}
        self.assertEqual(by_sid["PullPictorImage"]["resources"], ["${aws_ecr_repository.pictor[0].arn}"])
        self.assertEqual(by_sid["WriteTaskLogs"]["resources"], ["${aws_cloudwatch_log_group.ecs[0].arn}:*"])

    def test_task_roles_trust_only_ecs_tasks_of_this_account(self):
        trust = self.tf["data"]["aws_iam_policy_document"]["assume_ecs_task"]["statement"][0]
        self.assertEqual(trust["principals"][0]["identifiers"], ["ecs-tasks.amazonaws.com"])
        self.assertIn("aws:SourceAccount", [c["variable"] for c in trust["condition"]])

    def test_serve_is_behind_a_load_balancer_checking_readyz(self):
        group = self.resources("aws_lb_target_group")["serve"]
        self.assertEqual(group["count"], "${local.serve ? 1 : 0}")
        self.assertEqual(group["health_check"][0]["path"], "/readyz")
        self.assertEqual(group["target_type"], "ip")
        self.assertEqual(self.locals["serve"], "${local.ecs && var.ecs_serve}")
        self.assertIs(self.tf["variable"]["ecs_serve"]["default"], False)
        self.assertRegex(self.container("serve"), r'command\s*=\s*\["serve", "--workers", "0"\]')
        self.assertRegex(self.locals["ecs_serve_environment"], r'PICTOR_AUTH\s*=\s*"keys"')
        for environment in ("ecs_serve_environment", "ecs_worker_environment"):
            self.assertRegex(self.locals[environment], r'PICTOR_LOG_FORMAT\s*=\s*"json"')


class KubernetesRoles(unittest.TestCase):
    """kubernetes_roles: the pods' roles are the ECS task roles' documents; KEDA reads the queue."""

    @classmethod
    def setUpClass(cls):
        cls.tf = merged_terraform()

    def test_pods_get_the_ecs_documents_and_keda_only_the_queue_length(self):
        policies = self.tf["resource"]["aws_iam_role_policy"]
        self.assertEqual(policies["k8s_worker"]["policy"], "${data.aws_iam_policy_document.worker.json}")
        self.assertEqual(policies["k8s_serve"]["policy"], policies["ecs_serve"]["policy"])
        keda = role_policy_statements(self.tf, "k8s_keda")
        self.assertEqual([(s["actions"], s["resources"]) for s in keda],
                         [(["sqs:GetQueueAttributes"], ["${aws_sqs_queue.prompts.arn}"])])

    def test_each_role_trusts_one_service_account(self):
        trust = self.tf["data"]["aws_iam_policy_document"]["assume_k8s"]
        self.assertEqual(trust["for_each"], "${local.k8s_service_accounts}")
        pod_identity = trust["statement"][0]
        self.assertEqual(pod_identity["principals"][0]["identifiers"], ["pods.eks.amazonaws.com"])
        tags = {c["variable"]: c["values"] for c in pod_identity["condition"]}
        self.assertEqual(tags["aws:RequestTag/kubernetes-service-account"], ['${split("/", each.value)[1]}'])
        self.assertEqual(tags["aws:RequestTag/kubernetes-namespace"], ['${split("/", each.value)[0]}'])
        irsa = trust["dynamic"]["statement"][0]["content"][0]
        self.assertEqual(irsa["actions"], ["sts:AssumeRoleWithWebIdentity"])
        conditions = {c["variable"]: c["values"] for c in irsa["condition"]}
        self.assertEqual(conditions["${local.k8s_oidc_issuer}:sub"],
                         ['system:serviceaccount:${replace(each.value, "/", ":")}'])
        locals_ = {k: v for block in self.tf.get("locals", []) for k, v in block.items()}
        accounts = locals_["k8s_service_accounts"]
        for name in ("pictor-serve", "pictor-worker"):
            self.assertIn(f"${{var.kubernetes_namespace}}/{name}", accounts,
                          "the service accounts of deploy/kubernetes/base/serviceaccounts.yaml")
        manifests = (ROOT / "deploy" / "kubernetes" / "base" / "serviceaccounts.yaml").read_text()
        for name in ("pictor-serve", "pictor-worker"):
            self.assertIn(f"name: {name}\n", manifests)

class TerraformPlans(unittest.TestCase):
    """`terraform init` from the local provider mirror, `validate`, and `terraform test`
    (deploy/terraform/tests/*.tftest.hcl): both values of compute applied against a mock
    provider, in a copy of the module in a temporary folder."""

    def test_init_validate_and_plan_both_computes(self):
        terraform = shutil.which("terraform")
        if terraform is None:
            self.skipTest("terraform is not installed")
        plugin_dir = os.environ.get("PICTOR_TF_PLUGIN_DIR", "/opt/tf-plugins")
        with tempfile.TemporaryDirectory(prefix="pictor-tf-") as work:
            module = pathlib.Path(work) / "terraform"
            shutil.copytree(TF_DIR, module, ignore=shutil.ignore_patterns(".terraform", "*.tfstate*"))
            (module / "tests").mkdir(exist_ok=True)
            with zipfile.ZipFile(module / "tests" / "empty.zip", "w") as z:
                z.writestr("bootstrap", "")
            env = dict(os.environ, TF_IN_AUTOMATION="1", TF_INPUT="0", CHECKPOINT_DISABLE="1",
                       TF_DATA_DIR=str(module / ".terraform"))
            init = [terraform, "init", "-backend=false", "-input=false", "-no-color"]
            if pathlib.Path(plugin_dir).is_dir():
                init.append(f"-plugin-dir={plugin_dir}")
            for argv in (init, [terraform, "validate", "-no-color"], [terraform, "test", "-no-color"]):
                proc = subprocess.run(argv, cwd=module, env=env, capture_output=True, text=True,
                                      check=False, timeout=600)
                self.assertEqual(proc.returncode, 0,
                                 f"{' '.join(argv[1:2])} failed:\n{proc.stdout}\n{proc.stderr}")
            self.assertRegex(proc.stdout, r"Success! (1\d|[2-9]\d)\d* passed, 0 failed")
            for suite in ("compute", "environments", "operations"):
                self.assertIn(f"tests/{suite}.tftest.hcl... pass", proc.stdout)

if __name__ == "__main__":
    unittest.main(verbosity=2)
