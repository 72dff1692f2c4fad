variable "clusters" {
  description = <<-EOT
    Kafka clusters to place, by name. topology is single-region, stretched or linked (see
    docs/inventory-contract.md). controllers is the number of KRaft voters of the whole cluster;
    they are dealt round-robin over regions in list order. combined = true makes every controller
    a combined controller+broker node. Per region: brokers (broker-only nodes) and mirror_makers
    (MirrorMaker 2 workers, no node id). address_block (0-15) keeps the addresses of clusters that
    share a region apart.
  EOT
  type = map(object({
    topology      = string
    controllers   = number
    combined      = optional(bool, false)
    address_block = optional(number, 0)
    regions = list(object({
      region        = string
      brokers       = optional(number, 0)
      mirror_makers = optional(number, 0)
    }))
  }))

  validation {
    condition     = length(var.clusters) > 0 && alltrue([for name in keys(var.clusters) : can(regex("^[a-z][a-z0-9-]{0,19}$", name))])
    error_message = "Give at least one cluster; cluster names are 1-20 lower-case letters, digits or dashes, starting with a letter (they become host names, tags and labels)."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : contains(["single-region", "stretched", "linked"], c.topology)])
    error_message = "topology must be one of single-region, stretched, linked."
  }
  validation {
    # An even voter count tolerates no more failures than the odd count below it.
    condition     = alltrue([for c in values(var.clusters) : c.controllers >= 1 && c.controllers <= 9 && c.controllers % 2 == 1])
    error_message = "controllers must be an odd number from 1 to 9."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : c.topology == "stretched" || length(c.regions) == 1])
    error_message = "A single-region or linked cluster lives in exactly one region; only a stretched cluster lists several."
  }
  validation {
    # Round-robin gives the first region ceil(controllers / regions) voters; a majority there
    # would mean losing that one region loses the quorum, which is what stretching should avoid.
    condition = alltrue([
      for c in values(var.clusters) : c.topology != "stretched" || (
        length(c.regions) >= 2 && ceil(c.controllers / length(c.regions)) < floor(c.controllers / 2) + 1
      )
    ])
    error_message = "A stretched cluster needs its controllers spread so that no region holds a majority: with an odd voter count that takes at least 3 regions and at least one controller per region (e.g. 3 controllers over 3 regions, 5 over 3 to 5)."
  }
  validation {
    condition = alltrue([
      for c in values(var.clusters) : length(distinct([for r in c.regions : r.region])) == length(c.regions)
    ])
    error_message = "A cluster lists each of its regions once."
  }
  validation {
    condition = alltrue(flatten([
      for c in values(var.clusters) : [
        for r in c.regions : r.brokers >= 0 && r.brokers <= 80 && r.mirror_makers >= 0 && r.mirror_makers <= 32 && floor(r.brokers) == r.brokers && floor(r.mirror_makers) == r.mirror_makers
      ]
    ]))
    error_message = "brokers per region must be a whole number from 0 to 80, mirror_makers from 0 to 32."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : c.combined || anytrue([for r in c.regions : r.brokers > 0])])
    error_message = "A cluster whose controllers are not combined nodes needs brokers in at least one region."
  }
  validation {
    condition     = alltrue([for c in values(var.clusters) : c.address_block >= 0 && c.address_block <= 15 && floor(c.address_block) == c.address_block])
    error_message = "address_block must be a whole number from 0 to 15."
  }
  validation {
    # Two clusters in one region with the same block would be handed the same addresses.
    condition = alltrue([
      for region in distinct(flatten([for c in values(var.clusters) : [for r in c.regions : r.region]])) : (
        length(distinct([for c in values(var.clusters) : c.address_block if contains([for r in c.regions : r.region], region)]))
        == length([for c in values(var.clusters) : c.address_block if contains([for r in c.regions : r.region], region)])
      )
    ])
    error_message = "Clusters that share a region need distinct address_block values."
  }
}

variable "regions" {
  description = "Regions hosts may be placed in, by cloud region name: the zones to spread hosts over (in order; Azure zones are written <region>-<n>, e.g. westeurope-1) and netnum, the fixed index of the region's block inside address_space, so adding a region never renumbers another."
  type = map(object({
    zones  = list(string)
    netnum = number
  }))

  validation {
    condition     = length(var.regions) > 0 && alltrue([for name in keys(var.regions) : can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", name))])
    error_message = "Give at least one region; region names are lower-case letters, digits and dashes (as the clouds spell them)."
  }
  validation {
    condition     = alltrue([for r in values(var.regions) : length(r.zones) >= 1 && length(r.zones) <= 8 && length(distinct(r.zones)) == length(r.zones)])
    error_message = "Each region lists 1 to 8 distinct zones."
  }
  validation {
    condition     = alltrue([for r in values(var.regions) : alltrue([for z in r.zones : can(regex("^[a-z0-9][a-z0-9-]*$", z))])])
    error_message = "Zone names are lower-case letters, digits and dashes."
  }
  validation {
    condition     = length(distinct([for r in values(var.regions) : r.netnum])) == length(var.regions) && alltrue([for r in values(var.regions) : r.netnum >= 0 && floor(r.netnum) == r.netnum])
    error_message = "Every region needs its own netnum, a whole number >= 0."
  }
}

variable "address_space" {
  description = "Private IPv4 range all regions are carved from; it must not overlap networks the clusters peer with (offices, VPNs)."
  type        = string
  default     = "10.64.0.0/10"

  validation {
    condition     = can(cidrhost(var.address_space, 0)) && cidrhost(var.address_space, 0) == split("/", var.address_space)[0]
    error_message = "address_space must be an IPv4 CIDR block written with its network address, e.g. 10.64.0.0/10."
  }
}

variable "region_prefix_length" {
  description = "Prefix length of each region's block (16 gives a /16 per region)."
  type        = number
  default     = 16

  validation {
    condition     = var.region_prefix_length >= 8 && var.region_prefix_length <= 20
    error_message = "region_prefix_length must be between 8 and 20: a region holds one subnet per zone plus a public and a gateway subnet."
  }
}

variable "zone_newbits" {
  description = "Bits added to a region's prefix for each zone subnet (4: a /20 per zone out of a /16). The last two subnets of that size are the region's public and gateway subnets."
  type        = number
  default     = 4

  validation {
    condition     = var.zone_newbits >= 4 && var.zone_newbits <= 8
    error_message = "zone_newbits must be between 4 and 8 (room for 8 zone subnets plus the public and gateway subnets)."
  }
}

variable "broker_node_id_base" {
  description = "Broker node ids are base * (region position + 1) + n, e.g. 101, 102 in a cluster's first region and 201 in its second; controllers take 1-9, so ids stay stable when brokers or regions are added."
  type        = number
  default     = 100

  validation {
    condition     = var.broker_node_id_base >= 100 && var.broker_node_id_base % 100 == 0
    error_message = "broker_node_id_base must be a multiple of 100 (at least 100): it leaves room for 80 brokers per region and 9 controllers."
  }
}
