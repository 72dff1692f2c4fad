variable "stack" {
  description = "Name of the stack that owns this region (tag meridian_stack and the prefix of every resource name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "Azure region (location) of this module instance, e.g. westeurope."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]+$", var.region))
    error_message = "region must be an Azure location name such as westeurope (no spaces or dashes)."
  }
}

variable "network" {
  description = "This region's address plan from the placement module (output networks[region]): cidr, zones, zone_subnets, public_subnet, gateway_subnet."
  type = object({
    cidr           = string
    zones          = list(string)
    zone_subnets   = map(string)
    public_subnet  = string
    gateway_subnet = string
  })

  validation {
    condition     = can(cidrhost(var.network.cidr, 0)) && length(var.network.zone_subnets) > 0 && alltrue([for z, c in var.network.zone_subnets : can(cidrhost(c, 0)) && contains(var.network.zones, z)])
    error_message = "network must carry a CIDR and one CIDR per zone (use module.placement.networks[region])."
  }
  validation {
    # Azure numbers zones 1-3; the contract needs names unique across regions.
    condition     = alltrue([for z in var.network.zones : can(regex("^[a-z][a-z0-9]+-[1-3]$", z))])
    error_message = "Azure zones are written <region>-<1|2|3>, e.g. westeurope-1."
  }
}

variable "hosts" {
  description = "Hosts to create in this region, from the placement module (output hosts_by_region[region])."
  type = map(object({
    name     = string
    cluster  = string
    topology = string
    kind     = string
    roles    = list(string)
    region   = string
    zone     = string
    node_id  = number
    subnet   = string
    address  = string
  }))

  validation {
    condition     = alltrue([for h in values(var.hosts) : contains(["controller", "broker", "kafka", "mm2"], h.kind)])
    error_message = "Host kinds are controller, broker, kafka (combined) or mm2."
  }
}

variable "peer_cidrs" {
  description = "Blocks of the other regions this region's clusters talk to (peering, VPN): they may reach Kafka (9092), the controllers (9093) and MirrorMaker REST (8083)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.peer_cidrs : can(cidrhost(c, 0))])
    error_message = "peer_cidrs entries must be IPv4 CIDR blocks."
  }
}

variable "client_cidrs" {
  description = "Networks of Kafka clients (applications): they may reach Kafka on 9092 only."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.client_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "client_cidrs entries must be IPv4 CIDR blocks, and not 0.0.0.0/0: Kafka is never open to the internet."
  }
}

variable "admin_cidrs" {
  description = "Networks Ansible and operators come from (a bastion's address as /32 when one is used): SSH (22), Kafka (9092) and MirrorMaker REST (8083)."
  type        = list(string)

  validation {
    condition     = length(var.admin_cidrs) > 0 && alltrue([for c in var.admin_cidrs : can(cidrhost(c, 0)) && c != "0.0.0.0/0"])
    error_message = "Give at least one admin CIDR; 0.0.0.0/0 is refused because SSH must not be open to the internet."
  }
}

variable "ssh_user" {
  description = "Account cloud-init creates for Ansible (the contract's ansible_user)."
  type        = string
  default     = "meridian"

  validation {
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.ssh_user)) && !contains(["root", "admin"], var.ssh_user)
    error_message = "ssh_user must be a plain Linux user name, not root or admin (Azure refuses both)."
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

variable "bastion" {
  description = "Jump host Ansible goes through (ansible_ssh_common_args -o ProxyJump=user@host[:port]); null when admin networks reach the hosts directly (VPN, Direct Connect)."
  type = object({
    host = string
    user = string
    port = optional(number, 22)
  })
  default = null

  validation {
    condition     = var.bastion == null || (length(try(var.bastion.host, "")) > 0 && can(regex("^[a-z_][a-z0-9_.-]*$", try(var.bastion.user, ""))) && try(var.bastion.port, 22) > 0 && try(var.bastion.port, 22) < 65536)
    error_message = "bastion needs a host, a user name and a port between 1 and 65535."
  }
}

