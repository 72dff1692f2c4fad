output "hosts" {
  description = "Every host by name: cluster, topology, kind (controller, broker, kafka for a combined node, mm2), roles, region, zone, node_id (null for MirrorMaker workers), subnet (its zone subnet) and address (a fixed private IPv4 address in that subnet)."
  value = {
    for name, hs in local.hosts : name => {
      for k, v in hs[0] : k => v if !contains(["hostnum", "fits_role"], k)
    }
  }

  precondition {
    condition     = length(local.unknown_regions) == 0
    error_message = "Clusters use regions that var.regions does not declare: ${join(", ", local.unknown_regions)}."
  }
  precondition {
    condition     = length(distinct(local.host_names)) == length(local.host_names)
    error_message = "Two hosts get the same name; rename a cluster so that <cluster>-<region>-... names stay apart."
  }
  precondition {
    # Host names become hostnames, GCP instance names and Azure VM names (all capped near 63).
    condition     = alltrue([for n in local.host_names : length(n) <= 63])
    error_message = "A host name is longer than 63 characters; use shorter cluster names."
  }
  precondition {
    condition     = alltrue([for hs in values(local.hosts) : hs[0].fits_role])
    error_message = "Too many hosts of one role in one zone: at most 16 controllers, 80 brokers and 32 MirrorMaker workers per cluster and zone; list more zones."
  }
  precondition {
    condition     = alltrue([for hs in values(local.hosts) : hs[0].hostnum < pow(2, 32 - tonumber(split("/", hs[0].subnet)[1])) - 2])
    error_message = "A host number lies beyond its zone subnet; lower address_block or zone_newbits."
  }
}

output "hosts_by_region" {
  description = "The hosts of output hosts grouped by region (every declared region is a key, possibly with no hosts), for the per-region cloud modules."
  value = {
    for region in keys(var.regions) : region => {
      for name, hs in local.hosts : name => {
        for k, v in hs[0] : k => v if !contains(["hostnum", "fits_role"], k)
      } if hs[0].region == region
    }
  }
}

output "clusters" {
  description = "Clusters in the inventory contract's shape: name => { topology }."
  value       = { for name, c in var.clusters : name => { topology = c.topology } }
}

output "networks" {
  description = "Address plan by region: cidr (the region's block), zones, zone_subnets (zone => CIDR), public_subnet (NAT, bastions) and gateway_subnet (VPN gateways)."
  value       = local.networks
}

output "peer_cidrs" {
  description = "For each region, the blocks of every other declared region: the sources its firewall admits Kafka, controller and MirrorMaker traffic from."
  value       = { for name in keys(var.regions) : name => [for other, cidr in local.region_cidrs : cidr if other != name] }
}

output "controller_placement" {
  description = "Number of KRaft controllers per cluster and region."
  value       = local.controller_placement
}
