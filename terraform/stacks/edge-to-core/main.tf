module "core" {
  source    = "../../modules/aws-region"
  providers = { aws = aws.core }

  stack               = var.stack
  region              = var.core.region
  network             = module.placement.networks[var.core.region]
  hosts               = module.placement.hosts_by_region[var.core.region]
  peer_cidrs          = module.placement.peer_cidrs[var.core.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.core.region], null)
  instance_types      = var.aws_instance_types
  data_disks          = var.aws_data_disks
  tags                = var.tags
}

# Edges are small (often one combined node), so they skip NAT cost when packages come from a
# mirror inside the network; here they keep it for a plain first install.
module "aws_edge" {
  source    = "../../modules/aws-region"
  providers = { aws = aws.edge }

  stack               = var.stack
  region              = var.aws_edge.region
  network             = module.placement.networks[var.aws_edge.region]
  hosts               = module.placement.hosts_by_region[var.aws_edge.region]
  peer_cidrs          = module.placement.peer_cidrs[var.aws_edge.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.aws_edge.region], null)
  instance_types      = var.aws_instance_types
  data_disks          = var.aws_data_disks
  tags                = var.tags
}

module "azure_edge" {
  source = "../../modules/azure-region"

  stack               = var.stack
  region              = var.azure_edge.region
  network             = module.placement.networks[var.azure_edge.region]
  hosts               = module.placement.hosts_by_region[var.azure_edge.region]
  peer_cidrs          = module.placement.peer_cidrs[var.azure_edge.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.azure_edge.region], null)
  vm_sizes            = var.azure_vm_sizes
  data_disks          = var.azure_data_disks
  tags                = var.tags
}
