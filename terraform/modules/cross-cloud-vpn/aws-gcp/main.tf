# Classic (route-based, static) Cloud VPN: two GCP tunnels to the two AWS tunnel endpoints of one
# VPN connection. HA VPN would need BGP and four tunnels; a migration link does not warrant it.
locals {
  name = "${var.stack}-aws-gcp"
}

resource "google_compute_address" "vpn" {
  name   = local.name
  region = var.gcp.region
}

resource "google_compute_vpn_gateway" "this" {
  name    = local.name
  region  = var.gcp.region
  network = var.gcp.network_self_link
}

# A classic VPN gateway receives IPsec through these three forwarding rules.
resource "google_compute_forwarding_rule" "vpn" {
  for_each = {
    esp     = { protocol = "ESP", port = null }
    udp500  = { protocol = "UDP", port = "500" }
    udp4500 = { protocol = "UDP", port = "4500" }
  }

  name        = "${local.name}-${each.key}"
  region      = var.gcp.region
  ip_protocol = each.value.protocol
  port_range  = each.value.port
  ip_address  = google_compute_address.vpn.address
  target      = google_compute_vpn_gateway.this.self_link
}

module "aws_side" {
  source = "../aws-side"

  name           = local.name
  vpc_id         = var.aws.vpc_id
  route_tables   = var.aws.route_tables
  peer_public_ip = google_compute_address.vpn.address
  peer_cidrs     = var.gcp.cidrs
  tags           = merge(var.tags, { meridian_stack = var.stack })
}

resource "google_compute_vpn_tunnel" "aws" {
  count = 2

  name                    = "${local.name}-${count.index + 1}"
  region                  = var.gcp.region
  target_vpn_gateway      = google_compute_vpn_gateway.this.self_link
  peer_ip                 = module.aws_side.tunnels[count.index].address
  shared_secret           = module.aws_side.tunnels[count.index].preshared_key
  ike_version             = 2
  local_traffic_selector  = ["0.0.0.0/0"]
  remote_traffic_selector = ["0.0.0.0/0"]

  depends_on = [google_compute_forwarding_rule.vpn]
}

# Two equal routes, one per tunnel: traffic fails over when an AWS endpoint is in maintenance.
resource "google_compute_route" "aws" {
  count = 2

  name                = "${local.name}-${count.index + 1}"
  network             = var.gcp.network_self_link
  dest_range          = var.aws.cidr
  priority            = 1000
  next_hop_vpn_tunnel = google_compute_vpn_tunnel.aws[count.index].self_link
}
