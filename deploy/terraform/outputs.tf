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
  description = "Name of the queue worker function."
  value       = aws_lambda_function.worker.function_name
}

output "alarm_arn" {
  description = "ARN of the alarm on the age of the oldest prompt."
  value       = aws_cloudwatch_metric_alarm.oldest_message_age.arn
}

output "alert_topic_arn" {
  description = "ARN of the SNS topic the alarms notify."
  value       = aws_sns_topic.alerts.arn
}
