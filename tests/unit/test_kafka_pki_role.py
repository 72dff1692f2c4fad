"""Role kafka_pki, for real: ansible-playbook runs the role against throw-away inventories
(hosts with ansible_connection local), then the files are inspected with `cryptography` and
openssl. Provided-mode certificates, good and bad, are made here with `cryptography`.

The last tests start one KRaft node (SSL on both listeners, mutual TLS) on 127.8.0.2 from the
distribution tarball, with the keystore the role made; they are skipped without Java or the
tarball, or with KAFKA_PKI_BROKER_TESTS=0.
"""
from __future__ import annotations

import datetime
import ipaddress
import os
import re
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Starts real processes (ansible-playbook, Kafka, podman) but needs no lab: make test-component.
pytestmark = pytest.mark.component

REPO = Path(__file__).resolve().parents[2]
CA_PASS = 'ca-Passphrase-1'
KEY_PASS = 'node-Passphrase-2'
PBES1_3DES = 'pbeWithSHA1And3-KeyTripleDES-CBC'

PLAYBOOK = """\
- name: Apply kafka_pki
  hosts: kafka
  gather_facts: false
  roles:
    - kafka_pki
  tasks:
    - name: Show the published facts
      ansible.builtin.debug:
        msg: "FACTS {{ inventory_hostname }} {{ kafka_pki_ca_file }} {{ kafka_pki_keystore_file }} {{ kafka_pki_cert_file }}"
"""

# What playbooks/validate.yml does.
VALIDATE_PLAYBOOK = """\
- name: Validate only
  hosts: kafka
  gather_facts: false
  tasks:
    - name: Check the TLS material
      ansible.builtin.include_role:
        name: kafka_pki
        tasks_from: validate
"""


# --- running the role ----------------------------------------------------------------------------
def ansible_playbook_bin() -> str:
    local = Path(sys.executable).parent / 'ansible-playbook'
    return str(local if local.exists() else REPO / '.venv' / 'bin' / 'ansible-playbook')


def ansible_env() -> dict:
    # tests/unit/conftest.py narrows ANSIBLE_INVENTORY_ENABLED for the plugin tests: drop it.
    env = {k: v for k, v in os.environ.items() if not k.startswith('ANSIBLE_')}
    env.update(ANSIBLE_CONFIG=str(REPO / 'ansible.cfg'), ANSIBLE_ROLES_PATH=str(REPO / 'roles'),
               ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0')
    return env


def write_inventory(inv_dir: Path, hosts: dict, group_vars: dict | None = None) -> Path:
    """hosts: name -> host vars; all in group kafka, ansible_connection local."""
    inv_dir.mkdir(parents=True, exist_ok=True)
    gv = {'ansible_connection': 'local', 'meridian_cluster': 'pkitest'}
    gv.update(group_vars or {})
    (inv_dir / 'hosts.yml').write_text(yaml.safe_dump({'kafka': {'hosts': hosts, 'vars': gv}}, sort_keys=False))
    return inv_dir


class Run:
    def __init__(self, proc: subprocess.CompletedProcess):
        self.rc = proc.returncode
        self.out = proc.stdout + proc.stderr
        self.flat = ' '.join(self.out.split())   # the yaml callback folds long lines
        self.recap = {m.group(1): {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)', m.group(2))}
                      for m in re.finditer(r'^(\S+)\s+:\s+(ok=.*)$', proc.stdout, re.M)}

    @property
    def changed(self) -> int:
        return sum(h['changed'] for h in self.recap.values())

    def message(self, host: str) -> str:
        """The kafka_pki failure message printed for host, whitespace-normalised."""
        found = re.findall(r'kafka_pki: %s: .*?(?=\n\S|\Z)' % re.escape(host), self.out, re.S)
        return ' '.join(' '.join(m.split()) for m in found)

    def __repr__(self):
        return 'rc=%s\n%s' % (self.rc, self.out[-8000:])


def run_playbook(inv_dir: Path, *args: str, playbook: str = PLAYBOOK) -> Run:
    pb = inv_dir.parent / ('%s-play.yml' % inv_dir.name)
    pb.write_text(playbook)
    proc = subprocess.run([ansible_playbook_bin(), '-i', str(inv_dir / 'hosts.yml'), str(pb), *args],
                          cwd=REPO, env=ansible_env(), capture_output=True, text=True, timeout=300)
    return Run(proc)


def tree_state(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mode & 0o777)
            for p in sorted(root.rglob('*')) if p.is_file()}


# --- certificates --------------------------------------------------------------------------------
def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def make_ca(cn='Corporate Test CA'):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - datetime.timedelta(days=1))
            .not_valid_after(_now() + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_cert(ca, cn, dns=(), ips=(), days=365, eku=True, key=None):
    """Node certificate signed by ca=(key, cert), valid until now+days (negative: expired)."""
    ca_key, ca_cert = ca
    key = key or ec.generate_private_key(ec.SECP256R1())
    not_after = _now() + datetime.timedelta(days=days)
    sans = [x509.DNSName(d) for d in dns] + [x509.IPAddress(ipaddress.ip_address(i)) for i in ips]
    b = (x509.CertificateBuilder()
         .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
         .issuer_name(ca_cert.subject).public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(min(_now(), not_after) - datetime.timedelta(days=30)).not_valid_after(not_after)
         .add_extension(x509.SubjectAlternativeName(sans), critical=False))
    usages = [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH] if eku is True else eku
    if usages:
        b = b.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return key, b.sign(ca_key, hashes.SHA256())


def write_cert(path: Path, *certs):
    path.write_bytes(b''.join(c.public_bytes(serialization.Encoding.PEM) for c in certs))


def write_key(path: Path, key, passphrase: str | None, fmt=serialization.PrivateFormat.PKCS8):
    enc = serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, enc))


