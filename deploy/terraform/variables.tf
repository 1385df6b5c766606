# Every setting of the queue pipeline. Names follow the README's settings where one exists.

variable "region" {
  description = "AWS region of the queue, the function and the alarm."
  type        = string
  default     = "eu-west-1"
}

variable "name" {
  description = "Name of the deployment; prefixes the queue, function, role, topic and alarm names."
  type        = string
  default     = "pictor"

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,40}$", var.name))
    error_message = "name must be 1-40 letters, digits or hyphens."
  }
}

variable "environment" {
  description = "The environment this state deploys (envs/<environment>.tfvars): dev, staging or prod. Every resource name is <name>-<environment>-..., so two environments in one account cannot collide; empty keeps the names of a deployment made before environments existed (<name>-...)."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "dev", "staging", "prod"], var.environment)
    error_message = "environment must be dev, staging or prod (or empty for a deployment without one)."
  }
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = { project = "pictor" }
}

# --- storage and model -------------------------------------------------------------------

variable "bucket_name" {
  description = "S3 bucket the images are stored in (BUCKET_NAME). The bucket is not managed here."
  type        = string
}

variable "key_prefix" {
  description = "Prefix of every object key (KEY_PREFIX); the function may write only under it."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$", var.key_prefix))
    error_message = "key_prefix must be a non-empty key-safe path without leading or trailing slashes."
  }
}

variable "model_id" {
  description = "Bedrock model id; the function runs with PICTOR_MODEL=bedrock:<model_id> and may invoke only this model."
  type        = string
  default     = "amazon.titan-image-generator-v1"
}

variable "bedrock_region" {
  description = "Region Bedrock is called in (PICTOR_BEDROCK_REGION)."
  type        = string
  default     = "us-east-1"
}

variable "log_level" {
  description = "PICTOR_LOG_LEVEL: debug, info, warn or error."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "extra_environment" {
  description = "Further environment variables for the function (they cannot replace the ones set from the variables above)."
  type        = map(string)
  default     = {}
}

# --- function ----------------------------------------------------------------------------

variable "lambda_zip_path" {
  description = "The package built by `make lambda-package`, relative to this folder."
  type        = string
  default     = "../../build/pictor-lambda.zip"
}

variable "architecture" {
  description = "Lambda instruction set: x86_64 or arm64 (must match the machine the zip was built for)."
  type        = string
  default     = "x86_64"

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "function_timeout_seconds" {
  description = "Function timeout. The queue's visibility timeout is six times this (AWS's guidance for event source mappings)."
  type        = number
  default     = 120

  validation {
    condition     = var.function_timeout_seconds >= 1 && var.function_timeout_seconds <= 900 && 6 * var.function_timeout_seconds <= 43200
    error_message = "function_timeout_seconds must be 1-900 (and six times it at most SQS's 43200 s visibility timeout)."
  }
}

variable "memory_mb" {
  description = "Function memory in MB."
  type        = number
  default     = 512

  validation {
    condition     = var.memory_mb >= 128 && var.memory_mb <= 10240
    error_message = "memory_mb must be 128-10240."
  }
}

variable "log_retention_days" {
  description = "Retention of the function's log group."
  type        = number
  default     = 30
}

# --- queue and event source mapping --------------------------------------------------------

variable "max_receive_count" {
  description = "Receives of a message before SQS moves it to the dead-letter queue (redrive policy maxReceiveCount)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be 1-1000."
  }
}

variable "message_retention_seconds" {
  description = "How long the prompt queue keeps a message."
  type        = number
  default     = 345600
}

variable "dlq_message_retention_seconds" {
  description = "How long the dead-letter queue keeps a message (longer than the queue, so nothing expires there first)."
  type        = number
  default     = 1209600
}

variable "batch_size" {
  description = "Records per invocation of the event source mapping."
  type        = number
  default     = 10

  validation {
    condition     = var.batch_size >= 1 && var.batch_size <= 10000
    error_message = "batch_size must be 1-10000."
  }
}

variable "batching_window_seconds" {
  description = "Maximum batching window in seconds (required to be at least 1 when batch_size is above 10)."
  type        = number
  default     = 0

  validation {
    condition     = var.batching_window_seconds >= 0 && var.batching_window_seconds <= 300
    error_message = "batching_window_seconds must be 0-300."
  }
}

variable "maximum_concurrency" {
  description = "Most concurrent function instances the event source mapping invokes (scaling_config)."
  type        = number
  default     = 10

  validation {
    condition     = var.maximum_concurrency >= 2 && var.maximum_concurrency <= 1000
    error_message = "maximum_concurrency must be 2-1000."
  }
}

# --- alarm -----------------------------------------------------------------------------------

variable "alert_email" {
  description = "Address subscribed to the alarm topic (the subscription must be confirmed from the email)."
  type        = string

  validation {
    condition     = can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alert_email))
    error_message = "alert_email must be an email address."
  }
}

