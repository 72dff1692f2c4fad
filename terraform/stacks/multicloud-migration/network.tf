# Site-to-site IPsec between the legacy VPC and the modern cluster's global VPC.
module "vpn" {
  source = "../../modules/cross-cloud-vpn/aws-gcp"

  stack = var.stack
  tags  = var.tags
  aws = {
    region       = var.aws.region
    vpc_id       = module.aws.vpc_id
    cidr         = module.aws.cidr
    route_tables = { private = module.aws.private_route_table_id }
  }
  gcp = {
    region            = var.gcp.region
    network_self_link = module.gcp_network.self_link
    cidrs             = [module.gcp.cidr]
  }
}
