locals {
  # ---- address plan --------------------------------------------------------------------------
  # Every region owns a fixed block (by netnum); zone subnets, then the public and gateway subnets
  # (the last two of the same size) are carved from it, so plans never shift when regions grow.
  region_newbits = var.region_prefix_length - tonumber(split("/", var.address_space)[1])
  region_cidrs   = { for name, r in var.regions : name => cidrsubnet(var.address_space, local.region_newbits, r.netnum) }
  last_subnet    = pow(2, var.zone_newbits) - 1

  networks = {
    for name, r in var.regions : name => {
      cidr           = local.region_cidrs[name]
      zones          = r.zones
      zone_subnets   = { for i, z in r.zones : z => cidrsubnet(local.region_cidrs[name], var.zone_newbits, i) }
      public_subnet  = cidrsubnet(local.region_cidrs[name], var.zone_newbits, local.last_subnet - 1)
      gateway_subnet = cidrsubnet(local.region_cidrs[name], var.zone_newbits, local.last_subnet)
    }
  }

  # ---- slots: one per host, before names and addresses ---------------------------------------
  # Controllers are dealt round-robin over the cluster's regions: controller j lands in region
  # j % n and gets node id j + 1, so growing 3 -> 5 voters keeps the first three where they are.
  controller_slots = flatten([
    for cname, c in var.clusters : [
      for j in range(c.controllers) : {
        cluster = cname
        kind    = c.combined ? "kafka" : "controller"
        roles   = c.combined ? ["controller", "broker"] : ["controller"]
        region  = c.regions[j % length(c.regions)].region
        ordinal = floor(j / length(c.regions))
        node_id = j + 1
      }
    ]
  ])

  # Broker ids depend only on the region's position and the broker's ordinal in that region.
  broker_slots = flatten([
    for cname, c in var.clusters : [
      for ri, r in c.regions : [
        for k in range(r.brokers) : {
          cluster = cname
          kind    = "broker"
          roles   = ["broker"]
          region  = r.region
          ordinal = k
          node_id = var.broker_node_id_base * (ri + 1) + k + 1
        }
      ]
    ]
  ])

  # MirrorMaker workers belong to the cluster of their region and have no KRaft node id.
  mirror_maker_slots = flatten([
    for cname, c in var.clusters : [
      for r in c.regions : [
        for k in range(r.mirror_makers) : {
          cluster = cname
          kind    = "mm2"
          roles   = ["mirror_maker"]
          region  = r.region
          ordinal = k
          node_id = null
        }
      ]
    ]
  ])

  slots = concat(local.controller_slots, local.broker_slots, local.mirror_maker_slots)

  # ---- hosts ---------------------------------------------------------------------------------
  # Host numbers inside a zone subnet: 32 + 128 * address_block + role base + n-th host of that
  # role in the zone. The first 32 stay free for cloud-reserved addresses, gateways and bastions.
  role_base     = { controller = 0, kafka = 0, broker = 16, mm2 = 96 }
  role_capacity = { controller = 16, kafka = 16, broker = 80, mm2 = 32 }

  # Unknown regions are reported by the precondition on output "hosts"; try() keeps the
  # expressions below from failing first with a less helpful message.
  placed = [
    for s in local.slots : merge(s, {
      topology = var.clusters[s.cluster].topology
      # Region in the name only where a cluster has several: lab style, e.g. east-kafka-1.
      name         = join("-", compact([s.cluster, var.clusters[s.cluster].topology == "stretched" ? s.region : "", s.kind, tostring(s.ordinal + 1)]))
      zone         = try(var.regions[s.region].zones[s.ordinal % length(var.regions[s.region].zones)], "unknown")
      zone_ordinal = try(floor(s.ordinal / length(var.regions[s.region].zones)), 0)
    })
  ]

  hosts = {
    for h in local.placed : h.name => {
      name     = h.name
      cluster  = h.cluster
      topology = h.topology
      kind     = h.kind
      roles    = tolist(h.roles)
      region   = h.region
      zone     = h.zone
      node_id  = h.node_id
      subnet   = try(local.networks[h.region].zone_subnets[h.zone], "0.0.0.0/32")
      hostnum  = 32 + 128 * var.clusters[h.cluster].address_block + local.role_base[h.kind] + h.zone_ordinal
      address  = try(cidrhost(local.networks[h.region].zone_subnets[h.zone], 32 + 128 * var.clusters[h.cluster].address_block + local.role_base[h.kind] + h.zone_ordinal), "0.0.0.0")
      # Role capacity per zone: beyond it the next role's addresses would be reused.
      fits_role = h.zone_ordinal < local.role_capacity[h.kind]
    }...
  }

  unknown_regions = distinct([for s in local.slots : s.region if !contains(keys(var.regions), s.region)])
  host_names      = [for h in local.placed : h.name]

  controller_placement = {
    for cname, c in var.clusters : cname => {
      for r in c.regions : r.region => length([for s in local.controller_slots : s if s.cluster == cname && s.region == r.region])
    }
  }
}
