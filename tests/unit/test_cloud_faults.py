"""Tests of the aws/gcp/azure drill fault backends (plugins/module_utils/cloud_faults.py), with
the real SDK clients over real HTTP against stand-ins on 127.0.0.1: moto's server for EC2, and
the Compute Engine / Azure Resource Manager REST fakes of cloud_fakes."""
import json

import pytest

import cloud_faults
import fault_backends
from fault_backends import FaultBackend, FaultError

from cloud_fakes import FakeToken, aws_state, ec2, gcp_error, run_tagged

FAST = {'timeout': 20, 'poll_interval': 0.02}


def host(name, address=None, region=None, platform=None, **extra):
    return dict({'name': name, 'address': address, 'region': region, 'platform': platform}, **extra)


def roundtrip(record):
    """The drill journals records as JSON: what restore gets back is what json gives."""
    return json.loads(json.dumps(record))


# --------------------------------------------------------------------------- factory / interface

def test_backend_factory_and_kinds():
    assert isinstance(cloud_faults.backend('aws'), cloud_faults.AwsFaults)
    assert isinstance(cloud_faults.backend('gcp', project='p'), cloud_faults.GcpFaults)
    assert isinstance(cloud_faults.backend('azure', subscription_id='s'), cloud_faults.AzureFaults)
    for cls in (cloud_faults.AwsFaults, cloud_faults.GcpFaults, cloud_faults.AzureFaults):
        assert issubclass(cls, FaultBackend)
        assert cls.KINDS == ('stop', 'isolate')
    with pytest.raises(FaultError, match='no cloud fault backend'):
        cloud_faults.backend('openstack')
    with pytest.raises(FaultError, match='needs a project'):
        cloud_faults.backend('gcp')
    assert cloud_faults.FaultError is fault_backends.FaultError


def test_check_refuses_unknown_kind_and_empty_fault():
    b = cloud_faults.backend('aws')
    with pytest.raises(FaultError, match=r"backend aws cannot inject 'partition'; it knows: stop, isolate"):
        b.check({'kind': 'partition', 'hosts': [host('x')], 'cluster': 'c', 'region': 'r'})
    with pytest.raises(FaultError, match='names no host'):
        b.check({'kind': 'stop', 'hosts': [], 'cluster': 'c', 'region': 'r'})
    with pytest.raises(FaultError, match='has no cluster'):
        b.check({'kind': 'stop', 'hosts': [host('x')], 'region': 'r'})


# --------------------------------------------------------------------------- AWS (moto server)

def aws_region(client, cluster='east', region='us-east-1', n=3):
    ids = []
    for i in range(n):
        ids += run_tagged(client, {'Name': '%s-%d' % (cluster, i + 1), 'meridian_cluster': cluster,
                                   'meridian_region': region, 'meridian_roles': 'broker', 'meridian_node_id': i + 1})
    return ids


def aws_fault(kind, client, ids, cluster='east', region='us-east-1'):
    described = client.describe_instances(InstanceIds=ids)['Reservations']
    insts = {i['InstanceId']: i for r in described for i in r['Instances']}
    return {'kind': kind, 'cluster': cluster, 'region': region,
            'hosts': [host({t['Key']: t['Value'] for t in insts[i]['Tags']}['Name'], insts[i]['PrivateIpAddress'],
                           region, 'aws') for i in ids]}


def test_aws_stop_and_restore_only_what_it_stopped(moto):
    use1 = ec2(moto)
    ids = aws_region(use1)
    other = aws_region(use1, cluster='west', n=1)           # same region, another cluster
    use1.stop_instances(InstanceIds=[ids[2]])               # already stopped before the drill
    backend = cloud_faults.backend('aws', endpoint_url=moto, **FAST)
    fault = aws_fault('stop', use1, ids)

    steps = backend.plan(fault)
    assert sorted(steps) == sorted(['stop aws instance east-1 (%s) and wait until stopped' % ids[0],
                                    'stop aws instance east-2 (%s) and wait until stopped' % ids[1],
                                    'leave aws instance east-3 alone: it is stopped, not running'])
    assert [aws_state(use1, i) for i in ids] == ['running', 'running', 'stopped']   # plan changes nothing

    record = roundtrip(backend.inject(fault))
    assert sorted(record['instance_ids']) == sorted(ids[:2])
    assert record['skipped'] == {ids[2]: 'stopped'}
    assert (record['backend'], record['kind'], record['cluster'], record['region']) == ('aws', 'stop', 'east', 'us-east-1')
    assert [aws_state(use1, i) for i in ids] == ['stopped', 'stopped', 'stopped']
    assert aws_state(use1, other[0]) == 'running'

    done = cloud_faults.backend('aws', endpoint_url=moto, **FAST).restore(record)   # a new process
    assert sorted(done) == sorted('%s: started' % i for i in ids[:2])
    assert [aws_state(use1, i) for i in ids] == ['running', 'running', 'stopped']   # not the pre-stopped one
    # idempotent
    assert sorted(backend.restore(record)) == sorted('%s: already running' % i for i in ids[:2])


