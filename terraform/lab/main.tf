locals {
  containers_conf = var.containers_conf != "" ? var.containers_conf : abspath("${path.module}/../../lab/containers.conf")

  topologies    = [for t in var.topologies : jsondecode(file("${path.module}/topologies/${t}.json"))]
  clusters      = merge([for t in local.topologies : t.clusters]...)
  hosts         = flatten([for t in local.topologies : t.hosts])
  hosts_by_name = { for h in local.hosts : h.name => h }

  addresses = [for h in local.hosts : h.address]
}

# Layout errors stop the plan before any container exists.
resource "terraform_data" "layout_check" {
  input = length(local.hosts)

  lifecycle {
    precondition {
      condition     = length(local.hosts_by_name) == length(local.hosts)
      error_message = "Two lab hosts share a name across the selected topologies."
    }
    precondition {
      condition     = length(distinct(local.addresses)) == length(local.addresses)
      error_message = "Two lab hosts share an address across the selected topologies."
    }
    precondition {
      condition     = alltrue([for a in local.addresses : can(cidrnetmask("${a}/32")) && cidrhost("127.0.0.0/8", 0) == cidrhost("${a}/8", 0)])
      error_message = "Every lab host address must be in 127.0.0.0/8: lab traffic stays on loopback."
    }
    precondition {
      condition     = alltrue([for h in local.hosts : contains(keys(local.clusters), h.cluster)])
      error_message = "A lab host names a cluster that no selected topology declares."
    }
  }
}

# One systemd container per host, on the host network; Kafka binds the host's own address.
resource "terraform_data" "host" {
  for_each   = local.hosts_by_name
  depends_on = [terraform_data.layout_check]

  # Everything the destroy provisioner needs must live in input: it can only see self.
  input = {
    container       = "${var.container_prefix}${each.key}"
    hostname        = each.key
    image           = var.image
    containers_conf = local.containers_conf
    ulimits         = join(" ", [for u in var.host_ulimits : "--ulimit ${u}"])
    labels          = "--label meridian.lab=true --label meridian.cluster=${each.value.cluster} --label meridian.region=${each.value.region} --label meridian.address=${each.value.address}"
  }

  provisioner "local-exec" {
    environment = { CONTAINERS_CONF = self.input.containers_conf }
    command     = <<-EOT
      set -e
      podman run -d --replace --name ${self.input.container} --hostname ${self.input.hostname} \
        --systemd=always --network host ${self.input.ulimits} ${self.input.labels} \
        ${self.input.image} /sbin/init >/dev/null
      for i in $(seq 1 60); do
        state=$(podman exec ${self.input.container} systemctl is-system-running 2>/dev/null || true)
        case "$state" in running|degraded) exit 0 ;; esac
        sleep 1
      done
      echo "lab host ${self.input.container} did not finish booting: $state" >&2
      exit 1
    EOT
  }

  provisioner "local-exec" {
    when        = destroy
    environment = { CONTAINERS_CONF = self.input.containers_conf }
    command     = "podman rm -f -t 5 ${self.input.container} >/dev/null 2>&1 || true"
  }
}
