# Route-based Azure VPN gateway with one connection per AWS tunnel endpoint (static routes).
locals {
  name = "${var.stack}-aws-azure"
  tags = merge(var.tags, { meridian_stack = var.stack })
}

# Azure requires exactly this name for the subnet its VPN gateways live in.
resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = var.azure.resource_group_name
  virtual_network_name = var.azure.vnet_name
  address_prefixes     = [var.azure.gateway_subnet]
}

resource "azurerm_public_ip" "vpn" {
  name                = "${local.name}-vpn"
  location            = var.azure.region
  resource_group_name = var.azure.resource_group_name
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = ["1", "2", "3"]
  tags                = local.tags
}

resource "azurerm_virtual_network_gateway" "this" {
  name                = local.name
  location            = var.azure.region
  resource_group_name = var.azure.resource_group_name
  type                = "Vpn"
  vpn_type            = "RouteBased"
  sku                 = var.gateway_sku
  generation          = "Generation1"
  active_active       = false
  bgp_enabled         = false
  tags                = local.tags

  ip_configuration {
    name                          = "default"
    public_ip_address_id          = azurerm_public_ip.vpn.id
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }
}

module "aws_side" {
  source = "../aws-side"

  name           = local.name
  vpc_id         = var.aws.vpc_id
  route_tables   = var.aws.route_tables
  peer_public_ip = azurerm_public_ip.vpn.ip_address
  peer_cidrs     = [var.azure.cidr]
  tags           = local.tags
}

resource "azurerm_local_network_gateway" "aws" {
  count = 2

  name                = "${local.name}-aws-${count.index + 1}"
  location            = var.azure.region
  resource_group_name = var.azure.resource_group_name
  gateway_address     = module.aws_side.tunnels[count.index].address
  address_space       = [var.aws.cidr]
  tags                = local.tags
}

resource "azurerm_virtual_network_gateway_connection" "aws" {
  count = 2

  name                       = "${local.name}-${count.index + 1}"
  location                   = var.azure.region
  resource_group_name        = var.azure.resource_group_name
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.this.id
  local_network_gateway_id   = azurerm_local_network_gateway.aws[count.index].id
  shared_key                 = module.aws_side.tunnels[count.index].preshared_key
  connection_protocol        = "IKEv2"
  tags                       = local.tags

  # Same suite as the AWS side (aws-side/main.tf).
  ipsec_policy {
    ike_encryption   = "AES256"
    ike_integrity    = "SHA256"
    dh_group         = "DHGroup14"
    ipsec_encryption = "AES256"
    ipsec_integrity  = "SHA256"
    pfs_group        = "PFS2048"
    sa_lifetime      = 3600
  }
}
