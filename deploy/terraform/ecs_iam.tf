# The roles of compute = "ecs", as narrow as the Lambda roles:
#  - the worker task role is given the Lambda worker's own policy document (iam.tf), statement for
#    statement: the same S3 keys, model, queue; and, in a policy of its own, the scale-in
#    protection of its cluster's tasks. Its logs go through the execution role.
#  - the serve task role holds what the API function of deploy/sam has (images, job records,
#    spend, sending to the queue, the model), plus reading API keys (--auth keys) and deleting
#    the /readyz probe object it writes.
#  - the execution role pulls this repository's image and writes this log group, nothing else;
#    ecr:GetAuthorizationToken is the one action IAM grants only on every resource.
# Both task roles trust ecs-tasks.amazonaws.com only for tasks of this account (confused deputy).

data "aws_iam_policy_document" "assume_ecs_task" {
  count = local.ecs ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:ecs:${var.region}:${data.aws_caller_identity.current.account_id}:*"]
    }
  }
}

# --- execution role: image pull and logs -------------------------------------------------------

resource "aws_iam_role" "ecs_execution" {
  count              = local.ecs ? 1 : 0
  name               = "${local.name}-ecs-execution"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_task[0].json
}

data "aws_iam_policy_document" "ecs_execution" {
  count = local.ecs ? 1 : 0

  # IAM offers no resource for it: the token is per registry, and the pulls below are scoped.
  statement {
    sid       = "AuthenticateToRegistry"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }

  statement {
    sid       = "PullPictorImage"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.pictor[0].arn]
  }

  statement {
    sid       = "WriteTaskLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.ecs[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "ecs_execution" {
  count  = local.ecs ? 1 : 0
  name   = "${local.name}-ecs-execution"
  role   = aws_iam_role.ecs_execution[0].id
  policy = data.aws_iam_policy_document.ecs_execution[0].json
}

# --- worker task role: the Lambda worker's document --------------------------------------------

resource "aws_iam_role" "ecs_worker" {
  count              = local.ecs ? 1 : 0
  name               = "${local.name}-ecs-worker"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_task[0].json
}

resource "aws_iam_role_policy" "ecs_worker" {
  count  = local.ecs ? 1 : 0
  name   = "${local.name}-queue-worker"
  role   = aws_iam_role.ecs_worker[0].id
  policy = data.aws_iam_policy_document.worker.json
}

# pictor worker protects its task from scale-in while it has jobs (src/core/scale_in_protection.h)
# through the ECS agent's endpoint ($ECS_AGENT_URI/task-protection/v1/state); the agent calls
# ecs:UpdateTaskProtection with this role's credentials. Only tasks of this cluster.
data "aws_iam_policy_document" "ecs_worker_protection" {
  count = local.ecs ? 1 : 0

  statement {
    sid       = "ProtectOwnTasksFromScaleIn"
    actions   = ["ecs:UpdateTaskProtection"]
    resources = ["arn:${data.aws_partition.current.partition}:ecs:${var.region}:${data.aws_caller_identity.current.account_id}:task/${aws_ecs_cluster.pictor[0].name}/*"]
  }
}

resource "aws_iam_role_policy" "ecs_worker_protection" {
  count  = local.ecs ? 1 : 0
  name   = "${var.name}-task-protection"
  role   = aws_iam_role.ecs_worker[0].id
  policy = data.aws_iam_policy_document.ecs_worker_protection[0].json
}

# --- serve task role: the API function's statements ---------------------------------------------

resource "aws_iam_role" "ecs_serve" {
  count              = local.serve ? 1 : 0
  name               = "${local.name}-ecs-serve"
  assume_role_policy = data.aws_iam_policy_document.assume_ecs_task[0].json
}

# Also the role of the Kubernetes API pods (kubernetes_iam.tf).
data "aws_iam_policy_document" "serve" {
  count = local.serve || var.kubernetes_roles ? 1 : 0

  # POST /generate-image stores its image; the presigned `url` of its answer and of GET /jobs/{id}
  # is a GET signed by this role. /readyz writes a probe object here too.
  statement {
    sid       = "StoreAndShareImages"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/generated_images/*"]
  }

  # ... and deletes it again (src/http/store_probe.cc).
  statement {
    sid       = "RemoveReadinessProbe"
    actions   = ["s3:DeleteObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/generated_images/.pictor-readyz-*"]
  }

  # Job records and Idempotency-Key claims: created, read, and taken back when the queue
  # refuses the job.
  statement {
    sid       = "KeepJobRecords"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/jobs/*"]
  }

  statement {
    sid       = "KeepSpend"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/spend/*"]
  }

  # --auth keys: the keys `pictor keys create` stored under <prefix>/keys/ (read only: keys are
  # created and revoked from an operator's machine, never by the server).
  statement {
    sid       = "ReadApiKeys"
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/keys/*"]
  }

  statement {
    sid       = "TellMissingObjects"
    actions   = ["s3:ListBucket"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}"]
  }

  statement {
    sid       = "InvokeConfiguredModel"
    actions   = ["bedrock:InvokeModel"]
    resources = ["arn:${data.aws_partition.current.partition}:bedrock:${var.bedrock_region}::foundation-model/${var.model_id}"]
  }

  statement {
    sid       = "SendToPromptQueue"
    actions   = ["sqs:SendMessage", "sqs:GetQueueAttributes"]
    resources = [aws_sqs_queue.prompts.arn]
  }
}

resource "aws_iam_role_policy" "ecs_serve" {
  count  = local.serve ? 1 : 0
  name   = "${local.name}-api"
  role   = aws_iam_role.ecs_serve[0].id
  policy = data.aws_iam_policy_document.serve[0].json
}
