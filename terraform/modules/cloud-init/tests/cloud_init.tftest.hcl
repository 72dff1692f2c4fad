variables {
  hosts               = { "east-kafka-1" = "/dev/nvme1n1" }
  ssh_authorized_keys = ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForTests ops@example.net"]
}

run "renders_valid_cloud_config" {
  command = plan

  assert {
    condition     = startswith(output.user_data["east-kafka-1"], "#cloud-config\n")
    error_message = "cloud-init only reads user data that starts with #cloud-config."
  }
  assert {
    condition     = yamldecode(output.user_data["east-kafka-1"]).hostname == "east-kafka-1"
    error_message = "The hostname is the host name."
  }
  assert {
    condition     = yamldecode(output.user_data["east-kafka-1"]).users[0].ssh_authorized_keys == ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyOnlyForTests ops@example.net"]
    error_message = "The keys reach the Ansible account."
  }
  assert {
    condition     = base64decode(yamldecode(output.user_data["east-kafka-1"]).write_files[0].content) == output.disk_script["east-kafka-1"]
    error_message = "cloud-init installs the same data disk script that images without cloud-init run."
  }
  assert {
    condition     = yamldecode(output.user_data["east-kafka-1"]).runcmd == [["/usr/local/sbin/meridian-data-disk"]]
    error_message = "cloud-init runs the data disk script."
  }
  assert {
    condition     = strcontains(output.disk_script["east-kafka-1"], "blkid \"$dev\" >/dev/null 2>&1 || mkfs.ext4")
    error_message = "An existing filesystem on the data disk must never be overwritten."
  }
}

run "no_data_device_no_mount" {
  command = plan

  variables {
    hosts = { "east-kafka-1" = "" }
  }

  assert {
    condition     = !can(yamldecode(output.user_data["east-kafka-1"]).runcmd) && output.disk_script["east-kafka-1"] == ""
    error_message = "Without a data device nothing is formatted or mounted."
  }
}

run "refuse_root_user" {
  command = plan

  variables {
    ssh_user = "root"
  }

  expect_failures = [var.ssh_user]
}
