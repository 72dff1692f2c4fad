variable "stack" {
  description = "Name of the stack that owns the network (prefix of its name)."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,30}$", var.stack))
    error_message = "stack is 1-31 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "name" {
  description = "Network name; null names it <stack>-kafka."
  type        = string
  default     = null

  validation {
    condition     = var.name == null || can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", coalesce(var.name, "x")))
    error_message = "name must be a valid GCP resource name (lower case, digits, dashes, at most 63)."
  }
}
