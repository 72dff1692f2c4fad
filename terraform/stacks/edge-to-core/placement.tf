# Names, node ids, zones and addresses of every host: arithmetic only (modules/placement), so the
# layout is checked, and tests/unit/test_terraform_static.py recomputes it, without any cloud.
module "placement" {
  source = "../../modules/placement"

  clusters      = var.clusters
  address_space = var.address_space
  regions = {
    (var.core.region)       = { zones = var.core.zones, netnum = var.core.netnum }
    (var.aws_edge.region)   = { zones = var.aws_edge.zones, netnum = var.aws_edge.netnum }
    (var.azure_edge.region) = { zones = var.azure_edge.zones, netnum = var.azure_edge.netnum }
  }
}
