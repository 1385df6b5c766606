"""The deployed roles' policies as lists of (effect, actions, resources), read from the Terraform
module and the SAM template with their variables filled in, and IAM's matching of a request's
action and resource ARN against them.

IAM matching (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
actions are compared without regard to case, resources with case; in both, `*` matches any run of
characters (including `/` and `:`) and `?` any one character. A request is allowed when some Allow
statement matches its action and resource and no Deny statement does.
"""

import re

from deploy_files import ROOT, load_yaml, merged_terraform, role_policy_statements


def glob_matches(pattern, text, ignore_case=False):
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.IGNORECASE if ignore_case else 0) is not None


def _as_list(value):
    return value if isinstance(value, list) else [value]


class Policy:
    def __init__(self, name, statements):
        self.name = name
        self.statements = statements  # [{"sid", "effect", "actions", "resources"}]

    def matching(self, action, resource, effect="Allow"):
        return [s for s in self.statements
                if s["effect"] == effect
                and any(glob_matches(a, action, True) for a in s["actions"])
                and any(glob_matches(r, resource, False) for r in s["resources"])]

    def allows(self, action, resource):
        return bool(self.matching(action, resource)) and not self.matching(action, resource, "Deny")


def _substitute(text, values, where):
    def one(match):
        name = match.group(1)
        if name not in values:
            raise AssertionError(f"{where}: no test value for ${{{name}}} in {text!r}")
        return values[name]
    return re.sub(r"\$\{([^}]+)\}", one, text)


def terraform_role_policy(name, values, title):
    """The policy of aws_iam_role_policy.NAME in deploy/terraform; `values` maps each
    interpolation (var.bucket_name, data.aws_partition.current.partition,
    aws_sqs_queue.prompts.arn, ...) to its value."""
    tf = merged_terraform()
    statements = []
    for s in role_policy_statements(tf, name):
        where = f"{name} statement {s.get('sid', '?')}"
        assert "condition" not in s and "not_actions" not in s and "not_resources" not in s, (
            f"{where}: conditions and Not* elements are not evaluated by this test")
        statements.append({
            "sid": s.get("sid", ""),
            "effect": s.get("effect", "Allow"),
            "actions": s["actions"],
            "resources": [_substitute(r, values, where) for r in s["resources"]],
        })
    return Policy(title, statements)


def terraform_worker_policy(values):
    """The Lambda queue worker role's policy (aws_iam_role_policy.worker, whose document adds the
    function's log group to the worker's own, which the ECS worker task role is given as it is)."""
    return terraform_role_policy("worker", values, "Terraform queue worker role")


def terraform_serve_policy(values):
    """The policy of the ECS task role of `pictor serve` (ecs_iam.tf, ecs_serve)."""
    return terraform_role_policy("ecs_serve", values, "Terraform ECS serve task role")


def _resolve_cfn(value, parameters, conditions, where):
    """Evaluates the intrinsic functions the template's policy uses: !Sub, !If, !Ref."""
    if isinstance(value, dict) and len(value) == 1:
        (tag, arg), = value.items()
        if tag in ("!Sub", "Fn::Sub"):
            return _substitute(arg, parameters, where)
        if tag in ("!Ref", "Ref"):
            if arg == "AWS::NoValue":
                return None
            return parameters[arg]
        if tag in ("!If", "Fn::If"):
            condition, then, otherwise = arg
            chosen = then if conditions[condition] else otherwise
            return _resolve_cfn(chosen, parameters, conditions, where)
        raise AssertionError(f"{where}: intrinsic {tag} is not evaluated by this test")
    if isinstance(value, list):
        out = [_resolve_cfn(v, parameters, conditions, where) for v in value]
        return [v for v in out if v is not None]
    if isinstance(value, dict):
        return {k: _resolve_cfn(v, parameters, conditions, where) for k, v in value.items()}
    return value


def sam_api_policy(parameters):
    """The API function role's policy for the template `parameters` (BucketName, KeyPrefix,
    QueueName, ..., AWS::Partition, AWS::Region, AWS::AccountId, ApiLogGroup.Arn)."""
    doc = load_yaml(ROOT / "deploy" / "sam" / "template.yaml")
    conditions = {"HasQueue": parameters.get("QueueName", "") != ""}
    role = doc["Resources"]["ApiRole"]["Properties"]
    assert "ManagedPolicyArns" not in role, "the API role has managed policies this test cannot see"
    statements = []
    for policy in role["Policies"]:
        body = policy["PolicyDocument"]["Statement"]
        for s in _resolve_cfn(body, parameters, conditions, "template.yaml ApiRole"):
            assert "Condition" not in s and "NotAction" not in s and "NotResource" not in s, (
                f"statement {s.get('Sid')}: conditions and Not* elements are not evaluated here")
            statements.append({
                "sid": s.get("Sid", ""),
                "effect": s["Effect"],
                "actions": _as_list(s["Action"]),
                "resources": _as_list(s["Resource"]),
            })
    return Policy("SAM API function role", statements)
