output "meridian_inventory" {
  description = "The inventory contract (docs/inventory-contract.md): read it with the meridian_terraform inventory plugin."
  value = {
    contract_version = 1
    stack            = var.stack
    clusters         = module.placement.clusters
    hosts            = flatten([for region in sort(keys(var.regions)) : module.region[region].hosts])
  }
}

output "vm_ids" {
  description = "VM IDs by host name."
  value       = merge([for m in values(module.region) : m.vm_ids]...)
}
