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
