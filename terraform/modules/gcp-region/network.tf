# GCP subnets are regional (they span every zone), so one subnet covers the region's whole block;
# the placement module's per-zone ranges still decide each host's address inside it.
resource "google_compute_subnetwork" "this" {
  name                     = local.name
  description              = "Meridian Kafka hosts of ${var.stack} in ${var.region}"
  region                   = var.region
  network                  = var.network_self_link
  ip_cidr_range            = var.network.cidr
  private_ip_google_access = true

  dynamic "log_config" {
    for_each = var.enable_logs ? [1] : []
    content {
      aggregation_interval = "INTERVAL_5_MIN"
      flow_sampling        = 0.5
      metadata             = "INCLUDE_ALL_METADATA"
    }
  }
}

# Egress only: hosts have no external address; Cloud NAT lets them reach package mirrors.
resource "google_compute_router" "this" {
  count = var.enable_nat ? 1 : 0

  name    = local.name
  region  = var.region
  network = var.network_self_link
}

resource "google_compute_router_nat" "this" {
  count = var.enable_nat ? 1 : 0

  name                               = local.name
  router                             = google_compute_router.this[0].name
  region                             = var.region
  nat_ip_allocate_option             = "AUTO_ONLY"
  source_subnetwork_ip_ranges_to_nat = "LIST_OF_SUBNETWORKS"

  subnetwork {
    name                    = google_compute_subnetwork.this.id
    source_ip_ranges_to_nat = ["ALL_IP_RANGES"]
  }

  log_config {
    enable = var.enable_logs
    filter = "ERRORS_ONLY"
  }
}
