locals {
  disk                  = { for name, h in var.hosts : name => var.data_disks[local.size_key[h.kind]] }
  service_account_email = var.service_account_email != null ? var.service_account_email : google_service_account.hosts[0].email
}

# Hosts need no Google API, so their own account gets no roles: nothing to steal from metadata.
resource "google_service_account" "hosts" {
  count = var.service_account_email == null ? 1 : 0

  account_id   = "mrd-${substr(sha1(local.name), 0, 20)}"
  display_name = "Meridian Kafka hosts ${local.name}"
}

resource "google_compute_disk" "data" {
  for_each = var.hosts

  name   = "${each.key}-data"
  zone   = each.value.zone
  type   = local.disk[each.key].type
  size   = local.disk[each.key].size_gb
  labels = local.host_labels[each.key]

  dynamic "disk_encryption_key" {
    for_each = var.kms_key_self_link == null ? [] : [1]
    content {
      kms_key_self_link = var.kms_key_self_link
    }
  }
}

resource "google_compute_instance" "host" {
  for_each = var.hosts

  name                      = each.key
  machine_type              = var.machine_types[local.size_key[each.value.kind]]
  zone                      = each.value.zone
  tags                      = [local.network_tag]
  labels                    = local.host_labels[each.key]
  can_ip_forward            = false
  allow_stopping_for_update = true

  boot_disk {
    kms_key_self_link = var.kms_key_self_link
    initialize_params {
      image  = var.image
      size   = var.boot_disk_size_gb
      type   = "pd-balanced"
      labels = local.host_labels[each.key]
    }
  }

  attached_disk {
    source            = google_compute_disk.data[each.key].self_link
    device_name       = "data"
    kms_key_self_link = var.kms_key_self_link
  }

  # No access_config: no external address. Kafka binds this fixed address (the contract's).
  network_interface {
    subnetwork = google_compute_subnetwork.this.self_link
    network_ip = each.value.address
  }

  metadata = {
    # cloud-init images read user-data; Debian's guest agent reads ssh-keys and runs startup-script.
    user-data              = module.cloud_init.user_data[each.key]
    startup-script         = module.cloud_init.disk_script[each.key]
    ssh-keys               = join("\n", [for k in var.ssh_authorized_keys : "${var.ssh_user}:${k}"])
    block-project-ssh-keys = "true"
    # Ansible logs in with the keys above; OS Login would replace them with IAM-managed accounts.
    enable-oslogin     = "FALSE"
    serial-port-enable = "FALSE"
  }

  service_account {
    email  = local.service_account_email
    scopes = ["cloud-platform"]
  }

  shielded_instance_config {
    enable_secure_boot          = true
    enable_vtpm                 = true
    enable_integrity_monitoring = true
  }

  lifecycle {
    # A new image release or re-rendered first-boot config must not replace a Kafka node.
    ignore_changes = [boot_disk[0].initialize_params[0].image, metadata["user-data"]]

    precondition {
      condition     = each.value.region == var.region && startswith(each.value.zone, "${var.region}-")
      error_message = "Host ${each.key} is placed in ${each.value.region}/${each.value.zone}, which is not a zone of this module's region ${var.region}."
    }
  }
}
