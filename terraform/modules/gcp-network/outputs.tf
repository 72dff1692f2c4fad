output "self_link" {
  description = "Self link of the network, for the gcp-region and VPN modules."
  value       = google_compute_network.this.self_link
}

output "name" {
  description = "Name of the network."
  value       = google_compute_network.this.name
}
