variable "stack" {
  description = "Stack name: the contract's stack field, the meridian_stack tag and the prefix of resource names. Change it to run this stack twice (staging, production) in one account."
  type        = string
  default     = "azure-dr-pair"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "clusters" {
  description = "Kafka clusters and where they run (modules/placement, variable clusters): topology, controllers, combined, address_block and per region brokers and mirror_makers. Here: one linked cluster in each of the two regions."
  type = map(object({
    topology      = string
    controllers   = number
    combined      = optional(bool, false)
    address_block = optional(number, 0)
    regions = list(object({
      region        = string
      brokers       = optional(number, 0)
      mirror_makers = optional(number, 0)
    }))
  }))

  validation {
    condition     = length(var.clusters) > 0
    error_message = "Declare at least one cluster."
  }
}

variable "address_space" {
  description = "Private range every region's block is carved from (modules/placement); it must not overlap the admin and client networks."
  type        = string
  default     = "10.64.0.0/10"

  validation {
    condition     = can(cidrhost(var.address_space, 0))
    error_message = "address_space must be an IPv4 CIDR block."
  }
}

variable "admin_cidrs" {
  description = "Networks Ansible and operators come from (a bastion's address as /32 when one is used): SSH, Kafka and MirrorMaker REST."
  type        = list(string)

  validation {
    condition     = length(var.admin_cidrs) > 0 && alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Give at least one admin CIDR, never 0.0.0.0/0."
  }
}

variable "client_cidrs" {
  description = "Networks of Kafka client applications: Kafka (9092) only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.client_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "client_cidrs entries must be IPv4 CIDR blocks, never 0.0.0.0/0."
  }
}

variable "ssh_user" {
  description = "Account cloud-init creates on every host for Ansible (the contract's ansible_user)."
  type        = string
  default     = "meridian"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.ssh_user)) && !contains(["root", "admin"], var.ssh_user)
    error_message = "ssh_user must be a plain Linux user name, not root or admin."
  }
}

variable "ssh_authorized_keys" {
  description = "Public SSH keys of ssh_user (OpenSSH one-line format)."
  type        = list(string)

  validation {
    condition     = length(var.ssh_authorized_keys) > 0
    error_message = "Give at least one SSH public key."
  }
}

variable "bastions" {
  description = "Jump host per region name ({host, user, port}); hosts of a region with one get ansible_ssh_common_args -o ProxyJump=user@host. Regions without one are reached directly (VPN, interconnect)."
  type = map(object({
    host = string
    user = string
    port = optional(number, 22)
  }))
  default = {}

  validation {
    condition     = alltrue([for b in values(var.bastions) : length(b.host) > 0 && length(b.user) > 0])
    error_message = "Each bastion needs a host and a user."
  }
}

variable "tags" {
  description = "Extra tags (labels on GCP) on every resource, e.g. owner and cost centre."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "meridian_")])
    error_message = "Keys starting with meridian_ are set by the modules."
  }
}

variable "regions" {
  description = "The two Azure regions of the pair (their VNets are peered both ways), by region name: zones to spread hosts over (in order, written <region>-<1|2|3>) and netnum, the fixed index of the region's address block (modules/placement)."
  type = map(object({
    zones  = list(string)
    netnum = number
  }))

  validation {
    condition     = length(var.regions) == 2
    error_message = "An Azure DR pair has exactly two regions."
  }
}

variable "azure_subscription_id" {
  description = "Azure subscription every Azure resource is created in."
  type        = string

  validation {
    condition     = can(regex("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", var.azure_subscription_id))
    error_message = "azure_subscription_id must be a subscription GUID."
  }
}

variable "azure_vm_sizes" {
  description = "VM size per role (controller, broker, mirror_maker); null keeps modules/azure-region's defaults."
  type = object({
    controller   = string
    broker       = string
    mirror_maker = string
  })
  default = null
}

variable "azure_data_disks" {
  description = "Managed data disk per role (type, size_gb, iops, mbps); null keeps modules/azure-region's defaults."
  type = object({
    controller   = object({ type = string, size_gb = number, iops = optional(number), mbps = optional(number) })
    broker       = object({ type = string, size_gb = number, iops = optional(number), mbps = optional(number) })
    mirror_maker = object({ type = string, size_gb = number, iops = optional(number), mbps = optional(number) })
  })
  default = null
}
