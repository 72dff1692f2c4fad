output "hosts" {
  description = "Inventory contract host objects (docs/inventory-contract.md) for this region's hosts, sorted by name."
  value = [
    for name in sort(keys(var.hosts)) : {
      name       = name
      address    = azurerm_network_interface.host[name].private_ip_address
      platform   = "azure"
      cluster    = var.hosts[name].cluster
      roles      = var.hosts[name].roles
      region     = var.region
      zone       = var.hosts[name].zone
      node_id    = var.hosts[name].node_id
      connection = local.connection[name]
    }
  ]
  # Hosts are only usable once their data disk is attached.
  depends_on = [azurerm_virtual_machine_data_disk_attachment.data]
}

output "cidr" {
  description = "The region's address block (the VNet's address space)."
  value       = var.network.cidr
}

output "resource_group_name" {
  description = "Resource group holding the region's network and hosts."
  value       = azurerm_resource_group.this.name
}

output "vnet_id" {
  description = "ID of the region's virtual network (for peering)."
  value       = azurerm_virtual_network.this.id
}

output "vnet_name" {
  description = "Name of the region's virtual network (for peering and the VPN's GatewaySubnet)."
  value       = azurerm_virtual_network.this.name
}

output "network_security_group_id" {
  description = "Network security group of the hosts' subnets."
  value       = azurerm_network_security_group.hosts.id
}

output "vm_ids" {
  description = "VM IDs by host name (fault injection deallocates and starts them)."
  value       = { for name, vm in azurerm_linux_virtual_machine.host : name => vm.id }
}
