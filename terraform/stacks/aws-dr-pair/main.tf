module "primary" {
  source    = "../../modules/aws-region"
  providers = { aws = aws.primary }

  stack               = var.stack
  region              = var.primary.region
  network             = module.placement.networks[var.primary.region]
  hosts               = module.placement.hosts_by_region[var.primary.region]
  peer_cidrs          = module.placement.peer_cidrs[var.primary.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.primary.region], null)
  instance_types      = var.aws_instance_types
  data_disks          = var.aws_data_disks
  tags                = var.tags
}

module "dr" {
  source    = "../../modules/aws-region"
  providers = { aws = aws.dr }

  stack               = var.stack
  region              = var.dr.region
  network             = module.placement.networks[var.dr.region]
  hosts               = module.placement.hosts_by_region[var.dr.region]
  peer_cidrs          = module.placement.peer_cidrs[var.dr.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.dr.region], null)
  instance_types      = var.aws_instance_types
  data_disks          = var.aws_data_disks
  tags                = var.tags
}
