output "hosts" {
  description = "Inventory contract host objects (docs/inventory-contract.md) for this region's hosts, sorted by name."
  value = [
    for name in sort(keys(var.hosts)) : {
      name       = name
      address    = google_compute_instance.host[name].network_interface[0].network_ip
      platform   = "gcp"
      cluster    = var.hosts[name].cluster
      roles      = var.hosts[name].roles
      region     = var.region
      zone       = var.hosts[name].zone
      node_id    = var.hosts[name].node_id
      connection = local.connection[name]
    }
  ]
}

output "cidr" {
  description = "The region's address block (the subnet's range)."
  value       = google_compute_subnetwork.this.ip_cidr_range
}

output "subnet_self_link" {
  description = "Self link of the region's subnet."
  value       = google_compute_subnetwork.this.self_link
}

output "network_tag" {
  description = "Network tag carried by this region's hosts (firewall rules target it)."
  value       = local.network_tag
}

output "instance_ids" {
  description = "Instance IDs (projects/.../zones/.../instances/NAME) by host name (fault injection stops and starts them)."
  value       = { for name, i in google_compute_instance.host : name => i.id }
}