def test_aws_restore_skips_terminated_and_gone(moto):
    use1 = ec2(moto)
    ids = aws_region(use1)
    backend = cloud_faults.backend('aws', endpoint_url=moto, **FAST)
    record = roundtrip(backend.inject(aws_fault('stop', use1, ids)))
    use1.terminate_instances(InstanceIds=[ids[0]])
    record['instance_ids'].append('i-00000000000000000')
    done = backend.restore(record)
    assert '%s: terminated, cannot be started' % ids[0] in done
    assert 'i-00000000000000000: gone, nothing to start' in done
    assert aws_state(use1, ids[1]) == 'running'


def test_aws_unknown_host_fails_before_any_change(moto):
    use1 = ec2(moto)
    ids = aws_region(use1)
    fault = aws_fault('stop', use1, ids)
    fault['hosts'].append(host('east-9', '10.99.0.9'))
    with pytest.raises(FaultError, match='no instance tagged meridian_cluster=east meridian_region=us-east-1 matches host'):
        cloud_faults.backend('aws', endpoint_url=moto, **FAST).inject(fault)
    assert {aws_state(use1, i) for i in ids} == {'running'}


def test_aws_instance_id_and_region_map(moto):
    euw1 = ec2(moto, 'eu-west-1')
    ids = aws_region(euw1, cluster='west', region='europe', n=2)
    fault = {'kind': 'stop', 'cluster': 'west', 'region': 'europe', 'hosts': [{'name': 'whatever', 'instance_id': ids[1]}]}
    backend = cloud_faults.backend('aws', endpoint_url=moto, region_map={'europe': 'eu-west-1'}, **FAST)
    record = backend.inject(fault)
    assert record['instance_ids'] == [ids[1]] and record['cloud_region'] == 'eu-west-1'
    assert [aws_state(euw1, i) for i in ids] == ['running', 'stopped']
    backend.restore(record)
    assert aws_state(euw1, ids[1]) == 'running'


def test_aws_isolate_swaps_security_groups_and_back(moto):
    use1 = ec2(moto)
    vpc = use1.create_vpc(CidrBlock='10.10.0.0/16')['Vpc']['VpcId']
    subnet = use1.create_subnet(VpcId=vpc, CidrBlock='10.10.1.0/24')['Subnet']['SubnetId']
    kafka_sg = use1.create_security_group(GroupName='kafka', Description='kafka', VpcId=vpc)['GroupId']
    ids = []
    for i in range(2):
        ids += run_tagged(use1, {'Name': 'east-%d' % (i + 1), 'meridian_cluster': 'east', 'meridian_region': 'us-east-1',
                                 'meridian_roles': 'broker', 'meridian_node_id': i + 1},
                          subnet_id=subnet, private_ip='10.10.1.%d' % (10 + i))
    enis = [use1.describe_instances(InstanceIds=[i])['Reservations'][0]['Instances'][0]['NetworkInterfaces'][0]
            ['NetworkInterfaceId'] for i in ids]
    for eni in enis:
        use1.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[kafka_sg])
    fault = aws_fault('isolate', use1, ids)
    backend = cloud_faults.backend('aws', endpoint_url=moto, **FAST)

    steps = backend.plan(fault)
    assert steps[0] == 'create an empty quarantine security group (no ingress, no egress) in %s' % vpc
    assert 'move %s of east-1 (%s) from %s to the quarantine group' % (enis[0], ids[0], kafka_sg) in steps

    record = roundtrip(backend.inject(fault))
    quarantine = record['groups'][vpc]
    sg = use1.describe_security_groups(GroupIds=[quarantine])['SecurityGroups'][0]
    assert sg['IpPermissions'] == [] and sg['IpPermissionsEgress'] == []
    for eni in enis:
        groups = use1.describe_network_interfaces(NetworkInterfaceIds=[eni])['NetworkInterfaces'][0]['Groups']
        assert [g['GroupId'] for g in groups] == [quarantine]
        assert record['enis'][eni]['groups'] == [kafka_sg]

    done = backend.restore(record)
    assert '%s: quarantine group deleted' % quarantine in done
    for eni in enis:
        groups = use1.describe_network_interfaces(NetworkInterfaceIds=[eni])['NetworkInterfaces'][0]['Groups']
        assert [g['GroupId'] for g in groups] == [kafka_sg]
    assert not use1.describe_security_groups(Filters=[{'Name': 'group-id', 'Values': [quarantine]}])['SecurityGroups']
    again = backend.restore(record)
    assert '%s: already deleted' % quarantine in again
    assert all(('not in quarantine' in line) for line in again if line.startswith('eni-'))


