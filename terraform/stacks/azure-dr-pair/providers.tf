# One provider serves every region: Azure resources carry their own location, so both regions
# share it and the region module can run with for_each.
provider "azurerm" {
  features {}
  subscription_id = var.azure_subscription_id
}
