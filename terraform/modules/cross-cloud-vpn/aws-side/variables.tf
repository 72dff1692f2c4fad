variable "name" {
  description = "Name of the VPN (Name tag of the gateways and the connection)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,62}$", var.name))
    error_message = "name is lower-case letters, digits and dashes."
  }
}

variable "vpc_id" {
  description = "The AWS VPC the virtual private gateway attaches to (one VPN gateway per VPC)."
  type        = string

  validation {
    condition     = can(regex("^vpc-", var.vpc_id))
    error_message = "vpc_id must be a VPC ID (vpc-...)."
  }
}

variable "route_tables" {
  description = "Route tables (by a static key) that learn the peer's blocks through route propagation."
  type        = map(string)

  validation {
    condition     = length(var.route_tables) > 0
    error_message = "Give at least one route table."
  }
}

variable "peer_public_ip" {
  description = "Public IPv4 address of the other cloud's VPN gateway (the AWS customer gateway)."
  type        = string

  validation {
    # Unknown until the peer's address exists; only a known value is checked.
    condition     = can(cidrhost("${var.peer_public_ip}/32", 0))
    error_message = "peer_public_ip must be an IPv4 address."
  }
}

variable "peer_cidrs" {
  description = "Blocks behind the peer gateway, routed over the tunnels."
  type        = list(string)

  validation {
    condition     = length(var.peer_cidrs) > 0 && alltrue([for c in var.peer_cidrs : can(cidrhost(c, 0))])
    error_message = "Give at least one peer CIDR block."
  }
}

variable "tags" {
  description = "Tags on the gateways and the connection."
  type        = map(string)
  default     = {}

  validation {
    # AWS limits: keys up to 128 characters, values up to 256.
    condition     = alltrue([for k, v in var.tags : length(k) <= 128 && length(v) <= 256])
    error_message = "Tag keys are at most 128 characters and values at most 256."
  }
}
