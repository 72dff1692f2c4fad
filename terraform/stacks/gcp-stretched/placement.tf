# Names, node ids, zones and addresses of every host: arithmetic only (modules/placement), so the
# layout is checked, and tests/unit/test_terraform_static.py recomputes it, without any cloud.
# A stretched cluster is refused here when its controllers cannot avoid a majority in one region.
module "placement" {
  source = "../../modules/placement"

  clusters      = var.clusters
  address_space = var.address_space
  regions       = var.regions
}
