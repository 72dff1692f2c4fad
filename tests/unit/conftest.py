"""Put Meridian's plugins where Ansible and the tests can find them.

Must run before anything imports ansible: ansible.constants reads these
settings once, at import time.
"""
import os
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
PLUGINS = os.path.join(REPO, 'plugins')

os.environ['ANSIBLE_INVENTORY_PLUGINS'] = os.path.join(PLUGINS, 'inventory')
os.environ['ANSIBLE_INVENTORY_ENABLED'] = 'meridian_terraform,meridian_cloud'
for sub in ('inventory', 'module_utils', 'filter'):
    sys.path.insert(0, os.path.join(PLUGINS, sub))
# Helpers shared with the integration tests (kafka_fixtures: real brokers, module runs).
sys.path.insert(0, os.path.join(REPO, 'tests'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


# --------------------------------------------------------------------------- cloud stand-ins
# Fixtures of test_cloud_inventory.py and test_cloud_faults.py: every cloud client is pointed at
# a server on 127.0.0.1 (tests/unit/cloud_fakes.py).
import pytest  # noqa: E402

from cloud_fakes import LOOPBACK, FakeAzure, FakeGcp, free_port, self_signed_cert  # noqa: E402


@pytest.fixture
def loopback_only(monkeypatch, tmp_path):
    """No proxy, no credentials files, no metadata servers: every client talks to 127.0.0.1 only."""
    for var in ('HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy'):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'testing')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'testing')
    monkeypatch.delenv('AWS_SESSION_TOKEN', raising=False)
    monkeypatch.delenv('AWS_PROFILE', raising=False)
    monkeypatch.setenv('AWS_CONFIG_FILE', str(tmp_path / 'no-aws-config'))
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', str(tmp_path / 'no-aws-credentials'))
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')
    monkeypatch.setenv('NO_GCE_CHECK', 'True')
    monkeypatch.delenv('GOOGLE_APPLICATION_CREDENTIALS', raising=False)


@pytest.fixture(scope='session')
def moto_url():
    from moto.server import ThreadedMotoServer
    port = free_port()
    server = ThreadedMotoServer(ip_address=LOOPBACK, port=port, verbose=False)
    server.start()
    yield 'http://%s:%d' % (LOOPBACK, port)
    server.stop()


@pytest.fixture
def moto(moto_url, loopback_only):
    """A clean moto server (state reset) for one test; yields its URL."""
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(moto_url + '/moto-api/reset', method='POST'), timeout=10).read()
    return moto_url


@pytest.fixture
def gcp(loopback_only):
    fake = FakeGcp()
    yield fake
    fake.close()


@pytest.fixture(scope='session')
def tls_cert(tmp_path_factory):
    return self_signed_cert(str(tmp_path_factory.mktemp('tls')))


@pytest.fixture
def azure(loopback_only, tls_cert, monkeypatch):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', tls_cert[0])
    fake = FakeAzure(tls_cert)
    yield fake
    fake.close()
