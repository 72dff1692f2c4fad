# VNet peering is one-way: each side needs its own peering resource before traffic flows.
# Forwarded traffic and gateway transit stay off: only the two VNets' own hosts talk.
locals {
  sides = {
    "0" = { from = var.networks[0], to = var.networks[1] }
    "1" = { from = var.networks[1], to = var.networks[0] }
  }
}

resource "azurerm_virtual_network_peering" "this" {
  for_each = local.sides

  name                         = "${var.stack}-${each.value.from.region}-to-${each.value.to.region}"
  resource_group_name          = each.value.from.resource_group_name
  virtual_network_name         = each.value.from.vnet_name
  remote_virtual_network_id    = each.value.to.vnet_id
  allow_virtual_network_access = true
  allow_forwarded_traffic      = false
  allow_gateway_transit        = false
  use_remote_gateways          = false

  lifecycle {
    precondition {
      condition     = cidrhost(each.value.from.cidr, 0) != cidrhost(each.value.to.cidr, 0)
      error_message = "The two VNets have the same address block; give their regions distinct netnums."
    }
  }
}
