# compute = "ecs": the queue worker as a Fargate service instead of the Lambda function. The image
# comes from this module's ECR repository (pushed by docker.yml); the service's desired count
# follows the queue's backlog per task; optionally `pictor serve` runs behind an ALB.
#
# Stopping a task: ECS sends SIGTERM, and `pictor worker` then stops receiving, hands back the
# messages it has not started and finishes the jobs in flight (src/core/worker.h). stopTimeout is
# Fargate's maximum, 120 s: at least one whole model call (the Bedrock adapter gives up after
# 90 s, the OpenAI-compatible one after 120 s). A job still running when SIGKILL follows (a call
# retried after a timeout) is not lost: its message was not deleted, so it is received again
# after its visibility timeout and writes the same image key (docs/DEPLOY.md).

locals {
  ecs   = var.compute == "ecs"
  serve = local.ecs && var.ecs_serve

  ecs_image        = try("${aws_ecr_repository.pictor[0].repository_url}:${var.image_tag}", "")
  ecs_cluster_name = "${local.name}-cluster"
  ecs_worker_name  = "${local.name}-worker"
  ecs_serve_name   = "${local.name}-serve"
  ecs_stop_timeout = 120 # seconds: Fargate's maximum stopTimeout
  ecs_backlog_goal = coalesce(var.ecs_backlog_per_task, var.ecs_worker_concurrency)
  ecs_min_capacity = var.ecs_scale_to_zero ? 0 : var.ecs_min_tasks
  ecs_cpu_arch     = var.architecture == "arm64" ? "ARM64" : "X86_64"
  ecs_serve_port   = 8080
  ecs_https        = var.alb_certificate_arn != ""

  # The Lambda worker's environment, plus what Lambda sets by itself; JSON log lines (with job,
  # message and request ids) as the Lambda runtime writes them, for CloudWatch Logs Insights.
  ecs_worker_environment = merge(local.function_environment, {
    AWS_REGION        = var.region
    PICTOR_LOG_FORMAT = "json"
  })
  # The API: the same store, queue, job records and model; keys checked from the bucket.
  ecs_serve_environment = merge(local.function_environment, {
    AWS_REGION        = var.region
    PICTOR_LISTEN     = "0.0.0.0:${local.ecs_serve_port}"
    PICTOR_AUTH       = "keys"
    PICTOR_LOG_FORMAT = "json"
  })

  ecs_log_options = {
    "awslogs-group"         = try(aws_cloudwatch_log_group.ecs[0].name, "")
    "awslogs-region"        = var.region
    "awslogs-create-group"  = "false"
    "awslogs-stream-prefix" = "pictor"
  }
}

# --- image repository ------------------------------------------------------------------------

resource "aws_ecr_repository" "pictor" {
  count                = local.ecs ? 1 : 0
  name                 = local.name
  image_tag_mutability = "IMMUTABLE" # a tag is one build: a task never runs a changed image

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "AES256"
  }
}

resource "aws_ecr_lifecycle_policy" "pictor" {
  count      = local.ecs ? 1 : 0
  repository = aws_ecr_repository.pictor[0].name

  policy = jsonencode({
    rules = [
      {
        rulePriority = 1
        description  = "Untagged layers of interrupted pushes expire after a day"
        selection = {
          tagStatus   = "untagged"
          countType   = "sinceImagePushed"
          countUnit   = "days"
          countNumber = 1
        }
        action = { type = "expire" }
      },
      {
        rulePriority = 2
        description  = "Keep the newest ${var.ecr_keep_images} images"
        selection = {
          tagStatus   = "any"
          countType   = "imageCountMoreThan"
          countNumber = var.ecr_keep_images
        }
        action = { type = "expire" }
      },
    ]
  })
}

# --- cluster and logs --------------------------------------------------------------------------

