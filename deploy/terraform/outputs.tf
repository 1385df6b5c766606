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
