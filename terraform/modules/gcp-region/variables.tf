variable "stack" {
  description = "Name of the stack that owns this region (label meridian_stack and the prefix of every resource name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "GCP region of this module instance, e.g. europe-west1."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a GCP region name such as europe-west1."
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
    condition     = alltrue([for z in var.network.zones : can(regex("^[a-z]+-[a-z]+[0-9]+-[a-z]$", z))])
    error_message = "GCP zones are named <region>-<letter>, e.g. europe-west1-b."
  }
}

variable "network_self_link" {
  description = "Self link of the stack's global VPC (module gcp-network); this module adds the region's subnet to it."
  type        = string

  validation {
    condition     = length(var.network_self_link) > 0
    error_message = "network_self_link must not be empty."
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
  description = "Networks Ansible and operators come from (a bastion's address as /32 when one is used; add 35.235.240.0/20 for IAP TCP forwarding): SSH (22), Kafka (9092) and MirrorMaker REST (8083)."
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

variable "machine_types" {
  description = "Compute Engine machine type per role: controller, broker (also combined nodes) and mirror_maker."
  type = object({
    controller   = string
    broker       = string
    mirror_maker = string
  })
  # A stack passing null gets the defaults below.
  nullable = false
  default = {
    controller   = "n2-standard-2"
    broker       = "n2-highmem-4"
    mirror_maker = "n2-standard-2"
  }

  validation {
    condition     = alltrue([for t in values(var.machine_types) : can(regex("^[a-z][a-z0-9]*-[a-z0-9-]+$", t))])
    error_message = "Machine types look like n2-standard-2."
  }
}

variable "data_disks" {
  description = "Persistent data disk per role (controller, broker also for combined nodes, mirror_maker): type (pd-ssd, pd-balanced, pd-standard, hyperdisk-balanced, hyperdisk-throughput) and size_gb."
  type = object({
    controller   = object({ type = string, size_gb = number })
    broker       = object({ type = string, size_gb = number })
    mirror_maker = object({ type = string, size_gb = number })
  })
  # A stack passing null gets the defaults below.
  nullable = false
  default = {
    controller   = { type = "pd-balanced", size_gb = 50 }
    broker       = { type = "pd-ssd", size_gb = 500 }
    mirror_maker = { type = "pd-balanced", size_gb = 20 }
  }

  validation {
    condition     = alltrue([for d in values(var.data_disks) : contains(["pd-ssd", "pd-balanced", "pd-standard", "hyperdisk-balanced", "hyperdisk-throughput"], d.type) && d.size_gb >= 10 && d.size_gb <= 65536])
    error_message = "Data disk types are pd-ssd, pd-balanced, pd-standard, hyperdisk-balanced or hyperdisk-throughput, sized 10 to 65536 GB."
  }
}

variable "boot_disk_size_gb" {
  description = "Size of every host's boot disk (OS, Kafka install, logs)."
  type        = number
  default     = 20

  validation {
    condition     = var.boot_disk_size_gb >= 10 && var.boot_disk_size_gb <= 1024
    error_message = "boot_disk_size_gb must be between 10 and 1024."
  }
}

variable "image" {
  description = "Boot image (family or image self link). Debian images run the guest agent, not cloud-init: keys arrive through ssh-keys metadata and the data disk through the startup-script; images with cloud-init also get the cloud-config as user-data."
  type        = string
  default     = "debian-cloud/debian-12"

  validation {
    condition     = length(var.image) > 0
    error_message = "image must not be empty."
  }
}

variable "kms_key_self_link" {
  description = "Cloud KMS key encrypting boot and data disks; null uses Google-managed keys."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_self_link == null || can(regex("/cryptoKeys/", coalesce(var.kms_key_self_link, "x")))
    error_message = "kms_key_self_link must name a Cloud KMS crypto key (projects/.../cryptoKeys/...)."
  }
}

variable "service_account_email" {
  description = "Service account of the hosts; null creates one per region with no roles (the hosts need no Google API)."
  type        = string
  default     = null

  validation {
    condition     = var.service_account_email == null || can(regex("@", coalesce(var.service_account_email, "x")))
    error_message = "service_account_email must be an e-mail address."
  }
}

variable "enable_nat" {
  description = "Create a Cloud Router with Cloud NAT so hosts without external addresses reach package mirrors."
  type        = bool
  default     = true
}

variable "enable_logs" {
  description = "Record subnet flow logs and firewall rule logs (Cloud Logging charges apply)."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Extra labels on every resource (cost centre, owner); the meridian_* keys are set by the module."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.labels : !startswith(k, "meridian_") && can(regex("^[a-z][a-z0-9_-]{0,62}$", k)) && can(regex("^[a-z0-9_-]{0,63}$", v))])
    error_message = "Label keys and values are lower case (letters, digits, _ and -, at most 63); keys starting with meridian_ belong to the module."
  }
}
