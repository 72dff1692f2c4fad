variable "stack" {
  description = "Name of the stack that owns the peering (tag meridian_stack)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "requester" {
  description = "The VPC that requests the peering (provider aws.requester): its region, vpc_id, cidr and the route tables (by a static key) that get a route to the accepter."
  type = object({
    region       = string
    vpc_id       = string
    cidr         = string
    route_tables = map(string)
  })

  validation {
    condition     = can(cidrhost(var.requester.cidr, 0)) && length(var.requester.route_tables) > 0
    error_message = "requester needs a CIDR block and at least one route table."
  }
}

variable "accepter" {
  description = "The VPC that accepts the peering (provider aws.accepter): its region, vpc_id, cidr and the route tables (by a static key) that get a route to the requester."
  type = object({
    region       = string
    vpc_id       = string
    cidr         = string
    route_tables = map(string)
  })

  validation {
    condition     = can(cidrhost(var.accepter.cidr, 0)) && length(var.accepter.route_tables) > 0
    error_message = "accepter needs a CIDR block and at least one route table."
  }
}

variable "tags" {
  description = "Extra tags on the peering connection."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "meridian_")])
    error_message = "Tags starting with meridian_ belong to the module."
  }
}
