# One global VPC: the regional subnets reach each other with no peering, which is what a cluster
# whose controllers vote across regions needs.
module "network" {
  source = "../../modules/gcp-network"

  stack = var.stack
}
