# AWS end of a site-to-site VPN to another cloud: one connection gives two tunnels (two AWS
# endpoints); static routing keeps the other side simple (no BGP sessions to manage).
resource "aws_vpn_gateway" "this" {
  vpc_id = var.vpc_id
  tags   = merge(var.tags, { Name = var.name })
}

resource "aws_customer_gateway" "peer" {
  bgp_asn    = 65000
  ip_address = var.peer_public_ip
  type       = "ipsec.1"
  tags       = merge(var.tags, { Name = "${var.name}-peer" })
}

resource "aws_vpn_connection" "this" {
  vpn_gateway_id      = aws_vpn_gateway.this.id
  customer_gateway_id = aws_customer_gateway.peer.id
  type                = "ipsec.1"
  static_routes_only  = true

  # IKEv2 with AES-256/SHA-256 on both tunnels; both peer clouds support it.
  tunnel1_ike_versions                 = ["ikev2"]
  tunnel2_ike_versions                 = ["ikev2"]
  tunnel1_phase1_encryption_algorithms = ["AES256"]
  tunnel2_phase1_encryption_algorithms = ["AES256"]
  tunnel1_phase2_encryption_algorithms = ["AES256"]
  tunnel2_phase2_encryption_algorithms = ["AES256"]
  tunnel1_phase1_integrity_algorithms  = ["SHA2-256"]
  tunnel2_phase1_integrity_algorithms  = ["SHA2-256"]
  tunnel1_phase2_integrity_algorithms  = ["SHA2-256"]
  tunnel2_phase2_integrity_algorithms  = ["SHA2-256"]
  tunnel1_phase1_dh_group_numbers      = [14]
  tunnel2_phase1_dh_group_numbers      = [14]
  tunnel1_phase2_dh_group_numbers      = [14]
  tunnel2_phase2_dh_group_numbers      = [14]

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_vpn_connection_route" "peer" {
  for_each = toset(var.peer_cidrs)

  vpn_connection_id      = aws_vpn_connection.this.id
  destination_cidr_block = each.value
}

resource "aws_vpn_gateway_route_propagation" "this" {
  for_each = var.route_tables

  vpn_gateway_id = aws_vpn_gateway.this.id
  route_table_id = each.value
}
