terraform {
  # terraform_data needs Terraform >= 1.4; OpenTofu >= 1.6 has it too.
  required_version = ">= 1.4.0"
  # No providers: the lab runs offline, with built-in resources and podman only.
}
