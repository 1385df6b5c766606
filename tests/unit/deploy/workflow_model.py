"""The delivery pipeline as GitHub runs it, from the parsed workflows: ci.yml's jobs with the jobs
of the reusable workflows it calls (`uses: ./.github/workflows/X.yml`) flattened in, each with its
full `if` (the caller's and its own), its needs, environment and concurrency, and a small
evaluator of GitHub's expression language to decide which jobs run for a given event."""

import fnmatch
import re

from deploy_files import workflow

STATUS_FUNCTIONS = ("always(", "failure(", "cancelled(", "success(")

# The events the checks replay: (name, github context).
REPO = "OWNER/REPO"
SCENARIOS = {
    "push_main": {"github.event_name": "push", "github.ref": "refs/heads/main"},
    "push_branch": {"github.event_name": "push", "github.ref": "refs/heads/feature"},
    "push_tag": {"github.event_name": "push", "github.ref": "refs/tags/v1.2.3"},
    # The pull request of refs/heads/feature, from a branch of the repository.
    "pr_same_repo": {"github.event_name": "pull_request", "github.ref": "refs/pull/7/merge",
                     "github.head_ref": "feature", "github.event.pull_request.number": 7,
                     "github.event.pull_request.head.repo.full_name": REPO},
    "pr_fork": {"github.event_name": "pull_request", "github.ref": "refs/pull/8/merge",
                "github.head_ref": "feature", "github.event.pull_request.number": 8,
                "github.event.pull_request.head.repo.full_name": "someone/fork"},
}
for _ctx in SCENARIOS.values():
    _ctx["github.repository"] = REPO

_TOKEN = re.compile(r"\s*(?:('(?:[^']|'')*')|(\d+)|(==|!=|&&|\|\||!|\(|\)|,)|([A-Za-z_][\w.-]*))")


def evaluate(expression, ctx):
    """Value of a GitHub expression (without `${{ }}`) in the context ctx (dotted names)."""
    out, pos, text = [], 0, expression.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise ValueError(f"cannot read expression at {text[pos:]!r}")
        pos = m.end()
        string, number, op, name = m.groups()
        if string is not None:
            out.append(repr(string[1:-1].replace("''", "'")))
        elif number is not None:
            out.append(number)
        elif op is not None:
            out.append({"&&": " and ", "||": " or ", "!": " not "}.get(op, op))
        elif name in ("true", "false", "null"):
            out.append({"true": "True", "false": "False", "null": "None"}[name])
        elif name in ("startsWith", "endsWith", "contains", "format"):
            out.append(f"_{name}")
        elif name + "(" in STATUS_FUNCTIONS:
            raise ValueError(f"status function {name}() in {expression!r}")
        else:
            if name.startswith("vars."):
                out.append(repr(""))
            else:
                out.append(repr(ctx.get(name, "")))
    python = "".join(out).replace("! =", "!=")
    funcs = {"_startsWith": lambda a, b: str(a).lower().startswith(str(b).lower()),
             "_endsWith": lambda a, b: str(a).lower().endswith(str(b).lower()),
             "_contains": lambda a, b: str(b).lower() in str(a).lower(),
             "_format": lambda f, *a: re.sub(r"\{(\d+)\}", lambda m: str(a[int(m.group(1))]), f)}
    return eval(python, {"__builtins__": {}}, funcs)  # noqa: S307 (tokens checked above)


def condition(value, ctx):
    """A job's or step's `if`: missing is true; `${{ }}` is optional."""
    if value is None:
        return True
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", text, re.S)
    return bool(evaluate(m.group(1) if m else text, ctx))


def template(value, ctx):
    """A string with `${{ expr }}` parts replaced by their values."""
    if not isinstance(value, str):
        return value
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), ctx)), value)


def _needs(job):
    needs = job.get("needs", [])
    return [needs] if isinstance(needs, str) else list(needs)


class Job:
    def __init__(self, name, body, ifs, needs, source):
        self.name, self.body, self.ifs, self.needs, self.source = name, body, ifs, needs, source

    @property
    def steps(self):
        return self.body.get("steps", [])

    def runs_text(self):
        return "\n".join(s.get("run", "") for s in self.steps)

    def uses(self, action):
        return [s for s in self.steps if s.get("uses", "").split("@")[0] == action]

    def role_variables(self):
        """The repository variables of the roles this job assumes."""
        out = []
        for s in self.uses("aws-actions/configure-aws-credentials"):
            m = re.fullmatch(r"\$\{\{\s*vars\.(\w+)\s*\}\}", s["with"]["role-to-assume"])
            out.append(m.group(1) if m else s["with"]["role-to-assume"])
        return out

    def changes_aws(self):
        text = self.runs_text()
        pushes = any(str(s.get("with", {}).get("push", "false")).lower() != "false"
                     for s in self.uses("docker/build-push-action"))
        return bool(re.search(r"terraform apply|sam deploy", text)) or pushes


