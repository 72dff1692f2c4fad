resource "azurerm_virtual_network" "this" {
  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  address_space       = [var.network.cidr]
  tags                = local.common_tags
}

# Azure subnets span zones; one per zone anyway, so a host's address tells its zone as on AWS.
# The plan's gateway_subnet is left free for the VPN module's GatewaySubnet.
resource "azurerm_subnet" "zone" {
  for_each = var.network.zone_subnets

  name                            = each.key
  resource_group_name             = azurerm_resource_group.this.name
  virtual_network_name            = azurerm_virtual_network.this.name
  address_prefixes                = [each.value]
  default_outbound_access_enabled = false
}

# Egress only: hosts have no public address; the NAT gateway lets them reach package mirrors.
resource "azurerm_public_ip" "nat" {
  count = var.enable_nat ? 1 : 0

  name                = "${local.name}-nat"
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  allocation_method   = "Static"
  sku                 = "Standard"
  tags                = local.common_tags
}

resource "azurerm_nat_gateway" "this" {
  count = var.enable_nat ? 1 : 0

  name                = local.name
  location            = azurerm_resource_group.this.location
  resource_group_name = azurerm_resource_group.this.name
  sku_name            = "Standard"
  tags                = local.common_tags
}

resource "azurerm_nat_gateway_public_ip_association" "this" {
  count = var.enable_nat ? 1 : 0

  nat_gateway_id       = azurerm_nat_gateway.this[0].id
  public_ip_address_id = azurerm_public_ip.nat[0].id
}

resource "azurerm_subnet_nat_gateway_association" "zone" {
  for_each = var.enable_nat ? azurerm_subnet.zone : {}

  subnet_id      = each.value.id
  nat_gateway_id = azurerm_nat_gateway.this[0].id
}
