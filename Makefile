# Meridian: every entry point. `make demo` and `make test` set up a fresh machine themselves.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ROOT        := $(CURDIR)
BUILD       := $(ROOT)/build
VENV        := $(ROOT)/.venv
PY          := $(VENV)/bin/python
BIN         := $(VENV)/bin
# The one pin of the Kafka version lives in the kafka role's defaults.
KAFKA_VERSION := $(shell sed -n 's/^kafka_version: "\(.*\)"/\1/p' roles/kafka/defaults/main.yml)
KAFKA_TGZ   := $(BUILD)/kafka/kafka_2.13-$(KAFKA_VERSION).tgz
LAB_IMAGE   := localhost/meridian-lab:bookworm
OPENTOFU_VERSION := v1.10.6
# Topologies the lab provisions (terraform/lab/topologies/*.json). The demo runs the stretched
# cluster and the linked pair (its drill fails east over to west); the tests use every topology.
LAB_TOPOLOGIES ?= stretched linked-pair
# Where the lab's drills keep their state (lock, journal, probe runs) and their reports.
DRILL_STATE   := $(BUILD)/drill-state
DRILL_REPORTS := $(BUILD)/drill-reports

export CONTAINERS_CONF := $(ROOT)/lab/containers.conf
export TF_CLI_CONFIG_FILE := $(ROOT)/lab/terraformrc
export ANSIBLE_CONFIG := $(ROOT)/ansible.cfg
# The lab's vault password is public and lab-only; real inventories bring their own.
export ANSIBLE_VAULT_PASSWORD_FILE ?= $(ROOT)/inventories/lab/vault-password.lab-only.txt
export PATH := $(BIN):$(BUILD)/bin:$(PATH)
# No Terraform version check over the network.
export CHECKPOINT_DISABLE := 1
export MERIDIAN_TERRAFORM_BIN = $(TF)

# Times the parts of `make test` (stdlib only: it runs before the virtualenv exists).
TIMINGS := python3.11 $(ROOT)/tests/timings.py
TIMED   := $(TIMINGS) stage

# Terraform or OpenTofu, whichever is installed; OpenTofu is built when neither is.
TF = $(shell command -v terraform || command -v tofu || echo $(BUILD)/bin/tofu)

.PHONY: help demo test test-quick test-unit test-component test-static test-integration test-molecule \
        setup venv system-deps terraform-cli kafka-dist lab-image lab-up lab-down site smoke drill-demo checkov checkov-venv \
        bench bench-security bench-replication bench-drills bench-inventory bench-installer clean

help:
	@echo "make demo        bring up the lab (stretched cluster, linked pair), smoke-test it, run a failover drill"
	@echo "make test        the whole suite (unit, static, component, lab integration, molecule)"
	@echo "make test-quick  unit tests and static checks only (a few minutes)"
	@echo "make lab-down    remove every lab host"
	@echo "make bench       benchmarks (see docs/benchmarks.md)"

# --- set-up ---------------------------------------------------------------------------------
# uv installs the pins (requirements-bootstrap.txt says why); pip only installs uv itself.
$(VENV)/.installed: requirements.txt requirements-dev.txt requirements-bootstrap.txt
	python3.11 -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements-bootstrap.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

system-deps:
	@missing=""; for p in podman runc debootstrap iptables; do command -v $$p >/dev/null || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc debootstrap iptables >/dev/null; fi

terraform-cli:
	@if ! command -v terraform >/dev/null && ! command -v tofu >/dev/null && [ ! -x $(BUILD)/bin/tofu ]; then \
	  echo "neither terraform nor tofu found: building OpenTofu $(OPENTOFU_VERSION) (about 6 minutes)"; \
	  lab/build-opentofu.sh $(OPENTOFU_VERSION) $(BUILD)/bin/tofu; fi
	@$(TF) version | sed -n 1p

