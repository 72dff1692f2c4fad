# Global VNet peering, both directions: MirrorMaker in one region reads the other region's
# brokers over private addresses.
module "peering" {
  source = "../../modules/azure-peering"

  stack = var.stack
  networks = [
    for region in sort(keys(var.regions)) : {
      region              = region
      resource_group_name = module.region[region].resource_group_name
      vnet_name           = module.region[region].vnet_name
      vnet_id             = module.region[region].vnet_id
      cidr                = module.region[region].cidr
    }
  ]
}
