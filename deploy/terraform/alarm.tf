# What the on-call person is told, all to one SNS topic with an email subscription, each alarm
# with ok_actions to the same topic (the all-clear arrives where the page did). docs/DEPLOY.md,
# "Operations", says what each means and what to do first.
#   oldest-prompt-age        prompts wait longer than alarm_age_threshold_seconds
#   dead-lettered-prompts    any message in the dead-letter queue
#   queue-worker-errors      the worker function failed invocations (crash, timeout, init error);
#                            also the alarm CodeDeploy rolls a canary back on (codedeploy.tf)
#   queue-worker-throttles   Lambda refused to run the worker (concurrency exhausted)
#   job-failure-rate         Pictor's own Failures / Jobs (namespace local.pictor_namespace, Handler sqs)
#   api-5xx-rate             the HTTP API (api_gateway_id) answers 5xx too often
#   alb-5xx-rate             the ECS API's load balancer (ecs_serve) answers 5xx too often
#   worker-saturated         compute = "ecs": at ecs_max_tasks and still behind (ecs.tf)
# Dimensions are the resources' own names, never typed by hand.

locals {
  # The namespace of the metrics `pictor lambda` writes as EMF (src/lambda/invocation_metrics.cc,
  # PICTOR_METRICS_NAMESPACE): an environment's own, so dev's jobs never count in prod's alarms;
  # without an environment the one deployments made before environments existed write to.
  pictor_namespace = var.environment == "" ? "Pictor" : "Pictor/${local.name}"
}

resource "aws_sns_topic" "alerts" {
  name = "${local.name}-alerts"
}

resource "aws_sns_topic_subscription" "alert_email" {
  topic_arn = aws_sns_topic.alerts.arn
  protocol  = "email"
  endpoint  = var.alert_email
}

resource "aws_cloudwatch_metric_alarm" "oldest_message_age" {
  alarm_name          = "${local.name}-oldest-prompt-age"
  alarm_description   = "The oldest prompt in ${aws_sqs_queue.prompts.name} has waited longer than ${var.alarm_age_threshold_seconds} s."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateAgeOfOldestMessage"
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = var.alarm_evaluation_periods
  threshold           = var.alarm_age_threshold_seconds
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  dimensions = {
    QueueName = aws_sqs_queue.prompts.name
  }
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${local.name}-dead-lettered-prompts"
  alarm_description   = "Prompts have reached the dead-letter queue ${aws_sqs_queue.dead_letter.name}."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  statistic           = "Maximum"
  period              = var.alarm_period_seconds
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  dimensions = {
    QueueName = aws_sqs_queue.dead_letter.name
  }
}

# --- the worker function (compute = "lambda") ------------------------------------------------

# Invocations that failed as a whole: a crash, a timeout, an init error. A job that fails is not
# one (its record goes back to the queue through batchItemFailures and counts in Failures below),
# so any error is worth a look, and it is what a canary of a new version is judged by.
resource "aws_cloudwatch_metric_alarm" "worker_errors" {
  count               = local.lambda ? 1 : 0
  alarm_name          = "${local.name}-queue-worker-errors"
  alarm_description   = "The function ${local.function_name} failed invocations (crash, timeout or init error); CodeDeploy rolls a canary back on it."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = var.function_errors_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  dimensions = {
    FunctionName = local.function_name
  }
}

resource "aws_cloudwatch_metric_alarm" "worker_throttles" {
  count               = local.lambda ? 1 : 0
  alarm_name          = "${local.name}-queue-worker-throttles"
  alarm_description   = "Lambda throttled ${local.function_name} in 3 of the last 5 minutes: the account's or the function's concurrency is exhausted."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  dimensions = {
    FunctionName = local.function_name
  }
}

# Pictor's own metrics (src/lambda/invocation_metrics.cc: an EMF line per invocation, namespace
# Pictor, dimension Handler = api | sqs): the share of the queue's jobs that failed. The ECS
# worker publishes no EMF; its failures show in the dead-letter alarm and in /metrics.
resource "aws_cloudwatch_metric_alarm" "job_failure_rate" {
  count               = local.lambda ? 1 : 0
  alarm_name          = "${local.name}-job-failure-rate"
  alarm_description   = "More than ${var.error_rate_threshold * 100} % of the queue's jobs failed (Pictor Failures / Jobs, Handler sqs) in 3 of the last 5 periods of 5 minutes."
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.error_rate_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  metric_query {
    id          = "failures"
    return_data = false
    metric {
      namespace   = local.pictor_namespace
      metric_name = "Failures"
      period      = 300
      stat        = "Sum"
      dimensions  = { Handler = "sqs" }
    }
  }

  metric_query {
    id          = "jobs"
    return_data = false
    metric {
      namespace   = local.pictor_namespace
      metric_name = "Jobs"
      period      = 300
      stat        = "Sum"
      dimensions  = { Handler = "sqs" }
    }
  }

  metric_query {
    id          = "failure_rate"
    label       = "Share of the queue's jobs that failed"
    expression  = "IF(FILL(jobs, 0) > 0, FILL(failures, 0) / jobs, 0)"
    return_data = true
  }
}

# --- the APIs' 5xx rate ----------------------------------------------------------------------

# The SAM stack's HTTP API (its id given as api_gateway_id): 5xx answers over all requests.
resource "aws_cloudwatch_metric_alarm" "api_5xx_rate" {
  count               = var.api_gateway_id != "" ? 1 : 0
  alarm_name          = "${local.name}-api-5xx-rate"
  alarm_description   = "The HTTP API ${var.api_gateway_id} answered more than ${var.error_rate_threshold * 100} % of its requests with 5xx in 3 of the last 5 minutes."
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.error_rate_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  metric_query {
    id          = "errors"
    return_data = false
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "5xx"
      period      = 60
      stat        = "Sum"
      dimensions  = { ApiId = var.api_gateway_id }
    }
  }

  metric_query {
    id          = "requests"
    return_data = false
    metric {
      namespace   = "AWS/ApiGateway"
      metric_name = "Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { ApiId = var.api_gateway_id }
    }
  }

  metric_query {
    id          = "error_rate"
    label       = "Share of requests answered 5xx"
    expression  = "IF(FILL(requests, 0) > 0, FILL(errors, 0) / requests, 0)"
    return_data = true
  }
}

# compute = "ecs" with ecs_serve: the load balancer's and the tasks' 5xx over all requests.
resource "aws_cloudwatch_metric_alarm" "alb_5xx_rate" {
  count               = local.serve ? 1 : 0
  alarm_name          = "${local.name}-alb-5xx-rate"
  alarm_description   = "The API's load balancer answered more than ${var.error_rate_threshold * 100} % of its requests with 5xx (its own or the tasks') in 3 of the last 5 minutes."
  evaluation_periods  = 5
  datapoints_to_alarm = 3
  threshold           = var.error_rate_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  metric_query {
    id          = "target_errors"
    return_data = false
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.serve[0].arn_suffix }
    }
  }

  metric_query {
    id          = "lb_errors"
    return_data = false
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_ELB_5XX_Count"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.serve[0].arn_suffix }
    }
  }

  metric_query {
    id          = "requests"
    return_data = false
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      period      = 60
      stat        = "Sum"
      dimensions  = { LoadBalancer = aws_lb.serve[0].arn_suffix }
    }
  }

  metric_query {
    id          = "error_rate"
    label       = "Share of requests answered 5xx"
    expression  = "IF(FILL(requests, 0) > 0, (FILL(target_errors, 0) + FILL(lb_errors, 0)) / requests, 0)"
    return_data = true
  }
}
