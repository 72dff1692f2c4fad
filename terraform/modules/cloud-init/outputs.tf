output "user_data" {
  description = "cloud-init user data (#cloud-config YAML) by host name."
  value       = local.user_data
}

output "disk_script" {
  description = "Shell script formatting (only when it holds no filesystem) and mounting the data disk, by host name (empty without a data device). The cloud-config installs and runs it; images without cloud-init (GCP's Debian images) run it as startup-script."
  value       = local.disk_script
}
