terraform {
  required_version = ">= 1.6.0"
  # Rendering only: no provider, so it is shared by every cloud module and tested offline.
}