def pub(key_or_cert) -> bytes:
    k = key_or_cert.public_key()
    return k.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def read_keystore(path: Path, passphrase: str):
    """(key, [certs]) of a PEM keystore; asserts the layout Kafka reads."""
    text = path.read_text()
    assert re.findall(r'-----BEGIN ([A-Z ]+)-----', text)[0] == 'ENCRYPTED PRIVATE KEY'
    key = serialization.load_pem_private_key(text.encode(), passphrase.encode())
    certs = x509.load_pem_x509_certificates(text.encode())
    return key, certs


def key_encryption(path: Path) -> str:
    return subprocess.run(['openssl', 'asn1parse', '-in', str(path)], capture_output=True, text=True,
                          check=True).stdout


# --- scenarios ---------------------------------------------------------------------------------
# Every scenario is an independent ansible-playbook chain against its own inventory. The ones the
# selected tests need (their fixtures) all start at once on a small thread pool, one
# ansible-playbook process each; the tests only inspect the results. KAFKA_PKI_TEST_JOBS sets
# the pool size (default 4).
GEN_HOSTS = {'kafka-a': {'meridian_address': '127.8.0.2'},
             'kafka-b': {'meridian_address': '127.8.0.3'}}
GEN_VARS = {'kafka_pki_ca_key_passphrase': CA_PASS, 'kafka_pki_key_passphrase': KEY_PASS}


def provided_inventory(base: Path, hosts: dict, **group_vars) -> Path:
    gv = {'kafka_pki_mode': 'provided', 'kafka_pki_key_passphrase': KEY_PASS,
          'kafka_pki_provided_dir': str(base / 'provided')}
    gv.update(group_vars)
    return write_inventory(base / 'inv', hosts, gv)


def sc_generate(base: Path, runner):
    inv = write_inventory(base / 'inv', GEN_HOSTS, GEN_VARS)
    first = run_playbook(inv)
    if first.rc == 0:
        # Scenarios that start from this estate run on copies, meanwhile.
        for name, func in (('expiry_and_sans', sc_expiry_and_sans), ('wrong_ca_passphrase', sc_wrong_ca_passphrase),
                           ('ca_rotation', sc_ca_rotation)):
            shutil.copytree(inv, base.parent / name / 'inv')
            runner.start(name, func, base.parent / name / 'inv')
    second = run_playbook(inv, '-v')
    check = run_playbook(inv, '--check', '--diff')
    return SimpleNamespace(inv=inv, pki=inv / 'pki', first=first, second=second, check=check)


def sc_fresh_check_mode(base: Path):
    inv = write_inventory(base / 'inv', dict(list(GEN_HOSTS.items())[:1]), GEN_VARS)
    run = run_playbook(inv, '--check')
    return SimpleNamespace(run=run, listing=sorted(p.name for p in inv.iterdir()))


def sc_expiry_and_sans(inv: Path):
    """kafka-a's certificate falls inside the renewal window; kafka-b moves to another address,
    so its certificate no longer covers it, and gains an extra SAN."""
    before = tree_state(inv / 'pki')
    write_inventory(inv, {
        'kafka-a': {'meridian_address': '127.8.0.2', 'kafka_pki_cert_valid_days': 400, 'kafka_pki_renew_before_days': 366},
        'kafka-b': {'meridian_address': '127.8.0.9', 'kafka_pki_extra_sans': ['DNS:kafka-b.example.org']},
    }, GEN_VARS)
    return SimpleNamespace(inv=inv, before=before, run=run_playbook(inv), after=tree_state(inv / 'pki'))


def sc_ca_rotation(inv: Path):
    """Replace the CA of the generated estate step by step, with the mistakes refused on the way."""
    pki = inv / 'pki'
    certs = lambda path: x509.load_pem_x509_certificates(path.read_bytes())  # noqa: E731
    steps = SimpleNamespace(old_ca=certs(pki / 'ca.crt')[0])
    snap = tree_state(pki)
    steps.reissue_first = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=reissue')
    steps.reissue_first_untouched = tree_state(pki) == snap
    steps.trust_limited = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=trust', '--limit', 'kafka-a')
    steps.trust_limited_untouched = tree_state(pki) == snap
    steps.trust = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=trust')
    steps.trust_again = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=trust')
    steps.after_trust = SimpleNamespace(bundle=certs(pki / 'ca-bundle.crt'), next=certs(pki / 'ca-next.crt')[0],
                                        node=certs(pki / 'hosts' / 'kafka-a' / 'kafka-a.crt')[0])
    steps.retire_early = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=retire')
    steps.reissue = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=reissue')
    steps.plain_run = run_playbook(inv)
    steps.after_reissue = SimpleNamespace(
        bundle=certs(pki / 'ca-bundle.crt'), ca=certs(pki / 'ca.crt')[0], previous=certs(pki / 'ca-previous.crt')[0],
        nodes={h: certs(pki / 'hosts' / h / ('%s.crt' % h))[0] for h in GEN_HOSTS},
        keystores={h: read_keystore(pki / 'hosts' / h / 'keystore.pem', KEY_PASS)[1] for h in GEN_HOSTS},
        next_exists=(pki / 'ca-next.crt').exists())
    steps.retire = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=retire')
    steps.retire_again = run_playbook(inv, '-e', 'kafka_pki_ca_rotation_step=retire')
    steps.after_retire = SimpleNamespace(bundle=certs(pki / 'ca-bundle.crt'), ca=certs(pki / 'ca.crt')[0],
                                         leftovers=sorted(p.name for p in pki.glob('ca-*')),
                                         retired=sorted(p.name for p in (pki / 'retired').iterdir()))
    steps.final = run_playbook(inv)
    return steps


