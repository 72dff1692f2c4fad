# Offline tests of the placement arithmetic: the module has no provider, so `terraform test`
# runs here without any download or cloud.

variables {
  regions = {
    "us-east-1"    = { zones = ["us-east-1a", "us-east-1b", "us-east-1c"], netnum = 1 }
    "us-west-2"    = { zones = ["us-west-2a", "us-west-2b", "us-west-2c"], netnum = 2 }
    "europe-west1" = { zones = ["europe-west1-b", "europe-west1-c", "europe-west1-d"], netnum = 3 }
  }
  clusters = {
    stretched = {
      topology    = "stretched"
      controllers = 3
      regions = [
        { region = "us-east-1", brokers = 2 },
        { region = "us-west-2", brokers = 2 },
        { region = "europe-west1", brokers = 2 },
      ]
    }
  }
}

run "stretched_controllers_one_per_region" {
  command = apply

  assert {
    condition     = output.controller_placement.stretched == { "us-east-1" = 1, "us-west-2" = 1, "europe-west1" = 1 }
    error_message = "Three controllers over three regions must be one per region."
  }
  assert {
    condition     = [for n in ["stretched-us-east-1-controller-1", "stretched-us-west-2-controller-1", "stretched-europe-west1-controller-1"] : output.hosts[n].node_id] == [1, 2, 3]
    error_message = "Controllers take node ids 1..n in region order."
  }
  assert {
    condition     = [for n in ["stretched-us-east-1-broker-1", "stretched-us-east-1-broker-2", "stretched-us-west-2-broker-1", "stretched-europe-west1-broker-2"] : output.hosts[n].node_id] == [101, 102, 201, 302]
    error_message = "Broker ids are 100 * (region position + 1) + n."
  }
  assert {
    condition     = output.hosts["stretched-us-east-1-broker-2"].zone == "us-east-1b" && output.hosts["stretched-us-east-1-broker-1"].zone == "us-east-1a"
    error_message = "Hosts of one role are spread over the region's zones in order."
  }
  assert {
    condition     = length(output.hosts) == 9 && length(output.hosts_by_region["us-west-2"]) == 3
    error_message = "3 controllers + 6 brokers, three of them in us-west-2."
  }
  assert {
    condition     = output.clusters == { stretched = { topology = "stretched" } }
    error_message = "clusters follows the contract shape."
  }
}

run "address_plan" {
  command = apply

  assert {
    condition     = output.networks["us-east-1"].cidr == "10.65.0.0/16" && output.networks["europe-west1"].cidr == "10.67.0.0/16"
    error_message = "Region blocks are /16s of 10.64.0.0/10 chosen by netnum."
  }
  assert {
    condition     = output.networks["us-east-1"].zone_subnets == { "us-east-1a" = "10.65.0.0/20", "us-east-1b" = "10.65.16.0/20", "us-east-1c" = "10.65.32.0/20" }
    error_message = "One /20 per zone, in zone order."
  }
  assert {
    condition     = output.networks["us-east-1"].public_subnet == "10.65.224.0/20" && output.networks["us-east-1"].gateway_subnet == "10.65.240.0/20"
    error_message = "Public and gateway subnets are the last two /20s."
  }
  assert {
    condition     = output.hosts["stretched-us-east-1-controller-1"].address == "10.65.0.32" && output.hosts["stretched-us-east-1-broker-1"].address == "10.65.0.48" && output.hosts["stretched-us-east-1-broker-2"].address == "10.65.16.48"
    error_message = "Host addresses: zone subnet + 32 + role base (controller 0, broker 16) + n-th in zone."
  }
  assert {
    condition     = toset(output.peer_cidrs["us-west-2"]) == toset(["10.65.0.0/16", "10.67.0.0/16"])
    error_message = "Peer CIDRs of a region are every other region's block."
  }
  assert {
    condition     = length(distinct([for h in values(output.hosts) : h.address])) == length(output.hosts)
    error_message = "Addresses are unique."
  }
}

run "five_controllers_over_three_regions" {
  command = plan

  variables {
    clusters = {
      stretched = {
        topology    = "stretched"
        controllers = 5
        regions     = [{ region = "us-east-1", brokers = 1 }, { region = "us-west-2", brokers = 1 }, { region = "europe-west1", brokers = 1 }]
      }
    }
  }

  assert {
    condition     = output.controller_placement.stretched == { "us-east-1" = 2, "us-west-2" = 2, "europe-west1" = 1 }
    error_message = "5 voters over 3 regions: 2, 2, 1 (no region holds the 3 of a majority)."
  }
  assert {
    condition     = output.hosts["stretched-us-east-1-controller-2"].node_id == 4 && output.hosts["stretched-us-east-1-controller-2"].zone == "us-east-1b"
    error_message = "The 4th controller returns to the first region, in its next zone."
  }
}

