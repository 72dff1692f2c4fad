# One provider serves every region: GCP resources name their region (or zone) themselves, so the
# regions below share it and the region module can run with for_each.
provider "google" {
  project = var.gcp_project
}
