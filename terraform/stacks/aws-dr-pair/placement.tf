# Names, node ids, zones and addresses of every host: arithmetic only (modules/placement), so the
# layout is checked, and tests/unit/test_terraform_static.py recomputes it, without any cloud.
module "placement" {
  source = "../../modules/placement"

  clusters      = var.clusters
  address_space = var.address_space
  regions = {
    (var.primary.region) = { zones = var.primary.zones, netnum = var.primary.netnum }
    (var.dr.region)      = { zones = var.dr.zones, netnum = var.dr.netnum }
  }
}
