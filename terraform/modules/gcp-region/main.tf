locals {
  name = "${var.stack}-${var.region}"

  size_key = { controller = "controller", broker = "broker", kafka = "broker", mm2 = "mirror_maker" }

  # Firewall rules target this network tag, so they cover exactly this region's hosts.
  network_tag = "${local.name}-kafka"

  common_labels = merge(var.labels, {
    meridian_stack  = var.stack
    meridian_region = var.region
  })

  # Same keys and values as the AWS tags and Azure tags (terraform/README.md); label values
  # allow only [a-z0-9_-], which host names, roles joined by "-" and zones all satisfy.
  host_labels = {
    for name, h in var.hosts : name => merge(local.common_labels, {
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

module "cloud_init" {
  source = "../cloud-init"

  # attached_disk device_name "data" appears as /dev/disk/by-id/google-data in the guest.
  hosts               = { for name in keys(var.hosts) : name => "/dev/disk/by-id/google-data" }
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
}