variable "alarm_age_threshold_seconds" {
  description = "Alarm when the oldest message is older than this many seconds."
  type        = number
  default     = 300
}

variable "alarm_period_seconds" {
  description = "Period of the ApproximateAgeOfOldestMessage statistic."
  type        = number
  default     = 60

  validation {
    condition     = var.alarm_period_seconds >= 60 && var.alarm_period_seconds % 60 == 0
    error_message = "alarm_period_seconds must be a multiple of 60 (SQS metrics are reported each minute)."
  }
}

variable "alarm_evaluation_periods" {
  description = "Consecutive periods over the threshold before the alarm fires."
  type        = number
  default     = 1

  validation {
    condition     = var.alarm_evaluation_periods >= 1
    error_message = "alarm_evaluation_periods must be at least 1."
  }
}

variable "function_errors_threshold" {
  description = "compute = lambda: the worker function's Errors in one minute above which its alarm fires (and a canary rolls back)."
  type        = number
  default     = 0
}

variable "error_rate_threshold" {
  description = "Share (0-1) of failed jobs (Pictor's Failures / Jobs) or of 5xx answers (HTTP API, load balancer) above which their alarms fire."
  type        = number
  default     = 0.05

  validation {
    condition     = var.error_rate_threshold > 0 && var.error_rate_threshold < 1
    error_message = "error_rate_threshold must be between 0 and 1."
  }
}

variable "api_gateway_id" {
  description = "Id of the SAM stack's HTTP API (its ApiId output) in this region, for the 5xx-rate alarm and the dashboard; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.api_gateway_id == "" || can(regex("^[a-z0-9]{10}$", var.api_gateway_id))
    error_message = "api_gateway_id must be an API Gateway id (10 lowercase letters or digits)."
  }
}

# --- gradual deploys of the worker function (compute = "lambda") ------------------------------

variable "deployment_config" {
  description = "compute = lambda: how CodeDeploy shifts the alias `live` to a new version: a CodeDeploy Lambda configuration (CodeDeployDefault.LambdaCanary10Percent5Minutes, ...Linear10PercentEvery1Minute, ...AllAtOnce)."
  type        = string
  default     = "CodeDeployDefault.LambdaCanary10Percent5Minutes"

  validation {
    condition     = can(regex("^CodeDeployDefault\\.Lambda(AllAtOnce|Canary10Percent(5|10|15|30)Minutes|Linear10PercentEvery(1|2|3|10)Minutes?)$", var.deployment_config))
    error_message = "deployment_config must be one of CodeDeploy's predefined Lambda configurations."
  }
}

# --- compute: where the queue worker runs ------------------------------------------------------

variable "compute" {
  description = "Where the queue worker runs: lambda (the function and its event source mapping) or ecs (ECR, an ECS cluster and a Fargate service of `pictor worker` scaled on the queue backlog; optionally `pictor serve` behind an ALB). The queue, the alarms and the topic exist either way."
  type        = string
  default     = "lambda"

  validation {
    condition     = contains(["lambda", "ecs"], var.compute)
    error_message = "compute must be lambda or ecs."
  }
}

