terraform {
  required_version = ">= 1.6.0"

  required_providers {
    azurerm = {
      source = "hashicorp/azurerm"
      # 4.x names (accelerated_networking_enabled, ...) are used throughout.
      version = ">= 4.0, < 5.0"
    }
  }
}
