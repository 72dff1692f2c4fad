# -*- coding: utf-8 -*-
"""Cloud instance discovery shared by the ``meridian_cloud`` inventory plugin and the
``aws``/``gcp``/``azure`` fault backends (cloud_faults.py).

Every provider's instance is normalised to one plain, JSON-serialisable dict:

    {"provider": "aws", "id": "i-0abc", "name": "east-1", "state": "running",
     "cloud_region": "us-east-1", "cloud_zone": "us-east-1a",
     "private_ip": "10.0.1.5", "public_ip": "3.4.5.6" or None,
     "tags": {"meridian_cluster": "east", ...},        # AWS tags, GCP labels, Azure tags
     ...provider details (AWS: vpc_id, enis; GCP: project, zone, networks;
        Azure: resource_group, nics)}

``state`` is one of running, pending, stopping, stopped, terminated, other, whatever the
provider calls it (GCP's TERMINATED is a stopped instance; Azure's deallocated too).

Clients come from small factory functions with an optional endpoint override (tests point
them at 127.0.0.1; private endpoints in real use). Credentials always come from each SDK's
standard chain: boto3's (environment, shared config/credentials files, instance/container
roles, SSO), Google's Application Default Credentials, azure-identity's DefaultAzureCredential.
The SDKs are imported only when a provider is used.
"""

from __future__ import annotations

import re
import time

MERIDIAN_TAGS = ('meridian_cluster', 'meridian_roles', 'meridian_region', 'meridian_zone',
                 'meridian_node_id', 'meridian_topology', 'meridian_stack')
STATES = ('running', 'pending', 'stopping', 'stopped', 'terminated', 'other')
_ROLE_SPLIT = re.compile(r'[\s,+/-]+')


class CloudError(Exception):
    """A cloud API call failed; the message names the provider, the call and the reason."""


# ----------------------------------------------------------------------------- tags

def parse_roles(value):
    """'controller-broker', 'controller,broker', 'mirror-maker' -> ['controller', 'broker'] ..."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    text = str(value).strip().lower().replace('mirror-maker', 'mirror_maker').replace('mirrormaker', 'mirror_maker')
    return [r for r in _ROLE_SPLIT.split(text) if r]


def parse_node_id(value):
    """Tag text to int; '', 'null', 'none' (hosts without a Kafka role) to None.
    Anything else is returned unchanged so the contract validation names it."""
    if value is None:
        return None
    text = str(value).strip()
    if text.lower() in ('', 'null', 'none', '-'):
        return None
    try:
        return int(text)
    except ValueError:
        return text


def tag_filters_match(tags, filters):
    """filters: {tag: value or [values]}; every tag must have one of the values."""
    for key, wanted in (filters or {}).items():
        wanted = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        if tags.get(key) not in [str(w) for w in wanted]:
            return False
    return True


# ----------------------------------------------------------------------------- errors

def describe_error(provider, call, exc):
    """One line for an SDK exception: HTTP status / error code and the service's message."""
    status = getattr(exc, 'status_code', None) or getattr(exc, 'code', None)
    response = getattr(exc, 'response', None)
    if isinstance(response, dict):  # botocore ClientError
        err = response.get('Error', {})
        status = response.get('ResponseMetadata', {}).get('HTTPStatusCode', status)
        message = '%s: %s' % (err.get('Code', ''), err.get('Message', ''))
    else:
        message = getattr(exc, 'message', None) or str(exc)
    if callable(status):
        status = None
    prefix = '%s %s failed' % (provider, call)
    if status:
        prefix += ' (HTTP %s)' % status
    return '%s: %s' % (prefix, str(message).strip().splitlines()[0] if str(message).strip() else type(exc).__name__)


def call(provider, what, fn, *args, **kwargs):
    """Run an SDK call; turn any SDK exception into a CloudError naming the call."""
    try:
        return fn(*args, **kwargs)
    except CloudError:
        raise
    except Exception as exc:  # SDK exception hierarchies differ; all are reported the same way
        raise CloudError(describe_error(provider, what, exc)) from exc


