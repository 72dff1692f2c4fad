variable "stack" {
  description = "Name of the stack that owns the peering (prefix of the peering names)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "networks" {
  description = "The two virtual networks to peer (global VNet peering, same subscription), each with its region, resource_group_name, vnet_name, vnet_id and cidr."
  type = list(object({
    region              = string
    resource_group_name = string
    vnet_name           = string
    vnet_id             = string
    cidr                = string
  }))

  validation {
    condition     = length(var.networks) == 2 && var.networks[0].region != var.networks[1].region
    error_message = "Give exactly two networks, in different regions."
  }
  validation {
    condition     = alltrue([for n in var.networks : can(cidrhost(n.cidr, 0))])
    error_message = "Each network needs its CIDR block."
  }
}
