output "tunnels" {
  description = "The two AWS tunnel endpoints: outside address and pre-shared key (sensitive), for the peer's tunnels."
  sensitive   = true
  value = [
    { address = aws_vpn_connection.this.tunnel1_address, preshared_key = aws_vpn_connection.this.tunnel1_preshared_key },
    { address = aws_vpn_connection.this.tunnel2_address, preshared_key = aws_vpn_connection.this.tunnel2_preshared_key },
  ]
}

output "vpn_connection_id" {
  description = "ID of the AWS VPN connection."
  value       = aws_vpn_connection.this.id
}
