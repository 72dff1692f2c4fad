"""Tests of the meridian_cloud inventory plugin: real boto3 / google-cloud-compute / azure-mgmt
clients over real HTTP against stand-ins on 127.0.0.1 (moto's server, cloud_fakes), run through
Ansible's plugin loader and InventoryManager, and compared with what meridian_terraform builds
from the equivalent contract."""
import json
import os

import pytest
import yaml

from ansible.errors import AnsibleParserError
from ansible.inventory.data import InventoryData
from ansible.inventory.manager import InventoryManager
from ansible.parsing.dataloader import DataLoader
from ansible.plugins.loader import inventory_loader

from cloud_fakes import FakeServer, FakeToken, ec2, ec2_error, gcp_error, run_tagged

pytest.importorskip('boto3')
pytest.importorskip('google.cloud.compute_v1')
pytest.importorskip('azure.mgmt.compute')


def plugin(name='meridian_cloud'):
    p = inventory_loader.get(name)
    assert p is not None, '%s not found by the Ansible plugin loader' % name
    return p


@pytest.fixture
def local_credentials(monkeypatch):
    """GCP: anonymous; Azure: a fixed token. Patched on the class the Ansible loader instantiated,
    the way a test swaps the plugin's external calls."""
    from google.auth.credentials import AnonymousCredentials
    cls = type(plugin())
    monkeypatch.setattr(cls, '_gcp_credentials', lambda self: AnonymousCredentials())
    monkeypatch.setattr(cls, '_azure_credential', lambda self: FakeToken())
    return cls


def write_source(directory, options, name='test.meridian_cloud.yml'):
    path = os.path.join(str(directory), name)
    with open(path, 'w') as f:
        yaml.safe_dump(dict({'plugin': 'meridian_cloud'}, **options), f)
    return path


def inventory_for(source, cache=True):
    return InventoryManager(loader=DataLoader(), sources=[str(source)], cache=cache)


def parse_directly(source):
    inv = InventoryData()
    plugin().parse(inv, DataLoader(), str(source), cache=False)
    return inv


def members(inv, group):
    return sorted(h.name for h in inv.groups[group].get_hosts())


def meridian_vars(inv, host):
    return {k: v for k, v in inv.get_host(host).get_vars().items()
            if k.startswith(('meridian_', 'ansible_')) and k not in ('inventory_file', 'inventory_dir')}


def snapshot(inv):
    """Everything an inventory plugin decides: hosts' vars and groups' members."""
    hosts = {h: meridian_vars(inv, h) for h in sorted(inv.hosts)}
    groups = {g: members(inv, g) for g in sorted(inv.groups) if g not in ('all', 'ungrouped')}
    return hosts, groups


def terraform_snapshot(tmp_path, contract):
    path = tmp_path / 'tf'
    path.mkdir()
    (path / 'outputs.json').write_text(json.dumps(contract))
    (path / 'x.meridian_terraform.yml').write_text('plugin: meridian_terraform\noutputs_file: outputs.json\n')
    return snapshot(inventory_for(path / 'x.meridian_terraform.yml'))


# --------------------------------------------------------------------------- verify_file

@pytest.mark.parametrize('name, accepted', [
    ('aws.meridian_cloud.yml', True), ('meridian_cloud.yaml', True), ('gcp.meridian_cloud.json', False),
    ('aws.meridian_terraform.yml', False), ('aws_ec2.yml', False), ('x.meridian_cloud.yml.bak', False)])
def test_verify_file_suffixes(tmp_path, name, accepted):
    path = tmp_path / name
    path.write_text('plugin: meridian_cloud\n')
    assert plugin().verify_file(str(path)) is accepted


def test_meridian_terraform_does_not_claim_cloud_sources(tmp_path):
    path = tmp_path / 'aws.meridian_cloud.yml'
    path.write_text('plugin: meridian_cloud\n')
    assert plugin('meridian_terraform').verify_file(str(path)) is False


# --------------------------------------------------------------------------- AWS (moto server)

