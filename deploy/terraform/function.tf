# The queue worker: `pictor lambda` on the provided.al2023 custom runtime, from the zip that
# `make lambda-package` builds, fed by an event source mapping that reports partial batch
# failures so only the failed records return to the queue. Created when compute = "lambda";
# with compute = "ecs" the worker is the Fargate service of ecs.tf instead.

locals {
  lambda        = var.compute == "lambda"
  function_name = "${local.name}-queue-worker"

  # Settings the worker reads from its environment (the README's names): the function's, and
  # the ECS worker task's (ecs.tf), so both paths run the same configuration.
  function_environment = merge(var.extra_environment, {
    PICTOR_MODEL          = "bedrock:${var.model_id}"
    PICTOR_BEDROCK_REGION = var.bedrock_region
    BUCKET_NAME           = var.bucket_name
    KEY_PREFIX            = var.key_prefix
    PICTOR_JOBS           = "store" # job records beside the images, read by the API's GET /jobs/{id}
    # The event source itself: a job deferred for a fault of the system (a full or throttled
    # store, a throttled model) is sent back to it with a delay instead of using up a receive.
    SQS_QUEUE_URL    = aws_sqs_queue.prompts.url
    PICTOR_LOG_LEVEL = var.log_level
  })
}

resource "aws_cloudwatch_log_group" "function" {
  count             = local.lambda ? 1 : 0
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "worker" {
  count            = local.lambda ? 1 : 0
  function_name    = local.function_name
  role             = aws_iam_role.worker[0].arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = [var.architecture]
  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  # Each change of code or configuration is a new version; the alias `live` moves to it
  # gradually through CodeDeploy (codedeploy.tf), never by Terraform.
  publish     = true
  timeout     = var.function_timeout_seconds
  memory_size = var.memory_mb

  environment {
    # The EMF metrics' namespace is the function's alone (the ECS worker writes none).
    variables = merge(local.function_environment, { PICTOR_METRICS_NAMESPACE = local.pictor_namespace })
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.function[0].name
  }

  depends_on = [aws_iam_role_policy.worker, aws_cloudwatch_log_group.function]
}

# The version that receives the queue's batches. Created on the first published version; later
# versions reach it through a CodeDeploy deployment (deploy/terraform/shift-traffic.sh after an
# apply): a canary share of the batches first, all of them once the errors alarm stayed quiet,
# and back to the old version when it fired.
resource "aws_lambda_alias" "live" {
  count            = local.lambda ? 1 : 0
  name             = local.live_alias
  function_name    = aws_lambda_function.worker[0].function_name
  function_version = aws_lambda_function.worker[0].version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}

locals {
  live_alias = "live"
}

# The mapping invokes the alias, so the alias's weights split the batches between the versions.
resource "aws_lambda_event_source_mapping" "prompts" {
  count                              = local.lambda ? 1 : 0
  event_source_arn                   = aws_sqs_queue.prompts.arn
  function_name                      = aws_lambda_alias.live[0].arn
  batch_size                         = var.batch_size
  maximum_batching_window_in_seconds = var.batching_window_seconds
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.maximum_concurrency
  }

  lifecycle {
    precondition {
      condition     = var.batch_size <= 10 || var.batching_window_seconds >= 1
      error_message = "A batch_size above 10 needs batching_window_seconds of at least 1."
    }
  }
}

# Deployments made before `compute` existed keep their function: the resources only gained an
# index.
moved {
  from = aws_cloudwatch_log_group.function
  to   = aws_cloudwatch_log_group.function[0]
}

moved {
  from = aws_lambda_function.worker
  to   = aws_lambda_function.worker[0]
}

moved {
  from = aws_lambda_event_source_mapping.prompts
  to   = aws_lambda_event_source_mapping.prompts[0]
}
