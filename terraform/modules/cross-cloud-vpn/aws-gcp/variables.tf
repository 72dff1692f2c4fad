variable "stack" {
  description = "Name of the stack that owns the VPN (prefix of every resource name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "aws" {
  description = "The AWS end: region, vpc_id, cidr (its block) and the route tables (by a static key) that learn the GCP blocks."
  type = object({
    region       = string
    vpc_id       = string
    cidr         = string
    route_tables = map(string)
  })

  validation {
    condition     = can(cidrhost(var.aws.cidr, 0)) && length(var.aws.route_tables) > 0
    error_message = "aws needs its CIDR block and at least one route table."
  }
}

variable "gcp" {
  description = "The GCP end: region of the VPN gateway, network_self_link (the global VPC) and cidrs, the GCP blocks reachable over the VPN."
  type = object({
    region            = string
    network_self_link = string
    cidrs             = list(string)
  })

  validation {
    condition     = length(var.gcp.cidrs) > 0 && alltrue([for c in var.gcp.cidrs : can(cidrhost(c, 0))])
    error_message = "gcp needs at least one CIDR block."
  }
}

variable "tags" {
  description = "Extra tags on the AWS resources."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "meridian_")])
    error_message = "Tags starting with meridian_ belong to the module."
  }
}
