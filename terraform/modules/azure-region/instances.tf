locals {
  disk = { for name, h in var.hosts : name => var.data_disks[local.size_key[h.kind]] }
}

resource "azurerm_network_interface" "host" {
  for_each = var.hosts

  name                           = "${each.key}-nic"
  location                       = azurerm_resource_group.this.location
  resource_group_name            = azurerm_resource_group.this.name
  accelerated_networking_enabled = var.accelerated_networking
  tags                           = local.host_tags[each.key]

  # Static: Kafka advertises this address; it must survive deallocation.
  ip_configuration {
    name                          = "primary"
    subnet_id                     = azurerm_subnet.zone[each.value.zone].id
    private_ip_address_allocation = "Static"
    private_ip_address            = each.value.address
  }
}

resource "azurerm_managed_disk" "data" {
  for_each = var.hosts

  name                          = "${each.key}-data"
  location                      = azurerm_resource_group.this.location
  resource_group_name           = azurerm_resource_group.this.name
  zone                          = local.azure_zone[each.value.zone]
  storage_account_type          = local.disk[each.key].type
  disk_size_gb                  = local.disk[each.key].size_gb
  disk_iops_read_write          = local.disk[each.key].iops
  disk_mbps_read_write          = local.disk[each.key].mbps
  create_option                 = "Empty"
  disk_encryption_set_id        = var.disk_encryption_set_id
  public_network_access_enabled = false
  network_access_policy         = "DenyAll"
  tags                          = local.host_tags[each.key]
}

resource "azurerm_linux_virtual_machine" "host" {
  for_each = var.hosts

  name                            = each.key
  computer_name                   = each.key
  location                        = azurerm_resource_group.this.location
  resource_group_name             = azurerm_resource_group.this.name
  zone                            = local.azure_zone[each.value.zone]
  size                            = var.vm_sizes[local.size_key[each.value.kind]]
  network_interface_ids           = [azurerm_network_interface.host[each.key].id]
  admin_username                  = var.ssh_user
  disable_password_authentication = true
  custom_data                     = base64encode(module.cloud_init.user_data[each.key])
  encryption_at_host_enabled      = var.encryption_at_host
  # Ansible does all configuration; no VM extensions may run code on the hosts.
  allow_extension_operations = false
  tags                       = local.host_tags[each.key]

  dynamic "admin_ssh_key" {
    for_each = toset(var.ssh_authorized_keys)
    content {
      username   = var.ssh_user
      public_key = admin_ssh_key.value
    }
  }

  os_disk {
    caching                = "ReadWrite"
    storage_account_type   = "Premium_LRS"
    disk_size_gb           = var.os_disk_size_gb
    disk_encryption_set_id = var.disk_encryption_set_id
  }

  source_image_reference {
    publisher = var.image.publisher
    offer     = var.image.offer
    sku       = var.image.sku
    version   = var.image.version
  }

  # Managed boot diagnostics storage: the serial log without a storage account to secure.
  boot_diagnostics {}

  lifecycle {
    # Re-rendered first-boot config (custom_data forces replacement) must not replace a Kafka node.
    ignore_changes = [custom_data]

    precondition {
      condition     = each.value.region == var.region && contains(keys(var.network.zone_subnets), each.value.zone)
      error_message = "Host ${each.key} is placed in ${each.value.region}/${each.value.zone}, which is not a zone of this module's region ${var.region}."
    }
  }
}

resource "azurerm_virtual_machine_data_disk_attachment" "data" {
  for_each = var.hosts

  managed_disk_id    = azurerm_managed_disk.data[each.key].id
  virtual_machine_id = azurerm_linux_virtual_machine.host[each.key].id
  lun                = 0
  # Kafka's log is written sequentially and read from the page cache: host caching only adds risk
  # (and PremiumV2/Ultra disks do not support it).
  caching = "None"
}
