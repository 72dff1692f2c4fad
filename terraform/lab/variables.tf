variable "topologies" {
  description = "Lab topologies to provision, by file name under topologies/ (without .json). Several may run side by side: their regions use distinct /16 ranges of 127.0.0.0/8."
  type        = list(string)
  default     = ["stretched"]

  validation {
    condition     = length(var.topologies) > 0 && alltrue([for t in var.topologies : fileexists("${path.module}/topologies/${t}.json")])
    error_message = "Each entry of topologies must name a file topologies/<name>.json in this stack."
  }
}

variable "image" {
  description = "Local podman image every lab host boots from (Debian 12 with systemd, Python and Java 17); lab/build-image.sh builds it."
  type        = string
  default     = "localhost/meridian-lab:bookworm"

  validation {
    condition     = length(trimspace(var.image)) > 0
    error_message = "image must not be empty."
  }
}

variable "container_prefix" {
  description = "Prefix of every lab container name, so the lab never touches other containers."
  type        = string
  default     = "meridian-"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.container_prefix))
    error_message = "container_prefix may hold lower-case letters, digits and dashes only."
  }
}

variable "containers_conf" {
  description = "Path of the containers.conf podman needs on these machines (runc runtime, explicit ulimits)."
  type        = string
  default     = ""
}

variable "host_ulimits" {
  description = "ulimits given to every lab container; systemd inside cannot raise a limit above these."
  type        = list(string)
  default     = ["nofile=20000:20000", "nproc=4096:4096"]

  validation {
    condition     = alltrue([for u in var.host_ulimits : can(regex("^[a-z]+=[0-9]+:[0-9]+$", u))])
    error_message = "host_ulimits entries look like name=soft:hard, for example nofile=20000:20000."
  }
}
