"""Local stand-ins for the clouds, all on 127.0.0.1, spoken to by the real client libraries over
real HTTP(S): moto's server for EC2, and small http.server fakes answering the documented REST
JSON of the Compute Engine API (v1) and of Azure Resource Manager (Microsoft.Compute,
Microsoft.Network). Nothing here reaches a cloud endpoint.

The fakes keep just enough state for the inventory plugin and the fault backends: instances and
their power state, firewall rules, network security groups. Long-running calls answer with an
operation that completes on the next poll, so the clients' waiting code runs too.
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import os
import re
import socket
import ssl
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


LOOPBACK = '127.0.0.1'


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- TLS for the Azure fake

def self_signed_cert(directory):
    """A self-signed CA-capable certificate for 127.0.0.1 (Azure's bearer-token policy needs https)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'meridian-test-loopback')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = os.path.join(directory, 'cert.pem'), os.path.join(directory, 'key.pem')
    with open(cert_path, 'wb') as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(key_path, 'wb') as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return cert_path, key_path


# --------------------------------------------------------------------------- a tiny routed server

class FakeServer:
    """http.server in a thread; ``routes`` is a list of (method, regex, handler(match, query, body))
    returning (status, json_body[, headers]). ``fail`` forces an error answer for paths matching a regex."""

    def __init__(self, tls=None):
        self.requests = []
        self.fail = []  # (method, regex, status, body)
        self.routes = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *args):
                pass

            def _handle(self):
                length = int(self.headers.get('Content-Length') or 0)
                raw = self.rfile.read(length) if length else b''
                parsed = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parsed.query))
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:  # form-encoded (EC2 query protocol)
                    body = raw.decode()
                fake.requests.append((self.command, parsed.path, query, body))
                status, payload, headers = fake.dispatch(self.command, parsed.path, query, body)
                if isinstance(payload, bytes):
                    data, ctype = payload, 'text/xml'
                else:
                    data, ctype = (b'' if payload is None else json.dumps(payload).encode()), 'application/json'
                self.send_response(status)
                self.send_header('Content-Type', ctype)
                self.send_header('Content-Length', str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.server.daemon_threads = True
        scheme = 'http'
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            scheme = 'https'
        self.url = '%s://%s:%d' % (scheme, LOOPBACK, self.server.server_address[1])
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def dispatch(self, method, path, query, body):
        for f_method, regex, status, payload in self.fail:
            if f_method == method and re.search(regex, path):
                return status, payload, None
        for r_method, regex, handler in self.routes:
            m = re.fullmatch(regex, path)
            if m and r_method == method:
                result = handler(m, query, body)
                return result if len(result) == 3 else result + (None,)
        return 404, self.not_found(path), None

    def not_found(self, path):
        return {'error': {'code': 404, 'message': 'no route %s' % path}}

    def calls(self, method=None, pattern=''):
        return [r for r in self.requests if (method is None or r[0] == method) and re.search(pattern, r[1])]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def paged(items, query, size, token_key, make_next):
    """Slice ``items`` into pages of ``size``; make_next(offset) builds the next-page value."""
    start = int(query.get(token_key) or 0)
    page = items[start:start + size]
    nxt = make_next(start + size) if start + size < len(items) else None
    return page, nxt


# --------------------------------------------------------------------------- GCP (compute v1 REST)

class FakeGcp(FakeServer):
    PAGE = 2

    def __init__(self, project='meridian-test'):
        super().__init__()
        self.project = project
        self.instances = {}   # (zone, name) -> instance JSON
        self.firewalls = {}   # name -> firewall JSON
        self.operations = {}  # name -> [op JSON, callback when polled]
        self.op_polls_before_done = 1
        self.on_get = {}  # (zone, name) -> statuses the instance goes through, one per read
        self._ids = 1000
        base = r'/compute/v1/projects/(?P<project>[^/]+)'
        self.routes = [
            ('GET', base + r'/aggregated/instances', self.aggregated),
            ('GET', base + r'/zones/(?P<zone>[^/]+)/instances', self.list_zone),
            ('GET', base + r'/zones/(?P<zone>[^/]+)/instances/(?P<name>[^/]+)', self.get_instance),
            ('POST', base + r'/zones/(?P<zone>[^/]+)/instances/(?P<name>[^/]+)/(?P<verb>stop|start)', self.power),
            ('GET', base + r'/zones/(?P<zone>[^/]+)/operations/(?P<op>[^/]+)', self.get_op),
            ('GET', base + r'/global/operations/(?P<op>[^/]+)', self.get_op),
            ('POST', base + r'/global/firewalls', self.insert_firewall),
            ('DELETE', base + r'/global/firewalls/(?P<name>[^/]+)', self.delete_firewall),
        ]

    def not_found(self, path):
        return {'error': {'code': 404, 'message': "The resource '%s' was not found" % path,
                          'errors': [{'reason': 'notFound', 'message': 'not found'}]}}

    def add_instance(self, name, zone, labels, ip, status='RUNNING', public_ip=None, network='default'):
        self._ids += 1
        nic = {'networkIP': ip, 'network': 'https://www.googleapis.com/compute/v1/projects/%s/global/networks/%s'
               % (self.project, network), 'name': 'nic0'}
        if public_ip:
            nic['accessConfigs'] = [{'type': 'ONE_TO_ONE_NAT', 'natIP': public_ip}]
        self.instances[(zone, name)] = {
            'kind': 'compute#instance', 'id': str(self._ids), 'name': name, 'status': status,
            'zone': 'https://www.googleapis.com/compute/v1/projects/%s/zones/%s' % (self.project, zone),
            'labels': dict(labels), 'networkInterfaces': [nic], 'tags': {'items': ['kafka']}}
        return self.instances[(zone, name)]

    def status(self, zone, name):
        return self.instances[(zone, name)]['status']

    def _op(self, zone, target, on_done):
        name = 'operation-%d' % (len(self.operations) + 1)
        op = {'kind': 'compute#operation', 'name': name, 'status': 'RUNNING', 'targetLink': target,
              'selfLink': name}
        if zone:
            op['zone'] = zone
        self.operations[name] = [op, on_done, 0]
        return op

    def get_op(self, m, q, b):
        entry = self.operations.get(m['op'])
        if not entry:
            return 404, self.not_found(m['op'])
        op, on_done, polls = entry
        entry[2] = polls + 1
        if op['status'] != 'DONE' and entry[2] >= self.op_polls_before_done:
            op['status'] = 'DONE'
            if on_done:
                on_done()
        return 200, op

    def aggregated(self, m, q, b):
        items = sorted(self.instances.items())
        page, nxt = paged(items, q, self.PAGE, 'pageToken', str)
        out = {}
        for (zone, _), inst in page:
            out.setdefault('zones/%s' % zone, {'instances': []})['instances'].append(inst)
        body = {'kind': 'compute#instanceAggregatedList', 'items': out}
        if nxt:
            body['nextPageToken'] = nxt
        return 200, body

    def list_zone(self, m, q, b):
        items = [inst for (zone, _), inst in sorted(self.instances.items()) if zone == m['zone']]
        page, nxt = paged(items, q, self.PAGE, 'pageToken', str)
        body = {'kind': 'compute#instanceList', 'items': page}
        if nxt:
            body['nextPageToken'] = nxt
        return 200, body

    def get_instance(self, m, q, b):
        inst = self.instances.get((m['zone'], m['name']))
        key = (m['zone'], m['name'])
        if inst and self.on_get.get(key):
            inst['status'] = self.on_get[key].pop(0)
        return (200, inst) if inst else (404, self.not_found(m['name']))

    def power(self, m, q, b):
        inst = self.instances.get((m['zone'], m['name']))
        if not inst:
            return 404, self.not_found(m['name'])
        if m['verb'] == 'stop':
            inst['status'] = 'STOPPING'
            final = 'TERMINATED'
        else:
            inst['status'] = 'STAGING'
            final = 'RUNNING'
        return 200, self._op(m['zone'], m['name'], lambda: inst.__setitem__('status', final))

    def insert_firewall(self, m, q, b):
        if b['name'] in self.firewalls:
            return 409, {'error': {'code': 409, 'message': 'already exists'}}
        self.firewalls[b['name']] = b
        return 200, self._op(None, b['name'], None)

    def delete_firewall(self, m, q, b):
        if m['name'] not in self.firewalls:
            return 404, self.not_found(m['name'])
        del self.firewalls[m['name']]
        return 200, self._op(None, m['name'], None)


def gcp_error(status, message):
    return {'error': {'code': status, 'message': message, 'errors': [{'message': message, 'reason': 'forbidden'}]}}


# --------------------------------------------------------------------------- Azure (ARM REST)

class FakeAzure(FakeServer):
    PAGE = 2

    def __init__(self, tls, subscription='00000000-0000-0000-0000-00000000feed'):
        super().__init__(tls=tls)
        self.sub = subscription
        self.vms = {}      # (rg, name) -> VM JSON (with instanceView)
        self.nics = {}     # (rg, name) -> NIC JSON
        self.pips = {}     # (rg, name) -> public IP JSON
        self.subnets = {}  # (rg, vnet, name) -> subnet JSON
        self.nsgs = {}     # (rg, name) -> NSG JSON
        self.power_on_poll = {}  # (rg, name) -> power states the VM goes through, one per read
        sub = r'/subscriptions/(?P<sub>[^/]+)'
        rg = sub + r'/resourceGroups/(?P<rg>[^/]+)'
        vm = rg + r'/providers/Microsoft\.Compute/virtualMachines/(?P<name>[^/]+)'
        net = rg + r'/providers/Microsoft\.Network'
        self.routes = [
            ('GET', rg + r'/providers/Microsoft\.Compute/virtualMachines', self.list_vms),
            ('GET', sub + r'/providers/Microsoft\.Compute/virtualMachines', self.list_vms),
            ('GET', vm, self.get_vm),
            ('POST', vm + r'/(?P<verb>powerOff|deallocate|start)', self.power),
            ('GET', net + r'/networkInterfaces', lambda m, q, b: self.list_of(self.nics, m, q)),
            ('GET', sub + r'/providers/Microsoft\.Network/networkInterfaces', lambda m, q, b: self.list_of(self.nics, m, q)),
            ('GET', net + r'/publicIPAddresses', lambda m, q, b: self.list_of(self.pips, m, q)),
            ('GET', sub + r'/providers/Microsoft\.Network/publicIPAddresses', lambda m, q, b: self.list_of(self.pips, m, q)),
            ('GET', net + r'/networkInterfaces/(?P<name>[^/]+)', lambda m, q, b: self.get_of(self.nics, (m['rg'], m['name']))),
            ('GET', net + r'/virtualNetworks/(?P<vnet>[^/]+)/subnets/(?P<name>[^/]+)',
             lambda m, q, b: self.get_of(self.subnets, (m['rg'], m['vnet'], m['name']))),
            ('GET', net + r'/networkSecurityGroups/(?P<name>[^/]+)', lambda m, q, b: self.get_of(self.nsgs, (m['rg'], m['name']))),
            ('PUT', net + r'/networkSecurityGroups/(?P<nsg>[^/]+)/securityRules/(?P<name>[^/]+)', self.put_rule),
            ('DELETE', net + r'/networkSecurityGroups/(?P<nsg>[^/]+)/securityRules/(?P<name>[^/]+)', self.delete_rule),
        ]

    def not_found(self, path):
        return {'error': {'code': 'ResourceNotFound', 'message': "The Resource '%s' was not found." % path}}

    def rid(self, rg, provider, kind, name):
        return '/subscriptions/%s/resourceGroups/%s/providers/%s/%s/%s' % (self.sub, rg, provider, kind, name)

    def add_nsg(self, rg, name, rules=()):
        nsg_id = self.rid(rg, 'Microsoft.Network', 'networkSecurityGroups', name)
        self.nsgs[(rg, name)] = {'id': nsg_id, 'name': name, 'location': 'westeurope',
                                 'properties': {'securityRules': [
                                     {'name': r[0], 'properties': {'priority': r[1], 'direction': r[2], 'access': r[3],
                                                                   'protocol': '*'}} for r in rules]}}
        return nsg_id

    def add_subnet(self, rg, vnet, name, nsg_id=None):
        sid = self.rid(rg, 'Microsoft.Network', 'virtualNetworks', vnet) + '/subnets/' + name
        props = {'addressPrefix': '10.2.0.0/24'}
        if nsg_id:
            props['networkSecurityGroup'] = {'id': nsg_id}
        self.subnets[(rg, vnet, name)] = {'id': sid, 'name': name, 'properties': props}
        return sid

    def add_vm(self, rg, name, tags, ip, power='running', public_ip=None, subnet_id=None, nic_nsg=None,
               location='westeurope', zone='1'):
        nic_name = name + '-nic'
        nic_id = self.rid(rg, 'Microsoft.Network', 'networkInterfaces', nic_name)
        ipc = {'privateIPAddress': ip, 'primary': True}
        if subnet_id:
            ipc['subnet'] = {'id': subnet_id}
        if public_ip:
            pip_id = self.rid(rg, 'Microsoft.Network', 'publicIPAddresses', name + '-pip')
            self.pips[(rg, name + '-pip')] = {'id': pip_id, 'name': name + '-pip', 'location': location,
                                               'properties': {'ipAddress': public_ip}}
            ipc['publicIPAddress'] = {'id': pip_id}
        nic = {'id': nic_id, 'name': nic_name, 'location': location,
               'properties': {'ipConfigurations': [{'name': 'ipconfig1', 'properties': ipc}]}}
        if nic_nsg:
            nic['properties']['networkSecurityGroup'] = {'id': nic_nsg}
        self.nics[(rg, nic_name)] = nic
        self.vms[(rg, name)] = {
            'id': self.rid(rg, 'Microsoft.Compute', 'virtualMachines', name), 'name': name,
            'type': 'Microsoft.Compute/virtualMachines', 'location': location, 'tags': dict(tags),
            'zones': [zone] if zone else [],
            'properties': {'vmId': 'vm-%s' % name,
                           'networkProfile': {'networkInterfaces': [{'id': nic_id, 'properties': {'primary': True}}]},
                           'instanceView': {'statuses': [{'code': 'ProvisioningState/succeeded'},
                                                         {'code': 'PowerState/%s' % power}]}}}
        return self.vms[(rg, name)]

    def power_state(self, rg, name):
        return self.vms[(rg, name)]['properties']['instanceView']['statuses'][1]['code'].split('/')[1]

    def set_power(self, rg, name, state):
        self.vms[(rg, name)]['properties']['instanceView']['statuses'][1]['code'] = 'PowerState/' + state

    def _next(self, path, query):
        def make(offset):
            q = dict(query, **{'$skiptoken': str(offset)})
            return '%s%s?%s' % (self.url, path, urllib.parse.urlencode(q))
        return make

    def list_of(self, store, m, q):
        items = [v for k, v in sorted(store.items()) if 'rg' not in m.groupdict() or k[0] == m['rg']]
        page, nxt = paged(items, q, self.PAGE, '$skiptoken', self._next(m.string, q))
        body = {'value': page}
        if nxt:
            body['nextLink'] = nxt
        return 200, body

    def get_of(self, store, key):
        item = store.get(key)
        return (200, item) if item else (404, self.not_found('/'.join(key)))

    def list_vms(self, m, q, b):
        return self.list_of(self.vms, m, q)

    def get_vm(self, m, q, b):
        key = (m['rg'], m['name'])
        if self.power_on_poll.get(key) and key in self.vms:
            self.set_power(*key, self.power_on_poll[key].pop(0))
        return self.get_of(self.vms, key)

    def power(self, m, q, b):
        key = (m['rg'], m['name'])
        if key not in self.vms:
            return 404, self.not_found(m['name'])
        transient, final = {'powerOff': ('stopping', 'stopped'), 'deallocate': ('deallocating', 'deallocated'),
                            'start': ('starting', 'running')}[m['verb']]
        self.set_power(*key, transient)
        self.power_on_poll[key] = [final]  # reaches the final state when next read
        return 200, None

    def put_rule(self, m, q, b):
        nsg = self.nsgs.get((m['rg'], m['nsg']))
        if not nsg:
            return 404, self.not_found(m['nsg'])
        rules = nsg['properties']['securityRules']
        prio = b['properties']['priority']
        for r in rules:
            if r['name'] != m['name'] and r['properties']['priority'] == prio and \
                    r['properties']['direction'] == b['properties']['direction']:
                return 400, {'error': {'code': 'SecurityRuleConflict', 'message': 'priority %s in use' % prio}}
        rule = {'id': nsg['id'] + '/securityRules/' + m['name'], 'name': m['name'],
                'properties': dict(b['properties'], provisioningState='Succeeded')}
        nsg['properties']['securityRules'] = [r for r in rules if r['name'] != m['name']] + [rule]
        return 201, rule

    def delete_rule(self, m, q, b):
        nsg = self.nsgs.get((m['rg'], m['nsg']))
        if not nsg:
            return 404, self.not_found(m['nsg'])
        before = len(nsg['properties']['securityRules'])
        nsg['properties']['securityRules'] = [r for r in nsg['properties']['securityRules'] if r['name'] != m['name']]
        return (200 if len(nsg['properties']['securityRules']) < before else 204), None

    def rule_names(self, rg, nsg):
        return sorted(r['name'] for r in self.nsgs[(rg, nsg)]['properties']['securityRules'])


class FakeToken:
    """azure.core TokenCredential with a fixed token (the fake checks nothing)."""

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        import time
        return AccessToken('fake-token', int(time.time()) + 3600)


# --------------------------------------------------------------------------- EC2 helpers (moto)

def ec2(url, region='us-east-1'):
    import boto3
    return boto3.session.Session().client('ec2', region_name=region, endpoint_url=url)


_IMAGES = {}


def run_tagged(client, tags, count=1, private_ip=None, subnet_id=None):
    """Launch instances with Meridian tags; returns their ids."""
    key = (client.meta.endpoint_url, client.meta.region_name)
    if key not in _IMAGES:  # moto's image catalogue is large: ask once per server and region
        _IMAGES[key] = client.describe_images(Owners=['amazon'], MaxResults=5)['Images'][0]['ImageId']
    image = _IMAGES[key]
    kwargs = {'ImageId': image, 'MinCount': count, 'MaxCount': count, 'InstanceType': 't3.micro',
              'TagSpecifications': [{'ResourceType': 'instance',
                                     'Tags': [{'Key': k, 'Value': str(v)} for k, v in tags.items()]}]}
    if private_ip:
        kwargs['PrivateIpAddress'] = private_ip
    if subnet_id:
        kwargs['SubnetId'] = subnet_id
    return [i['InstanceId'] for i in client.run_instances(**kwargs)['Instances']]


def ec2_error(code, message):
    """An EC2 (query protocol) error body, as AWS sends it."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>%s</Code><Message>%s</Message>'
            '</Error></Errors><RequestID>0000-test</RequestID></Response>' % (code, message)).encode()


def aws_state(client, instance_id):
    return client.describe_instances(InstanceIds=[instance_id])['Reservations'][0]['Instances'][0]['State']['Name']