def aws_cluster(url):
    """Linked clusters in two AWS regions plus noise: an untagged instance, a stopped one."""
    use1, euw1 = ec2(url, 'us-east-1'), ec2(url, 'eu-west-1')
    for i in range(3):
        run_tagged(use1, {'Name': 'use-kafka-%d' % (i + 1), 'meridian_cluster': 'east', 'meridian_roles': 'controller-broker',
                          'meridian_region': 'us-east-1', 'meridian_zone': 'us-east-1%s' % 'abc'[i],
                          'meridian_node_id': i + 1, 'meridian_topology': 'linked', 'meridian_stack': 'aws'})
    run_tagged(euw1, {'Name': 'euw-kafka-1', 'meridian_cluster': 'west', 'meridian_roles': 'controller,broker',
                      'meridian_region': 'eu-west-1', 'meridian_zone': 'eu-west-1a', 'meridian_node_id': '1',
                      'meridian_topology': 'linked', 'meridian_stack': 'aws'})
    run_tagged(euw1, {'Name': 'euw-mm-1', 'meridian_cluster': 'west', 'meridian_roles': 'mirror-maker',
                      'meridian_region': 'eu-west-1', 'meridian_zone': 'eu-west-1b', 'meridian_node_id': '',
                      'meridian_stack': 'aws'})
    run_tagged(use1, {'Name': 'not-meridian'})
    stopped = run_tagged(use1, {'Name': 'use-kafka-9', 'meridian_cluster': 'east', 'meridian_roles': 'broker',
                                'meridian_node_id': 9, 'meridian_stack': 'aws'})
    use1.stop_instances(InstanceIds=stopped)
    return use1, euw1


def aws_source(tmp_path, url, **options):
    return write_source(tmp_path, dict({'providers': ['aws'], 'aws_regions': ['us-east-1', 'eu-west-1'],
                                        'aws_endpoint_url': url, 'use_private_ip': True}, **options))


def test_aws_hosts_vars_and_groups(tmp_path, moto):
    use1, _ = aws_cluster(moto)
    inv = inventory_for(aws_source(tmp_path, moto))
    assert sorted(inv.hosts) == ['euw-kafka-1', 'euw-mm-1', 'use-kafka-1', 'use-kafka-2', 'use-kafka-3']
    assert members(inv, 'cluster_east') == ['use-kafka-1', 'use-kafka-2', 'use-kafka-3']
    assert members(inv, 'region_eu_west_1') == ['euw-kafka-1', 'euw-mm-1']
    assert members(inv, 'zone_us_east_1b') == ['use-kafka-2']
    assert members(inv, 'kafka') == ['euw-kafka-1', 'use-kafka-1', 'use-kafka-2', 'use-kafka-3']
    assert members(inv, 'mirror_maker') == members(inv, 'role_mirror_maker') == ['euw-mm-1']
    assert members(inv, 'role_controller') == members(inv, 'role_broker') == members(inv, 'kafka')
    hv = meridian_vars(inv, 'use-kafka-2')
    address = hv['meridian_address']
    assert hv == {
        'meridian_cluster': 'east', 'meridian_roles': ['controller', 'broker'], 'meridian_region': 'us-east-1',
        'meridian_zone': 'us-east-1b', 'meridian_node_id': 2, 'meridian_address': address,
        'meridian_platform': 'aws', 'meridian_topology': 'linked', 'meridian_stack': 'aws',
        'ansible_host': address}
    mm = meridian_vars(inv, 'euw-mm-1')
    assert mm['meridian_node_id'] is None and mm['meridian_roles'] == ['mirror_maker']
    assert mm['meridian_topology'] == 'linked'  # from the cluster's other instance


def test_aws_same_as_meridian_terraform_for_the_equivalent_contract(tmp_path, moto):
    aws_cluster(moto)
    cloud = snapshot(inventory_for(aws_source(tmp_path, moto)))
    hosts = []
    for name, hv in cloud[0].items():
        hosts.append({'name': name, 'address': hv['meridian_address'], 'platform': 'aws',
                      'cluster': hv['meridian_cluster'], 'roles': hv['meridian_roles'], 'region': hv['meridian_region'],
                      'zone': hv['meridian_zone'], 'node_id': hv['meridian_node_id'],
                      'connection': {'ansible_host': hv['ansible_host']}})
    contract = {'contract_version': 1, 'stack': 'aws', 'hosts': hosts,
                'clusters': {'east': {'topology': 'linked'}, 'west': {'topology': 'linked'}}}
    assert terraform_snapshot(tmp_path, contract) == cloud


