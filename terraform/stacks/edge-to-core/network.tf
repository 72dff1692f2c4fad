# Hub and spoke around the core: each edge reaches the core, not the other edge (no transit).

# The AWS edge: inter-region VPC peering.
module "peering_aws_edge" {
  source = "../../modules/aws-peering"
  providers = {
    aws.requester = aws.core
    aws.accepter  = aws.edge
  }

  stack = var.stack
  tags  = var.tags
  requester = {
    region       = var.core.region
    vpc_id       = module.core.vpc_id
    cidr         = module.core.cidr
    route_tables = { private = module.core.private_route_table_id }
  }
  accepter = {
    region       = var.aws_edge.region
    vpc_id       = module.aws_edge.vpc_id
    cidr         = module.aws_edge.cidr
    route_tables = { private = module.aws_edge.private_route_table_id }
  }
}

# The Azure edge: site-to-site VPN from the core VPC (the edge's worker pushes to the core).
module "vpn_azure_edge" {
  source    = "../../modules/cross-cloud-vpn/aws-azure"
  providers = { aws = aws.core }

  stack = var.stack
  tags  = var.tags
  aws = {
    region       = var.core.region
    vpc_id       = module.core.vpc_id
    cidr         = module.core.cidr
    route_tables = { private = module.core.private_route_table_id }
  }
  azure = {
    region              = var.azure_edge.region
    resource_group_name = module.azure_edge.resource_group_name
    vnet_name           = module.azure_edge.vnet_name
    cidr                = module.azure_edge.cidr
    gateway_subnet      = module.placement.networks[var.azure_edge.region].gateway_subnet
  }
}
