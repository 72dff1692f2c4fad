# One global VPC for every GCP region of a stack: regional subnets (module gcp-region) reach each
# other over Google's backbone with no peering, and global routing lets a VPN learned in one
# region serve all of them.
resource "google_compute_network" "this" {
  name                            = coalesce(var.name, "${var.stack}-kafka")
  description                     = "Meridian Kafka network of ${var.stack}"
  auto_create_subnetworks         = false
  routing_mode                    = "GLOBAL"
  delete_default_routes_on_create = false
}

# GCP already denies unmatched ingress; this explicit lowest-priority rule makes that visible in
# the network itself and logs what it drops (probes, misrouted clients). gcp-region's rules, at
# the default priority 1000, open the Meridian ports above it.
resource "google_compute_firewall" "deny_ingress" {
  name          = "${google_compute_network.this.name}-deny-ingress"
  description   = "Meridian: drop and log any ingress no other rule allows"
  network       = google_compute_network.this.self_link
  direction     = "INGRESS"
  priority      = 65534
  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "EXCLUDE_ALL_METADATA"
  }
}
