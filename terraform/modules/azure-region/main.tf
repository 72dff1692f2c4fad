locals {
  name = "${var.stack}-${var.region}"

  size_key = { controller = "controller", broker = "broker", kafka = "broker", mm2 = "mirror_maker" }

  # Contract zones are <region>-<n> (unique across regions); Azure itself wants just "n".
  azure_zone = { for z in var.network.zones : z => regex("[1-3]$", z) }

  common_tags = merge(var.tags, {
    meridian_stack  = var.stack
    meridian_region = var.region
  })

  # Same keys and values as the AWS tags and GCP labels (terraform/README.md).
  host_tags = {
    for name, h in var.hosts : name => merge(local.common_tags, {
      meridian_host     = name
      meridian_cluster  = h.cluster
      meridian_topology = h.topology
      meridian_roles    = join("-", h.roles)
      meridian_zone     = h.zone
    }, h.node_id == null ? {} : { meridian_node_id = tostring(h.node_id) })
  }

  proxy_jump = var.bastion == null ? null : "-o ProxyJump=${var.bastion.user}@${var.bastion.host}${var.bastion.port == 22 ? "" : ":${var.bastion.port}"}"

  connection = {
    for name, h in var.hosts : name => merge(
      { ansible_host = h.address, ansible_user = var.ssh_user },
      local.proxy_jump == null ? {} : { ansible_ssh_common_args = local.proxy_jump },
    )
  }
}

resource "azurerm_resource_group" "this" {
  name     = local.name
  location = var.region
  tags     = local.common_tags
}

module "cloud_init" {
  source = "../cloud-init"

  # The data disk is attached at LUN 0; the Azure udev rules name it by LUN.
  hosts               = { for name in keys(var.hosts) : name => "/dev/disk/azure/scsi1/lun0" }
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
}
