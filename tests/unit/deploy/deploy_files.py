"""Loads the deployment files for the deploy tests: Terraform through @cdktf/hcl2json, YAML with
CloudFormation's short tags kept as {"!Tag": value}, and the repository root."""

import functools
import json
import os
import pathlib
import re
import subprocess

import yaml

ROOT = pathlib.Path(os.environ.get("PICTOR_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[3]))
NODE_MODULES = ROOT / "tools" / "node_modules"


def terraform_files():
    return sorted((ROOT / "deploy" / "terraform").glob("*.tf"))


def parse_hcl(paths):
    """{path: parsed JSON} for each HCL file; raises AssertionError with the parser's message."""
    if not (NODE_MODULES / "@cdktf" / "hcl2json").is_dir():
        raise AssertionError(
            f"{NODE_MODULES}/@cdktf/hcl2json is missing: run `npm ci --prefix tools`")
    script = pathlib.Path(__file__).with_name("hcl2json.js")
    proc = subprocess.run(["node", str(script), str(NODE_MODULES), *map(str, paths)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise AssertionError(f"hcl2json failed: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


@functools.lru_cache(maxsize=1)
def merged_terraform():
    """The whole module as one dict: blocks of every file merged by type and name (parsed once
    per process; callers must not change it)."""
    merged = {}
    for parsed in parse_hcl(terraform_files()).values():
        for block, body in parsed.items():
            if block in ("resource", "data"):
                for rtype, named in body.items():
                    for name, value in named.items():
                        merged.setdefault(block, {}).setdefault(rtype, {})[name] = value[0]
            elif block in ("variable", "output"):
                for name, value in body.items():
                    merged.setdefault(block, {})[name] = value[0]
            else:
                merged.setdefault(block, []).extend(body if isinstance(body, list) else [body])
    return merged


def policy_document(tf, reference):
    """The statements of the aws_iam_policy_document that `reference` ("${data.aws_iam_policy_document.
    NAME.json}", with or without an index) names: its source_policy_documents' first, then its own."""
    match = re.fullmatch(r"\$\{data\.aws_iam_policy_document\.(\w+)(?:\[0\])?\.json\}", reference)
    if not match:
        raise AssertionError(f"not a reference to a policy document: {reference}")
    doc = tf["data"]["aws_iam_policy_document"][match.group(1)]
    statements = []
    for source in doc.get("source_policy_documents", []):
        statements += policy_document(tf, source)
    return statements + doc.get("statement", [])


def role_policy_statements(tf, name):
    """The statements of aws_iam_role_policy.NAME."""
    return policy_document(tf, tf["resource"]["aws_iam_role_policy"][name]["policy"])


class _CfnLoader(yaml.SafeLoader):
    """SafeLoader that keeps !Ref, !Sub, !GetAtt, ... as {"!Ref": value}."""


def _tag(loader, suffix, node):
    tag = "!" + suffix
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {tag: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_CfnLoader)  # noqa: S506 (a SafeLoader subclass)


def workflow(name):
    doc = load_yaml(ROOT / ".github" / "workflows" / name)
    # PyYAML reads the bare key `on` as the boolean True (YAML 1.1).
    if True in doc:
        doc["on"] = doc.pop(True)
    return doc
