# One AWS provider per AWS region (core, edge); Azure's provider is not bound to a region.
provider "aws" {
  alias  = "core"
  region = var.core.region
}

provider "aws" {
  alias  = "edge"
  region = var.aws_edge.region
}

provider "azurerm" {
  features {}
  subscription_id = var.azure_subscription_id
}
