variable "stack" {
  description = "Name of the stack that owns the VPN (prefix of every resource name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "aws" {
  description = "The AWS end: region, vpc_id, cidr (its block) and the route tables (by a static key) that learn the Azure block."
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

variable "azure" {
  description = "The Azure end: region, resource_group_name and vnet_name of the VNet, cidr (its block) and gateway_subnet (the placement plan's gateway range, which becomes GatewaySubnet)."
  type = object({
    region              = string
    resource_group_name = string
    vnet_name           = string
    cidr                = string
    gateway_subnet      = string
  })

  validation {
    condition     = can(cidrhost(var.azure.cidr, 0)) && can(cidrhost(var.azure.gateway_subnet, 0)) && tonumber(split("/", var.azure.gateway_subnet)[1]) <= 27
    error_message = "azure needs its CIDR block and a gateway subnet of /27 or larger."
  }
}

variable "gateway_sku" {
  description = "SKU of the Azure VPN gateway; the AZ SKUs spread it over zones."
  type        = string
  default     = "VpnGw1AZ"

  validation {
    condition     = can(regex("^VpnGw[1-5](AZ)?$", var.gateway_sku))
    error_message = "gateway_sku must be VpnGw1-5 or VpnGw1AZ-VpnGw5AZ."
  }
}

variable "tags" {
  description = "Extra tags on every resource."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "meridian_")])
    error_message = "Tags starting with meridian_ belong to the module."
  }
}