variable "vm_sizes" {
  description = "VM size per role: controller, broker (also combined nodes) and mirror_maker."
  type = object({
    controller   = string
    broker       = string
    mirror_maker = string
  })
  # A stack passing null gets the defaults below.
  nullable = false
  default = {
    controller   = "Standard_D2s_v5"
    broker       = "Standard_E4s_v5"
    mirror_maker = "Standard_D2s_v5"
  }

  validation {
    condition     = alltrue([for t in values(var.vm_sizes) : can(regex("^Standard_[A-Za-z0-9_]+$", t))])
    error_message = "VM sizes look like Standard_D2s_v5."
  }
}

variable "data_disks" {
  description = "Managed data disk per role (controller, broker also for combined nodes, mirror_maker): storage_account_type, size_gb and, for PremiumV2_LRS and UltraSSD_LRS, iops and mbps."
  type = object({
    controller   = object({ type = string, size_gb = number, iops = optional(number), mbps = optional(number) })
    broker       = object({ type = string, size_gb = number, iops = optional(number), mbps = optional(number) })
    mirror_maker = object({ type = string, size_gb = number, iops = optional(number), mbps = optional(number) })
  })
  # A stack passing null gets the defaults below.
  nullable = false
  default = {
    controller   = { type = "Premium_LRS", size_gb = 64 }
    broker       = { type = "Premium_LRS", size_gb = 512 }
    mirror_maker = { type = "StandardSSD_LRS", size_gb = 32 }
  }

  validation {
    condition     = alltrue([for d in values(var.data_disks) : contains(["Premium_LRS", "PremiumV2_LRS", "StandardSSD_LRS", "UltraSSD_LRS", "Standard_LRS"], d.type) && d.size_gb >= 4 && d.size_gb <= 32767])
    error_message = "Data disk types are Premium_LRS, PremiumV2_LRS, StandardSSD_LRS, UltraSSD_LRS or Standard_LRS (zonal VMs cannot use ZRS), sized 4 to 32767 GiB."
  }
  validation {
    condition     = alltrue([for d in values(var.data_disks) : (d.iops == null && d.mbps == null) || contains(["PremiumV2_LRS", "UltraSSD_LRS"], d.type)])
    error_message = "iops and mbps can only be set on PremiumV2_LRS and UltraSSD_LRS disks."
  }
}

variable "os_disk_size_gb" {
  description = "Size of every host's OS disk (OS, Kafka install, logs)."
  type        = number
  default     = 32

  validation {
    condition     = var.os_disk_size_gb >= 30 && var.os_disk_size_gb <= 1024
    error_message = "os_disk_size_gb must be between 30 (the image's size) and 1024."
  }
}

variable "image" {
  description = "Marketplace image every host boots (Debian 12 uses cloud-init, which reads custom_data)."
  type = object({
    publisher = string
    offer     = string
    sku       = string
    version   = string
  })
  default = {
    publisher = "Debian"
    offer     = "debian-12"
    sku       = "12-gen2"
    version   = "latest"
  }

  validation {
    condition     = alltrue([for v in values(var.image) : length(v) > 0])
    error_message = "image needs publisher, offer, sku and version."
  }
}

variable "disk_encryption_set_id" {
  description = "Disk encryption set (customer-managed key) for OS and data disks; null uses platform-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.disk_encryption_set_id == null || can(regex("/diskEncryptionSets/", coalesce(var.disk_encryption_set_id, "x")))
    error_message = "disk_encryption_set_id must be the ID of a disk encryption set."
  }
}

variable "encryption_at_host" {
  description = "Encrypt temp disks and caches on the VM host too (the subscription must have the EncryptionAtHost feature registered)."
  type        = bool
  default     = true
}

variable "accelerated_networking" {
  description = "Enable accelerated networking on the NICs (every default VM size supports it)."
  type        = bool
  default     = true
}

variable "enable_nat" {
  description = "Create a NAT gateway with one public IP so hosts without public addresses reach package mirrors."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Extra tags on every resource (cost centre, owner); the meridian_* keys are set by the module."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.tags) : !startswith(k, "meridian_")])
    error_message = "Tags starting with meridian_ belong to the module (discovery filters on them)."
  }
}
