locals {
  ami_id = var.ami_id != null ? var.ami_id : data.aws_ami.debian[0].id
  disk   = { for name, h in var.hosts : name => var.data_disks[local.size_key[h.kind]] }
}

resource "aws_ebs_volume" "data" {
  for_each = var.hosts

  availability_zone = each.value.zone
  type              = local.disk[each.key].type
  size              = local.disk[each.key].size_gb
  iops              = contains(["gp3", "io1", "io2"], local.disk[each.key].type) ? local.disk[each.key].iops : null
  throughput        = local.disk[each.key].type == "gp3" ? local.disk[each.key].throughput : null
  encrypted         = true
  kms_key_id        = var.kms_key_arn

  tags = merge(local.host_tags[each.key], { Name = "${each.key}-data" })
}

resource "aws_instance" "host" {
  for_each = var.hosts

  ami                         = local.ami_id
  instance_type               = var.instance_types[local.size_key[each.value.kind]]
  subnet_id                   = aws_subnet.zone[each.value.zone].id
  private_ip                  = each.value.address
  vpc_security_group_ids      = [aws_security_group.hosts.id]
  associate_public_ip_address = false
  iam_instance_profile        = var.instance_profile_name
  user_data                   = module.cloud_init.user_data[each.key]
  ebs_optimized               = true
  monitoring                  = true

  # IMDSv2 only, one hop: containers on the host cannot reach the instance credentials.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  root_block_device {
    volume_type = "gp3"
    volume_size = var.root_volume_size_gb
    encrypted   = true
    kms_key_id  = var.kms_key_arn
    tags        = merge(local.host_tags[each.key], { Name = "${each.key}-root" })
  }

  tags = local.host_tags[each.key]

  lifecycle {
    # A new Debian AMI or a re-rendered first-boot config must not replace a Kafka node: hosts are
    # rolled on purpose (playbooks/rolling_restart.yml), not by a plan.
    ignore_changes = [ami, user_data]

    precondition {
      condition     = each.value.region == var.region && contains(keys(var.network.zone_subnets), each.value.zone)
      error_message = "Host ${each.key} is placed in ${each.value.region}/${each.value.zone}, which is not a zone of this module's region ${var.region}."
    }
  }
}

resource "aws_volume_attachment" "data" {
  for_each = var.hosts

  # The name is nominal on Nitro (the guest sees NVMe); cloud-init finds the disk by volume id.
  device_name = "/dev/sdf"
  volume_id   = aws_ebs_volume.data[each.key].id
  instance_id = aws_instance.host[each.key].id
}
