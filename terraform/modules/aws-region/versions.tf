terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # aws_vpc_security_group_*_rule (one resource per rule) arrived in 5.x.
      version = ">= 5.30, < 7.0"
    }
  }
}
