module "region" {
  source   = "../../modules/azure-region"
  for_each = var.regions

  stack               = var.stack
  region              = each.key
  network             = module.placement.networks[each.key]
  hosts               = module.placement.hosts_by_region[each.key]
  peer_cidrs          = module.placement.peer_cidrs[each.key]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[each.key], null)
  vm_sizes            = var.azure_vm_sizes
  data_disks          = var.azure_data_disks
  tags                = var.tags
}