def wait_for(predicate, timeout, interval, what):
    """Poll predicate() until it is true; CloudError after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() >= deadline:
            raise CloudError('timed out after %ss waiting for %s' % (timeout, what))
        time.sleep(interval)


# ============================================================================= AWS

def aws_ec2_client(region, endpoint_url=None):
    import boto3
    return boto3.session.Session().client('ec2', region_name=region, endpoint_url=endpoint_url or None)


def aws_tag_filters(filters):
    """{tag: value(s)} -> describe_instances Filters, plus 'Meridian instances only'."""
    result = [{'Name': 'tag-key', 'Values': ['meridian_cluster']}]
    for key, wanted in sorted((filters or {}).items()):
        wanted = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        result.append({'Name': 'tag:%s' % key, 'Values': [str(w) for w in wanted]})
    return result


def aws_list_instances(client, filters=None, states=None, instance_ids=None, page_size=None):
    """Raw describe_instances instances (every page, following NextToken)."""
    api_filters = aws_tag_filters(filters)
    if states:
        api_filters.append({'Name': 'instance-state-name', 'Values': list(states)})
    kwargs = {'Filters': api_filters}
    if instance_ids:
        kwargs['InstanceIds'] = list(instance_ids)
    paginator = client.get_paginator('describe_instances')
    instances = []
    if page_size:
        kwargs['PaginationConfig'] = {'PageSize': page_size}

    def fetch():
        for page in paginator.paginate(**kwargs):
            for reservation in page.get('Reservations', []):
                instances.extend(reservation.get('Instances', []))
    call('aws', 'DescribeInstances', fetch)
    return instances


_AWS_STATES = {'running': 'running', 'pending': 'pending', 'stopping': 'stopping', 'stopped': 'stopped',
               'shutting-down': 'terminated', 'terminated': 'terminated'}


def aws_normalize(inst, region):
    tags = {t['Key']: t.get('Value', '') for t in inst.get('Tags', []) or []}
    enis = [{'id': eni['NetworkInterfaceId'], 'groups': [g['GroupId'] for g in eni.get('Groups', [])],
             'vpc_id': eni.get('VpcId')}
            for eni in inst.get('NetworkInterfaces', []) or []]
    return {
        'provider': 'aws',
        'id': inst['InstanceId'],
        'name': tags.get('Name') or inst['InstanceId'],
        'state': _AWS_STATES.get(inst.get('State', {}).get('Name'), 'other'),
        'cloud_region': region,
        'cloud_zone': inst.get('Placement', {}).get('AvailabilityZone'),
        'private_ip': inst.get('PrivateIpAddress'),
        'public_ip': inst.get('PublicIpAddress'),
        'private_dns': inst.get('PrivateDnsName') or None,
        'tags': tags,
        'vpc_id': inst.get('VpcId'),
        'enis': enis,
    }


# ============================================================================= GCP

def gcp_credentials(anonymous=False):
    if anonymous:
        from google.auth.credentials import AnonymousCredentials
        return AnonymousCredentials()
    return None  # the client libraries use Application Default Credentials


def gcp_client(kind, endpoint=None, credentials=None):
    """compute_v1 client over REST: kind is InstancesClient, FirewallsClient, ZoneOperationsClient..."""
    from google.cloud import compute_v1
    options = {'api_endpoint': endpoint} if endpoint else None
    return getattr(compute_v1, kind)(credentials=credentials, transport='rest', client_options=options)


def gcp_label_filter(filters):
    """Server-side list filter: Meridian instances (and the wanted label values)."""
    parts = ['labels.meridian_cluster:*']
    for key, wanted in sorted((filters or {}).items()):
        wanted = wanted if isinstance(wanted, (list, tuple)) else [wanted]
        if len(wanted) == 1:
            parts.append('labels.%s = "%s"' % (key, wanted[0]))
        # several values: filtered client-side (the list filter has no OR across values of one label)
    return ' AND '.join('(%s)' % p for p in parts)


def gcp_list_instances(client, project, zones=None, regions=None, filters=None):
    """(zone, Instance) pairs; one instances.list per zone when zones are given, else one
    aggregatedList over the project, kept to ``regions``. Pages follow nextPageToken."""
    expression = gcp_label_filter(filters)
    found = []

    def fetch():
        if zones:
            for zone in zones:
                for inst in client.list(request={'project': project, 'zone': zone, 'filter': expression}):
                    found.append((zone, inst))
            return
        request = {'project': project, 'filter': expression}
        for scope, scoped in client.aggregated_list(request=request):
            zone = scope.rsplit('/', 1)[-1]
            if regions and zone.rsplit('-', 1)[0] not in regions:
                continue
            for inst in scoped.instances:
                found.append((zone, inst))
    call('gcp', 'instances.list' if zones else 'instances.aggregatedList', fetch)
    return found


_GCP_STATES = {'RUNNING': 'running', 'PROVISIONING': 'pending', 'STAGING': 'pending', 'REPAIRING': 'pending',
               'STOPPING': 'stopping', 'SUSPENDING': 'stopping', 'TERMINATED': 'stopped', 'SUSPENDED': 'stopped',
               'STOPPED': 'stopped'}


def _last(url):
    return url.rsplit('/', 1)[-1] if url else url


def gcp_normalize(inst, zone, project):
    nics = list(inst.network_interfaces)
    private_ip = nics[0].network_i_p if nics else None
    public_ip = None
    for nic in nics:
        for ac in nic.access_configs:
            if ac.nat_i_p:
                public_ip = ac.nat_i_p
                break
        if public_ip:
            break
    zone = _last(inst.zone) or zone
    return {
        'provider': 'gcp',
        'id': str(inst.id),
        'name': inst.name,
        'state': _GCP_STATES.get(inst.status, 'other'),
        'cloud_region': zone.rsplit('-', 1)[0],
        'cloud_zone': zone,
        'private_ip': private_ip or None,
        'public_ip': public_ip,
        'tags': dict(inst.labels),
        'project': project,
        'zone': zone,
        'networks': sorted({n.network for n in nics if n.network}),
        'network_tags': list(inst.tags.items) if inst.tags else [],
    }


def gcp_wait_operation(ops_client, project, operation, scope, timeout, interval=2.0):
    """Wait for a zonal (scope='zone:<zone>') or global (scope='global') operation to be DONE,
    with our own operations client (the library's built-in poller ignores api_endpoint)."""
    def is_done(op):
        status = getattr(op, 'status', None)
        return getattr(status, 'name', str(status)) == 'DONE'

    def done():
        nonlocal operation
        if is_done(operation):
            return True
        if scope == 'global':
            operation = call('gcp', 'globalOperations.get', ops_client.get, project=project, operation=operation.name)
        else:
            operation = call('gcp', 'zoneOperations.get', ops_client.get, project=project,
                             zone=scope.split(':', 1)[1], operation=operation.name)
        return is_done(operation)
    wait_for(done, timeout, interval, 'GCP operation %s' % operation.name)
    error = getattr(operation, 'error', None)
    if error and list(error.errors):
        raise CloudError('gcp operation %s failed: %s' % (operation.name, '; '.join(
            '%s: %s' % (e.code, e.message) for e in error.errors)))
    return operation


# ============================================================================= Azure

class _StaticToken:
    """A credential with a fixed bearer token (tests only; real use takes DefaultAzureCredential)."""

    def __init__(self, token):
        self._token = token

    def get_token(self, *scopes, **kwargs):
        from azure.core.credentials import AccessToken
        return AccessToken(self._token, int(time.time()) + 3600)


def azure_credential(static_token=None):
    if static_token:
        return _StaticToken(static_token)
    from azure.identity import DefaultAzureCredential
    return DefaultAzureCredential()


def azure_compute_client(subscription_id, base_url=None, credential=None, **kwargs):
    from azure.mgmt.compute import ComputeManagementClient
    if base_url:
        kwargs['base_url'] = base_url
    return ComputeManagementClient(credential or azure_credential(), subscription_id, **kwargs)


def azure_network_client(subscription_id, base_url=None, credential=None, **kwargs):
    from azure.mgmt.network import NetworkManagementClient
    if base_url:
        kwargs['base_url'] = base_url
    return NetworkManagementClient(credential or azure_credential(), subscription_id, **kwargs)


def azure_json(model):
    """REST JSON (camelCase) of an SDK model or of a dict already in that shape."""
    if hasattr(model, 'as_dict') and not isinstance(model, dict):
        return model.as_dict()
    return dict(model)


def azure_list(what, fn, *args, **kwargs):
    """Every item of a paged list (nextLink followed by the SDK pager) as REST JSON."""
    return call('azure', what, lambda: [azure_json(m) for m in fn(*args, **kwargs)])


def azure_list_vms(compute, resource_groups=None):
    if resource_groups:
        vms = []
        for rg in resource_groups:
            vms.extend(azure_list('virtualMachines.list(%s)' % rg, compute.virtual_machines.list,
                                  rg, expand='instanceView'))
        return vms
    return azure_list('virtualMachines.listAll', compute.virtual_machines.list_all, expand='instanceView')


def azure_list_nics(network, resource_groups=None):
    if resource_groups:
        nics = []
        for rg in resource_groups:
            nics.extend(azure_list('networkInterfaces.list(%s)' % rg, network.network_interfaces.list, rg))
        return nics
    return azure_list('networkInterfaces.listAll', network.network_interfaces.list_all)


def azure_list_public_ips(network, resource_groups=None):
    if resource_groups:
        ips = []
        for rg in resource_groups:
            ips.extend(azure_list('publicIPAddresses.list(%s)' % rg, network.public_ip_addresses.list, rg))
        return ips
    return azure_list('publicIPAddresses.listAll', network.public_ip_addresses.list_all)


_AZURE_STATES = {'running': 'running', 'starting': 'pending', 'stopping': 'stopping', 'deallocating': 'stopping',
                 'stopped': 'stopped', 'deallocated': 'stopped'}


def azure_power_state(vm):
    statuses = ((vm.get('properties') or {}).get('instanceView') or {}).get('statuses') or []
    for status in statuses:
        code = status.get('code') or ''
        if code.startswith('PowerState/'):
            return _AZURE_STATES.get(code.split('/', 1)[1], 'other')
    return 'other'


def azure_resource_group(resource_id):
    match = re.search(r'/resourceGroups/([^/]+)', resource_id or '', re.IGNORECASE)
    return match.group(1) if match else None


def azure_normalize(vm, nics_by_id, public_ips_by_id):
    props = vm.get('properties') or {}
    nic_ids = [n.get('id') for n in (props.get('networkProfile') or {}).get('networkInterfaces') or [] if n.get('id')]
    # the primary NIC first
    refs = (props.get('networkProfile') or {}).get('networkInterfaces') or []
    nic_ids.sort(key=lambda i: not any(r.get('id') == i and (r.get('properties') or {}).get('primary') for r in refs))
    private_ip = public_ip = None
    for nic_id in nic_ids:
        nic = nics_by_id.get(nic_id.lower()) or {}
        for ipc in (nic.get('properties') or {}).get('ipConfigurations') or []:
            ipp = ipc.get('properties') or {}
            private_ip = private_ip or ipp.get('privateIPAddress')
            pip_id = (ipp.get('publicIPAddress') or {}).get('id')
            if pip_id and not public_ip:
                public_ip = ((public_ips_by_id.get(pip_id.lower()) or {}).get('properties') or {}).get('ipAddress')
    zones = vm.get('zones') or []
    location = vm.get('location')
    return {
        'provider': 'azure',
        'id': vm.get('id'),
        'name': vm.get('name'),
        'state': azure_power_state(vm),
        'cloud_region': location,
        'cloud_zone': '%s-%s' % (location, zones[0]) if zones else location,
        'private_ip': private_ip,
        'public_ip': public_ip,
        'tags': dict(vm.get('tags') or {}),
        'resource_group': azure_resource_group(vm.get('id')),
        'nics': nic_ids,
    }


def azure_instances(compute, network, resource_groups=None):
    vms = azure_list_vms(compute, resource_groups)
    vms = [vm for vm in vms if 'meridian_cluster' in (vm.get('tags') or {})]
    if not vms:
        return []
    nics = {n['id'].lower(): n for n in azure_list_nics(network, resource_groups) if n.get('id')}
    pips = {p['id'].lower(): p for p in azure_list_public_ips(network, resource_groups) if p.get('id')}
    return [azure_normalize(vm, nics, pips) for vm in vms]
