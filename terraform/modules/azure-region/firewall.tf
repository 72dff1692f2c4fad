locals {
  # Who may reach which port. The region's own block is always a source: brokers, controllers
  # and workers of one region talk to each other.
  own = [var.network.cidr]
  ingress = {
    kafka      = { priority = 100, port = 9092, sources = distinct(concat(local.own, var.peer_cidrs, var.client_cidrs, var.admin_cidrs)), what = "Kafka clients and replication" }
    controller = { priority = 110, port = 9093, sources = distinct(concat(local.own, var.peer_cidrs)), what = "KRaft controller quorum" }
    mm-rest    = { priority = 120, port = 8083, sources = distinct(concat(local.own, var.peer_cidrs, var.admin_cidrs)), what = "MirrorMaker 2 REST" }
    ssh        = { priority = 130, port = 22, sources = distinct(var.admin_cidrs), what = "SSH from admin networks" }
  }
}

resource "azurerm_network_security_group" "hosts" {
  name                = "${local.name}-kafka"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  tags                = local.common_tags
}

resource "azurerm_network_security_rule" "ingress" {
  for_each = local.ingress

  name                        = each.key
  description                 = each.value.what
  priority                    = each.value.priority
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  source_address_prefixes     = each.value.sources
  destination_port_range      = tostring(each.value.port)
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.hosts.name
}

# Azure's default AllowVnetInBound admits every peered and VPN-connected range on every port;
# this rule, above it, leaves only the ports opened above.
resource "azurerm_network_security_rule" "deny_inbound" {
  name                        = "deny-other-inbound"
  description                 = "Only the Meridian ports above are open"
  priority                    = 4000
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  source_address_prefix       = "*"
  destination_port_range      = "*"
  destination_address_prefix  = "*"
  resource_group_name         = azurerm_resource_group.this.name
  network_security_group_name = azurerm_network_security_group.hosts.name
}

resource "azurerm_subnet_network_security_group_association" "zone" {
  for_each = azurerm_subnet.zone

  subnet_id                 = each.value.id
  network_security_group_id = azurerm_network_security_group.hosts.id
}
