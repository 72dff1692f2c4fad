variable "stack" {
  description = "Name of the stack that owns this region (tag meridian_stack and the prefix of every resource name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "region" {
  description = "AWS region of this module instance; it must be the region of the aws provider passed in."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.region))
    error_message = "region must be an AWS region name such as us-east-1."
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
    error_message = "ssh_user must be a plain Linux user name, not root or admin (the Debian AMI's own account)."
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

variable "instance_types" {
  description = "EC2 instance type per role: controller, broker (also combined nodes) and mirror_maker."
  type = object({
    controller   = string
    broker       = string
    mirror_maker = string
  })
  # A stack passing null gets the defaults below.
  nullable = false
  default = {
    controller   = "m7i.large"
    broker       = "r7i.xlarge"
    mirror_maker = "m7i.large"
  }

  validation {
    condition     = alltrue([for t in values(var.instance_types) : can(regex("^[a-z][a-z0-9-]*\\.[a-z0-9]+$", t))])
    error_message = "Instance types look like m7i.large."
  }
}

variable "data_disks" {
  description = "EBS data volume per role (controller, broker also for combined nodes, mirror_maker): type, size_gb and, for gp3/io1/io2, iops and (gp3) throughput in MiB/s."
  type = object({
    controller   = object({ type = string, size_gb = number, iops = optional(number), throughput = optional(number) })
    broker       = object({ type = string, size_gb = number, iops = optional(number), throughput = optional(number) })
    mirror_maker = object({ type = string, size_gb = number, iops = optional(number), throughput = optional(number) })
  })
  # A stack passing null gets the defaults below.
  nullable = false
  default = {
    controller   = { type = "gp3", size_gb = 50 }
    broker       = { type = "gp3", size_gb = 500, throughput = 250 }
    mirror_maker = { type = "gp3", size_gb = 20 }
  }

  validation {
    condition     = alltrue([for d in values(var.data_disks) : contains(["gp3", "gp2", "io1", "io2", "st1"], d.type) && d.size_gb >= 8 && d.size_gb <= 16384])
    error_message = "Data disk types are gp3, gp2, io1, io2 or st1, sized 8 to 16384 GiB."
  }
  validation {
    condition     = alltrue([for d in values(var.data_disks) : d.throughput == null || d.type == "gp3"])
    error_message = "throughput can only be set on gp3 volumes."
  }
}

variable "root_volume_size_gb" {
  description = "Size of every host's encrypted gp3 root volume (OS, Kafka install, logs)."
  type        = number
  default     = 20

  validation {
    condition     = var.root_volume_size_gb >= 8 && var.root_volume_size_gb <= 1024
    error_message = "root_volume_size_gb must be between 8 and 1024."
  }
}

variable "ami_id" {
  description = "AMI every host boots; null picks the newest official Debian 12 amd64 AMI at first apply (later AMI releases do not replace hosts)."
  type        = string
  default     = null

  validation {
    condition     = var.ami_id == null || can(regex("^ami-[0-9a-f]{8,17}$", var.ami_id))
    error_message = "ami_id looks like ami-0123456789abcdef0."
  }
}

variable "kms_key_arn" {
  description = "KMS key encrypting root and data volumes; null uses the account's default EBS key (volumes are encrypted either way)."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:", var.kms_key_arn))
    error_message = "kms_key_arn must be a KMS key ARN."
  }
}

variable "instance_profile_name" {
  description = "IAM instance profile of the hosts (e.g. for SSM or CloudWatch agents); null attaches none."
  type        = string
  default     = null

  validation {
    condition     = var.instance_profile_name == null || length(try(var.instance_profile_name, "")) > 0
    error_message = "instance_profile_name must be null or a non-empty name."
  }
}

variable "enable_nat" {
  description = "Create an internet gateway, a public subnet and one NAT gateway so hosts without public addresses reach package mirrors."
  type        = bool
  default     = true
}

variable "flow_log_bucket_arn" {
  description = "S3 bucket ARN receiving the VPC flow logs; null records none."
  type        = string
  default     = null

  validation {
    condition     = var.flow_log_bucket_arn == null || can(regex("^arn:aws[a-z-]*:s3:::", var.flow_log_bucket_arn))
    error_message = "flow_log_bucket_arn must be an S3 bucket ARN."
  }
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
