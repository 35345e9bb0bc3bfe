# Providers pinned to a minor range; `terraform init` on a machine with registry access fetches them.
terraform {
  required_version = ">= 1.9.0" # validations that read other variables
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0" # exact: what infra-check validates against; it has the Bedrock multi-agent resources
    }
  }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      project     = "pf360-scheduling"
      environment = var.environment
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
