# dev and prod from the same module: each environment's variable file (envs/*.tfvars, given here
# as the same values) gives names that cannot collide, and the alarms, the dashboard and the
# gradual deploy exist in each. Applied against the mock provider (no account, no network).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name            = "pictor"
  bucket_name     = "pictor-images"
  alert_email     = "ops@example.com"
  lambda_zip_path = "tests/empty.zip"
}

run "dev" {
  command = apply

  variables {
    environment       = "dev"
    key_prefix        = "cand/dev"
    deployment_config = "CodeDeployDefault.LambdaAllAtOnce"
  }

  assert {
    condition     = output.name_prefix == "pictor-dev" && aws_sqs_queue.prompts.name == "pictor-dev-prompts" && output.function_name == "pictor-dev-queue-worker"
    error_message = "dev's names must start with pictor-dev."
  }
  assert {
    condition     = aws_cloudwatch_dashboard.pictor.dashboard_name == "pictor-dev"
    error_message = "dev's dashboard is pictor-dev."
  }
  assert {
    condition     = output.metrics_namespace == "Pictor/pictor-dev" && aws_lambda_function.worker[0].environment[0].variables["PICTOR_METRICS_NAMESPACE"] == "Pictor/pictor-dev"
    error_message = "dev's function writes its metrics to its own namespace, Pictor/pictor-dev."
  }
}

run "prod" {
  command = apply

  variables {
    environment = "prod"
    key_prefix  = "cand"
  }

  assert {
    condition     = output.name_prefix == "pictor-prod" && aws_sqs_queue.prompts.name == "pictor-prod-prompts"
    error_message = "prod's names must start with pictor-prod."
  }
  assert {
    condition     = aws_sns_topic.alerts.name == "pictor-prod-alerts" && run.dev.name_prefix != output.name_prefix
    error_message = "prod's alarm topic is pictor-prod-alerts."
  }

  # Every name of dev differs from prod's: queues, function, topic, alarms, dashboard, roles.
  assert {
    condition     = run.dev.queue_name != output.queue_name && run.dev.function_name != output.function_name && run.dev.dashboard_name != output.dashboard_name && run.dev.codedeploy_application != output.codedeploy_application
    error_message = "dev and prod must not share the queue, the function, the dashboard or the CodeDeploy application."
  }
  assert {
    condition     = run.dev.metrics_namespace != output.metrics_namespace && alltrue(flatten([for q in aws_cloudwatch_metric_alarm.job_failure_rate[0].metric_query : [for m in q.metric : m.namespace == "Pictor/pictor-prod"]]))
    error_message = "prod's failure alarm must read prod's own metrics, never dev's."
  }
  assert {
    condition     = length(setintersection(toset(values(run.dev.alarm_names)), toset(values(output.alarm_names)))) == 0
    error_message = "dev and prod must not share an alarm name."
  }
  assert {
    condition     = alltrue([for n in values(output.alarm_names) : startswith(n, "pictor-prod-")])
    error_message = "Every alarm of prod is named pictor-prod-*."
  }
  assert {
    condition     = aws_iam_role.worker[0].name == "pictor-prod-queue-worker" && aws_iam_role.codedeploy[0].name == "pictor-prod-codedeploy"
    error_message = "prod's roles are named pictor-prod-*."
  }
}

run "no_environment_keeps_the_old_names" {
  command = plan

  variables {
    key_prefix = "cand"
  }

  assert {
    condition     = aws_sqs_queue.prompts.name == "pictor-prompts" && aws_lambda_function.worker[0].function_name == "pictor-queue-worker"
    error_message = "Without an environment the names are those of the deployments made before environments existed."
  }
  assert {
    condition     = output.metrics_namespace == "Pictor"
    error_message = "Without an environment the metrics stay in the namespace Pictor."
  }
}

run "an_unknown_environment_is_refused" {
  command = plan

  variables {
    key_prefix  = "cand"
    environment = "production"
  }

  expect_failures = [var.environment]
}