# --------------------------------------------------------------------------- GCP (local REST fake)

def gcp_backend(fake, **options):
    from google.auth.credentials import AnonymousCredentials
    return cloud_faults.backend('gcp', project=fake.project, endpoint=fake.url, credentials=AnonymousCredentials(),
                                **dict(FAST, **options))


def gcp_region(fake):
    labels = {'meridian_cluster': 'west', 'meridian_region': 'europe-west1', 'meridian_roles': 'broker'}
    fake.add_instance('w-1', 'europe-west1-b', dict(labels, meridian_node_id='1'), '10.0.0.2')
    fake.add_instance('w-2', 'europe-west1-c', dict(labels, meridian_node_id='2'), '10.0.0.3')
    fake.add_instance('w-3', 'europe-west1-d', dict(labels, meridian_node_id='3'), '10.0.0.4', status='TERMINATED')
    fake.add_instance('w-4', 'europe-west1-d', dict(labels, meridian_node_id='4'), '10.0.0.5', status='STOPPING')
    fake.add_instance('e-1', 'us-east1-b', {'meridian_cluster': 'west', 'meridian_region': 'us-east1',
                                            'meridian_roles': 'broker', 'meridian_node_id': '5'}, '10.1.0.2')
    return {'kind': 'stop', 'cluster': 'west', 'region': 'europe-west1',
            'hosts': [host('w-%d' % i, '10.0.0.%d' % (i + 1), 'europe-west1', 'gcp') for i in (1, 2, 3, 4)]}


def test_gcp_stop_waits_on_operations_and_restore_starts_only_those(gcp):
    fault = gcp_region(gcp)
    backend = gcp_backend(gcp)
    assert sorted(backend.plan(fault)) == sorted([
        'stop gcp instance w-1 (1001) and wait until stopped', 'stop gcp instance w-2 (1002) and wait until stopped',
        'leave gcp instance w-3 alone: it is stopped, not running',
        'leave gcp instance w-4 alone: it is stopping, not running'])
    record = roundtrip(backend.inject(fault))
    assert [i['name'] for i in record['instances']] == ['w-1', 'w-2']
    assert record['skipped'] == {'1003': 'stopped', '1004': 'stopping'}
    assert [gcp.status(z, n) for z, n in (('europe-west1-b', 'w-1'), ('europe-west1-c', 'w-2'))] == ['TERMINATED'] * 2
    assert gcp.status('us-east1-b', 'e-1') == 'RUNNING'
    # the operations were polled through our endpoint, not the library's default one
    assert gcp.calls('GET', r'/zones/europe-west1-b/operations/')

    gcp.instances[('europe-west1-d', 'w-4')]['status'] = 'TERMINATED'   # finished stopping meanwhile
    done = gcp_backend(gcp).restore(record)
    assert sorted(done) == ['w-1: started', 'w-2: started']
    assert gcp.status('europe-west1-b', 'w-1') == 'RUNNING'
    assert gcp.status('europe-west1-d', 'w-3') == 'TERMINATED'     # stopped before the drill: left alone
    assert gcp.status('europe-west1-d', 'w-4') == 'TERMINATED'
    assert sorted(gcp_backend(gcp).restore(record)) == ['w-1: already running', 'w-2: already running']