def test_aws_states_option_and_public_address(tmp_path, moto):
    aws_cluster(moto)
    inv = inventory_for(aws_source(tmp_path, moto, states=['running', 'stopped'], use_private_ip=False,
                                   filters={'meridian_cluster': 'east'}))
    assert sorted(inv.hosts) == ['use-kafka-1', 'use-kafka-2', 'use-kafka-3', 'use-kafka-9']
    hv = inv.get_host('use-kafka-1').get_vars()
    # moto gives running instances a public address; ansible_host takes it, meridian_address stays private
    assert hv['ansible_host'] != hv['meridian_address']
    assert hv['meridian_address'].startswith(('10.', '172.', '192.168.'))
    # a tagless stack falls back to the provider name; no region tag to the instance's region
    nine = inv.get_host('use-kafka-9').get_vars()
    assert (nine['meridian_region'], nine['meridian_zone']) == ('us-east-1', nine['meridian_zone'])
    assert nine['meridian_zone'].startswith('us-east-1')


def test_aws_filters_bastion_and_constructed(tmp_path, moto):
    aws_cluster(moto)
    inv = inventory_for(aws_source(tmp_path, moto, filters={'meridian_cluster': ['west']},
                                   bastion='ops@jump.example.net', bastions={'eu-west-1': 'ec2-user@euw-jump:2222'},
                                   keyed_groups=[{'key': 'meridian_platform', 'prefix': 'platform'}],
                                   groups={'kraft_voters': "'controller' in meridian_roles"},
                                   compose={'ansible_user': "'ec2-user'"}))
    assert sorted(inv.hosts) == ['euw-kafka-1', 'euw-mm-1']
    assert members(inv, 'platform_aws') == ['euw-kafka-1', 'euw-mm-1']
    assert members(inv, 'kraft_voters') == ['euw-kafka-1']
    hv = inv.get_host('euw-mm-1').get_vars()
    assert hv['ansible_ssh_common_args'] == '-o ProxyJump=ec2-user@euw-jump:2222'
    assert hv['ansible_user'] == 'ec2-user'


def test_aws_pagination(tmp_path, moto, monkeypatch):
    import meridian_cloud_common as common
    use1 = ec2(moto)
    for i in range(7):
        run_tagged(use1, {'Name': 'p-%d' % i, 'meridian_cluster': 'p', 'meridian_roles': 'broker',
                          'meridian_node_id': i, 'meridian_region': 'us-east-1', 'meridian_zone': 'us-east-1a'})
    pages = []
    real = common.aws_list_instances

    def small_pages(client, **kwargs):
        client.meta.events.register('after-call.ec2.DescribeInstances', lambda parsed, **kw: pages.append(
            len([i for r in parsed.get('Reservations', []) for i in r['Instances']])))
        return real(client, page_size=5, **kwargs)
    monkeypatch.setattr(common, 'aws_list_instances', small_pages)
    inv = inventory_for(aws_source(tmp_path, moto, aws_regions=['us-east-1']))
    assert len(inv.hosts) == 7
    assert pages == [5, 2]