resource "aws_ecs_cluster" "pictor" {
  count = local.ecs ? 1 : 0
  name  = local.ecs_cluster_name

  # RunningTaskCount (ECS/ContainerInsights), the divisor of the scaling metric.
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

resource "aws_cloudwatch_log_group" "ecs" {
  count             = local.ecs ? 1 : 0
  name              = "/ecs/${local.name}"
  retention_in_days = var.log_retention_days
}

# --- the worker service --------------------------------------------------------------------------

resource "aws_ecs_task_definition" "worker" {
  count                    = local.ecs ? 1 : 0
  family                   = local.ecs_worker_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.ecs_cpu
  memory                   = var.ecs_memory_mb
  execution_role_arn       = aws_iam_role.ecs_execution[0].arn
  task_role_arn            = aws_iam_role.ecs_worker[0].arn

  # The root file system is read-only; /tmp is the task's own scratch space.
  volume {
    name = "tmp"
  }

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = local.ecs_cpu_arch
  }

  container_definitions = jsonencode([
    {
      name      = "worker"
      image     = local.ecs_image
      essential = true
      # --max-receive-count: the redrive policy's, so the worker records a job failed on the
      # receive after which SQS moves its message to the dead-letter queue.
      command                = ["worker", "--concurrency", tostring(var.ecs_worker_concurrency), "--max-receive-count", tostring(var.max_receive_count)]
      environment            = [for k in sort(keys(local.ecs_worker_environment)) : { name = k, value = local.ecs_worker_environment[k] }]
      stopTimeout            = local.ecs_stop_timeout
      readonlyRootFilesystem = true
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
      user                   = "10001:10001"
      linuxParameters        = { initProcessEnabled = true }
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.ecs_log_options, { "awslogs-stream-prefix" = "worker" })
      }
    },
  ])
}

resource "aws_ecs_service" "worker" {
  count                  = local.ecs ? 1 : 0
  name                   = local.ecs_worker_name
  cluster                = aws_ecs_cluster.pictor[0].id
  task_definition        = aws_ecs_task_definition.worker[0].arn
  launch_type            = "FARGATE"
  desired_count          = max(local.ecs_min_capacity, 1)
  enable_execute_command = false
  propagate_tags         = "SERVICE"

  network_configuration {
    subnets          = var.ecs_subnet_ids
    security_groups  = var.ecs_security_group_ids
    assign_public_ip = var.ecs_assign_public_ip
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  # The scaling policies own the desired count once the service exists.
  lifecycle {
    ignore_changes = [desired_count]
  }
}

resource "aws_appautoscaling_target" "worker" {
  count              = local.ecs ? 1 : 0
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.pictor[0].name}/${aws_ecs_service.worker[0].name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = local.ecs_min_capacity
  max_capacity       = var.ecs_max_tasks
}

# The metrics of the backlog per task, shared by the scaling policy and the alarms below.
locals {
  ecs_queue_dimensions = { QueueName = aws_sqs_queue.prompts.name }
  ecs_task_dimensions = {
    ClusterName = local.ecs_cluster_name
    ServiceName = local.ecs_worker_name
  }
}

# Desired count = tasks x (backlog per task / goal): prompts waiting plus prompts being worked on
# (ApproximateNumberOfMessagesNotVisible: received and not yet deleted), over the running tasks.
# Counting the ones in flight keeps busy tasks from being scaled in the moment the queue is
# drained; the goal defaults to the worker's concurrency, so each task is kept just busy.
resource "aws_appautoscaling_policy" "worker_backlog" {
  count              = local.ecs ? 1 : 0
  name               = "${local.name}-worker-backlog-per-task"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.worker[0].service_namespace
  resource_id        = aws_appautoscaling_target.worker[0].resource_id
  scalable_dimension = aws_appautoscaling_target.worker[0].scalable_dimension

  target_tracking_scaling_policy_configuration {
    target_value       = local.ecs_backlog_goal
    scale_out_cooldown = 60
    scale_in_cooldown  = var.ecs_scale_in_cooldown_seconds

    customized_metric_specification {
      metrics {
        id          = "visible"
        label       = "Prompts waiting"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesVisible"
            dimensions {
              name  = "QueueName"
              value = aws_sqs_queue.prompts.name
            }
          }
        }
      }

      metrics {
        id          = "in_flight"
        label       = "Prompts being generated"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "AWS/SQS"
            metric_name = "ApproximateNumberOfMessagesNotVisible"
            dimensions {
              name  = "QueueName"
              value = aws_sqs_queue.prompts.name
            }
          }
        }
      }

      metrics {
        id          = "tasks"
        label       = "Running worker tasks"
        return_data = false
        metric_stat {
          stat = "Average"
          metric {
            namespace   = "ECS/ContainerInsights"
            metric_name = "RunningTaskCount"
            dimensions {
              name  = "ClusterName"
              value = aws_ecs_cluster.pictor[0].name
            }
            dimensions {
              name  = "ServiceName"
              value = aws_ecs_service.worker[0].name
            }
          }
        }
      }

      # No value while no task runs (a division by zero gives none): target tracking then does
      # nothing, and the wake-up policy below starts the first task.
      metrics {
        id          = "backlog_per_task"
        label       = "Prompts per running worker task"
        expression  = "(visible + in_flight) / tasks"
        return_data = true
      }
    }
  }
}