def test_gcp_restore_waits_for_a_stopping_instance_and_skips_deleted(gcp):
    fault = gcp_region(gcp)
    backend = gcp_backend(gcp)
    record = roundtrip(backend.inject(fault))
    gcp.instances[('europe-west1-b', 'w-1')]['status'] = 'STOPPING'
    gcp.on_get[('europe-west1-b', 'w-1')] = ['STOPPING', 'STOPPING', 'TERMINATED']
    del gcp.instances[('europe-west1-c', 'w-2')]
    done = backend.restore(record)
    assert done == ['w-2: gone, nothing to start', 'w-1: started']
    assert gcp.status('europe-west1-b', 'w-1') == 'RUNNING'


def test_gcp_isolate_firewall_rules(gcp):
    fault = dict(gcp_region(gcp), kind='isolate')
    backend = gcp_backend(gcp)
    plan = backend.plan(fault)
    assert len(plan) == 2 and all('deny all, priority 0' in step for step in plan)
    record = roundtrip(backend.inject(fault))
    assert len(record['rules']) == 2 and sorted(gcp.firewalls) == sorted(record['rules'])
    to, frm = (gcp.firewalls[n] for n in sorted(record['rules'], key=lambda n: not n.endswith('-to')))
    victims = ['10.0.0.2/32', '10.0.0.3/32', '10.0.0.4/32', '10.0.0.5/32']
    assert to['direction'] == 'INGRESS' and to['priority'] == 0 and to['denied'] == [{'IPProtocol': 'all'}]
    assert to['sourceRanges'] == ['0.0.0.0/0'] and to['destinationRanges'] == victims
    assert frm['sourceRanges'] == victims and 'destinationRanges' not in frm
    assert to['network'].endswith('/global/networks/default')
    assert gcp.calls('GET', r'/global/operations/')
    assert sorted(backend.restore(record)) == sorted('%s: deleted' % n for n in record['rules'])
    assert gcp.firewalls == {}
    assert sorted(backend.restore(record)) == sorted('%s: already deleted' % n for n in record['rules'])


@pytest.mark.parametrize('status', [403, 500])
def test_gcp_api_error_is_a_fault_error(gcp, status):
    fault = gcp_region(gcp)
    gcp.fail.append(('POST', r'/instances/w-1/stop$', status, gcp_error(status, 'Required compute.instances.stop')))
    with pytest.raises(FaultError, match=r'gcp instances\.stop failed \(HTTP %d\): .*Required compute\.instances\.stop' % status):
        gcp_backend(gcp).inject(fault)


# --------------------------------------------------------------------------- Azure (local HTTPS fake)

def azure_backend(fake, **options):
    return cloud_faults.backend('azure', subscription_id=fake.sub, resource_groups=['rg-weu'], base_url=fake.url,
                                credential=FakeToken(), **dict(FAST, **options))


def azure_region(fake, nsg_rules=()):
    nsg = fake.add_nsg('rg-weu', 'nsg-weu', nsg_rules)
    subnet = fake.add_subnet('rg-weu', 'vnet-weu', 'kafka', nsg)
    tags = {'meridian_cluster': 'weu', 'meridian_region': 'westeurope', 'meridian_roles': 'broker'}
    fake.add_vm('rg-weu', 'weu-1', dict(tags, meridian_node_id='1'), '10.2.0.4', subnet_id=subnet)
    fake.add_vm('rg-weu', 'weu-2', dict(tags, meridian_node_id='2'), '10.2.0.5', subnet_id=subnet)
    fake.add_vm('rg-weu', 'weu-3', dict(tags, meridian_node_id='3'), '10.2.0.6', subnet_id=subnet, power='deallocated')
    fake.add_vm('rg-weu', 'other', dict(tags, meridian_cluster='neu', meridian_node_id='1'), '10.2.0.7', subnet_id=subnet)
    return {'kind': 'stop', 'cluster': 'weu', 'region': 'westeurope',
            'hosts': [host('weu-%d' % i, '10.2.0.%d' % (i + 3), 'westeurope', 'azure') for i in (1, 2, 3)]}


