# Names, node ids, zones and addresses of every host: arithmetic only (modules/placement), so the
# layout is checked, and tests/unit/test_terraform_static.py recomputes it, without any cloud.
module "placement" {
  source = "../../modules/placement"

  clusters      = var.clusters
  address_space = var.address_space
  regions = {
    (var.aws.region) = { zones = var.aws.zones, netnum = var.aws.netnum }
    (var.gcp.region) = { zones = var.gcp.zones, netnum = var.gcp.netnum }
  }
}