variable "image_tag" {
  description = "compute = ecs: tag of the image in this module's ECR repository the tasks run: the commit sha docker.yml pushes from main, or a release's version (1.2.3 for a v1.2.3 tag). Tags are immutable, so never latest."
  type        = string
  default     = ""

  validation {
    condition     = var.compute != "ecs" || can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.image_tag))
    error_message = "compute = ecs needs image_tag: an ECR tag such as the commit sha."
  }

  validation {
    condition     = var.image_tag != "latest"
    error_message = "image_tag must name one build (the commit sha), not latest: the repository's tags are immutable."
  }
}

variable "ecr_keep_images" {
  description = "compute = ecs: tagged images the ECR lifecycle policy keeps (untagged ones expire after a day)."
  type        = number
  default     = 30

  validation {
    condition     = var.ecr_keep_images >= 1
    error_message = "ecr_keep_images must be at least 1."
  }
}

variable "ecs_subnet_ids" {
  description = "compute = ecs: subnets of the tasks (private subnets with a NAT gateway or VPC endpoints for ECR, S3, SQS, Bedrock and CloudWatch Logs)."
  type        = list(string)
  default     = []

  validation {
    condition     = var.compute != "ecs" || length(var.ecs_subnet_ids) > 0
    error_message = "compute = ecs needs at least one subnet in ecs_subnet_ids."
  }
}

variable "ecs_security_group_ids" {
  description = "compute = ecs: security groups of the tasks (egress to AWS over 443; with ecs_serve, ingress on 8080 from the load balancer's group)."
  type        = list(string)
  default     = []

  validation {
    condition     = var.compute != "ecs" || length(var.ecs_security_group_ids) > 0
    error_message = "compute = ecs needs at least one security group in ecs_security_group_ids."
  }
}

variable "ecs_assign_public_ip" {
  description = "compute = ecs: give tasks a public address (public subnets without a NAT gateway)."
  type        = bool
  default     = false
}

variable "ecs_cpu" {
  description = "compute = ecs: CPU units of a worker task (Fargate: 256, 512, 1024, 2048, 4096, 8192 or 16384)."
  type        = number
  default     = 512

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.ecs_cpu)
    error_message = "ecs_cpu must be a Fargate CPU size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "ecs_memory_mb" {
  description = "compute = ecs: memory of a worker task in MiB (a size Fargate allows for ecs_cpu)."
  type        = number
  default     = 1024
}

variable "ecs_worker_concurrency" {
  description = "compute = ecs: jobs one worker task runs at once (`pictor worker --concurrency`)."
  type        = number
  default     = 8

  validation {
    condition     = var.ecs_worker_concurrency >= 1 && var.ecs_worker_concurrency <= 1024
    error_message = "ecs_worker_concurrency must be 1-1024."
  }
}

variable "ecs_backlog_per_task" {
  description = "compute = ecs: the target of the scaling policy, in prompts (waiting or running) per worker task; null = ecs_worker_concurrency, so each task is kept just busy."
  type        = number
  default     = null

  validation {
    condition     = var.ecs_backlog_per_task == null || try(var.ecs_backlog_per_task > 0, false)
    error_message = "ecs_backlog_per_task must be above 0."
  }
}

variable "ecs_min_tasks" {
  description = "compute = ecs: fewest worker tasks when ecs_scale_to_zero is false."
  type        = number
  default     = 1

  validation {
    condition     = var.ecs_min_tasks >= 1
    error_message = "ecs_min_tasks must be at least 1 (set ecs_scale_to_zero for none when idle)."
  }
}

variable "ecs_max_tasks" {
  description = "compute = ecs: most worker tasks (bound it by the model's quota: tasks x concurrency calls at once)."
  type        = number
  default     = 10

  validation {
    condition     = var.ecs_max_tasks >= 1 && var.ecs_max_tasks >= var.ecs_min_tasks
    error_message = "ecs_max_tasks must be at least 1 and at least ecs_min_tasks."
  }
}

