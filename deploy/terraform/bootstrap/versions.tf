# The roles the delivery pipeline assumes (github_oidc.tf), in a root of their own: applied once,
# by hand, by an administrator (terraform init -backend-config=backend.hcl with a state key of
# its own), never by the pipeline whose permissions it defines. The provider pin is the main
# module's.
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
    tags = var.tags
  }
}

data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}
