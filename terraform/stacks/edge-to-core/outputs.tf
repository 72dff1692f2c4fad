output "meridian_inventory" {
  description = "The inventory contract (docs/inventory-contract.md): read it with the meridian_terraform inventory plugin."
  value = {
    contract_version = 1
    stack            = var.stack
    clusters         = module.placement.clusters
    hosts            = concat(module.core.hosts, module.aws_edge.hosts, module.azure_edge.hosts)
  }
}

output "instance_ids" {
  description = "EC2 instance and Azure VM IDs by host name."
  value       = merge(module.core.instance_ids, module.aws_edge.instance_ids, module.azure_edge.vm_ids)
}