def sc_wrong_ca_passphrase(inv: Path):
    before = tree_state(inv / 'pki')
    write_inventory(inv, GEN_HOSTS, dict(GEN_VARS, kafka_pki_ca_key_passphrase='not-the-one'))
    return SimpleNamespace(before=before, run=run_playbook(inv), after=tree_state(inv / 'pki'))


def sc_missing_passphrases(base: Path):
    inv = write_inventory(base / 'inv', {
        # empty values
        'kafka-a': {'meridian_address': '127.8.0.2', 'kafka_pki_ca_key_passphrase': '', 'kafka_pki_key_passphrase': ''},
        # pointing at vault variables that were never loaded
        'kafka-b': {'meridian_address': '127.8.0.3',
                    'kafka_pki_ca_key_passphrase': '{{ vault_kafka_pki_ca_key_passphrase }}',
                    'kafka_pki_key_passphrase': '{{ vault_kafka_pki_key_passphrase }}'},
    })
    return SimpleNamespace(inv=inv, run=run_playbook(inv))


def sc_bad_settings(base: Path):
    inv = write_inventory(base / 'inv', {
        'kafka-a': {'meridian_address': '127.8.0.300'},
        'kafka-b': {'meridian_address': '127.8.0.3', 'kafka_pki_extra_sans': ['kafka-b.example.org'],
                    'kafka_pki_renew_before_days': 400},
    }, GEN_VARS)
    return SimpleNamespace(inv=inv, run=run_playbook(inv))


def sc_unknown_mode(base: Path):
    inv = write_inventory(base / 'inv', {'kafka-a': {'meridian_address': '127.8.0.2'}},
                          dict(GEN_VARS, kafka_pki_mode='letsencrypt'))
    return SimpleNamespace(inv=inv, run=run_playbook(inv))


def sc_provided(base: Path, ca):
    prov = base / 'provided'
    prov.mkdir(parents=True)
    write_cert(prov / 'ca.crt', ca[1])
    key_a, cert_a = make_cert(ca, 'kafka-a', dns=['kafka-a'], ips=['127.8.0.2'])
    write_cert(prov / 'kafka-a.crt', cert_a)
    write_key(prov / 'kafka-a.key', key_a, KEY_PASS)
    # an unencrypted SEC1 ("EC PRIVATE KEY") key, and a wildcard name
    key_b, cert_b = make_cert(ca, 'kafka-b.lab.example', dns=['*.lab.example'], ips=['127.8.0.3'])
    write_cert(prov / 'kafka-b.crt', cert_b)
    write_key(prov / 'kafka-b.key', key_b, None, serialization.PrivateFormat.TraditionalOpenSSL)
    inv = provided_inventory(base, {
        'kafka-a': {'meridian_address': '127.8.0.2'},
        'kafka-b': {'meridian_address': '127.8.0.3', 'kafka_pki_host_name': 'kafka-b.lab.example',
                    'kafka_pki_provided_key_passphrase': ''},
    })
    first = run_playbook(inv)
    second = run_playbook(inv)
    return SimpleNamespace(inv=inv, prov=prov, first=first, second=second,
                           nodes={'kafka-a': (key_a, cert_a), 'kafka-b': (key_b, cert_b)})


# host: (address, (key, cert) maker, key passphrase, expected message); None: a good host
def bad_provided_cases(ca):
    other_ca = make_ca('Some Other CA')
    return {
        'good': ('127.8.0.2', make_cert(ca, 'good', ['good'], ['127.8.0.2']), KEY_PASS, None),
        'no-ip': ('127.8.0.3', make_cert(ca, 'no-ip', ['no-ip'], ['127.8.0.99']), KEY_PASS,
                  'does not cover the node address: its SANs DNS:no-ip, IP:127.8.0.99 lack IP:127.8.0.3'),
        'expired': ('127.8.0.5', make_cert(ca, 'expired', ['expired'], ['127.8.0.5'], days=-1), KEY_PASS,
                    'expired on'),
        'expiring': ('127.8.0.6', make_cert(ca, 'expiring', ['expiring'], ['127.8.0.6'], days=10), KEY_PASS,
                     'within kafka_pki_renew_before_days (30 days)'),
        'wrong-key': ('127.8.0.7', (ec.generate_private_key(ec.SECP256R1()),
                                    make_cert(ca, 'wrong-key', ['wrong-key'], ['127.8.0.7'])[1]), KEY_PASS,
                      'does not belong to the certificate'),
        'foreign-ca': ('127.8.0.8', make_cert(other_ca, 'foreign-ca', ['foreign-ca'], ['127.8.0.8']), KEY_PASS,
                       'is not signed by the CA in'),
        'wrong-pass': ('127.8.0.9', make_cert(ca, 'wrong-pass', ['wrong-pass'], ['127.8.0.9']), 'other-pass',
                       'cannot open the key'),
    }