# Scale to zero: target tracking multiplies the running count, so from zero tasks it can never
# leave zero. This step policy sets one task when prompts wait and none runs.
resource "aws_appautoscaling_policy" "worker_wake" {
  count              = local.ecs && var.ecs_scale_to_zero ? 1 : 0
  name               = "${local.name}-worker-wake"
  policy_type        = "StepScaling"
  service_namespace  = aws_appautoscaling_target.worker[0].service_namespace
  resource_id        = aws_appautoscaling_target.worker[0].resource_id
  scalable_dimension = aws_appautoscaling_target.worker[0].scalable_dimension

  step_scaling_policy_configuration {
    adjustment_type         = "ExactCapacity"
    cooldown                = 60
    metric_aggregation_type = "Maximum"

    step_adjustment {
      metric_interval_lower_bound = 0
      scaling_adjustment          = 1
    }
  }
}

resource "aws_cloudwatch_metric_alarm" "worker_wake" {
  count               = local.ecs && var.ecs_scale_to_zero ? 1 : 0
  alarm_name          = "${local.name}-worker-wake"
  alarm_description   = "Prompts wait in ${aws_sqs_queue.prompts.name} and no worker task runs: start one."
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_appautoscaling_policy.worker_wake[0].arn]

  metric_query {
    id          = "visible"
    return_data = false
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      period      = 60
      stat        = "Maximum"
      dimensions  = local.ecs_queue_dimensions
    }
  }

  metric_query {
    id          = "tasks"
    return_data = false
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      period      = 60
      stat        = "Maximum"
      dimensions  = local.ecs_task_dimensions
    }
  }

  metric_query {
    id          = "waiting_without_tasks"
    label       = "Prompts waiting while no worker task runs"
    expression  = "IF(FILL(tasks, 0) == 0, visible, 0)"
    return_data = true
  }
}

# Saturation: the service is at ecs_max_tasks and the backlog per task is still over the goal
# for five minutes, so prompts wait longer and longer (raise ecs_max_tasks, or the model quota).
resource "aws_cloudwatch_metric_alarm" "worker_saturated" {
  count               = local.ecs ? 1 : 0
  alarm_name          = "${local.name}-worker-saturated"
  alarm_description   = "${local.ecs_worker_name} runs ${var.ecs_max_tasks} tasks (its maximum) and the backlog per task stays above ${local.ecs_backlog_goal}."
  evaluation_periods  = 5
  datapoints_to_alarm = 5
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alerts.arn]
  ok_actions          = [aws_sns_topic.alerts.arn]

  metric_query {
    id          = "visible"
    return_data = false
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesVisible"
      period      = 60
      stat        = "Average"
      dimensions  = local.ecs_queue_dimensions
    }
  }

  metric_query {
    id          = "in_flight"
    return_data = false
    metric {
      namespace   = "AWS/SQS"
      metric_name = "ApproximateNumberOfMessagesNotVisible"
      period      = 60
      stat        = "Average"
      dimensions  = local.ecs_queue_dimensions
    }
  }

  metric_query {
    id          = "tasks"
    return_data = false
    metric {
      namespace   = "ECS/ContainerInsights"
      metric_name = "RunningTaskCount"
      period      = 60
      stat        = "Average"
      dimensions  = local.ecs_task_dimensions
    }
  }

  metric_query {
    id          = "saturated"
    label       = "Worker service at its maximum and behind"
    expression  = "IF(tasks >= ${var.ecs_max_tasks} AND (visible + in_flight) / tasks > ${local.ecs_backlog_goal}, 1, 0)"
    return_data = true
  }
}

