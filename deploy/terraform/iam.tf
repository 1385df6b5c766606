# Least privilege for the queue worker: it may write objects only under the key prefix, read
# only the job records under <prefix>/jobs/, invoke only the configured model, use only this
# queue (the event source mapping polls with the function's role) and write only to its own log
# group.

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
  name               = "${var.name}-queue-worker"
  assume_role_policy = data.aws_iam_policy_document.assume_lambda.json
}

data "aws_iam_policy_document" "worker" {
  statement {
    sid       = "StoreImagesUnderPrefix"
    actions   = ["s3:PutObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/*"]
  }

  # Job records (PICTOR_JOBS=store): the worker reads a job's record before it updates it.
  statement {
    sid       = "ReadJobRecords"
    actions   = ["s3:GetObject"]
    resources = ["arn:${data.aws_partition.current.partition}:s3:::${var.bucket_name}/${var.key_prefix}/jobs/*"]
  }

  # Without s3:ListBucket, S3 answers a GET of a missing key with 403 instead of 404, and a job
  # sent by `pictor send` (which has no record yet) would look like a permission failure. Names
  # in this one bucket only; no object data.
  statement {
    sid       = "TellMissingJobRecords"
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
      "sqs:ChangeMessageVisibility",
      "sqs:GetQueueAttributes",
    ]
    resources = [aws_sqs_queue.prompts.arn]
  }

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }
}

resource "aws_iam_role_policy" "worker" {
  name   = "${var.name}-queue-worker"
  role   = aws_iam_role.worker.id
  policy = data.aws_iam_policy_document.worker.json
}