def sc_provided_bad(base: Path, ca):
    prov = base / 'provided'
    prov.mkdir(parents=True)
    write_cert(prov / 'ca.crt', ca[1])
    cases = bad_provided_cases(ca)
    for host, (_, (key, cert), passphrase, _) in cases.items():
        write_cert(prov / ('%s.crt' % host), cert)
        write_key(prov / ('%s.key' % host), key, passphrase)
    inv = provided_inventory(base, {h: {'meridian_address': c[0]} for h, c in cases.items()})
    return SimpleNamespace(inv=inv, run=run_playbook(inv), expected={h: c[3] for h, c in cases.items()})


def sc_validate_missing_files(base: Path):
    inv = provided_inventory(base, {'kafka-a': {'meridian_address': '127.8.0.2'}})
    return SimpleNamespace(inv=inv, base=base, run=run_playbook(inv, playbook=VALIDATE_PLAYBOOK))


class Runner:
    """Starts scenarios on a thread pool, only those a selected test needs."""

    def __init__(self, base: Path, needed: set):
        self.base, self.needed, self.futures = base, needed, {}
        self.ca = make_ca()
        self.pool = ThreadPoolExecutor(max_workers=int(os.environ.get('KAFKA_PKI_TEST_JOBS', '4')))

    def start(self, name, func, *args):
        if name in self.needed and name not in self.futures:
            self.futures[name] = self.pool.submit(func, *args)

    def result(self, name):
        assert name in self.futures, '%s was not started (its first run failed?)' % name
        return self.futures[name].result(timeout=900)


@pytest.fixture(scope='module')
def runner(request, tmp_path_factory):
    scenario_fixtures = {'generated', 'fresh_check_mode', 'expiry_and_sans', 'wrong_ca_passphrase', 'ca_rotation',
                         'missing_passphrases', 'bad_settings', 'unknown_mode', 'provided', 'provided_bad',
                         'validate_missing_files'}
    needed = {f for item in request.session.items for f in getattr(item, 'fixturenames', ()) if f in scenario_fixtures}
    broker_selected = any('broker' in getattr(item, 'fixturenames', ()) for item in request.session.items)
    if needed & {'expiry_and_sans', 'wrong_ca_passphrase', 'ca_rotation'} or broker_selected:
        needed.add('generated')
    r = Runner(tmp_path_factory.mktemp('pki'), needed)
    # longest chains first
    r.start('generated', sc_generate, r.base / 'generate', r)
    r.start('provided', sc_provided, r.base / 'provided', r.ca)
    r.start('provided_bad', sc_provided_bad, r.base / 'provided_bad', r.ca)
    for name, func in (('fresh_check_mode', sc_fresh_check_mode), ('missing_passphrases', sc_missing_passphrases),
                       ('bad_settings', sc_bad_settings), ('unknown_mode', sc_unknown_mode),
                       ('validate_missing_files', sc_validate_missing_files)):
        r.start(name, func, r.base / name)
    yield r
    r.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture(scope='module')
def generated(runner):
    return runner.result('generated')


@pytest.fixture(scope='module')
def expiry_and_sans(generated, runner):
    return runner.result('expiry_and_sans')


@pytest.fixture(scope='module')
def wrong_ca_passphrase(generated, runner):
    return runner.result('wrong_ca_passphrase')


@pytest.fixture(scope='module')
def ca_rotation(generated, runner):
    return runner.result('ca_rotation')


def _scenario_fixture(name):
    @pytest.fixture(scope='module', name=name)
    def fixture(runner):
        return runner.result(name)
    return fixture


fresh_check_mode = _scenario_fixture('fresh_check_mode')
missing_passphrases = _scenario_fixture('missing_passphrases')
bad_settings = _scenario_fixture('bad_settings')
unknown_mode = _scenario_fixture('unknown_mode')
provided = _scenario_fixture('provided')
provided_bad = _scenario_fixture('provided_bad')
validate_missing_files = _scenario_fixture('validate_missing_files')


# --- generate mode -------------------------------------------------------------------------------
def test_generate_twice_then_check_mode_changes_nothing(generated):
    assert generated.first.rc == 0 and generated.first.changed > 0, generated.first
    assert generated.second.rc == 0 and generated.second.changed == 0, generated.second
    assert generated.check.rc == 0 and generated.check.changed == 0, generated.check


def test_check_mode_on_a_new_estate_writes_nothing(fresh_check_mode):
    sc = fresh_check_mode
    assert sc.run.rc == 0 and sc.run.changed > 0, sc.run
    assert sc.listing == ['hosts.yml']
    assert CA_PASS not in sc.run.out and KEY_PASS not in sc.run.out