# --- the API behind a load balancer (ecs_serve) --------------------------------------------------

resource "aws_ecs_task_definition" "serve" {
  count                    = local.serve ? 1 : 0
  family                   = local.ecs_serve_name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.ecs_cpu
  memory                   = var.ecs_memory_mb
  execution_role_arn       = aws_iam_role.ecs_execution[0].arn
  task_role_arn            = aws_iam_role.ecs_serve[0].arn

  # The root file system is read-only; /tmp is the task's own scratch space.
  volume {
    name = "tmp"
  }

  runtime_platform {
    operating_system_family = "LINUX"
    cpu_architecture        = local.ecs_cpu_arch
  }

  container_definitions = jsonencode([
    {
      name      = "serve"
      image     = local.ecs_image
      essential = true
      # No in-process workers: the worker service consumes the queue and scales on it.
      command                = ["serve", "--workers", "0"]
      environment            = [for k in sort(keys(local.ecs_serve_environment)) : { name = k, value = local.ecs_serve_environment[k] }]
      portMappings           = [{ containerPort = local.ecs_serve_port, protocol = "tcp" }]
      stopTimeout            = local.ecs_stop_timeout
      readonlyRootFilesystem = true
      mountPoints            = [{ sourceVolume = "tmp", containerPath = "/tmp", readOnly = false }]
      user                   = "10001:10001"
      linuxParameters        = { initProcessEnabled = true }
      logConfiguration = {
        logDriver = "awslogs"
        options   = merge(local.ecs_log_options, { "awslogs-stream-prefix" = "serve" })
      }
    },
  ])
}

resource "aws_lb" "serve" {
  count                      = local.serve ? 1 : 0
  name                       = substr("${local.name}-api", 0, 32)
  load_balancer_type         = "application"
  internal                   = var.alb_internal
  subnets                    = var.alb_subnet_ids
  security_groups            = var.alb_security_group_ids
  drop_invalid_header_fields = true
  idle_timeout               = 120 # POST /generate-image waits for the model
}

resource "aws_lb_target_group" "serve" {
  count                = local.serve ? 1 : 0
  name                 = substr("${local.name}-serve", 0, 32)
  port                 = local.ecs_serve_port
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 60

  # /readyz: 503 while the store cannot be written or the queue not reached, so a task that
  # cannot do its work gets no traffic.
  health_check {
    path                = "/readyz"
    matcher             = "200"
    interval            = 15
    timeout             = 5
    healthy_threshold   = 2
    unhealthy_threshold = 3
  }
}

resource "aws_lb_listener" "serve_http" {
  count             = local.serve ? 1 : 0
  load_balancer_arn = aws_lb.serve[0].arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = local.ecs_https ? "redirect" : "forward"
    target_group_arn = local.ecs_https ? null : aws_lb_target_group.serve[0].arn

    dynamic "redirect" {
      for_each = local.ecs_https ? [1] : []
      content {
        port        = "443"
        protocol    = "HTTPS"
        status_code = "HTTP_301"
      }
    }
  }
}

resource "aws_lb_listener" "serve_https" {
  count             = local.serve && local.ecs_https ? 1 : 0
  load_balancer_arn = aws_lb.serve[0].arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = var.alb_certificate_arn

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.serve[0].arn
  }
}

resource "aws_ecs_service" "serve" {
  count                             = local.serve ? 1 : 0
  name                              = local.ecs_serve_name
  cluster                           = aws_ecs_cluster.pictor[0].id
  task_definition                   = aws_ecs_task_definition.serve[0].arn
  launch_type                       = "FARGATE"
  desired_count                     = var.ecs_serve_count
  health_check_grace_period_seconds = 30
  propagate_tags                    = "SERVICE"

  network_configuration {
    subnets          = var.ecs_subnet_ids
    security_groups  = var.ecs_security_group_ids
    assign_public_ip = var.ecs_assign_public_ip
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.serve[0].arn
    container_name   = "serve"
    container_port   = local.ecs_serve_port
  }

  deployment_circuit_breaker {
    enable   = true
    rollback = true
  }

  depends_on = [aws_lb_listener.serve_http, aws_lb_listener.serve_https]
}
