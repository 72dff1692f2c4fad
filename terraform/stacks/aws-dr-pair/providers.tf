# One provider per region: an AWS provider is bound to a single region.
provider "aws" {
  alias  = "primary"
  region = var.primary.region
}

provider "aws" {
  alias  = "dr"
  region = var.dr.region
}