$(KAFKA_TGZ): dist/kafka/build.sh dist/kafka/pom.xml $(wildcard dist/kafka/bin/*) $(wildcard dist/kafka/config/*)
	dist/kafka/build.sh $(BUILD)/kafka $(KAFKA_VERSION)

kafka-dist: $(KAFKA_TGZ)

lab-image: system-deps
	lab/build-image.sh $(LAB_IMAGE)

# --- lab ------------------------------------------------------------------------------------
lab-up: venv terraform-cli kafka-dist lab-image
	$(TF) -chdir=terraform/lab init -input=false >/dev/null
	@missing=$$( { $(TF) -chdir=terraform/lab output -json meridian_inventory 2>/dev/null || echo '{}'; } | $(PY) lab/missing_hosts.py); \
	if [ -n "$$missing" ]; then echo "lab hosts gone from podman, re-creating the lab:" $$missing; \
	  $(TF) -chdir=terraform/lab destroy -input=false -auto-approve >/dev/null; fi
	TF_VAR_topologies='$(shell $(PY) -c 'import json,sys; print(json.dumps(sys.argv[1].split()))' "$(LAB_TOPOLOGIES)")' \
	  $(TF) -chdir=terraform/lab apply -input=false -auto-approve
	$(BIN)/ansible-inventory --graph

site: venv
	$(BIN)/ansible-playbook site.yml

smoke: venv
	$(PY) lab/smoke.py

# One linked failover drill: east's region is lost, clients fail over to west (active-active flows).
drill-demo: venv
	$(BIN)/ansible-playbook -i inventories/active-active playbooks/replication.yml
	$(BIN)/ansible-playbook -i inventories/active-active playbooks/drill.yml -e drill_scenario=linked-unplanned-failover \
	  -e drill_primary=east -e drill_dr=west -e drill_state_dir=$(DRILL_STATE) -e drill_report_root=$(DRILL_REPORTS)
	@report=$$(ls -td $(DRILL_REPORTS)/linked-unplanned-failover-*/ | sed -n 1p); \
	  echo; cat $$report/report.md; echo; echo "drill report: $$report (report.json, report.md, junit.xml, timeline.png)"

demo: lab-up site smoke drill-demo

lab-down:
	@if [ -d terraform/lab/.terraform ]; then $(TF) -chdir=terraform/lab destroy -input=false -auto-approve >/dev/null || true; fi
	@ids=$$(podman ps -aq --filter label=meridian.lab=true 2>/dev/null); [ -z "$$ids" ] || podman rm -f -t 5 $$ids >/dev/null
	@echo "lab removed"

# --- tests ----------------------------------------------------------------------------------
# system-deps: the drill fault tests drive a real podman. One process: the run already keeps
# both cores busy (the PKI role tests run their playbooks side by side), and pytest-xdist on two
# workers saved nothing (docs/benchmarks.md).
# Pure unit tests: no process of their own beyond moto and local HTTP fakes (make test-quick).
test-unit: venv
	$(BIN)/pytest -q --durations=15 -m "not component" tests/unit

# Tests that start real software but need no lab: the kafka_pki role and managed_files through
# ansible-playbook, the replication modules against real brokers and MirrorMaker 2 (from the
# Kafka distribution), the drill fault modules against podman.
test-component: venv kafka-dist system-deps
	$(BIN)/pytest -q --durations=15 -m component tests/unit

# Terraform modules whose logic `terraform test` checks offline (no provider to download).
TF_OFFLINE_MODULES := placement cloud-init

