output "gcp_vpn_address" {
  description = "Public address of the GCP VPN gateway."
  value       = google_compute_address.vpn.address
}

output "aws_vpn_connection_id" {
  description = "ID of the AWS VPN connection."
  value       = module.aws_side.vpn_connection_id
}
