output "meridian_inventory" {
  description = "The inventory contract (docs/inventory-contract.md): read it with the meridian_terraform inventory plugin."
  value = {
    contract_version = 1
    stack            = var.stack
    clusters         = module.placement.clusters
    hosts            = concat(module.aws.hosts, module.gcp.hosts)
  }
}

output "instance_ids" {
  description = "EC2 and Compute Engine instance IDs by host name."
  value       = merge(module.aws.instance_ids, module.gcp.instance_ids)
}
