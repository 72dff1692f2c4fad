locals {
  # The data disk step, shared by the cloud-config and by images without cloud-init.
  disk_script = {
    for h, device in var.hosts : h => device == "" ? "" : templatefile("${path.module}/templates/mount-data-disk.sh.tftpl", {
      data_device      = device
      data_mount_point = var.data_mount_point
    })
  }

  # Rendered per host: only the hostname and data device differ, the rest is common to a region.
  user_data = {
    for h, device in var.hosts : h => templatefile("${path.module}/templates/user-data.yaml.tftpl", {
      hostname            = h
      ssh_user            = var.ssh_user
      ssh_authorized_keys = var.ssh_authorized_keys
      disk_script         = local.disk_script[h]
    })
  }
}
