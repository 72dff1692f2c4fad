output "peering_ids" {
  description = "IDs of the two peerings, by direction (<from>-to-<to>)."
  value       = { for k, p in azurerm_virtual_network_peering.this : p.name => p.id }
}
