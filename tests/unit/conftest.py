"""Put Meridian's plugins where Ansible and the tests can find them.

Must run before anything imports ansible: ansible.constants reads these
settings once, at import time.
"""
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PLUGINS = os.path.join(REPO, 'plugins')

os.environ['ANSIBLE_INVENTORY_PLUGINS'] = os.path.join(PLUGINS, 'inventory')
os.environ['ANSIBLE_INVENTORY_ENABLED'] = 'meridian_terraform'
for sub in ('inventory', 'module_utils', 'filter'):
    sys.path.insert(0, os.path.join(PLUGINS, sub))
# Helpers shared with the integration tests (kafka_fixtures: real brokers, module runs).
sys.path.insert(0, os.path.join(REPO, 'tests'))
