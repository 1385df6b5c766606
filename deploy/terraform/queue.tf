# The prompt queue and its dead-letter queue. A message that fails max_receive_count times moves
# to the dead-letter queue instead of being retried for ever or lost. The visibility timeout is
# six times the function timeout, AWS's guidance for queues behind an event source mapping, so a
# batch still running is never handed to a second instance.

locals {
  queue_visibility_timeout_seconds = 6 * var.function_timeout_seconds
}

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${local.name}-prompts-dlq"
  message_retention_seconds = var.dlq_message_retention_seconds
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "prompts" {
  name                       = "${local.name}-prompts"
  visibility_timeout_seconds = local.queue_visibility_timeout_seconds
  message_retention_seconds  = var.message_retention_seconds
  receive_wait_time_seconds  = 20
  sqs_managed_sse_enabled    = true

  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })

  lifecycle {
    precondition {
      condition     = local.queue_visibility_timeout_seconds >= 6 * var.function_timeout_seconds
      error_message = "The queue's visibility timeout must be at least six times the function timeout."
    }
  }
}

# Only the prompt queue may use the dead-letter queue as its target.
resource "aws_sqs_queue_redrive_allow_policy" "dead_letter" {
  queue_url = aws_sqs_queue.dead_letter.id

  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.prompts.arn]
  })
}