def test_generate_publishes_controller_paths(generated):
    pki = generated.pki
    for host in GEN_HOSTS:
        assert ('FACTS %s %s/ca-bundle.crt %s/hosts/%s/keystore.pem %s/hosts/%s/%s.crt'
                % (host, pki, pki, host, pki, host, host)) in generated.first.flat
    # Outside a CA replacement the bundle is the CA alone.
    assert (pki / 'ca-bundle.crt').read_bytes().strip() == (pki / 'ca.crt').read_bytes().strip()


def test_generate_file_modes(generated):
    pki = generated.pki
    assert pki.stat().st_mode & 0o777 == 0o700
    assert (pki / 'hosts').stat().st_mode & 0o777 == 0o700
    assert (pki / 'ca.key').stat().st_mode & 0o777 == 0o600
    assert (pki / 'ca.crt').stat().st_mode & 0o777 == 0o644
    for host in GEN_HOSTS:
        d = pki / 'hosts' / host
        assert d.stat().st_mode & 0o777 == 0o700
        assert (d / ('%s.key' % host)).stat().st_mode & 0o777 == 0o600
        assert (d / 'keystore.pem').stat().st_mode & 0o777 == 0o600
        assert (d / ('%s.crt' % host)).stat().st_mode & 0o777 == 0o644


def test_generated_ca(generated):
    pki = generated.pki
    ca = x509.load_pem_x509_certificate((pki / 'ca.crt').read_bytes())
    assert ca.subject.rfc4514_string() == 'CN=Meridian Kafka CA,O=Meridian'
    bc = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca
    ku = ca.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.key_cert_sign and ku.crl_sign and not ku.digital_signature
    assert 3649 <= (ca.not_valid_after_utc - ca.not_valid_before_utc).days <= 3650
    assert (pki / 'ca.key').read_text().startswith('-----BEGIN ENCRYPTED PRIVATE KEY-----')
    ca_key = serialization.load_pem_private_key((pki / 'ca.key').read_bytes(), CA_PASS.encode())
    assert pub(ca_key) == pub(ca)


def test_generated_node_certificates(generated):
    pki = generated.pki
    ca = x509.load_pem_x509_certificate((pki / 'ca.crt').read_bytes())
    for host, hv in GEN_HOSTS.items():
        crt_path = pki / 'hosts' / host / ('%s.crt' % host)
        cert = x509.load_pem_x509_certificate(crt_path.read_bytes())
        assert cert.subject.rfc4514_string() == 'CN=%s,OU=kafka-nodes,O=Meridian' % host
        assert cert.issuer == ca.subject
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert san.get_values_for_type(x509.DNSName) == [host]
        assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address(hv['meridian_address'])]
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
        assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert 364 <= (cert.not_valid_after_utc - cert.not_valid_before_utc).days <= 365
        # ECDSA P-256, encrypted PKCS#8 on disk
        key = serialization.load_pem_private_key(crt_path.with_suffix('.key').read_bytes(), KEY_PASS.encode())
        assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == 'secp256r1'
        assert pub(key) == pub(cert)
        verify = subprocess.run(['openssl', 'verify', '-CAfile', str(pki / 'ca.crt'), str(crt_path)],
                                capture_output=True, text=True)
        assert verify.returncode == 0 and verify.stdout.strip().endswith(': OK'), verify.stdout + verify.stderr


def test_generated_keystore_layout(generated):
    pki = generated.pki
    ca_pem = (pki / 'ca.crt').read_bytes()
    for host in GEN_HOSTS:
        d = pki / 'hosts' / host
        key, certs = read_keystore(d / 'keystore.pem', KEY_PASS)
        cert_pem = (d / ('%s.crt' % host)).read_bytes()
        assert [c.public_bytes(serialization.Encoding.PEM) for c in certs] == [cert_pem, ca_pem]
        assert pub(key) == pub(certs[0])
        # PBES1 3DES: the encryption Kafka's PEM keystore can open on Java 17 (see the broker tests)
        assert PBES1_3DES in key_encryption(d / 'keystore.pem')
        with pytest.raises((ValueError, TypeError)):
            serialization.load_pem_private_key((d / 'keystore.pem').read_bytes(), b'wrong')


def test_passphrases_never_printed(generated):
    for run in (generated.first, generated.second, generated.check):
        assert CA_PASS not in run.out and KEY_PASS not in run.out


def test_expiry_and_changed_sans_reissue_certificates(expiry_and_sans):
    """CA, keys and the unchanged CSR stay; the expiring and the no-longer-covering certificates are re-issued."""
    sc = expiry_and_sans
    assert sc.run.rc == 0, sc.run
    for f in ('ca.key', 'ca.crt', 'ca.csr', 'hosts/kafka-a/kafka-a.key', 'hosts/kafka-a/kafka-a.csr',
              'hosts/kafka-b/kafka-b.key'):
        assert sc.after[f] == sc.before[f], f
    for f in ('hosts/kafka-a/kafka-a.crt', 'hosts/kafka-a/keystore.pem', 'hosts/kafka-b/kafka-b.csr',
              'hosts/kafka-b/kafka-b.crt', 'hosts/kafka-b/keystore.pem'):
        assert sc.after[f] != sc.before[f], f

    def cert(host):
        return x509.load_pem_x509_certificate((sc.inv / 'pki/hosts' / host / ('%s.crt' % host)).read_bytes())
    renewed = cert('kafka-a')
    assert 399 <= (renewed.not_valid_after_utc - renewed.not_valid_before_utc).days <= 400
    # so it is outside the 366-day window now, and the next run leaves it alone
    assert (renewed.not_valid_after_utc - datetime.datetime.now(datetime.timezone.utc)).days > 366
    san = cert('kafka-b').extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ['kafka-b', 'kafka-b.example.org']
    assert san.get_values_for_type(x509.IPAddress) == [ipaddress.ip_address('127.8.0.9')]
    for host in GEN_HOSTS:
        key, certs = read_keystore(sc.inv / 'pki/hosts' / host / 'keystore.pem', KEY_PASS)
        assert certs[0] == cert(host) and pub(key) == pub(certs[0])