variable "ecs_scale_to_zero" {
  description = "compute = ecs: no worker task while the queue is empty; an alarm on waiting prompts starts the first one again (a minute or two of latency for the first prompt after idling)."
  type        = bool
  default     = false
}

variable "ecs_scale_in_cooldown_seconds" {
  description = "compute = ecs: seconds between two scale-ins of the worker service (each stops tasks that drain their jobs in flight)."
  type        = number
  default     = 300
}

variable "ecs_serve" {
  description = "compute = ecs: also run `pictor serve --auth keys` (no in-process workers) behind an Application Load Balancer health-checked on /readyz."
  type        = bool
  default     = false
}

variable "ecs_serve_count" {
  description = "compute = ecs with ecs_serve: tasks of `pictor serve`."
  type        = number
  default     = 2

  validation {
    condition     = var.ecs_serve_count >= 1
    error_message = "ecs_serve_count must be at least 1."
  }
}

variable "vpc_id" {
  description = "compute = ecs with ecs_serve: VPC of the load balancer's target group."
  type        = string
  default     = ""

  validation {
    condition     = !(var.compute == "ecs" && var.ecs_serve) || length(var.vpc_id) > 0
    error_message = "ecs_serve needs vpc_id."
  }
}

variable "alb_subnet_ids" {
  description = "compute = ecs with ecs_serve: subnets of the load balancer (at least two zones)."
  type        = list(string)
  default     = []

  validation {
    condition     = !(var.compute == "ecs" && var.ecs_serve) || length(var.alb_subnet_ids) >= 2
    error_message = "ecs_serve needs at least two subnets in alb_subnet_ids."
  }
}

variable "alb_security_group_ids" {
  description = "compute = ecs with ecs_serve: security groups of the load balancer."
  type        = list(string)
  default     = []

  validation {
    condition     = !(var.compute == "ecs" && var.ecs_serve) || length(var.alb_security_group_ids) > 0
    error_message = "ecs_serve needs at least one security group in alb_security_group_ids."
  }
}

variable "alb_certificate_arn" {
  description = "compute = ecs with ecs_serve: ACM certificate of an HTTPS listener on 443 (port 80 then redirects to it); empty = plain HTTP on 80."
  type        = string
  default     = ""
}

variable "alb_internal" {
  description = "compute = ecs with ecs_serve: an internal load balancer (reachable only from the VPC)."
  type        = bool
  default     = false
}

# --- Kubernetes (deploy/kubernetes): the pods' roles ---------------------------------------------

variable "kubernetes_roles" {
  description = "Create the roles of deploy/kubernetes's service accounts (pictor-serve, pictor-worker) and of KEDA's operator, with the same policy documents as the ECS task roles. Independent of compute: the queue is this module's either way."
  type        = bool
  default     = false
}

variable "eks_oidc_provider_arn" {
  description = "kubernetes_roles: the cluster's IAM OIDC provider (arn:aws:iam::<account>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<id>), to trust the service accounts through IRSA; empty = EKS Pod Identity only."
  type        = string
  default     = ""

  validation {
    condition     = var.eks_oidc_provider_arn == "" || can(regex("^arn:[^:]+:iam::\\d{12}:oidc-provider/.+$", var.eks_oidc_provider_arn))
    error_message = "eks_oidc_provider_arn must be an IAM OIDC provider ARN."
  }
}

variable "kubernetes_namespace" {
  description = "kubernetes_roles: the namespace of the overlay (pictor for prod, pictor-dev for dev)."
  type        = string
  default     = "pictor"
}

variable "keda_service_account" {
  description = "kubernetes_roles: KEDA operator's namespace/service account, which reads the queue's attributes (TriggerAuthentication identityOwner: keda)."
  type        = string
  default     = "keda/keda-operator"

  validation {
    condition     = can(regex("^[a-z0-9-]+/[a-z0-9-]+$", var.keda_service_account))
    error_message = "keda_service_account must be NAMESPACE/NAME."
  }
}
