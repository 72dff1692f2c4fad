# The legacy cluster stays where it is (AWS); the modern one is built on GCP and a MirrorMaker
# worker beside it copies topics over the VPN until clients have moved.
module "aws" {
  source = "../../modules/aws-region"

  stack               = var.stack
  region              = var.aws.region
  network             = module.placement.networks[var.aws.region]
  hosts               = module.placement.hosts_by_region[var.aws.region]
  peer_cidrs          = module.placement.peer_cidrs[var.aws.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.aws.region], null)
  instance_types      = var.aws_instance_types
  data_disks          = var.aws_data_disks
  tags                = var.tags
}

module "gcp_network" {
  source = "../../modules/gcp-network"

  stack = var.stack
}

module "gcp" {
  source = "../../modules/gcp-region"

  stack               = var.stack
  region              = var.gcp.region
  network_self_link   = module.gcp_network.self_link
  network             = module.placement.networks[var.gcp.region]
  hosts               = module.placement.hosts_by_region[var.gcp.region]
  peer_cidrs          = module.placement.peer_cidrs[var.gcp.region]
  client_cidrs        = var.client_cidrs
  admin_cidrs         = var.admin_cidrs
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
  bastion             = try(var.bastions[var.gcp.region], null)
  machine_types       = var.gcp_machine_types
  data_disks          = var.gcp_data_disks
  labels              = var.tags
}