def test_wrong_ca_passphrase_never_replaces_the_ca(wrong_ca_passphrase):
    sc = wrong_ca_passphrase
    assert sc.run.rc != 0, sc.run
    assert 'does not open with kafka_pki_ca_key_passphrase' in sc.run.flat, sc.run
    assert sc.after == sc.before


def test_missing_passphrases_fail_before_anything_is_written(missing_passphrases):
    sc = missing_passphrases
    run = sc.run
    assert run.rc != 0, run
    msg = run.message('kafka-a')
    assert 'kafka_pki_ca_key_passphrase is missing or empty' in msg, run
    assert 'kafka_pki_key_passphrase is missing or empty' in msg
    assert 'Ansible Vault' in msg and 'vault_kafka_pki_ca_key_passphrase' in msg
    # An unloaded vault file: the argument spec check, the role's first task, names the variable.
    assert 'fatal: [kafka-b]' in run.out and "'vault_kafka_pki_ca_key_passphrase' is undefined" in run.out
    assert not (sc.inv / 'pki').exists()


def test_bad_settings_are_refused(bad_settings):
    sc = bad_settings
    run = sc.run
    assert run.rc != 0, run
    assert 'must be an IPv4 address (got "127.8.0.300")' in run.message('kafka-a'), run
    assert 'bad: kafka-b.example.org' in run.message('kafka-b')
    assert ('kafka_pki_renew_before_days (400) must be at least 0 and less than kafka_pki_cert_valid_days'
            in run.message('kafka-b'))
    assert not (sc.inv / 'pki').exists()


def test_argument_spec_rejects_an_unknown_mode(unknown_mode):
    sc = unknown_mode
    assert sc.run.rc != 0 and 'kafka_pki_mode' in sc.run.out and 'generate, provided' in sc.run.out, sc.run
    assert not (sc.inv / 'pki').exists()



# --- replacing the CA ----------------------------------------------------------------------------
def signed_by(cert, ca) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
        return True
    except (ValueError, InvalidSignature):   # ValueError: issuer name differs
        return False


def test_ca_rotation_refuses_steps_out_of_order_or_a_partial_limit(ca_rotation):
    sc = ca_rotation
    assert sc.reissue_first.rc != 0 and 'run the trust step first' in sc.reissue_first.flat, sc.reissue_first
    assert sc.reissue_first_untouched
    assert sc.trust_limited.rc != 0 and 'left out by --limit: kafka-b' in sc.trust_limited.flat, sc.trust_limited
    assert sc.trust_limited_untouched
    assert sc.retire_early.rc != 0 and 'run the reissue step first' in sc.retire_early.flat, sc.retire_early


def test_ca_rotation_trust_step_adds_the_new_ca_to_the_bundle(ca_rotation):
    sc = ca_rotation
    assert sc.trust.rc == 0 and sc.trust.changed > 0, sc.trust
    assert sc.trust_again.rc == 0 and sc.trust_again.changed == 0, sc.trust_again
    t = sc.after_trust
    assert [c.fingerprint(hashes.SHA256()) for c in t.bundle] == [
        sc.old_ca.fingerprint(hashes.SHA256()), t.next.fingerprint(hashes.SHA256())]
    assert pub(t.next) != pub(sc.old_ca) and t.next.subject == sc.old_ca.subject
    assert signed_by(t.node, sc.old_ca), 'node certificates must not change in the trust step'


def test_ca_rotation_reissue_step_signs_every_node_with_the_new_ca(ca_rotation):
    sc = ca_rotation
    r = sc.after_reissue
    assert sc.reissue.rc == 0, sc.reissue
    assert sc.plain_run.rc == 0 and sc.plain_run.changed == 0, sc.plain_run
    assert not r.next_exists
    assert pub(r.previous) == pub(sc.old_ca) and pub(r.ca) != pub(sc.old_ca)
    assert {pub(c) for c in r.bundle} == {pub(r.ca), pub(sc.old_ca)}
    for host, cert in r.nodes.items():
        assert signed_by(cert, r.ca) and not signed_by(cert, sc.old_ca), host
        assert r.keystores[host] == [cert, r.ca], host


