# Plans and applies the module against a mock AWS provider (nothing is created; no account or
# network needed) for both values of `compute`, and checks which worker path exists.
# Run by tests/unit/deploy/test_terraform.py: terraform init with the local provider mirror, then
# terraform test.

# The mock provider's computed attributes: tests/mocks/aws.tfmock.hcl.
mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  bucket_name     = "pictor-images"
  key_prefix      = "cand"
  alert_email     = "ops@example.com"
  lambda_zip_path = "tests/empty.zip"
}

run "lambda_creates_the_function_and_no_ecs" {
  command = apply

  assert {
    condition     = length(aws_lambda_function.worker) == 1 && length(aws_lambda_event_source_mapping.prompts) == 1
    error_message = "compute = lambda must create the function and its event source mapping."
  }
  assert {
    condition     = length(aws_ecs_service.worker) == 0 && length(aws_ecr_repository.pictor) == 0 && length(aws_ecs_cluster.pictor) == 0
    error_message = "compute = lambda must create no ECS resource."
  }
  assert {
    condition     = output.function_name == "pictor-queue-worker" && output.ecs_cluster_name == null
    error_message = "compute = lambda: the outputs name the function and no cluster."
  }
  assert {
    condition     = length(aws_cloudwatch_metric_alarm.oldest_message_age.alarm_actions) == 1 && length(aws_cloudwatch_metric_alarm.dead_letters.alarm_actions) == 1
    error_message = "The queue alarms exist with compute = lambda."
  }
}

run "ecs_creates_the_worker_service_and_no_function" {
  command = apply

  variables {
    compute                = "ecs"
    image_tag              = "0123456789abcdef0123456789abcdef01234567"
    ecs_subnet_ids         = ["subnet-a", "subnet-b"]
    ecs_security_group_ids = ["sg-tasks"]
  }

  assert {
    condition     = length(aws_lambda_function.worker) == 0 && length(aws_lambda_event_source_mapping.prompts) == 0 && length(aws_iam_role.worker) == 0
    error_message = "compute = ecs must create no Lambda function, mapping or role."
  }
  assert {
    condition     = length(aws_ecs_service.worker) == 1 && length(aws_ecs_service.serve) == 0 && length(aws_lb.serve) == 0
    error_message = "compute = ecs must create the worker service, and no API without ecs_serve."
  }
  assert {
    condition     = aws_ecr_repository.pictor[0].image_tag_mutability == "IMMUTABLE" && aws_ecr_repository.pictor[0].image_scanning_configuration[0].scan_on_push
    error_message = "The repository must have immutable tags and scan on push."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.worker[0].container_definitions)[0].image == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/pictor:0123456789abcdef0123456789abcdef01234567"
    error_message = "The worker runs the image_tag of this module's repository."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.worker[0].container_definitions)[0].command == ["worker", "--concurrency", "8", "--max-receive-count", "5"]
    error_message = "The worker task runs `pictor worker --concurrency <ecs_worker_concurrency> --max-receive-count <max_receive_count>`."
  }
  assert {
    condition = {
      for e in jsondecode(aws_ecs_task_definition.worker[0].container_definitions)[0].environment : e.name => e.value
      if contains(["PICTOR_JOBS", "SQS_QUEUE_URL", "BUCKET_NAME", "PICTOR_MODEL"], e.name)
      } == {
      PICTOR_JOBS   = "store"
      SQS_QUEUE_URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/pictor-prompts"
      BUCKET_NAME   = "pictor-images"
      PICTOR_MODEL  = "bedrock:amazon.titan-image-generator-v1"
    }
    error_message = "The worker task has the Lambda worker's environment."
  }
  assert {
    condition     = aws_appautoscaling_target.worker[0].min_capacity == 1 && aws_appautoscaling_target.worker[0].max_capacity == 10
    error_message = "Without ecs_scale_to_zero the service keeps ecs_min_tasks."
  }
  assert {
    condition     = aws_appautoscaling_policy.worker_backlog[0].target_tracking_scaling_policy_configuration[0].target_value == 8
    error_message = "The backlog goal defaults to the worker's concurrency."
  }
  assert {
    condition     = length(aws_appautoscaling_policy.worker_wake) == 0 && length(aws_cloudwatch_metric_alarm.worker_saturated) == 1
    error_message = "No wake-up policy without ecs_scale_to_zero; a saturation alarm always."
  }
  assert {
    condition     = output.function_name == null && output.ecs_cluster_name == "pictor-cluster" && output.api_url == null
    error_message = "compute = ecs: the outputs name the cluster and no function."
  }
}

run "ecs_scales_to_zero_and_serves_behind_a_load_balancer" {
  command = apply

  variables {
    compute                = "ecs"
    image_tag              = "v1.2.3"
    ecs_subnet_ids         = ["subnet-a", "subnet-b"]
    ecs_security_group_ids = ["sg-tasks"]
    ecs_scale_to_zero      = true
    ecs_serve              = true
    vpc_id                 = "vpc-1"
    alb_subnet_ids         = ["subnet-c", "subnet-d"]
    alb_security_group_ids = ["sg-alb"]
  }

  assert {
    condition     = aws_appautoscaling_target.worker[0].min_capacity == 0 && length(aws_appautoscaling_policy.worker_wake) == 1
    error_message = "ecs_scale_to_zero: minimum 0 and a step policy to wake the service."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.worker_wake[0].alarm_actions == toset([aws_appautoscaling_policy.worker_wake[0].arn])
    error_message = "The wake-up alarm runs the wake-up policy."
  }
  assert {
    condition     = aws_lb_target_group.serve[0].health_check[0].path == "/readyz" && length(aws_ecs_service.serve) == 1
    error_message = "ecs_serve: the API service behind a target group checked on /readyz."
  }
  assert {
    condition     = jsondecode(aws_ecs_task_definition.serve[0].container_definitions)[0].command == ["serve", "--workers", "0"]
    error_message = "The API tasks run no in-process workers."
  }
  assert {
    condition     = length(aws_lb_listener.serve_https) == 0 && aws_lb_listener.serve_http[0].default_action[0].type == "forward"
    error_message = "Without a certificate the API is plain HTTP on port 80."
  }
}

run "kubernetes_roles_for_the_service_accounts_and_keda" {
  command = apply

  variables {
    kubernetes_roles      = true
    eks_oidc_provider_arn = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
  }

  assert {
    condition     = toset(keys(aws_iam_role.k8s)) == toset(["serve", "worker", "keda"]) && length(output.kubernetes_role_arns) == 3
    error_message = "kubernetes_roles: one role per service account and one for KEDA."
  }
  assert {
    condition     = local.k8s_oidc_issuer == "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"
    error_message = "The IRSA conditions name the provider's issuer."
  }
  assert {
    condition     = length(aws_lambda_function.worker) == 1 && length(aws_ecs_service.worker) == 0
    error_message = "kubernetes_roles leaves the worker path to compute."
  }
}

run "ecs_without_an_image_tag_is_refused" {
  command = plan

  variables {
    compute                = "ecs"
    ecs_subnet_ids         = ["subnet-a"]
    ecs_security_group_ids = ["sg-tasks"]
  }

  expect_failures = [var.image_tag]
}

run "an_unknown_compute_is_refused" {
  command = plan

  variables {
    compute = "ec2"
  }

  expect_failures = [var.compute]
}
