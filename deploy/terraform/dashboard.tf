# One CloudWatch dashboard, <name>-<environment>: the queue (depth, age of the oldest prompt, the
# dead-letter queue), images per minute, generation latency p50/p99, errors, and the worker's
# compute, and spend. Every metric is an AWS service's or one `pictor lambda` writes as EMF
# (namespace local.pictor_namespace, dimension Handler: api or sqs;
# src/lambda/invocation_metrics.cc): Jobs, Failures, GenerationLatency, StorageLatency,
# SpendUsd. tests/unit/deploy/test_observability.py checks each name.
#
# Not in CloudWatch, so not here: with compute = "ecs", Pictor's own job counts, latencies and
# spend (the worker publishes no EMF: its /metrics feeds deploy/grafana/pictor.json). The
# finished jobs per minute of the ECS worker are the queue's deleted messages.

locals {
  dashboard_region = var.region
  queue_dims       = ["QueueName", aws_sqs_queue.prompts.name]
  dlq_dims         = ["QueueName", aws_sqs_queue.dead_letter.name]
  worker_fn_dims   = ["FunctionName", local.function_name]

  widgets_queue = [
    {
      type = "metric", x = 0, y = 0, width = 12, height = 6
      properties = {
        title  = "Prompts waiting, in flight and dead-lettered"
        region = local.dashboard_region
        view   = "timeSeries"
        stat   = "Maximum"
        period = 60
        metrics = [
          concat(["AWS/SQS", "ApproximateNumberOfMessagesVisible"], local.queue_dims, [{ label = "waiting" }]),
          concat(["AWS/SQS", "ApproximateNumberOfMessagesNotVisible"], local.queue_dims, [{ label = "in flight" }]),
          concat(["AWS/SQS", "ApproximateNumberOfMessagesVisible"], local.dlq_dims, [{ label = "dead-lettered" }]),
        ]
      }
    },
    {
      type = "metric", x = 12, y = 0, width = 12, height = 6
      properties = {
        title  = "Age of the oldest prompt (s)"
        region = local.dashboard_region
        view   = "timeSeries"
        stat   = "Maximum"
        period = 60
        metrics = [
          concat(["AWS/SQS", "ApproximateAgeOfOldestMessage"], local.queue_dims, [{ label = "oldest prompt" }]),
        ]
        annotations = { horizontal = [{ label = "alarm", value = var.alarm_age_threshold_seconds }] }
      }
    },
  ]

  # Images per minute: Pictor's Jobs - Failures of each handler (Lambda); the queue's deleted
  # messages count every finished queue job on either compute.
  widgets_throughput = [
    {
      type = "metric", x = 0, y = 6, width = 12, height = 6
      properties = {
        title  = "Images per minute"
        region = local.dashboard_region
        view   = "timeSeries"
        stat   = "Sum"
        period = 60
        metrics = [
          [local.pictor_namespace, "Jobs", "Handler", "sqs", { id = "sqs_jobs", visible = false }],
          [local.pictor_namespace, "Failures", "Handler", "sqs", { id = "sqs_failures", visible = false }],
          [local.pictor_namespace, "Jobs", "Handler", "api", { id = "api_jobs", visible = false }],
          [local.pictor_namespace, "Failures", "Handler", "api", { id = "api_failures", visible = false }],
          [{ expression = "FILL(sqs_jobs, 0) - FILL(sqs_failures, 0)", label = "images from the queue (Lambda)", id = "sqs_images" }],
          [{ expression = "FILL(api_jobs, 0) - FILL(api_failures, 0)", label = "images from the API (Lambda)", id = "api_images" }],
          concat(["AWS/SQS", "NumberOfMessagesDeleted"], local.queue_dims, [{ label = "queue jobs finished (any compute)" }]),
        ]
      }
    },
    {
      type = "metric", x = 12, y = 6, width = 12, height = 6
      properties = {
        title  = "Generation latency (ms)"
        region = local.dashboard_region
        view   = "timeSeries"
        period = 300
        metrics = [
          [local.pictor_namespace, "GenerationLatency", "Handler", "sqs", { stat = "p50", label = "p50 queue" }],
          [local.pictor_namespace, "GenerationLatency", "Handler", "sqs", { stat = "p99", label = "p99 queue" }],
          [local.pictor_namespace, "GenerationLatency", "Handler", "api", { stat = "p50", label = "p50 API" }],
          [local.pictor_namespace, "GenerationLatency", "Handler", "api", { stat = "p99", label = "p99 API" }],
          [local.pictor_namespace, "StorageLatency", "Handler", "sqs", { stat = "p99", label = "p99 store (queue)" }],
        ]
      }
    },
  ]

  widget_errors = {
    type = "metric", x = 0, y = 12, width = 12, height = 6
    properties = {
      title  = "Errors"
      region = local.dashboard_region
      view   = "timeSeries"
      stat   = "Sum"
      period = 60
      metrics = concat(
        [
          [local.pictor_namespace, "Failures", "Handler", "sqs", { label = "failed queue jobs" }],
          [local.pictor_namespace, "Failures", "Handler", "api", { label = "failed API jobs" }],
        ],
        local.lambda ? [
          concat(["AWS/Lambda", "Errors"], local.worker_fn_dims, [{ label = "worker invocation errors" }]),
          concat(["AWS/Lambda", "Throttles"], local.worker_fn_dims, [{ label = "worker throttles" }]),
        ] : [],
        var.api_gateway_id != "" ? [
          ["AWS/ApiGateway", "5xx", "ApiId", var.api_gateway_id, { label = "HTTP API 5xx" }],
          ["AWS/ApiGateway", "4xx", "ApiId", var.api_gateway_id, { label = "HTTP API 4xx" }],
        ] : [],
        local.serve ? [
          ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", aws_lb.serve[0].arn_suffix, { label = "API tasks 5xx" }],
          ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", aws_lb.serve[0].arn_suffix, { label = "load balancer 5xx" }],
        ] : [],
      )
    }
  }

  widgets_compute = concat(local.lambda ? [{
    type = "metric", x = 12, y = 12, width = 12, height = 6
    properties = {
      title  = "Worker function"
      region = local.dashboard_region
      view   = "timeSeries"
      period = 60
      metrics = [
        concat(["AWS/Lambda", "ConcurrentExecutions"], local.worker_fn_dims, [{ stat = "Maximum", label = "concurrent executions" }]),
        concat(["AWS/Lambda", "Duration"], local.worker_fn_dims, [{ stat = "p99", label = "duration p99 (ms)", yAxis = "right" }]),
      ]
    }
    }] : [], local.ecs ? [{
    type = "metric", x = 12, y = 12, width = 12, height = 6
    properties = {
      title  = "Worker tasks"
      region = local.dashboard_region
      view   = "timeSeries"
      period = 60
      metrics = [
        ["ECS/ContainerInsights", "RunningTaskCount", "ClusterName", local.ecs_cluster_name, "ServiceName", local.ecs_worker_name, { stat = "Average", label = "running tasks" }],
        ["ECS/ContainerInsights", "CpuUtilized", "ClusterName", local.ecs_cluster_name, "ServiceName", local.ecs_worker_name, { stat = "Average", label = "CPU units used", yAxis = "right" }],
      ]
      annotations = { horizontal = [{ label = "ecs_max_tasks", value = var.ecs_max_tasks }] }
    }
  }] : [])

  # The list price of the images the Lambda functions made (SpendUsd, per invocation), the same
  # price the pipeline charges against budgets; the ECS worker's is on /metrics only.
  widget_spend = {
    type = "metric", x = 0, y = 18, width = 24, height = 6
    properties = {
      title  = "Spend (list price, US dollars per hour)"
      region = local.dashboard_region
      view   = "timeSeries"
      stat   = "Sum"
      period = 3600
      metrics = [
        [local.pictor_namespace, "SpendUsd", "Handler", "sqs", { label = "images from the queue (Lambda)" }],
        [local.pictor_namespace, "SpendUsd", "Handler", "api", { label = "images from the API (Lambda)" }],
      ]
    }
  }

  dashboard_widgets = concat(local.widgets_queue, local.widgets_throughput, [local.widget_errors], local.widgets_compute, [local.widget_spend])
}

resource "aws_cloudwatch_dashboard" "pictor" {
  dashboard_name = local.name
  dashboard_body = jsonencode({ widgets = local.dashboard_widgets })
}
