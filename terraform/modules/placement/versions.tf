terraform {
  # optional() attributes with defaults need 1.3; `terraform test` needs 1.6 (OpenTofu 1.6 has both).
  required_version = ">= 1.6.0"
  # No providers on purpose: placement is pure arithmetic, so it plans and tests offline.
}
