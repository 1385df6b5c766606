output "queue_url" {
  description = "URL of the prompt queue (SQS_QUEUE_URL for `pictor send` and the API's POST /jobs)."
  value       = aws_sqs_queue.prompts.url
}

output "queue_name" {
  description = "Name of the prompt queue (the SAM template's QueueName parameter)."
  value       = aws_sqs_queue.prompts.name
}

output "dead_letter_queue_url" {
  description = "URL of the dead-letter queue."
  value       = aws_sqs_queue.dead_letter.url
}

output "function_name" {
  description = "Name of the queue worker function (null with compute = \"ecs\")."
  value       = one(aws_lambda_function.worker[*].function_name)
}

output "metrics_namespace" {
  description = "CloudWatch namespace of the metrics `pictor lambda` writes (the SAM template's MetricsNamespace parameter, so the API's series sit beside the worker's)."
  value       = local.pictor_namespace
}

output "alarm_arn" {
  description = "ARN of the alarm on the age of the oldest prompt."
  value       = aws_cloudwatch_metric_alarm.oldest_message_age.arn
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.alerts.arn
}

output "ecr_repository_url" {
  description = "compute = ecs: the repository the image is pushed to (docker.yml's ECR_REPOSITORY); null otherwise."
  value       = one(aws_ecr_repository.pictor[*].repository_url)
}

output "ecs_cluster_name" {
  description = "compute = ecs: the cluster of the worker (and API) services; null otherwise."
  value       = one(aws_ecs_cluster.pictor[*].name)
}

output "ecs_worker_service_name" {
  description = "compute = ecs: the worker service; null otherwise."
  value       = one(aws_ecs_service.worker[*].name)
}

output "api_url" {
  description = "compute = ecs with ecs_serve: the load balancer's URL of `pictor serve`; null otherwise."
  value       = local.serve ? "${local.ecs_https ? "https" : "http"}://${aws_lb.serve[0].dns_name}/" : null
}

output "kubernetes_role_arns" {
  description = "kubernetes_roles: the roles of the pictor-serve and pictor-worker service accounts and of KEDA's operator (eks.amazonaws.com/role-arn, or a pod identity association); empty otherwise."
  value       = { for k, role in aws_iam_role.k8s : k => role.arn }
}

output "environment" {
  description = "The environment of this state (envs/<environment>.tfvars); empty for a deployment without one."
  value       = var.environment
}

output "name_prefix" {
  description = "What every resource name starts with: <name>-<environment>."
  value       = local.name
}

output "alarm_names" {
  description = "Every alarm that notifies alert_topic_arn (alarm and OK), by role."
  value = { for k, v in {
    oldest_prompt_age = aws_cloudwatch_metric_alarm.oldest_message_age.alarm_name
    dead_letters      = aws_cloudwatch_metric_alarm.dead_letters.alarm_name
    worker_errors     = one(aws_cloudwatch_metric_alarm.worker_errors[*].alarm_name)
    worker_throttles  = one(aws_cloudwatch_metric_alarm.worker_throttles[*].alarm_name)
    job_failure_rate  = one(aws_cloudwatch_metric_alarm.job_failure_rate[*].alarm_name)
    api_5xx_rate      = one(aws_cloudwatch_metric_alarm.api_5xx_rate[*].alarm_name)
    alb_5xx_rate      = one(aws_cloudwatch_metric_alarm.alb_5xx_rate[*].alarm_name)
    worker_saturated  = one(aws_cloudwatch_metric_alarm.worker_saturated[*].alarm_name)
  } : k => v if v != null }
}

output "dashboard_name" {
  description = "The CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.pictor.dashboard_name
}

output "function_alias" {
  description = "compute = lambda: the alias the event source mapping invokes (shift-traffic.sh moves it); null otherwise."
  value       = one(aws_lambda_alias.live[*].name)
}

output "function_version" {
  description = "compute = lambda: the version this apply published, which shift-traffic.sh deploys to the alias; null otherwise."
  value       = one(aws_lambda_function.worker[*].version)
}

output "codedeploy_application" {
  description = "compute = lambda: the CodeDeploy application of the worker's gradual deploys; null otherwise."
  value       = one(aws_codedeploy_app.worker[*].name)
}

output "codedeploy_deployment_group" {
  description = "compute = lambda: its deployment group (canary, rollback on the errors alarm); null otherwise."
  value       = one(aws_codedeploy_deployment_group.worker[*].deployment_group_name)
}
