output "meridian_inventory" {
  description = "The inventory contract (docs/inventory-contract.md) for the lab hosts."
  value = {
    contract_version = 1
    stack            = "lab"
    clusters         = local.clusters
    hosts = [
      for name, h in local.hosts_by_name : {
        name     = name
        address  = h.address
        platform = "lab"
        cluster  = h.cluster
        roles    = h.roles
        region   = h.region
        zone     = h.zone
        node_id  = h.node_id
        connection = {
          ansible_connection = "lab_podman"
          ansible_host       = terraform_data.host[name].input.container
        }
      }
    ]
  }
}
