locals {
  # Who may reach which port. The region's own block is always a source: brokers, controllers
  # and workers of one region talk to each other. Everything else stays closed (GCP's implied
  # deny-ingress rule).
  own = [var.network.cidr]
  ingress = {
    kafka      = { port = 9092, sources = distinct(concat(local.own, var.peer_cidrs, var.client_cidrs, var.admin_cidrs)), what = "Kafka clients and replication" }
    controller = { port = 9093, sources = distinct(concat(local.own, var.peer_cidrs)), what = "KRaft controller quorum" }
    mm-rest    = { port = 8083, sources = distinct(concat(local.own, var.peer_cidrs, var.admin_cidrs)), what = "MirrorMaker 2 REST" }
    ssh        = { port = 22, sources = distinct(var.admin_cidrs), what = "SSH from admin networks" }
  }
}

resource "google_compute_firewall" "ingress" {
  for_each = local.ingress

  name          = "${local.name}-${each.key}"
  description   = "Meridian: ${each.value.what}"
  network       = var.network_self_link
  direction     = "INGRESS"
  source_ranges = each.value.sources
  target_tags   = [local.network_tag]

  allow {
    protocol = "tcp"
    ports    = [tostring(each.value.port)]
  }

  dynamic "log_config" {
    for_each = var.enable_logs ? [1] : []
    content {
      metadata = "INCLUDE_ALL_METADATA"
    }
  }
}