def test_azure_stop_and_restore(azure):
    fault = azure_region(azure)
    backend = azure_backend(azure)
    record = roundtrip(backend.inject(fault))
    assert [i['name'] for i in record['instances']] == ['weu-1', 'weu-2']
    assert list(record['skipped'].values()) == ['stopped']
    assert [azure.power_state('rg-weu', n) for n in ('weu-1', 'weu-2', 'weu-3', 'other')] == \
        ['stopped', 'stopped', 'deallocated', 'running']
    assert azure.calls('POST', r'/virtualMachines/weu-1/powerOff$')
    done = azure_backend(azure).restore(record)
    assert sorted(done) == ['weu-1: started', 'weu-2: started']
    assert [azure.power_state('rg-weu', n) for n in ('weu-1', 'weu-2', 'weu-3')] == ['running', 'running', 'deallocated']
    assert sorted(backend.restore(record)) == ['weu-1: already running', 'weu-2: already running']


def test_azure_deallocate_option_and_restore_of_a_stopping_vm(azure):
    fault = azure_region(azure)
    backend = azure_backend(azure, deallocate=True)
    record = roundtrip(backend.inject(fault))
    assert azure.calls('POST', r'/virtualMachines/weu-2/deallocate$')
    assert azure.power_state('rg-weu', 'weu-2') == 'deallocated'
    azure.set_power('rg-weu', 'weu-1', 'deallocating')
    azure.power_on_poll[('rg-weu', 'weu-1')] = ['deallocating', 'deallocating', 'deallocated']
    del azure.vms[('rg-weu', 'weu-2')]
    done = backend.restore(record)
    assert done == ['weu-2: gone, nothing to start', 'weu-1: started']
    assert azure.power_state('rg-weu', 'weu-1') == 'running'


def test_azure_isolate_nsg_rules(azure):
    fault = dict(azure_region(azure, nsg_rules=[('allow-kafka', 300, 'Inbound', 'Allow'),
                                                ('deny-old', 100, 'Inbound', 'Deny')]), kind='isolate')
    backend = azure_backend(azure)
    assert sorted(backend.plan(fault)) == sorted([
        'add inbound deny rule meridian-isolate-westeurope-<id>-in (priority 101) to NSG rg-weu/nsg-weu',
        'add outbound deny rule meridian-isolate-westeurope-<id>-out (priority 100) to NSG rg-weu/nsg-weu'])
    record = roundtrip(backend.inject(fault))
    names = [r['rule'] for r in record['rules']]
    assert len(names) == 2
    rules = {r['name']: r['properties'] for r in azure.nsgs[('rg-weu', 'nsg-weu')]['properties']['securityRules']}
    inbound, outbound = rules[names[0]], rules[names[1]]
    assert (inbound['direction'], inbound['access'], inbound['priority']) == ('Inbound', 'Deny', 101)
    assert inbound['destinationAddressPrefixes'] == ['10.2.0.4', '10.2.0.5', '10.2.0.6']
    assert inbound['sourceAddressPrefix'] == '*'
    assert (outbound['direction'], outbound['access'], outbound['priority']) == ('Outbound', 'Deny', 100)
    assert outbound['sourceAddressPrefixes'] == ['10.2.0.4', '10.2.0.5', '10.2.0.6']
    done = backend.restore(record)
    assert len(done) == 2 and all('deleted' in line for line in done)
    assert azure.rule_names('rg-weu', 'nsg-weu') == ['allow-kafka', 'deny-old']
    backend.restore(record)   # idempotent: ARM answers 204 for a rule that is gone
    assert azure.rule_names('rg-weu', 'nsg-weu') == ['allow-kafka', 'deny-old']


def test_azure_isolate_refuses_when_an_allow_rule_comes_first(azure):
    fault = dict(azure_region(azure, nsg_rules=[('allow-all', 100, 'Inbound', 'Allow')]), kind='isolate')
    with pytest.raises(FaultError, match='no free inbound priority ahead of its first allow rule'):
        azure_backend(azure).inject(fault)
    assert azure.rule_names('rg-weu', 'nsg-weu') == ['allow-all']
    assert not azure.calls('PUT')


@pytest.mark.parametrize('status, code', [(403, 'AuthorizationFailed'), (500, 'InternalServerError')])
def test_azure_api_error_is_a_fault_error(azure, status, code):
    fault = azure_region(azure)
    azure.fail.append(('POST', r'/powerOff$', status, {'error': {'code': code, 'message': 'no power for you'}}))
    with pytest.raises(FaultError, match=r'azure virtualMachines\.powerOff failed \(HTTP %d\): .*no power for you' % status):
        azure_backend(azure, poll_interval=0.01).inject(fault)