def test_ca_rotation_retire_step_drops_the_old_ca(ca_rotation):
    sc = ca_rotation
    r = sc.after_retire
    assert sc.retire.rc == 0 and sc.retire.changed > 0, sc.retire
    assert sc.retire_again.rc == 0 and sc.retire_again.changed == 0, sc.retire_again
    assert sc.final.rc == 0 and sc.final.changed == 0, sc.final
    assert [pub(c) for c in r.bundle] == [pub(r.ca)] and pub(r.ca) == pub(sc.after_reissue.ca)
    assert r.leftovers == ['ca-bundle.crt']
    # Archived under the old CA's serial number, key and certificate.
    assert r.retired == ['ca-%d.crt' % sc.old_ca.serial_number, 'ca-%d.key' % sc.old_ca.serial_number]
    assert CA_PASS not in sc.trust.out + sc.reissue.out + sc.retire.out


def test_each_pki_directory_gets_its_own_ca_in_one_run(tmp_path):
    """Clusters may keep separate PKI directories (the lab's single-region cluster does): one
    play must create every directory's CA, each signing only its own hosts."""
    inv = write_inventory(tmp_path / 'inv', {
        'a1': {'meridian_address': '127.8.0.2', 'kafka_pki_dir': str(tmp_path / 'pki-a')},
        'a2': {'meridian_address': '127.8.0.3', 'kafka_pki_dir': str(tmp_path / 'pki-a')},
        'b1': {'meridian_address': '127.8.0.4', 'kafka_pki_dir': str(tmp_path / 'pki-b')},
    }, GEN_VARS)
    run = run_playbook(inv)
    assert run.rc == 0, run
    cas = {d: x509.load_pem_x509_certificate((tmp_path / d / 'ca.crt').read_bytes()) for d in ('pki-a', 'pki-b')}
    assert pub(cas['pki-a']) != pub(cas['pki-b'])
    for host, d in (('a1', 'pki-a'), ('a2', 'pki-a'), ('b1', 'pki-b')):
        cert = x509.load_pem_x509_certificate((tmp_path / d / 'hosts' / host / ('%s.crt' % host)).read_bytes())
        assert signed_by(cert, cas[d]), host
        assert ('FACTS %s %s/ca-bundle.crt' % (host, tmp_path / d)) in run.flat

# --- provided mode -------------------------------------------------------------------------------
def test_provided_mode(provided, runner):
    sc = provided
    ca_cert = runner.ca[1]
    assert sc.first.rc == 0, sc.first
    assert sc.second.rc == 0 and sc.second.changed == 0, sc.second
    pki = sc.inv / 'pki'
    assert (pki / 'ca.crt').read_bytes() == (sc.prov / 'ca.crt').read_bytes()
    assert not (pki / 'ca.key').exists()
    for host, (key, cert) in sc.nodes.items():
        ks = pki / 'hosts' / host / 'keystore.pem'
        ks_key, certs = read_keystore(ks, KEY_PASS)
        assert pub(ks_key) == pub(key)
        assert certs == [cert, ca_cert]
        assert ks.stat().st_mode & 0o777 == 0o600
        assert PBES1_3DES in key_encryption(ks)
        assert ('FACTS %s %s/ca-bundle.crt %s/hosts/%s/keystore.pem %s/%s.crt'
                % (host, pki, pki, host, sc.prov, host)) in sc.first.flat
    assert KEY_PASS not in sc.first.out + sc.second.out


def test_provided_mode_rejects_bad_certificates(provided_bad):
    """One host per defect, plus a good one: every bad host is named with its own problem, and
    nothing is written, not even for the good host."""
    sc = provided_bad
    run = sc.run
    assert run.rc != 0, run
    for host, want in sc.expected.items():
        msg = run.message(host)
        if want is None:
            assert msg == '', msg
            continue
        assert want in msg, (host, run)
        assert '/provided/%s.' % host in msg
        # only this host's defect is reported for it
        assert [w for w in sc.expected.values() if w and w in msg] == [want], (host, msg)
    assert not (sc.inv / 'pki').exists()
    assert KEY_PASS not in run.out


def test_validate_entry_point_reports_missing_files(validate_missing_files):
    sc = validate_missing_files
    run = sc.run
    assert run.rc != 0, run
    assert "Validating arguments against arg spec 'validate'" in run.out
    msg = run.message('kafka-a')
    for var, name in (('kafka_pki_provided_ca_file', 'ca.crt'), ('kafka_pki_provided_cert_file', 'kafka-a.crt'),
                      ('kafka_pki_provided_key_file', 'kafka-a.key')):
        assert '%s/provided/%s (%s)' % (sc.base, name, var) in msg, run
    assert not (sc.inv / 'pki').exists()


# --- a real broker -------------------------------------------------------------------------------
KAFKA_TGZ = REPO / 'build' / 'kafka' / 'kafka_2.13-4.1.1.tgz'
BROKER_ADDRESS = '127.8.0.2'


