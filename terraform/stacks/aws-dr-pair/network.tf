# MirrorMaker in one region reads the other region's brokers over private addresses.
module "peering" {
  source = "../../modules/aws-peering"
  providers = {
    aws.requester = aws.primary
    aws.accepter  = aws.dr
  }

  stack = var.stack
  tags  = var.tags
  requester = {
    region       = var.primary.region
    vpc_id       = module.primary.vpc_id
    cidr         = module.primary.cidr
    route_tables = { private = module.primary.private_route_table_id }
  }
  accepter = {
    region       = var.dr.region
    vpc_id       = module.dr.vpc_id
    cidr         = module.dr.cidr
    route_tables = { private = module.dr.private_route_table_id }
  }
}
