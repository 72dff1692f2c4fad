output "peering_connection_id" {
  description = "ID of the accepted VPC peering connection."
  value       = aws_vpc_peering_connection_accepter.this.id
}