test-static: venv terraform-cli checkov
	$(BIN)/yamllint -s .
	$(BIN)/python -m pyflakes plugins lab bench tests roles/kafka_pki/library roles/kafka_pki/lookup_plugins roles/drill/files
	$(BIN)/ansible-playbook --syntax-check -i localhost, site.yml playbooks/*.yml playbooks/drills/*.yml
	$(TF) fmt -check -recursive terraform
	$(TF) -chdir=terraform/lab init -input=false -backend=false >/dev/null && $(TF) -chdir=terraform/lab validate -no-color
	@for m in $(TF_OFFLINE_MODULES); do \
	  $(TF) -chdir=terraform/modules/$$m init -input=false -backend=false >/dev/null && $(TF) -chdir=terraform/modules/$$m test -no-color || exit 1; done

# checkov in a virtualenv of its own (its dependencies would clash with the project's pins);
# offline (--skip-download): no failed check allowed, each skip justified next to the code.
$(ROOT)/.venv-checkov/.installed: requirements-checkov.txt requirements-bootstrap.txt
	python3.11 -m venv $(ROOT)/.venv-checkov
	$(ROOT)/.venv-checkov/bin/pip install --quiet -r requirements-bootstrap.txt
	$(ROOT)/.venv-checkov/bin/uv pip install --quiet --python $(ROOT)/.venv-checkov/bin/python -r requirements-checkov.txt
	touch $@

checkov-venv: $(ROOT)/.venv-checkov/.installed

checkov: checkov-venv
	$(ROOT)/.venv-checkov/bin/checkov -d terraform --framework terraform --quiet --compact --skip-download

test-quick: test-unit test-static

# One lab serves every integration test, with the topologies the collected modules need
# (tests/integration/conftest.py). One module alone, or some tests of it:
#   make test-integration TEST=tests/integration/test_40_rolling_restart.py PYTEST_ARGS="-k gate"
TEST ?= tests/integration
PYTEST_ARGS ?=
test-integration: venv kafka-dist lab-image terraform-cli
	$(BIN)/pytest -v --durations=30 $(PYTEST_ARGS) $(TEST)

# The scenarios use their own containers and addresses (127.9.0.x, 127.9.1.x), so they run side
# by side; each writes build/test-logs/molecule-<role>.log, printed whole when it fails.
MOLECULE_ROLES := kafka mirror_maker
test-molecule: venv kafka-dist lab-image
	@mkdir -p $(BUILD)/test-logs
	@for r in $(MOLECULE_ROLES); do \
	  ( cd roles/$$r && $(TIMED) molecule $$r -- env ANSIBLE_ROLES_PATH=$(ROOT)/roles $(BIN)/molecule test \
	      > $(BUILD)/test-logs/molecule-$$r.log 2>&1; \
	    echo $$? > $(BUILD)/test-logs/molecule-$$r.rc ) & \
	done; wait; rc=0; \
	for r in $(MOLECULE_ROLES); do \
	  if [ "$$(cat $(BUILD)/test-logs/molecule-$$r.rc)" = 0 ]; then tail -n 25 $(BUILD)/test-logs/molecule-$$r.log; echo "molecule $$r: passed"; \
	  else cat $(BUILD)/test-logs/molecule-$$r.log; echo "molecule $$r: FAILED"; rc=1; fi; \
	done; exit $$rc

# Everything the suite needs, side by side: downloads and unpacking overlap on two cores.
# kafka-dist before the unit tests: some of them start a real broker from it (they skip without it).
setup: venv kafka-dist lab-image terraform-cli checkov-venv

# The whole suite, one part at a time (run beside the unit tests, molecule took twice as long and
# the unit tests half as long again; the static checks, mostly one checkov process, fit beside
# them), each part timed: the table at the end says where the time
# went (tests/timings.py, build/test-logs/timings.json).
test:
	@$(TIMINGS) reset
	@$(TIMINGS) parallel set-up "venv=$(MAKE) venv" "kafka-dist=$(MAKE) kafka-dist" "lab-image=$(MAKE) lab-image" \
	  "terraform-cli=$(MAKE) terraform-cli" "checkov=$(MAKE) checkov-venv"
	@$(TIMINGS) parallel "unit and static" "unit tests=$(MAKE) --no-print-directory test-unit" \
	  "static checks=$(MAKE) --no-print-directory test-static"
	@$(TIMED) "component" "component tests" -- $(MAKE) --no-print-directory test-component
	@$(MAKE) --no-print-directory test-integration || { $(TIMINGS) report; exit 1; }
	@$(MAKE) --no-print-directory test-molecule || { $(TIMINGS) report; exit 1; }
	@$(TIMINGS) report

bench: venv kafka-dist lab-image terraform-cli
	$(PY) bench/converge.py

# Needs a converged lab with the single-region cluster (make lab-up site LAB_TOPOLOGIES=single-region).
bench-security: venv kafka-dist
	$(PY) bench/security_overhead.py

# Needs the converged linked lab (make lab-up site LAB_TOPOLOGIES="linked-pair edge-to-core").
bench-replication: venv kafka-dist
	$(PY) bench/replication.py

# Needs the converged lab with the stretched cluster and the linked pair (make demo).
bench-drills: venv
	$(PY) bench/drills.py

# The inventory plugin against a static YAML inventory, 10 to 5,000 hosts; no lab needed.
bench-inventory: venv
	$(PY) bench/inventory.py

bench-installer: venv
	$(PY) bench/installer.py

clean: lab-down
	rm -rf $(BUILD) $(VENV)
