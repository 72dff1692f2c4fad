output "meridian_inventory" {
  description = "The inventory contract (docs/inventory-contract.md): read it with the meridian_terraform inventory plugin."
  value = {
    contract_version = 1
    stack            = var.stack
    clusters         = module.placement.clusters
    hosts            = flatten([for region in sort(keys(var.regions)) : module.region[region].hosts])
  }
}

output "controller_placement" {
  description = "KRaft controllers per cluster and region: no region of a stretched cluster holds a majority."
  value       = module.placement.controller_placement
}

output "instance_ids" {
  description = "Instance IDs by host name."
  value       = merge([for m in values(module.region) : m.instance_ids]...)
}
