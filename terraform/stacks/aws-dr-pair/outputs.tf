output "meridian_inventory" {
  description = "The inventory contract (docs/inventory-contract.md): read it with the meridian_terraform inventory plugin."
  value = {
    contract_version = 1
    stack            = var.stack
    clusters         = module.placement.clusters
    hosts            = concat(module.primary.hosts, module.dr.hosts)
  }
}

output "instance_ids" {
  description = "EC2 instance IDs by host name."
  value       = merge(module.primary.instance_ids, module.dr.instance_ids)
}
