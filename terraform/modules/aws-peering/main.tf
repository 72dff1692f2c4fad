locals {
  name = "${var.stack}-${var.requester.region}-${var.accepter.region}"
  tags = merge(var.tags, { meridian_stack = var.stack, Name = local.name })
}

# Peering across regions cannot be auto-accepted by the requester: the accepter side accepts it.
data "aws_caller_identity" "accepter" {
  provider = aws.accepter
}

resource "aws_vpc_peering_connection" "this" {
  provider = aws.requester

  vpc_id        = var.requester.vpc_id
  peer_vpc_id   = var.accepter.vpc_id
  peer_region   = var.accepter.region
  peer_owner_id = data.aws_caller_identity.accepter.account_id
  auto_accept   = false
  tags          = local.tags

  lifecycle {
    precondition {
      # Overlapping blocks cannot be routed; the placement module's netnum keeps them apart.
      condition     = !(cidrhost(var.requester.cidr, 0) == cidrhost(var.accepter.cidr, 0))
      error_message = "The two VPCs have the same address block ${var.requester.cidr}; give their regions distinct netnums."
    }
  }
}

resource "aws_vpc_peering_connection_accepter" "this" {
  provider = aws.accepter

  vpc_peering_connection_id = aws_vpc_peering_connection.this.id
  auto_accept               = true
  tags                      = local.tags
}

resource "aws_route" "requester_to_accepter" {
  provider = aws.requester
  for_each = var.requester.route_tables

  route_table_id            = each.value
  destination_cidr_block    = var.accepter.cidr
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.this.id
}

resource "aws_route" "accepter_to_requester" {
  provider = aws.accepter
  for_each = var.accepter.route_tables

  route_table_id            = each.value
  destination_cidr_block    = var.requester.cidr
  vpc_peering_connection_id = aws_vpc_peering_connection_accepter.this.id
}