class Pipeline:
    """ci.yml with the called workflows flattened: jobs named `caller/job`."""

    def __init__(self, root_name="ci.yml"):
        self.root = workflow(root_name)
        self.called = {}
        self.jobs = {}
        for name, job in self.root["jobs"].items():
            uses = job.get("uses", "")
            if uses.startswith("./.github/workflows/"):
                called_name = uses.rsplit("/", 1)[1]
                doc = workflow(called_name)
                self.called[called_name] = doc
                for inner_name, inner in doc["jobs"].items():
                    needs = [f"{name}/{n}" for n in _needs(inner)] + _needs(job)
                    self.jobs[f"{name}/{inner_name}"] = Job(
                        f"{name}/{inner_name}", inner, [job.get("if"), inner.get("if")], needs,
                        called_name)
            else:
                self.jobs[name] = Job(name, job, [job.get("if")], _needs(job), root_name)
        # Needs on a caller job mean every job of the workflow it called.
        for job in self.jobs.values():
            expanded = []
            for n in job.needs:
                expanded += [k for k in self.jobs if k == n or k.startswith(n + "/")]
            job.needs = expanded

    def runs(self, job_name, ctx):
        """Whether the job runs for the event ctx, all its needs having run and passed."""
        job = self.jobs[job_name]
        return all(condition(c, ctx) for c in job.ifs) and all(self.runs(n, ctx) for n in job.needs)

    def ancestors(self, job_name):
        seen, todo = set(), list(self.jobs[job_name].needs)
        while todo:
            n = todo.pop()
            if n not in seen:
                seen.add(n)
                todo += self.jobs[n].needs
        return seen


def oidc_subject(job, ctx):
    """The `sub` of the job's GitHub OIDC token for the event ctx."""
    repo = ctx["github.repository"]
    env = job.body.get("environment")
    if isinstance(env, dict):
        env = env.get("name")
    if env:
        return f"repo:{repo}:environment:{template(env, ctx)}"
    if ctx["github.event_name"] == "pull_request":
        return f"repo:{repo}:pull_request"
    return f"repo:{repo}:ref:{ctx['github.ref']}"


def subject_allowed(subject, test, values):
    if test == "StringEquals":
        return subject in values
    if test == "StringLike":
        return any(fnmatch.fnmatchcase(subject, v) for v in values)
    raise AssertionError(f"unexpected condition test {test}")


_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def image_tags(step, ctx):
    """The tags docker/metadata-action's step computes for the event ctx (github.sha, github.ref),
    for the rules and flavor it is given: type=sha (format, prefix, suffix), type=semver (pattern),
    type=raw (value), type=ref (event=branch|tag|pr), each with `enable`; flavor latest=auto|true|
    false. Anything else raises, so a rule the model does not know cannot pass unchecked."""
    given = step.get("with", {})
    ref, sha = ctx["github.ref"], ctx["github.sha"]
    flavor = dict(line.strip().split("=", 1) for line in str(given.get("flavor", "")).splitlines()
                  if line.strip())
    unknown = set(flavor) - {"latest"}
    if unknown:
        raise AssertionError(f"flavor the model does not know: {unknown}")
    out, auto_latest = [], False
    tag_name = ref[len("refs/tags/"):] if ref.startswith("refs/tags/") else None
    for line in str(given.get("tags", "")).splitlines():
        if not line.strip():
            continue
        attrs = {}
        for part in re.split(r",(?![^{]*\}\})", line.strip()):
            key, _, value = part.partition("=")
            attrs[key.strip()] = value.strip()
        kind = attrs.pop("type", None)
        enable = attrs.pop("enable", "true")
        if not condition(enable, ctx):
            continue
        prefix, suffix = attrs.pop("prefix", ""), attrs.pop("suffix", "")
        if kind == "sha":
            fmt = attrs.pop("format", "short")
            value = sha if fmt == "long" else sha[:7]
            if "prefix" not in line:
                prefix = "sha-"
        elif kind == "semver":
            pattern = attrs.pop("pattern")
            m = _SEMVER.match(tag_name or "")
            if not m:
                continue
            major, minor, patch, pre = m.groups()
            version = f"{major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
            value = (pattern.replace("{{version}}", version).replace("{{major}}", major)
                     .replace("{{minor}}", minor).replace("{{patch}}", patch)
                     .replace("{{raw}}", tag_name))
            if pre and "{{version}}" not in pattern and "{{raw}}" not in pattern:
                continue  # a pre-release gets only the full version
            auto_latest = auto_latest or not pre
        elif kind == "raw":
            value = attrs.pop("value")
        elif kind == "ref":
            event = attrs.pop("event")
            if event == "branch" and ref.startswith("refs/heads/"):
                value = ref[len("refs/heads/"):].replace("/", "-")
            elif event == "tag" and tag_name:
                value, auto_latest = tag_name, True
            elif event == "pr" and ctx["github.event_name"] == "pull_request":
                value = f"pr-{ctx['github.event.pull_request.number']}"
            else:
                continue
        else:
            raise AssertionError(f"tag rule the model does not know: {line}")
        if attrs:
            raise AssertionError(f"tag attributes the model does not know: {attrs} in {line}")
        out.append(prefix + value + suffix)
    latest = flavor.get("latest", "auto")
    if latest == "true" or (latest == "auto" and auto_latest):
        out.append("latest")
    return out
