# Who may assume the pipeline's roles (the repository and its production environment) and what
# they may touch (the names the main module and the SAM stack use).

variable "region" {
  description = "AWS region of the deployment (the main module's region)."
  type        = string
  default     = "eu-west-1"
}

variable "tags" {
  description = "Tags applied to every resource."
  type        = map(string)
  default     = { project = "pictor" }
}

variable "github_repository" {
  description = "The GitHub repository whose workflows assume the roles, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "main_branch" {
  description = "The branch whose pushes are planned (and, through the production environment, applied)."
  type        = string
  default     = "main"
}

variable "production_environment" {
  description = "The GitHub environment of every job that changes AWS (apply, sam deploy, image push)."
  type        = string
  default     = "production"
}

variable "development_environment" {
  description = "The GitHub environment of dev's terraform apply (terraform.yml apply-dev), on main without approval."
  type        = string
  default     = "development"
}

variable "create_oidc_provider" {
  description = "Create the account's GitHub OIDC provider; false when the account already has one (it is then looked up)."
  type        = bool
  default     = true
}

variable "name" {
  description = "The main module's `name`: the apply role may change only resources whose names start with it."
  type        = string
  default     = "pictor"
}

variable "sam_stack_name" {
  description = "The SAM stack of the API (the SAM_STACK_NAME repository variable)."
  type        = string
  default     = "pictor-api"
}

variable "ecr_repository" {
  description = "The ECR repository the image is pushed to (the ECR_REPOSITORY repository variable)."
  type        = string
  default     = "pictor"
}

variable "state_bucket" {
  description = "The bucket of the main module's Terraform state (TF_STATE_BUCKET)."
  type        = string
}

variable "state_key" {
  description = "The main module's state keys, a pattern covering each environment's (deploy/terraform/envs/backend-<env>.hcl.example: pictor/dev/terraform.tfstate, pictor/prod/terraform.tfstate)."
  type        = string
  default     = "pictor/*/terraform.tfstate"
}
