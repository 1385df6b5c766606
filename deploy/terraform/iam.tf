# Least privilege for the queue worker: exactly the S3 calls its code makes (checked by
# tests/unit/deploy/test_iam_access.py, which records them), the configured model, this queue (the
# event source mapping polls with the function's role) and its own log group.
#
# data.aws_iam_policy_document.worker is what the worker does, whoever runs it: the Lambda role
# adds its log group to it (lambda_worker below); the ECS worker task role (ecs_iam.tf) is given
# exactly this document, since its logs go through the task execution role.
#
# S3, by key: <prefix>/generated_images/from_queue/* is where queue jobs store images; each job
# first HEADs its image (a redelivery after the image was stored must find it rather than draw it
# again), and HEAD needs s3:GetObject. <prefix>/jobs/* holds the job records (PICTOR_JOBS=store),
# read before each update; <prefix>/spend/* what each image cost (charged before the model call,
# refunded when it made no image).

data "aws_iam_policy_document" "assume_lambda" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  count              = local.lambda ? 1 : 0
  name               = "${local.name}-queue-worker"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "StoreAndFindQueueImages"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/generated_images/from_queue/*"]
  }

  statement {
    sid       = "KeepJobRecords"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/jobs/*"]
  }

  # What each image cost: charged before the model is called, taken back when it made no image.
  statement {
    sid       = "KeepSpend"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/spend/*"]
  }

  # Without s3:ListBucket, S3 answers a GET or HEAD of a missing key with 403 instead of 404: a
  # job sent by `pictor send` (which has no record yet) and every first delivery (no image yet)
  # would look like a permission failure. Names in this one bucket only; no object data.
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
    sid = "ConsumePromptQueue"
    actions = [
      "sqs:ReceiveMessage",
      "sqs:DeleteMessage",
      "sqs:SendMessage", # a job deferred for a fault of the system goes back as a delayed copy
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.prompts.arn]
  }
}

# The function's role: the worker's statements and its own log group.
data "aws_iam_policy_document" "lambda_worker" {
  count                   = local.lambda ? 1 : 0
  source_policy_documents = [data.aws_iam_policy_document.worker.json]

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "worker" {
  count  = local.lambda ? 1 : 0
  name   = "${local.name}-queue-worker"
  role   = aws_iam_role.worker[0].id
  policy = data.aws_iam_policy_document.lambda_worker[0].json
}

moved {
  from = aws_iam_role.worker
  to   = aws_iam_role.worker[0]
}

moved {
  from = aws_iam_role_policy.worker
  to   = aws_iam_role_policy.worker[0]
}
