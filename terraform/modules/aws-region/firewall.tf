locals {
  # Who may reach which port. The region's own block is always a source: brokers, controllers
  # and workers of one region talk to each other.
  own = [var.network.cidr]
  ingress = {
    kafka      = { port = 9092, sources = distinct(concat(local.own, var.peer_cidrs, var.client_cidrs, var.admin_cidrs)), what = "Kafka clients and replication" }
    controller = { port = 9093, sources = distinct(concat(local.own, var.peer_cidrs)), what = "KRaft controller quorum" }
    mm_rest    = { port = 8083, sources = distinct(concat(local.own, var.peer_cidrs, var.admin_cidrs)), what = "MirrorMaker 2 REST" }
    ssh        = { port = 22, sources = distinct(var.admin_cidrs), what = "SSH from admin networks" }
  }
  ingress_rules = merge([
    for key, rule in local.ingress : {
      for cidr in rule.sources : "${key}-${cidr}" => { port = rule.port, cidr = cidr, what = rule.what }
    }
  ]...)
}

resource "aws_security_group" "hosts" {
  name        = "${local.name}-kafka"
  description = "Meridian Kafka hosts of ${var.stack} in ${var.region}"
  vpc_id      = aws_vpc.this.id
  tags        = merge(local.common_tags, { Name = "${local.name}-kafka" })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "hosts" {
  for_each = local.ingress_rules

  security_group_id = aws_security_group.hosts.id
  description       = each.value.what
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
  tags              = local.common_tags
}

resource "aws_vpc_security_group_egress_rule" "all" {
  #checkov:skip=CKV_AWS_382:Hosts fetch OS packages and the Kafka distribution through the NAT gateway; mirrors have no fixed addresses.
  security_group_id = aws_security_group.hosts.id
  description       = "Outbound: package mirrors through NAT, other regions through peering or VPN"
  ip_protocol       = "-1"
  cidr_ipv4         = "0.0.0.0/0"
  tags              = local.common_tags
}
