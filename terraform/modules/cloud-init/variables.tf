variable "hosts" {
  description = "Host names to render first-boot configuration for (each becomes the host's hostname), mapped to the block device of the host's data disk as the guest sees it: it differs per cloud (/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol... on AWS Nitro, /dev/disk/by-id/google-data on GCP, /dev/disk/azure/scsi1/lun0 on Azure). An empty device skips formatting and mounting."
  type        = map(string)

  validation {
    condition     = alltrue([for h in keys(var.hosts) : can(regex("^[a-z0-9][a-z0-9-]{0,62}$", h))])
    error_message = "Host names are at most 63 lower-case letters, digits and dashes."
  }
  validation {
    # Devices may be unknown until the disks exist; only known values are checked.
    condition     = alltrue([for d in values(var.hosts) : d == "" || startswith(d, "/dev/")])
    error_message = "A data device must be empty or a path under /dev/."
  }
}

variable "ssh_user" {
  description = "Account cloud-init creates for Ansible, with passwordless sudo and the given SSH keys."
  type        = string
  default     = "meridian"

  validation {
    # Azure refuses admin/root-like names; Debian images already own "admin" on AWS.
    condition     = can(regex("^[a-z_][a-z0-9_-]{0,31}$", var.ssh_user)) && !contains(["root", "admin", "administrator"], var.ssh_user)
    error_message = "ssh_user must be a plain Linux user name (lower case, at most 32 characters), not root, admin or administrator."
  }
}

variable "ssh_authorized_keys" {
  description = "Public SSH keys allowed to log in as ssh_user (OpenSSH one-line format)."
  type        = list(string)

  validation {
    condition     = length(var.ssh_authorized_keys) > 0 && alltrue([for k in var.ssh_authorized_keys : can(regex("^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh.com) [A-Za-z0-9+/=]+( .*)?$", k))])
    error_message = "Give at least one public key in OpenSSH format (ssh-ed25519 AAAA... comment)."
  }
}

variable "data_mount_point" {
  description = "Where the data disk is mounted; the kafka role keeps its log dirs (kafka_log_dirs) below /var/lib/kafka."
  type        = string
  default     = "/var/lib/kafka"

  validation {
    condition     = startswith(var.data_mount_point, "/") && var.data_mount_point != "/"
    error_message = "data_mount_point must be an absolute path other than /."
  }
}
