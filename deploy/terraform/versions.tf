# Pinned Terraform and provider versions, and the S3 backend. The backend block is empty on
# purpose: its bucket, key and region come from a backend file at init time
# (terraform init -backend-config=backend.hcl; see backend.hcl.example), so no state location
# is hard-coded here.
terraform {
  required_version = ">= 1.10.0, < 2.0.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }

  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.tags
  }
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
