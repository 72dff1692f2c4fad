provider "aws" {
  region = var.aws.region
}

provider "google" {
  project = var.gcp_project
  region  = var.gcp.region
}
