output "hosts" {
  description = "Inventory contract host objects (docs/inventory-contract.md) for this region's hosts, sorted by name."
  value = [
    for name in sort(keys(var.hosts)) : {
      name       = name
      address    = aws_instance.host[name].private_ip
      platform   = "aws"
      cluster    = var.hosts[name].cluster
      roles      = var.hosts[name].roles
      region     = var.region
      zone       = var.hosts[name].zone
      node_id    = var.hosts[name].node_id
      connection = local.connection[name]
    }
  ]
  # Hosts are only usable once their data disk is attached.
  depends_on = [aws_volume_attachment.data]
}

output "vpc_id" {
  description = "ID of the region's VPC."
  value       = aws_vpc.this.id
}

output "cidr" {
  description = "The region's address block (the VPC CIDR)."
  value       = aws_vpc.this.cidr_block
}

output "private_route_table_id" {
  description = "Route table of the hosts' subnets; peering and VPN modules add their routes here."
  value       = aws_route_table.private.id
}

output "subnet_ids" {
  description = "Host subnet IDs by zone."
  value       = { for zone, s in aws_subnet.zone : zone => s.id }
}

output "security_group_id" {
  description = "Security group of the Kafka hosts."
  value       = aws_security_group.hosts.id
}

output "instance_ids" {
  description = "EC2 instance IDs by host name (fault injection stops and starts them)."
  value       = { for name, i in aws_instance.host : name => i.id }
}