run "linked_pair_combined_with_workers" {
  command = plan

  variables {
    clusters = {
      primary = { topology = "linked", controllers = 3, combined = true, regions = [{ region = "us-east-1" }] }
      dr      = { topology = "linked", controllers = 3, combined = true, regions = [{ region = "us-west-2", mirror_makers = 2 }] }
    }
  }

  assert {
    condition     = output.hosts["primary-kafka-2"].roles == tolist(["controller", "broker"]) && output.hosts["primary-kafka-2"].node_id == 2 && output.hosts["primary-kafka-2"].zone == "us-east-1b"
    error_message = "Combined nodes carry both roles, one per zone."
  }
  assert {
    condition     = output.hosts["dr-mm2-2"].node_id == null && output.hosts["dr-mm2-2"].roles == tolist(["mirror_maker"]) && output.hosts["dr-mm2-2"].address == "10.66.16.128"
    error_message = "MirrorMaker workers have no node id and use the worker address range (base 96)."
  }
  assert {
    condition     = !contains(keys(output.hosts), "primary-us-east-1-kafka-1")
    error_message = "Only stretched clusters put the region in host names."
  }
}

run "shared_region_needs_distinct_address_blocks" {
  command = plan

  variables {
    clusters = {
      legacy = { topology = "linked", controllers = 1, combined = true, regions = [{ region = "us-east-1" }] }
      modern = { topology = "linked", controllers = 1, combined = true, address_block = 1, regions = [{ region = "us-east-1" }] }
    }
  }

  assert {
    condition     = output.hosts["legacy-kafka-1"].address == "10.65.0.32" && output.hosts["modern-kafka-1"].address == "10.65.0.160"
    error_message = "address_block 1 starts 128 addresses further."
  }
}

run "refuse_stretched_over_two_regions" {
  command = plan

  variables {
    clusters = {
      stretched = {
        topology    = "stretched"
        controllers = 3
        regions     = [{ region = "us-east-1", brokers = 1 }, { region = "us-west-2", brokers = 1 }]
      }
    }
  }

  expect_failures = [var.clusters]
}

run "refuse_more_regions_than_controllers" {
  command = plan

  variables {
    clusters = {
      stretched = {
        topology    = "stretched"
        controllers = 1
        regions     = [{ region = "us-east-1", brokers = 1 }, { region = "us-west-2", brokers = 1 }, { region = "europe-west1", brokers = 1 }]
      }
    }
  }

  expect_failures = [var.clusters]
}

run "refuse_even_voter_count" {
  command = plan

  variables {
    clusters = {
      stretched = {
        topology    = "stretched"
        controllers = 4
        regions     = [{ region = "us-east-1", brokers = 1 }, { region = "us-west-2", brokers = 1 }, { region = "europe-west1", brokers = 1 }]
      }
    }
  }

  expect_failures = [var.clusters]
}

run "refuse_linked_cluster_in_two_regions" {
  command = plan

  variables {
    clusters = {
      east = { topology = "linked", controllers = 1, combined = true, regions = [{ region = "us-east-1" }, { region = "us-west-2" }] }
    }
  }

  expect_failures = [var.clusters]
}

run "refuse_shared_address_block" {
  command = plan

  variables {
    clusters = {
      legacy = { topology = "linked", controllers = 1, combined = true, regions = [{ region = "us-east-1" }] }
      modern = { topology = "linked", controllers = 1, combined = true, regions = [{ region = "us-east-1" }] }
    }
  }

  expect_failures = [var.clusters]
}

run "refuse_undeclared_region" {
  command = plan

  variables {
    clusters = {
      east = { topology = "linked", controllers = 1, combined = true, regions = [{ region = "ap-south-1" }] }
    }
  }

  expect_failures = [output.hosts]
}

run "refuse_duplicate_netnum" {
  command = plan

  variables {
    regions = {
      "us-east-1" = { zones = ["us-east-1a"], netnum = 1 }
      "us-west-2" = { zones = ["us-west-2a"], netnum = 1 }
    }
    clusters = {
      east = { topology = "linked", controllers = 1, combined = true, regions = [{ region = "us-east-1" }] }
    }
  }

  expect_failures = [var.regions]
}
