# The operations view (alarm.tf, dashboard.tf, codedeploy.tf) applied against the mock provider:
# which alarms each compute gets, that every alarm pages and clears on the one topic, the
# dashboard's contents, and the worker's gradual deploy with its rollback.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  bucket_name     = "pictor-images"
  key_prefix      = "cand"
  alert_email     = "ops@example.com"
  lambda_zip_path = "tests/empty.zip"
  environment     = "prod"
}

run "lambda_alarms_dashboard_and_canary" {
  command = apply

  variables {
    api_gateway_id = "a1b2c3d4e5"
  }

  assert {
    condition     = toset(keys(output.alarm_names)) == toset(["oldest_prompt_age", "dead_letters", "worker_errors", "worker_throttles", "job_failure_rate", "api_5xx_rate"])
    error_message = "compute = lambda with an API id: the queue, function, Failures and API 5xx alarms (and no ECS alarm)."
  }
  assert {
    condition = alltrue([for a in [
      aws_cloudwatch_metric_alarm.oldest_message_age, aws_cloudwatch_metric_alarm.dead_letters,
      aws_cloudwatch_metric_alarm.worker_errors[0], aws_cloudwatch_metric_alarm.worker_throttles[0],
      aws_cloudwatch_metric_alarm.job_failure_rate[0], aws_cloudwatch_metric_alarm.api_5xx_rate[0],
    ] : a.alarm_actions == toset([aws_sns_topic.alerts.arn]) && a.ok_actions == toset([aws_sns_topic.alerts.arn])])
    error_message = "Every alarm notifies the alert topic when it fires and when it clears."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.dead_letters.dimensions.QueueName == "pictor-prod-prompts-dlq" && aws_cloudwatch_metric_alarm.dead_letters.threshold == 0
    error_message = "The dead-letter alarm fires on the first message of the dead-letter queue."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.worker_errors[0].dimensions.FunctionName == aws_lambda_function.worker[0].function_name && aws_cloudwatch_metric_alarm.worker_throttles[0].metric_name == "Throttles"
    error_message = "The errors and throttles alarms watch the worker function."
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.job_failure_rate[0].metric_query : q.metric[0].metric_name if q.id == "failures"]) == "Failures" && one([for q in aws_cloudwatch_metric_alarm.job_failure_rate[0].metric_query : q.metric[0].namespace if q.id == "failures"]) == "Pictor/pictor-prod"
    error_message = "The failure-rate alarm reads Pictor's Failures metric, in prod's own namespace."
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.api_5xx_rate[0].metric_query : q.metric[0].dimensions.ApiId if q.id == "errors"]) == "a1b2c3d4e5"
    error_message = "The API 5xx alarm watches the given HTTP API."
  }

  # Gradual deploys: the mapping invokes the alias, which CodeDeploy moves and rolls back.
  assert {
    condition     = aws_lambda_function.worker[0].publish && aws_lambda_alias.live[0].name == "live" && aws_lambda_event_source_mapping.prompts[0].function_name == aws_lambda_alias.live[0].arn
    error_message = "The function publishes versions and the event source mapping invokes the alias live."
  }
  assert {
    condition     = aws_codedeploy_app.worker[0].compute_platform == "Lambda" && aws_codedeploy_deployment_group.worker[0].deployment_config_name == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    error_message = "A Lambda CodeDeploy application with a canary deployment group."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.worker[0].auto_rollback_configuration[0].enabled && aws_codedeploy_deployment_group.worker[0].auto_rollback_configuration[0].events == toset(["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"])
    error_message = "The deployment rolls back on failure and on the alarm."
  }
  assert {
    condition     = aws_codedeploy_deployment_group.worker[0].alarm_configuration[0].enabled && aws_codedeploy_deployment_group.worker[0].alarm_configuration[0].alarms == toset([aws_cloudwatch_metric_alarm.worker_errors[0].alarm_name])
    error_message = "The deployment watches the worker's errors alarm."
  }

  # The dashboard: queue depth and age, images per minute, generation latency p50/p99, errors.
  assert {
    condition     = length(regexall("ApproximateAgeOfOldestMessage", aws_cloudwatch_dashboard.pictor.dashboard_body)) == 1 && length(regexall("\"GenerationLatency\"", aws_cloudwatch_dashboard.pictor.dashboard_body)) == 4
    error_message = "The dashboard shows the age of the oldest prompt and the generation latency."
  }
  assert {
    condition     = toset([for w in jsondecode(aws_cloudwatch_dashboard.pictor.dashboard_body).widgets : try(w.properties.title, "text")]) == toset(["Prompts waiting, in flight and dead-lettered", "Age of the oldest prompt (s)", "Images per minute", "Generation latency (ms)", "Errors", "Worker function", "Spend (list price, US dollars per hour)"])
    error_message = "The dashboard's widgets for compute = lambda."
  }
  assert {
    condition     = length(regexall("\"SpendUsd\"", aws_cloudwatch_dashboard.pictor.dashboard_body)) == 2 && length(regexall("Pictor/pictor-prod", aws_cloudwatch_dashboard.pictor.dashboard_body)) > 0
    error_message = "The dashboard shows the Lambda functions' spend, from prod's own namespace."
  }
  assert {
    condition     = length(regexall("\"p99\"", aws_cloudwatch_dashboard.pictor.dashboard_body)) >= 2 && length(regexall("\"p50\"", aws_cloudwatch_dashboard.pictor.dashboard_body)) >= 2
    error_message = "Generation latency is shown as p50 and p99."
  }
}

run "ecs_alarms_and_dashboard" {
  command = apply

  variables {
    compute                = "ecs"
    image_tag              = "v1.2.3"
    ecs_subnet_ids         = ["subnet-a", "subnet-b"]
    ecs_security_group_ids = ["sg-tasks"]
    ecs_serve              = true
    vpc_id                 = "vpc-1"
    alb_subnet_ids         = ["subnet-c", "subnet-d"]
    alb_security_group_ids = ["sg-alb"]
  }

  assert {
    condition     = toset(keys(output.alarm_names)) == toset(["oldest_prompt_age", "dead_letters", "alb_5xx_rate", "worker_saturated"])
    error_message = "compute = ecs with the API: the queue alarms, the load balancer's 5xx rate and saturation; no function alarm."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.alb_5xx_rate[0].ok_actions == toset([aws_sns_topic.alerts.arn]) && aws_cloudwatch_metric_alarm.worker_saturated[0].ok_actions == toset([aws_sns_topic.alerts.arn])
    error_message = "The ECS alarms clear on the alert topic."
  }
  assert {
    condition     = one([for q in aws_cloudwatch_metric_alarm.alb_5xx_rate[0].metric_query : q.metric[0].dimensions.LoadBalancer if q.id == "requests"]) == aws_lb.serve[0].arn_suffix
    error_message = "The 5xx alarm watches the API's load balancer."
  }
  assert {
    condition     = length(aws_codedeploy_app.worker) == 0 && length(aws_lambda_alias.live) == 0
    error_message = "compute = ecs has no function to deploy gradually (the services roll back with their circuit breaker)."
  }
  assert {
    condition     = length(regexall("RunningTaskCount", aws_cloudwatch_dashboard.pictor.dashboard_body)) == 1 && length(regexall("AWS/Lambda", aws_cloudwatch_dashboard.pictor.dashboard_body)) == 0
    error_message = "compute = ecs: the dashboard shows the worker tasks, not a function."
  }
}
