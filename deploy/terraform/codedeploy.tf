# Gradual deploys of the worker function (compute = "lambda"): Terraform publishes each new
# version (function.tf, publish = true) and leaves the alias `live` where it is; the apply job
# then starts a CodeDeploy deployment from the alias's version to the new one (shift-traffic.sh),
# which sends deployment_config's share of the invocations to the new version (a canary of 10 %
# for 5 minutes by default) and the rest after it. When the errors alarm fires meanwhile, or the
# deployment fails or is stopped, CodeDeploy moves the alias back to the old version.

resource "aws_codedeploy_app" "worker" {
  count            = local.lambda ? 1 : 0
  name             = "${local.name}-queue-worker"
  compute_platform = "Lambda"
}

resource "aws_codedeploy_deployment_group" "worker" {
  count                  = local.lambda ? 1 : 0
  app_name               = aws_codedeploy_app.worker[0].name
  deployment_group_name  = "${local.name}-queue-worker"
  service_role_arn       = aws_iam_role.codedeploy[0].arn
  deployment_config_name = var.deployment_config

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }

  alarm_configuration {
    enabled = true
    alarms  = [aws_cloudwatch_metric_alarm.worker_errors[0].alarm_name]
  }
}

data "aws_iam_policy_document" "assume_codedeploy" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  count              = local.lambda ? 1 : 0
  name               = "${local.name}-codedeploy"
  assume_role_policy = data.aws_iam_policy_document.assume_codedeploy.json
}

# What AWSCodeDeployRoleForLambdaLimited grants, on this function and its alarm alone.
data "aws_iam_policy_document" "codedeploy" {
  count = local.lambda ? 1 : 0

  statement {
    sid       = "ShiftTheAlias"
    actions   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetProvisionedConcurrencyConfig"]
    resources = ["${aws_lambda_function.worker[0].arn}:*"]
  }

  statement {
    sid       = "WatchTheErrorsAlarm"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = [aws_cloudwatch_metric_alarm.worker_errors[0].arn]
  }
}

resource "aws_iam_role_policy" "codedeploy" {
  count  = local.lambda ? 1 : 0
  name   = "${local.name}-codedeploy"
  role   = aws_iam_role.codedeploy[0].id
  policy = data.aws_iam_policy_document.codedeploy[0].json
}