@pytest.mark.parametrize('status, code, message', [
    (403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.'),
    (500, 'InternalError', 'An internal error has occurred.')])
def test_aws_api_error_is_a_clear_parser_error(tmp_path, loopback_only, monkeypatch, status, code, message):
    monkeypatch.setenv('AWS_MAX_ATTEMPTS', '1')
    fake = FakeServer()
    fake.fail.append(('POST', '/', status, ec2_error(code, message)))
    try:
        with pytest.raises(AnsibleParserError) as info:
            parse_directly(aws_source(tmp_path, fake.url, aws_regions=['us-east-1']))
    finally:
        fake.close()
    assert str(info.value) == 'meridian_cloud: aws DescribeInstances failed (HTTP %d): %s: %s' % (status, code, message)


def test_aws_duplicate_node_id_fails_naming_the_host(tmp_path, moto):
    use1 = ec2(moto)
    for n in ('a', 'b'):
        run_tagged(use1, {'Name': 'dup-%s' % n, 'meridian_cluster': 'd', 'meridian_roles': 'broker', 'meridian_node_id': 1})
    with pytest.raises(AnsibleParserError, match=r"Invalid Meridian inventory contract: host 'dup-[ab]', field 'node_id': "
                                                 r"duplicate node_id 1 in cluster 'd' \(also used by host 'dup-[ab]'\)"):
        parse_directly(aws_source(tmp_path, moto, aws_regions=['us-east-1']))


def test_aws_unknown_role_fails(tmp_path, moto):
    run_tagged(ec2(moto), {'Name': 'r-1', 'meridian_cluster': 'r', 'meridian_roles': 'zookeeper', 'meridian_node_id': 1})
    with pytest.raises(AnsibleParserError, match=r"host 'r-1', field 'roles': unknown role 'zookeeper'"):
        parse_directly(aws_source(tmp_path, moto, aws_regions=['us-east-1']))


def test_cache_serves_instances_until_flushed(tmp_path, moto):
    use1 = ec2(moto)
    run_tagged(use1, {'Name': 'c-1', 'meridian_cluster': 'c', 'meridian_roles': 'broker', 'meridian_node_id': 1})
    source = aws_source(tmp_path, moto, aws_regions=['us-east-1'], cache=True, cache_plugin='jsonfile',
                        cache_connection=str(tmp_path / 'cache'))
    assert sorted(inventory_for(source).hosts) == ['c-1']
    run_tagged(use1, {'Name': 'c-2', 'meridian_cluster': 'c', 'meridian_roles': 'broker', 'meridian_node_id': 2})
    assert sorted(inventory_for(source).hosts) == ['c-1']
    assert sorted(inventory_for(source, cache=False).hosts) == ['c-1', 'c-2']


def test_missing_provider_setting_is_an_error(tmp_path):
    with pytest.raises(AnsibleParserError, match='provider gcp needs the gcp_project option'):
        parse_directly(write_source(tmp_path, {'providers': ['gcp']}))


# --------------------------------------------------------------------------- GCP (local REST fake)

def gcp_labels(cluster, roles, region, zone, node_id, **extra):
    return dict({'meridian_cluster': cluster, 'meridian_roles': roles, 'meridian_region': region,
                 'meridian_zone': zone, 'meridian_node_id': str(node_id), 'meridian_stack': 'gcp'}, **extra)


def gcp_source(tmp_path, fake, **options):
    return write_source(tmp_path, dict({'providers': ['gcp'], 'gcp_project': fake.project,
                                        'gcp_endpoint': fake.url, 'use_private_ip': True}, **options))


def gcp_cluster(fake):
    for r, region in enumerate(('europe-west1', 'europe-west4', 'europe-north1')):
        zone = region + '-b'
        fake.add_instance('str-%s-c' % region, zone, gcp_labels('stretched', 'controller', region, zone, r + 1),
                          '10.%d.0.2' % r)
        fake.add_instance('str-%s-b' % region, zone, gcp_labels('stretched', 'broker', region, zone, 101 + r),
                          '10.%d.0.3' % r, public_ip='34.1.1.%d' % r)
    fake.add_instance('str-stopped', 'europe-west1-c', gcp_labels('stretched', 'broker', 'europe-west1',
                                                                  'europe-west1-c', 110), '10.0.0.9', status='TERMINATED')
    fake.add_instance('str-stopping', 'europe-west1-c', gcp_labels('stretched', 'broker', 'europe-west1',
                                                                   'europe-west1-c', 111), '10.0.0.10', status='STOPPING')


def test_gcp_aggregated_list_with_pages(tmp_path, gcp, local_credentials):
    gcp_cluster(gcp)
    inv = inventory_for(gcp_source(tmp_path, gcp))
    assert len(inv.hosts) == 6
    # 8 instances, two per page: four aggregatedList calls following nextPageToken
    calls = gcp.calls('GET', 'aggregated/instances')
    assert [c[2].get('pageToken') for c in calls] == [None, '2', '4', '6']
    assert calls[0][2]['filter'] == '(labels.meridian_cluster:*)'
    assert members(inv, 'region_europe_west4') == ['str-europe-west4-b', 'str-europe-west4-c']
    hv = meridian_vars(inv, 'str-europe-west1-b')
    assert hv == {'meridian_cluster': 'stretched', 'meridian_roles': ['broker'], 'meridian_region': 'europe-west1',
                  'meridian_zone': 'europe-west1-b', 'meridian_node_id': 101, 'meridian_address': '10.0.0.3',
                  'meridian_platform': 'gcp', 'meridian_topology': 'stretched', 'meridian_stack': 'gcp',
                  'ansible_host': '10.0.0.3'}


def test_gcp_zones_and_states(tmp_path, gcp, local_credentials):
    gcp_cluster(gcp)
    inv = inventory_for(gcp_source(tmp_path, gcp, gcp_zones=['europe-west1-b', 'europe-west1-c'],
                                   states=['stopped', 'stopping'], filters={'meridian_cluster': 'stretched'}))
    assert sorted(inv.hosts) == ['str-stopped', 'str-stopping']
    assert {c[1].split('/')[-2] for c in gcp.calls('GET', r'/zones/[^/]+/instances$')} == {'europe-west1-b', 'europe-west1-c'}
    assert gcp.calls('GET', 'zones/europe-west1-b/instances')[0][2]['filter'] == \
        '(labels.meridian_cluster:*) AND (labels.meridian_cluster = "stretched")'


def test_gcp_regions_option_and_public_ip(tmp_path, gcp, local_credentials):
    gcp_cluster(gcp)
    inv = inventory_for(gcp_source(tmp_path, gcp, gcp_regions=['europe-west1'], use_private_ip=False))
    assert sorted(inv.hosts) == ['str-europe-west1-b', 'str-europe-west1-c']
    assert inv.get_host('str-europe-west1-b').get_vars()['ansible_host'] == '34.1.1.0'
    assert inv.get_host('str-europe-west1-c').get_vars()['ansible_host'] == '10.0.0.2'


def test_gcp_inferred_topology_matches_terraform(tmp_path, gcp, local_credentials):
    gcp.add_instance('solo-1', 'us-central1-a', gcp_labels('solo', 'controller-broker', 'us-central1', 'us-central1-a', 1), '10.9.0.1')
    gcp.add_instance('solo-2', 'us-central1-b', gcp_labels('solo', 'controller-broker', 'us-central1', 'us-central1-b', 2), '10.9.0.2')
    cloud = snapshot(inventory_for(gcp_source(tmp_path, gcp)))
    contract = {'contract_version': 1, 'stack': 'gcp', 'clusters': {'solo': {'topology': 'single-region'}},
                'hosts': [{'name': 'solo-%d' % i, 'address': '10.9.0.%d' % i, 'platform': 'gcp', 'cluster': 'solo',
                           'roles': ['controller', 'broker'], 'region': 'us-central1', 'zone': 'us-central1-%s' % 'ab'[i - 1],
                           'node_id': i, 'connection': {'ansible_host': '10.9.0.%d' % i}} for i in (1, 2)]}
    assert cloud == terraform_snapshot(tmp_path, contract)


@pytest.mark.parametrize('status, message', [
    (403, "Required 'compute.instances.list' permission for 'projects/meridian-test'"),
    (500, 'Internal error. Please try again or contact Google Support.')])
def test_gcp_api_error_is_a_clear_parser_error(tmp_path, gcp, local_credentials, status, message):
    gcp_cluster(gcp)
    gcp.fail.append(('GET', 'aggregated/instances', status, gcp_error(status, message)))
    with pytest.raises(AnsibleParserError) as info:
        parse_directly(gcp_source(tmp_path, gcp))
    text = str(info.value)
    assert 'meridian_cloud: gcp instances.aggregatedList failed (HTTP %d)' % status in text
    assert message in text


# --------------------------------------------------------------------------- Azure (local HTTPS fake)

def azure_cluster(fake):
    nsg = fake.add_nsg('rg-weu', 'nsg-weu')
    subnet = fake.add_subnet('rg-weu', 'vnet-weu', 'kafka', nsg)
    tags = {'meridian_cluster': 'weu', 'meridian_region': 'westeurope', 'meridian_stack': 'azure',
            'meridian_topology': 'single-region'}
    for i in range(1, 4):
        fake.add_vm('rg-weu', 'weu-kafka-%d' % i, dict(tags, meridian_roles='controller,broker', meridian_node_id=str(i),
                                                        meridian_zone='westeurope-%d' % i),
                    '10.2.0.%d' % (3 + i), subnet_id=subnet, zone=str(i), public_ip='20.1.0.%d' % i if i == 1 else None)
    fake.add_vm('rg-weu', 'weu-mm-1', dict(tags, meridian_roles='mirror_maker', meridian_node_id='null'),
                '10.2.0.20', subnet_id=subnet, zone='2')
    fake.add_vm('rg-weu', 'weu-off', dict(tags, meridian_roles='broker', meridian_node_id='9'), '10.2.0.21',
                power='deallocated', subnet_id=subnet)
    fake.add_vm('rg-weu', 'jumpbox', {'role': 'bastion'}, '10.2.0.250', subnet_id=subnet)


def azure_source(tmp_path, fake, **options):
    return write_source(tmp_path, dict({'providers': ['azure'], 'azure_subscription_id': fake.sub,
                                        'azure_resource_groups': ['rg-weu'], 'azure_endpoint': fake.url}, **options))


def test_azure_vms_with_nextlink_pages(tmp_path, azure, local_credentials):
    azure_cluster(azure)
    inv = inventory_for(azure_source(tmp_path, azure))
    assert sorted(inv.hosts) == ['weu-kafka-1', 'weu-kafka-2', 'weu-kafka-3', 'weu-mm-1']
    # 6 VMs, two per page: the SDK followed nextLink twice
    vm_calls = azure.calls('GET', r'Microsoft\.Compute/virtualMachines$')
    assert [c[2].get('$skiptoken') for c in vm_calls] == [None, '2', '4']
    assert all(c[2]['$expand'] == 'instanceView' for c in vm_calls)
    assert members(inv, 'zone_westeurope_2') == ['weu-kafka-2', 'weu-mm-1']
    assert members(inv, 'mirror_maker') == ['weu-mm-1']
    hv = meridian_vars(inv, 'weu-kafka-1')
    assert hv == {'meridian_cluster': 'weu', 'meridian_roles': ['controller', 'broker'],
                  'meridian_region': 'westeurope', 'meridian_zone': 'westeurope-1', 'meridian_node_id': 1,
                  'meridian_address': '10.2.0.4', 'meridian_platform': 'azure', 'meridian_topology': 'single-region',
                  'meridian_stack': 'azure', 'ansible_host': '20.1.0.1'}
    # no meridian_zone tag: location-zone
    assert inv.get_host('weu-mm-1').get_vars()['meridian_zone'] == 'westeurope-2'


def test_azure_whole_subscription_and_stopped_state(tmp_path, azure, local_credentials):
    azure_cluster(azure)
    inv = inventory_for(azure_source(tmp_path, azure, azure_resource_groups=[], states=['stopped'], use_private_ip=True))
    assert sorted(inv.hosts) == ['weu-off']
    assert azure.calls('GET', r'^/subscriptions/[^/]+/providers/Microsoft\.Compute/virtualMachines$')
    assert inv.get_host('weu-off').get_vars()['ansible_host'] == '10.2.0.21'


def test_azure_error_is_a_clear_parser_error(tmp_path, azure, local_credentials):
    azure_cluster(azure)
    azure.fail.append(('GET', 'virtualMachines$', 403, {'error': {
        'code': 'AuthorizationFailed', 'message': "The client does not have authorization to perform action "
                                                  "'Microsoft.Compute/virtualMachines/read'"}}))
    with pytest.raises(AnsibleParserError, match=r"azure virtualMachines\.list\(rg-weu\) failed \(HTTP 403\): "
                                                 r".*AuthorizationFailed|azure virtualMachines\.list\(rg-weu\) failed "
                                                 r"\(HTTP 403\): .*does not have authorization"):
        parse_directly(azure_source(tmp_path, azure))


# --------------------------------------------------------------------------- all three at once

def test_three_clouds_one_inventory(tmp_path, moto, gcp, azure, local_credentials):
    aws_cluster(moto)
    gcp_cluster(gcp)
    azure_cluster(azure)
    source = write_source(tmp_path, {
        'providers': ['aws', 'gcp', 'azure'], 'aws_regions': ['us-east-1', 'eu-west-1'], 'aws_endpoint_url': moto,
        'gcp_project': gcp.project, 'gcp_endpoint': gcp.url, 'azure_subscription_id': azure.sub,
        'azure_resource_groups': ['rg-weu'], 'azure_endpoint': azure.url, 'use_private_ip': True,
        'bastions': {'gcp': 'jump-gcp', 'azure': ''}, 'bastion': 'jump-any',
        'keyed_groups': [{'key': 'meridian_platform', 'prefix': 'platform'}]})
    inv = inventory_for(source)
    assert len(members(inv, 'platform_aws')) == 5
    assert len(members(inv, 'platform_gcp')) == 6
    assert len(members(inv, 'platform_azure')) == 4
    assert len(members(inv, 'kafka')) == 4 + 6 + 3
    args = {h: inv.get_host(h).get_vars().get('ansible_ssh_common_args') for h in inv.hosts}
    assert args['euw-kafka-1'] == '-o ProxyJump=jump-any'
    assert args['str-europe-west1-b'] == '-o ProxyJump=jump-gcp'
    assert args['weu-kafka-1'] is None
    stacks = {inv.get_host(h).get_vars()['meridian_stack'] for h in inv.hosts}
    assert stacks == {'aws', 'gcp', 'azure'}