def _port_free(host, port):
    """Nothing listens there (connections in TIME_WAIT do not count; Kafka binds with SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


@pytest.fixture(scope='module')
def broker(request, tmp_path_factory):
    if os.environ.get('KAFKA_PKI_BROKER_TESTS', '1') == '0':
        pytest.skip('KAFKA_PKI_BROKER_TESTS=0')
    if not KAFKA_TGZ.exists() or not shutil.which('java'):
        pytest.skip('needs %s and java' % KAFKA_TGZ)
    if not (_port_free(BROKER_ADDRESS, 9092) and _port_free(BROKER_ADDRESS, 9093)):
        pytest.skip('%s:9092/9093 in use' % BROKER_ADDRESS)
    generated = request.getfixturevalue('generated')
    assert generated.first.rc == 0, generated.first
    base = tmp_path_factory.mktemp('broker')
    with tarfile.open(KAFKA_TGZ) as tgz:
        tgz.extractall(base, filter='data')
    home = next(base.glob('kafka_*'))
    for script in (home / 'bin').glob('*.sh'):
        script.chmod(0o755)
    pki = generated.pki
    tls = {'ssl.keystore.type': 'PEM', 'ssl.key.password': KEY_PASS,
           'ssl.truststore.type': 'PEM', 'ssl.truststore.location': pki / 'ca.crt'}
    server = dict(tls, **{
        'process.roles': 'broker,controller', 'node.id': 1,
        'controller.quorum.voters': '1@%s:9093' % BROKER_ADDRESS,
        'listeners': 'SSL://%s:9092,CONTROLLER://%s:9093' % (BROKER_ADDRESS, BROKER_ADDRESS),
        'advertised.listeners': 'SSL://%s:9092' % BROKER_ADDRESS,
        'controller.listener.names': 'CONTROLLER', 'inter.broker.listener.name': 'SSL',
        'listener.security.protocol.map': 'SSL:SSL,CONTROLLER:SSL',
        'ssl.keystore.location': pki / 'hosts/kafka-a/keystore.pem',
        'ssl.client.auth': 'required',
        'log.dirs': base / 'data', 'num.partitions': 1, 'offsets.topic.replication.factor': 1,
        'transaction.state.log.replication.factor': 1, 'transaction.state.log.min.isr': 1,
    })

    def props(path, values):
        path.write_text(''.join('%s=%s\n' % kv for kv in values.items()))
        return path

    server_props = props(base / 'server.properties', server)
    # Clients: mutual TLS with kafka-b's keystore; hostname verification stays at its default (https).
    client = dict(tls, **{'security.protocol': 'SSL', 'ssl.keystore.location': pki / 'hosts/kafka-b/keystore.pem'})
    other_ca = make_ca('Not The Estate CA')[1]
    write_cert(base / 'other-ca.crt', other_ca)
    pbes2 = base / 'pbes2-keystore.pem'   # the community.crypto key as is: PBES2/AES-256
    pbes2.write_bytes(b''.join((pki / 'hosts/kafka-b' / n).read_bytes() for n in ('kafka-b.key', 'kafka-b.crt'))
                      + (pki / 'ca.crt').read_bytes())
    clients = {
        'mtls': props(base / 'client.properties', client),
        'other_ca': props(base / 'client-other-ca.properties', dict(client, **{'ssl.truststore.location': base / 'other-ca.crt'})),
        'no_cert': props(base / 'client-no-cert.properties',
                         {k: v for k, v in client.items() if not k.startswith(('ssl.keystore', 'ssl.key.'))}),
        'pbes2': props(base / 'client-pbes2.properties', dict(client, **{'ssl.keystore.location': pbes2})),
    }
    env = dict(os.environ, KAFKA_HEAP_OPTS='-Xmx256m', LOG_DIR=str(base / 'logs'))
    fmt = subprocess.run([str(home / 'bin/kafka-storage.sh'), 'format', '-t', 'pki-test-cluster-0001xx',
                          '-c', str(server_props)], env=env, capture_output=True, text=True, timeout=120)
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    log = open(base / 'broker.out', 'w+')
    proc = subprocess.Popen([str(home / 'bin/kafka-server-start.sh'), str(server_props)], env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.time() + 90
        while 'Kafka Server started' not in (base / 'broker.out').read_text():
            assert proc.poll() is None, (base / 'broker.out').read_text()[-5000:]
            assert time.time() < deadline, (base / 'broker.out').read_text()[-5000:]
            time.sleep(0.5)

        def topics(client_name, *args):
            r = subprocess.run([str(home / 'bin/kafka-topics.sh'), '--bootstrap-server', '%s:9092' % BROKER_ADDRESS,
                                '--command-config', str(clients[client_name]), *args],
                               env=env, capture_output=True, text=True, timeout=120)
            return SimpleNamespace(rc=r.returncode, out=r.stdout + r.stderr)
        yield SimpleNamespace(topics=topics, log=base / 'broker.out')
    finally:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_broker_serves_mutual_tls_with_the_generated_keystore(broker):
    created = broker.topics('mtls', '--create', '--topic', 'pki-smoke', '--partitions', '1', '--replication-factor', '1')
    assert created.rc == 0 and 'Created topic pki-smoke' in created.out, created.out
    listed = broker.topics('mtls', '--list')
    assert listed.rc == 0 and 'pki-smoke' in listed.out.split(), listed.out


def test_broker_refuses_a_client_that_trusts_another_ca(broker):
    r = broker.topics('other_ca', '--list')
    assert r.rc != 0 and 'PKIX path building failed' in r.out, r.out


def test_broker_refuses_a_client_without_certificate(broker):
    r = broker.topics('no_cert', '--list')
    assert r.rc != 0 and 'SslAuthenticationException' in r.out, r.out


def test_java17_kafka_cannot_open_a_pbes2_key(broker):
    """Why the keystore key is PBES1: the PBES2 form community.crypto writes is refused."""
    r = broker.topics('pbes2', '--list')
    assert r.rc != 0 and 'PBES2 SecretKeyFactory not available' in r.out, r.out
