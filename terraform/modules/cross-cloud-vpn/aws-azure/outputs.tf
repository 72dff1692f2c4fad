output "azure_vpn_address" {
  description = "Public address of the Azure VPN gateway."
  value       = azurerm_public_ip.vpn.ip_address
}

output "aws_vpn_connection_id" {
  description = "ID of the AWS VPN connection."
  value       = module.aws_side.vpn_connection_id
}
