"""Asserts the SAM template's API function, routes, least privilege and outputs on the parsed YAML,
and that cfn-lint (with SAM's transform) passes on it."""

import os
import shutil
import subprocess
import tempfile
import unittest

from deploy_files import ROOT, load_yaml

TEMPLATE = ROOT / "deploy" / "sam" / "template.yaml"


def flatten(value):
    """Every string inside value (through !Sub, !If, lists and maps)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from flatten(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from flatten(v)


class SamTemplate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doc = load_yaml(TEMPLATE)
        cls.resources = cls.doc["Resources"]

    def of_type(self, rtype):
        return {n: r for n, r in self.resources.items() if r["Type"] == rtype}

    def function(self):
        functions = self.of_type("AWS::Serverless::Function")
        self.assertEqual(len(functions), 1, f"expected one function, found {sorted(functions)}")
        return next(iter(functions.items()))

    def statements(self):
        _, fn = self.function()
        role_ref = fn["Properties"].get("Role")
        self.assertIsNotNone(role_ref, "the function should use its own least-privilege role")
        role = self.resources[role_ref["!GetAtt"].split(".")[0]]
        self.assertNotIn("ManagedPolicyArns", role["Properties"], "managed policies are not least privilege")
        out = []
        for policy in role["Properties"]["Policies"]:
            for s in policy["PolicyDocument"]["Statement"]:
                if "!If" in s:
                    condition, then, _ = s["!If"]
                    out.append((condition, then))
                else:
                    out.append((None, s))
        return out

    def statement_with(self, action):
        found = [(c, s) for c, s in self.statements()
                 if action in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])]
        self.assertEqual(len(found), 1, f"expected one statement with {action}")
        return found[0]

    def statement_by_sid(self, sid):
        found = [(c, s) for c, s in self.statements() if s.get("Sid") == sid]
        self.assertEqual(len(found), 1, f"expected one statement {sid}")
        return found[0]

    def test_yamllint_passes(self):
        yamllint = shutil.which("yamllint")
        self.assertIsNotNone(yamllint, "yamllint is not installed (Debian package yamllint)")
        proc = subprocess.run([yamllint, "-s", "-c", str(ROOT / ".yamllint"), str(TEMPLATE)],
                              capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, f"yamllint:\n{proc.stdout}{proc.stderr}")

    def test_is_a_sam_template(self):
        self.assertEqual(self.doc["Transform"], "AWS::Serverless-2016-10-31")

    def test_function_runs_the_packaged_custom_runtime(self):
        _, fn = self.function()
        props = fn["Properties"]
        self.assertEqual(props["Runtime"], "provided.al2023")
        self.assertEqual(props["Handler"], "bootstrap")
        self.assertTrue(props["CodeUri"].endswith("build/pictor-lambda.zip"), props["CodeUri"])
        self.assertEqual(props["Architectures"], [{"!Ref": "Architecture"}])

    def test_function_environment_from_parameters(self):
        _, fn = self.function()
        env = fn["Properties"]["Environment"]["Variables"]
        self.assertEqual(env["BUCKET_NAME"], {"!Ref": "BucketName"})
        self.assertEqual(env["KEY_PREFIX"], {"!Ref": "KeyPrefix"})
        self.assertEqual(env["PICTOR_MODEL"], {"!Sub": "bedrock:${ModelId}"})
        self.assertEqual(env["SQS_QUEUE_URL"]["!If"][0], "HasQueue")

    def test_generate_image_route_on_the_http_api(self):
        name, fn = self.function()
        events = fn["Properties"]["Events"].values()
        routes = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"]) for e in events
                  if e["Type"] == "HttpApi"}
        self.assertIn(("POST", "/generate-image"), routes)

    def test_job_routes_only_with_a_queue_in_the_api_definition(self):
        """The job routes live in the HTTP API's DefinitionBody, which SAM re-imports with the
        function's events merged in on every update, so they survive it; separate
        AWS::ApiGatewayV2::Route resources beside a SAM HTTP API are dropped by that re-import."""
        self.assertIn("HasQueue", self.doc["Conditions"])
        self.assertEqual(self.doc["Conditions"]["HasQueue"],
                         {"!Not": [{"!Equals": [{"!Ref": "QueueName"}, ""]}]})
        self.assertEqual(self.of_type("AWS::ApiGatewayV2::Route"), {}, "raw routes vanish on re-import")
        self.assertEqual(self.of_type("AWS::ApiGatewayV2::Integration"), {})
        name, fn = self.function()
        apis = self.of_type("AWS::Serverless::HttpApi")
        self.assertEqual(len(apis), 1)
        api_name, api = next(iter(apis.items()))
        for event in fn["Properties"]["Events"].values():
            self.assertEqual(event["Properties"]["ApiId"], {"!Ref": api_name})
        paths = api["Properties"]["DefinitionBody"]["paths"]
        for path, methods in (("/jobs", {"post"}), ("/jobs/{id}", {"get", "delete"})):
            self.assertIn(path, paths)
            cond, item, otherwise = paths[path]["Fn::If"]
            self.assertEqual(cond, "HasQueue", f"{path} should need the queue")
            self.assertEqual(otherwise, {"!Ref": "AWS::NoValue"})
            self.assertEqual(set(item), methods)
            for method in methods:
                integration = item[method]["x-amazon-apigateway-integration"]
                self.assertEqual(integration["type"], "aws_proxy")
                self.assertEqual(integration["payloadFormatVersion"], "2.0")
                # The alias `live` (AutoPublishAlias), as SAM integrates /generate-image.
                self.assertIn(f"${{{name}.Alias}}", integration["uri"]["!Sub"])
        perms = self.of_type("AWS::Lambda::Permission").values()
        jobs = [p for p in perms if p.get("Condition") == "HasQueue"]
        self.assertEqual(len(jobs), 1, "no invoke permission for /jobs")
        self.assertTrue(jobs[0]["Properties"]["SourceArn"]["!Sub"].endswith("/*/*/jobs*"))

    def alarms(self):
        return self.of_type("AWS::CloudWatch::Alarm")

    def alarm_metrics(self, alarm):
        """(namespace, metric name) of each metric the alarm reads; a namespace given as
        {"!Ref": parameter} is that parameter's default."""
        def namespace(value):
            if isinstance(value, dict) and "!Ref" in value:
                return self.doc["Parameters"][value["!Ref"]]["Default"]
            return value
        props = alarm["Properties"]
        if "MetricName" in props:
            return [(namespace(props["Namespace"]), props["MetricName"])]
        return [(namespace(m["MetricStat"]["Metric"]["Namespace"]), m["MetricStat"]["Metric"]["MetricName"])
                for m in props["Metrics"] if "MetricStat" in m]

    def test_the_emf_namespace_is_one_parameter_for_the_function_and_its_alarm(self):
        _, function = self.function()
        env = function["Properties"]["Environment"]["Variables"]
        self.assertEqual(env["PICTOR_METRICS_NAMESPACE"], {"!Ref": "MetricsNamespace"})
        self.assertEqual(self.doc["Parameters"]["MetricsNamespace"]["Default"], "Pictor")
        for m in self.alarms()["ApiFailureRateAlarm"]["Properties"]["Metrics"]:
            if "MetricStat" in m:
                self.assertEqual(m["MetricStat"]["Metric"]["Namespace"], {"!Ref": "MetricsNamespace"})

    def test_alarms_on_errors_throttles_5xx_rate_and_failures(self):
        read = {name: self.alarm_metrics(a) for name, a in self.alarms().items()}
        flat = {m for ms in read.values() for m in ms}
        for metric in (("AWS/Lambda", "Errors"), ("AWS/Lambda", "Throttles"), ("AWS/ApiGateway", "5xx"),
                       ("AWS/ApiGateway", "Count"), ("Pictor", "Failures"), ("Pictor", "Jobs")):
            self.assertIn(metric, flat, f"no alarm reads {metric}")
        rate = self.alarms()["Api5xxRateAlarm"]["Properties"]["Metrics"]
        returned = [m for m in rate if m.get("ReturnData", True)]
        self.assertEqual(len(returned), 1)
        self.assertRegex(returned[0]["Expression"], r"errors(, 0\))? / requests", "the 5xx alarm is a rate")
        name, _ = self.function()
        errors = self.alarms()["ApiErrorsAlarm"]["Properties"]
        self.assertIn({"Name": "FunctionName", "Value": {"!Ref": name}}, errors["Dimensions"])

    def test_every_alarm_notifies_the_alert_topic_when_it_fires_and_clears(self):
        self.assertIn("AlertTopicArn", self.doc["Parameters"])
        self.assertEqual(self.doc["Conditions"]["HasAlertTopic"],
                         {"!Not": [{"!Equals": [{"!Ref": "AlertTopicArn"}, ""]}]})
        expected = {"!If": ["HasAlertTopic", [{"!Ref": "AlertTopicArn"}], {"!Ref": "AWS::NoValue"}]}
        self.assertGreaterEqual(len(self.alarms()), 4)
        for name, alarm in self.alarms().items():
            self.assertEqual(alarm["Properties"]["AlarmActions"], expected, name)
            self.assertEqual(alarm["Properties"]["OKActions"], expected, name)

    def test_gradual_deploys_roll_back_on_the_errors_alarm(self):
        name, fn = self.function()
        props = fn["Properties"]
        self.assertEqual(props["AutoPublishAlias"], "live")
        preference = props["DeploymentPreference"]
        self.assertEqual(preference["Type"], {"!Ref": "DeploymentType"})
        types = self.doc["Parameters"]["DeploymentType"]
        self.assertEqual(types["Default"], "Canary10Percent5Minutes")
        self.assertTrue(all(t.startswith(("Canary", "Linear", "AllAtOnce")) for t in types["AllowedValues"]))
        self.assertIn({"!Ref": "ApiErrorsAlarm"}, preference["Alarms"])
        # The errors alarm watches the alias being shifted.
        dims = self.alarms()["ApiErrorsAlarm"]["Properties"]["Dimensions"]
        self.assertIn({"Name": "Resource", "Value": {"!Sub": f"${{{name}}}:live"}}, dims)
        # The job routes' invoke permission is the alias's too.
        perm = [p for p in self.of_type("AWS::Lambda::Permission").values() if p.get("Condition") == "HasQueue"]
        self.assertEqual(perm[0]["Properties"]["FunctionName"], {"!Ref": f"{name}.Alias"})

    def test_cfn_lint_passes(self):
        """cfn-lint runs SAM's transform, so a definition SAM cannot merge fails here."""
        cfn_lint = shutil.which("cfn-lint")
        self.assertIsNotNone(cfn_lint, "cfn-lint is not installed")
        proc = subprocess.run([cfn_lint, "--", str(TEMPLATE)], capture_output=True, text=True, check=False)
        self.assertEqual(proc.returncode, 0, f"cfn-lint:\n{proc.stdout}{proc.stderr}")

    def test_cfn_lint_can_fail(self):
        cfn_lint = shutil.which("cfn-lint")
        self.assertIsNotNone(cfn_lint, "cfn-lint is not installed")
        broken = TEMPLATE.read_text().replace("Runtime: provided.al2023", "Runtime: provided.al1999")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "template.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(broken)
            proc = subprocess.run([cfn_lint, "--", path], capture_output=True, text=True, check=False)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)

    def test_no_statement_allows_every_resource_or_action(self):
        for _, s in self.statements():
            self.assertEqual(s["Effect"], "Allow")
            self.assertNotEqual(s["Resource"], "*", f"{s.get('Sid')} allows Resource *")
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            for action in actions:
                self.assertNotIn("*", action)

    def test_s3_images_only_stored_and_read_under_prefix_generated_images(self):
        found = [(c, s) for c, s in self.statements() if s.get("Sid") == "StoreAndShareImages"]
        self.assertEqual(len(found), 1)
        condition, s = found[0]
        self.assertIsNone(condition)
        self.assertEqual(sorted(s["Action"]), ["s3:GetObject", "s3:PutObject"])
        self.assertEqual(s["Resource"],
                         {"!Sub": "arn:${AWS::Partition}:s3:::${BucketName}/${KeyPrefix}/generated_images/*"})

    def test_job_records_only_with_a_queue_and_only_under_prefix_jobs(self):
        env = self.resources[self.function()[0]]["Properties"]["Environment"]["Variables"]
        self.assertEqual(env["PICTOR_JOBS"], {"!If": ["HasQueue", "store", {"!Ref": "AWS::NoValue"}]})
        condition, s = self.statement_by_sid("KeepJobRecords")
        self.assertEqual(condition, "HasQueue")
        self.assertEqual(sorted(s["Action"]), ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"])
        self.assertEqual(s["Resource"], {"!Sub": "arn:${AWS::Partition}:s3:::${BucketName}/${KeyPrefix}/jobs/*"})
        # Charges of each image's price sit beside the records: written and refunded, never read.
        condition, s = self.statement_by_sid("KeepSpend")
        self.assertEqual(condition, "HasQueue")
        self.assertEqual(sorted(s["Action"]), ["s3:DeleteObject", "s3:PutObject"])
        self.assertEqual(s["Resource"], {"!Sub": "arn:${AWS::Partition}:s3:::${BucketName}/${KeyPrefix}/spend/*"})
        deleting = [s for _, s in self.statements() if "s3:DeleteObject" in s["Action"]]
        self.assertEqual(len(deleting), 2, "DeleteObject only on job records and charges")
        condition, s = self.statement_with("s3:ListBucket")
        self.assertEqual(condition, "HasQueue")
        self.assertEqual(s["Resource"], {"!Sub": "arn:${AWS::Partition}:s3:::${BucketName}"})

    def test_bedrock_invoke_only_on_the_configured_model(self):
        _, s = self.statement_with("bedrock:InvokeModel")
        self.assertEqual(s["Resource"],
                         {"!Sub": "arn:${AWS::Partition}:bedrock:${BedrockRegion}::foundation-model/${ModelId}"})

    def test_sqs_send_only_on_the_configured_queue_and_only_with_it(self):
        condition, s = self.statement_with("sqs:SendMessage")
        self.assertEqual(condition, "HasQueue")
        self.assertEqual(sorted(s["Action"]), ["sqs:GetQueueAttributes", "sqs:SendMessage"])
        self.assertRegex(s["Resource"]["!Sub"], r":sqs:\$\{AWS::Region\}:\$\{AWS::AccountId\}:\$\{QueueName\}$")

    def test_logs_only_on_the_function_log_group(self):
        _, s = self.statement_with("logs:PutLogEvents")
        strings = list(flatten(s["Resource"]))
        self.assertTrue(any("LogGroup" in v for v in strings), f"logs resource: {s['Resource']}")

    def test_outputs_the_endpoint_url(self):
        url = self.doc["Outputs"]["ApiUrl"]["Value"]["!Sub"]
        self.assertRegex(url, r"^https://\$\{\w+\}\.execute-api\.")


if __name__ == "__main__":
    unittest.main(verbosity=2)
