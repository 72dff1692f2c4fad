locals {
  name = "${var.stack}-${var.region}"

  # Combined nodes are sized like brokers: they carry the data.
  size_key = { controller = "controller", broker = "broker", kafka = "broker", mm2 = "mirror_maker" }

  common_tags = merge(var.tags, {
    meridian_stack  = var.stack
    meridian_region = var.region
  })

  # What a discovery plugin filters on (terraform/README.md). Roles are joined with "-" so the
  # same value is valid as an AWS tag, a GCP label and an Azure tag; node id only on Kafka nodes.
  host_tags = {
    for name, h in var.hosts : name => merge(local.common_tags, {
      Name              = name
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

# Official Debian images (account 136693071363). Looked up once: hosts ignore later AMI changes.
data "aws_ami" "debian" {
  count       = var.ami_id == null ? 1 : 0
  most_recent = true
  owners      = ["136693071363"]

  filter {
    name   = "name"
    values = ["debian-12-amd64-*"]
  }
  filter {
    name   = "architecture"
    values = ["x86_64"]
  }
}

module "cloud_init" {
  source = "../cloud-init"

  # Nitro exposes EBS volumes as NVMe devices in no fixed order; the by-id link names the volume.
  hosts               = { for name in keys(var.hosts) : name => "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${replace(aws_ebs_volume.data[name].id, "-", "")}" }
  ssh_user            = var.ssh_user
  ssh_authorized_keys = var.ssh_authorized_keys
}
