# -*- coding: utf-8 -*-
"""Drill faults on cloud instances: ``stop`` a region's instances, ``isolate`` a region.

``backend(name, **options)`` returns :class:`AwsFaults`, :class:`GcpFaults` or
:class:`AzureFaults`, FaultBackends (fault_backends.py) with KINDS ``stop`` and ``isolate``.

The victims of a fault are the instances whose Meridian tags (GCP labels) say
``meridian_cluster == fault["cluster"]`` and ``meridian_region == fault["region"]`` (the cloud
region when the instance has no ``meridian_region`` tag), narrowed to the fault's ``hosts``
(matched by ``instance_id``/``id``, by private or public ``address``, or by ``name``). A host of the
fault that matches no instance is an error, raised before anything changes.

stop
    The victims that are ``running`` are stopped and waited for until stopped; the record lists
    exactly those. Victims in any other state (stopping, stopped, pending, terminated) are left
    alone and listed as skipped. ``restore`` starts exactly the recorded instances that are
    stopped (waiting first for one still stopping), waits until they run, and leaves alone those
    already running or gone.

isolate
    AWS: a ``quarantine`` security group with no rule (no ingress, its default egress rule
    revoked) per VPC; every network interface of the victims is moved to it, its original groups
    recorded; ``restore`` puts them back and deletes the quarantine group.
    GCP: two priority-0 deny firewall rules per VPC network of the victims: ingress to the
    victims' addresses from anywhere, and ingress from the victims' addresses to every instance
    (so nothing reaches them and nothing they send is accepted); ``restore`` deletes them.
    Azure: on each network security group guarding the victims (the subnet's NSG, else the
    NIC's), an inbound deny to the victims' addresses and an outbound deny from them, at a
    priority ahead of every allow rule; ``restore`` deletes them.
    Cloud firewalls are stateful: established connections may survive the new rules until they
    idle out (AWS: tracked connections; GCP, Azure: existing flows). Kafka clients reconnect
    often enough that the drill sees the partition within its timeouts.

Records are JSON-serialisable; ``restore(record)`` is idempotent. Credentials come from each
SDK's standard chain; clients come from the factory functions below, with endpoint overrides.
"""

from __future__ import annotations

import hashlib
import json
import time

try:  # inside an Ansible module (AnsiballZ packs module_utils under ansible.module_utils)
    from ansible.module_utils.fault_backends import FaultBackend, FaultError
    from ansible.module_utils import meridian_cloud_common as common
except ImportError:  # controller side / tests: plugins/module_utils on sys.path
    from fault_backends import FaultBackend, FaultError
    import meridian_cloud_common as common

KINDS = ("stop", "isolate")


def backend(name, **options):
    """The fault backend of a cloud: ``aws``, ``gcp`` or ``azure``."""
    classes = {"aws": AwsFaults, "gcp": GcpFaults, "azure": AzureFaults}
    if name not in classes:
        raise FaultError("no cloud fault backend %r (aws, gcp, azure)" % name)
    return classes[name](**options)


def fault_id(fault):
    """Short stable id of a fault: names the cloud objects a fault creates."""
    text = json.dumps({k: fault.get(k) for k in ("kind", "cluster", "region")}, sort_keys=True)
    return hashlib.sha1((text + str(time.time())).encode()).hexdigest()[:10]


def _slug(text, length=20):
    out = "".join(c if c.isalnum() else "-" for c in str(text).lower()).strip("-")
    return out[:length].strip("-") or "x"


class CloudFaults(FaultBackend):
    """What the three clouds share: finding the victims, the stop/start bookkeeping."""

    KINDS = KINDS
    provider = ""

    def __init__(self, timeout=600, poll_interval=5.0):
        self.timeout = timeout
        self.poll_interval = poll_interval

    # -- to implement per cloud
    def _list(self, fault):
        """Normalised instances (meridian_cloud_common) of the fault's cluster, any state."""
        raise NotImplementedError

    # -- victims
    def check(self, fault):
        super().check(fault)
        for field in ("cluster", "region"):
            if not fault.get(field):
                raise FaultError("fault %s has no %s" % (fault.get("kind"), field))

    def _in_region(self, inst, fault):
        tags = inst.get("tags") or {}
        return (tags.get("meridian_cluster") == fault["cluster"]
                and (tags.get("meridian_region") or inst.get("cloud_region")) == fault["region"])

    @staticmethod
    def _matches(inst, host):
        wanted_id = host.get("instance_id") or host.get("id")
        if wanted_id:
            return wanted_id in (inst["id"], inst["id"].rsplit("/", 1)[-1])
        if host.get("address") and host["address"] in (inst.get("private_ip"), inst.get("public_ip")):
            return True
        name = (host.get("name") or "").lower()
        return bool(name) and name in ((inst.get("name") or "").lower(), inst["id"].lower())

    def victims(self, fault):
        """The instances the fault acts on; FaultError if a host of the fault has none."""
        self.check(fault)
        candidates = [i for i in self._list(fault) if self._in_region(i, fault)]
        chosen, missing = {}, []
        for host in fault["hosts"]:
            found = [i for i in candidates if self._matches(i, host)]
            if not found:
                missing.append(host.get("name") or host.get("address") or str(host))
            for inst in found:
                chosen[inst["id"]] = inst
        if missing:
            raise FaultError("%s: no instance tagged meridian_cluster=%s meridian_region=%s matches host(s) %s"
                             % (self.provider, fault["cluster"], fault["region"], ", ".join(missing)))
        return sorted(chosen.values(), key=lambda i: i["id"])

    def _guard(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except common.CloudError as exc:
            raise FaultError(str(exc)) from exc

    # -- FaultBackend
    def plan(self, fault):
        victims = self._guard(self.victims, fault)
        if fault["kind"] == "stop":
            steps = []
            for inst in victims:
                if inst["state"] == "running":
                    steps.append("stop %s instance %s (%s) and wait until stopped" % (self.provider, inst["name"], inst["id"]))
                else:
                    steps.append("leave %s instance %s alone: it is %s, not running" % (self.provider, inst["name"], inst["state"]))
            return steps
        return self._plan_isolate(victims, fault)

    def inject(self, fault):
        victims = self._guard(self.victims, fault)
        base = {"backend": self.provider, "kind": fault["kind"], "cluster": fault["cluster"], "region": fault["region"]}
        if fault["kind"] == "stop":
            running = [i for i in victims if i["state"] == "running"]
            skipped = {i["id"]: i["state"] for i in victims if i["state"] != "running"}
            base.update(self._guard(self._stop, running, fault))
            base["skipped"] = skipped
            return base
        base.update(self._guard(self._isolate, victims, fault))
        return base

    def restore(self, record):
        if record.get("backend") not in (None, self.provider):
            raise FaultError("record of backend %s given to %s" % (record.get("backend"), self.provider))
        if record.get("kind") == "stop":
            return self._guard(self._restore_stop, record)
        if record.get("kind") == "isolate":
            return self._guard(self._restore_isolate, record)
        raise FaultError("%s cannot restore a %r record" % (self.provider, record.get("kind")))

    def _wait(self, predicate, what):
        common.wait_for(predicate, self.timeout, self.poll_interval, what)


# ============================================================================= AWS

def aws_client(region, endpoint_url=None):
    """EC2 client (boto3's credential chain); tests pass endpoint_url=http://127.0.0.1:<port>."""
    return common.aws_ec2_client(region, endpoint_url)


class AwsFaults(CloudFaults):
    """Options: endpoint_url, region_map ({meridian_region: AWS region}; default: the same name),
    timeout, poll_interval, client_factory (region, endpoint_url) -> EC2 client."""

    name = provider = "aws"

    def __init__(self, endpoint_url=None, region_map=None, client_factory=None, timeout=600, poll_interval=5.0):
        super().__init__(timeout, poll_interval)
        self.endpoint_url = endpoint_url
        self.region_map = dict(region_map or {})
        self._factory = client_factory or aws_client
        self._clients = {}

    def _cloud_region(self, region):
        return self.region_map.get(region, region)

    def _ec2(self, region):
        cloud_region = self._cloud_region(region)
        if cloud_region not in self._clients:
            self._clients[cloud_region] = self._factory(cloud_region, self.endpoint_url)
        return self._clients[cloud_region]

    def _list(self, fault):
        region = self._cloud_region(fault["region"])
        raw = common.aws_list_instances(self._ec2(fault["region"]), filters={"meridian_cluster": fault["cluster"]})
        return [common.aws_normalize(i, region) for i in raw]

    def _states(self, ec2, ids):
        # a filter, not InstanceIds: an instance that is gone is simply absent, not an error
        raw = common.call("aws", "DescribeInstances", lambda: [
            i for page in ec2.get_paginator("describe_instances").paginate(
                Filters=[{"Name": "instance-id", "Values": list(ids)}])
            for r in page["Reservations"] for i in r["Instances"]])
        return {i["InstanceId"]: common.aws_normalize(i, "")["state"] for i in raw}

    def _wait_states(self, ec2, ids, state):
        if ids:
            self._wait(lambda: all(self._states(ec2, ids).get(i) in (state, "terminated", None) for i in ids),
                       "AWS instances %s to be %s" % (", ".join(ids), state))

    def _stop(self, running, fault):
        ec2 = self._ec2(fault["region"])
        ids = [i["id"] for i in running]
        if ids:
            common.call("aws", "StopInstances", ec2.stop_instances, InstanceIds=ids)
            self._wait_states(ec2, ids, "stopped")
        return {"cloud_region": self._cloud_region(fault["region"]), "instance_ids": ids}

    def _restore_stop(self, record):
        ec2 = self._ec2(record["region"])
        ids = record.get("instance_ids") or []
        done = []
        if not ids:
            return done
        states = self._states(ec2, ids)
        stopping = [i for i in ids if states.get(i) == "stopping"]
        self._wait_states(ec2, stopping, "stopped")
        if stopping:
            states.update(self._states(ec2, stopping))
        to_start = [i for i in ids if states.get(i) == "stopped"]
        for i in ids:
            if i not in states:
                done.append("%s: gone, nothing to start" % i)
            elif states[i] in ("running", "pending"):
                done.append("%s: already %s" % (i, states[i]))
            elif states[i] == "terminated":
                done.append("%s: terminated, cannot be started" % i)
        if to_start:
            common.call("aws", "StartInstances", ec2.start_instances, InstanceIds=to_start)
            self._wait_states(ec2, to_start, "running")
            done.extend("%s: started" % i for i in to_start)
        return done

    def _plan_isolate(self, victims, fault):
        vpcs = sorted({i["vpc_id"] for i in victims if i.get("vpc_id")})
        steps = ["create an empty quarantine security group (no ingress, no egress) in %s" % vpc for vpc in vpcs]
        for inst in victims:
            for eni in inst["enis"]:
                steps.append("move %s of %s (%s) from %s to the quarantine group"
                             % (eni["id"], inst["name"], inst["id"], ", ".join(eni["groups"])))
        return steps

    def _isolate(self, victims, fault):
        ec2 = self._ec2(fault["region"])
        fid = fault_id(fault)
        record = {"cloud_region": self._cloud_region(fault["region"]), "groups": {}, "enis": {}}
        try:
            for vpc in sorted({eni["vpc_id"] or inst.get("vpc_id") for inst in victims for eni in inst["enis"]}):
                name = "meridian-quarantine-%s-%s-%s" % (_slug(fault["cluster"]), _slug(fault["region"]), fid)
                group = common.call("aws", "CreateSecurityGroup", ec2.create_security_group, GroupName=name, VpcId=vpc,
                                    Description="Meridian drill quarantine: no traffic in or out",
                                    TagSpecifications=[{"ResourceType": "security-group", "Tags": [
                                        {"Key": "meridian_fault", "Value": fid},
                                        {"Key": "meridian_cluster", "Value": fault["cluster"]}]}])
                record["groups"][vpc] = group["GroupId"]
                common.call("aws", "RevokeSecurityGroupEgress", ec2.revoke_security_group_egress,
                            GroupId=group["GroupId"], IpPermissions=[{"IpProtocol": "-1",
                                                                      "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
            for inst in victims:
                for eni in inst["enis"]:
                    quarantine = record["groups"][eni["vpc_id"] or inst.get("vpc_id")]
                    record["enis"][eni["id"]] = {"groups": eni["groups"], "quarantine": quarantine}
                    common.call("aws", "ModifyNetworkInterfaceAttribute", ec2.modify_network_interface_attribute,
                                NetworkInterfaceId=eni["id"], Groups=[quarantine])
        except common.CloudError:
            self._restore_isolate(dict(record, region=fault["region"]))
            raise
        return record

    def _restore_isolate(self, record):
        ec2 = self._ec2(record["region"])
        done = []
        enis = record.get("enis") or {}
        current = {}
        if enis:
            found = common.call("aws", "DescribeNetworkInterfaces", lambda: [
                n for page in ec2.get_paginator("describe_network_interfaces").paginate(
                    Filters=[{"Name": "network-interface-id", "Values": list(enis)}])
                for n in page["NetworkInterfaces"]])
            current = {n["NetworkInterfaceId"]: [g["GroupId"] for g in n.get("Groups", [])] for n in found}
        for eni_id, entry in sorted(enis.items()):
            if eni_id not in current:
                done.append("%s: gone" % eni_id)
            elif entry["quarantine"] in current[eni_id]:
                common.call("aws", "ModifyNetworkInterfaceAttribute", ec2.modify_network_interface_attribute,
                            NetworkInterfaceId=eni_id, Groups=entry["groups"])
                done.append("%s: security groups %s restored" % (eni_id, ", ".join(entry["groups"])))
            else:
                done.append("%s: not in quarantine" % eni_id)
        for vpc, group_id in sorted((record.get("groups") or {}).items()):
            try:
                ec2.delete_security_group(GroupId=group_id)
                done.append("%s: quarantine group deleted" % group_id)
            except Exception as exc:  # botocore ClientError
                code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
                if code in ("InvalidGroup.NotFound", "InvalidGroupId.NotFound"):
                    done.append("%s: already deleted" % group_id)
                else:
                    raise common.CloudError(common.describe_error("aws", "DeleteSecurityGroup", exc)) from exc
        return done


# ============================================================================= GCP

def gcp_clients(endpoint=None, credentials=None):
    """compute_v1 REST clients (Application Default Credentials unless credentials is given)."""
    return {kind: common.gcp_client(kind, endpoint, credentials)
            for kind in ("InstancesClient", "FirewallsClient", "ZoneOperationsClient", "GlobalOperationsClient")}


class GcpFaults(CloudFaults):
    """Options: project (required), endpoint, credentials (google.auth credentials; default ADC),
    priority (of the deny rules, 0 = first), timeout, poll_interval, client_factory."""

    name = provider = "gcp"

    def __init__(self, project=None, endpoint=None, credentials=None, priority=0, client_factory=None,
                 timeout=600, poll_interval=2.0):
        super().__init__(timeout, poll_interval)
        if not project:
            raise FaultError("gcp fault backend needs a project")
        self.project = project
        self.priority = priority
        self._factory = client_factory or gcp_clients
        self._endpoint, self._credentials = endpoint, credentials
        self._c = None

    @property
    def clients(self):
        if self._c is None:
            self._c = self._factory(self._endpoint, self._credentials)
        return self._c

    def _list(self, fault):
        pairs = common.gcp_list_instances(self.clients["InstancesClient"], self.project,
                                          filters={"meridian_cluster": fault["cluster"]})
        return [common.gcp_normalize(inst, zone, self.project) for zone, inst in pairs]

    def _get(self, zone, name):
        """Normalised instance, or None when it does not exist (404)."""
        try:
            inst = self.clients["InstancesClient"].get(project=self.project, zone=zone, instance=name)
        except Exception as exc:
            if getattr(exc, "code", None) == 404:
                return None
            raise common.CloudError(common.describe_error("gcp", "instances.get", exc)) from exc
        return common.gcp_normalize(inst, zone, self.project)

    def _state(self, zone, name):
        inst = self._get(zone, name)
        return inst["state"] if inst else None

    def _op(self, operation, scope):
        ops = self.clients["GlobalOperationsClient" if scope == "global" else "ZoneOperationsClient"]
        return common.gcp_wait_operation(ops, self.project, operation, scope, self.timeout, self.poll_interval)

    def _until(self, zone, name, state):
        self._wait(lambda: self._state(zone, name) in (state, None), "GCP instance %s to be %s" % (name, state))

    def _stop(self, running, fault):
        stopped = []
        for inst in running:
            op = common.call("gcp", "instances.stop", self.clients["InstancesClient"].stop_unary,
                             project=self.project, zone=inst["zone"], instance=inst["name"])
            stopped.append({"zone": inst["zone"], "name": inst["name"], "id": inst["id"]})
            self._op(op, "zone:%s" % inst["zone"])
        for inst in stopped:
            self._until(inst["zone"], inst["name"], "stopped")
        return {"project": self.project, "instances": stopped}

    def _restore_stop(self, record):
        done, started = [], []
        for inst in record.get("instances") or []:
            zone, name = inst["zone"], inst["name"]
            state = self._state(zone, name)
            if state == "stopping":
                self._until(zone, name, "stopped")
                state = self._state(zone, name)
            if state is None:
                done.append("%s: gone, nothing to start" % name)
            elif state == "stopped":
                op = common.call("gcp", "instances.start", self.clients["InstancesClient"].start_unary,
                                 project=self.project, zone=zone, instance=name)
                self._op(op, "zone:%s" % zone)
                started.append(inst)
            else:
                done.append("%s: already %s" % (name, state))
        for inst in started:
            self._until(inst["zone"], inst["name"], "running")
            done.append("%s: started" % inst["name"])
        return done

    def _rules(self, victims, fault, fid):
        ranges = sorted({"%s/32" % i["private_ip"] for i in victims if i.get("private_ip")})
        if not ranges:
            raise FaultError("gcp: the instances to isolate have no private address")
        rules = []
        networks = sorted({n for i in victims for n in i["networks"]})
        for n, network in enumerate(networks):
            prefix = "meridian-isolate-%s-%s%s" % (_slug(fault["region"], 24), fid, "-%d" % n if len(networks) > 1 else "")
            common_fields = {"network": network, "direction": "INGRESS", "priority": self.priority,
                             "denied": [{"I_p_protocol": "all"}]}
            rules.append(dict(common_fields, name=prefix + "-to", source_ranges=["0.0.0.0/0"], destination_ranges=ranges,
                              description="Meridian drill: nothing reaches %s/%s" % (fault["cluster"], fault["region"])))
            rules.append(dict(common_fields, name=prefix + "-from", source_ranges=ranges,
                              description="Meridian drill: nothing is accepted from %s/%s" % (fault["cluster"], fault["region"])))
        return rules

    def _plan_isolate(self, victims, fault):
        return ["create firewall rule %s (%s, deny all, priority %d, from %s to %s) in %s"
                % (r["name"], r["direction"], r["priority"], ", ".join(r["source_ranges"]),
                   ", ".join(r.get("destination_ranges", ["every instance"])), r["network"].rsplit("/", 1)[-1])
                for r in self._rules(victims, fault, "<id>")]

    def _isolate(self, victims, fault):
        from google.cloud import compute_v1
        record = {"project": self.project, "rules": []}
        try:
            for rule in self._rules(victims, fault, fault_id(fault)):
                op = common.call("gcp", "firewalls.insert", self.clients["FirewallsClient"].insert_unary,
                                 project=self.project, firewall_resource=compute_v1.Firewall(rule))
                record["rules"].append(rule["name"])
                self._op(op, "global")
        except common.CloudError:
            self._restore_isolate(record)
            raise
        return record

    def _restore_isolate(self, record):
        done = []
        for name in record.get("rules") or []:
            try:
                op = self.clients["FirewallsClient"].delete_unary(project=self.project, firewall=name)
            except Exception as exc:
                if getattr(exc, "code", None) == 404:
                    done.append("%s: already deleted" % name)
                    continue
                raise common.CloudError(common.describe_error("gcp", "firewalls.delete", exc)) from exc
            self._op(op, "global")
            done.append("%s: deleted" % name)
        return done


# ============================================================================= Azure

def azure_clients(subscription_id, base_url=None, credential=None):
    """(compute, network) management clients; DefaultAzureCredential unless credential is given."""
    credential = credential or common.azure_credential()
    return (common.azure_compute_client(subscription_id, base_url, credential),
            common.azure_network_client(subscription_id, base_url, credential))


def _arm_parts(resource_id):
    """/subscriptions/s/resourceGroups/rg/providers/P/T/name[/sub/name] -> (rg, [names])."""
    parts = resource_id.strip("/").split("/")
    rg = parts[parts.index("resourceGroups") + 1] if "resourceGroups" in parts else None
    names = parts[parts.index("providers") + 3::2] if "providers" in parts else []
    return rg, names


def _http_status(exc):
    return getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)


class AzureFaults(CloudFaults):
    """Options: subscription_id (required), resource_groups (default: the subscription), base_url,
    credential (azure.core TokenCredential; default DefaultAzureCredential), deallocate (stop by
    deallocating instead of powering off), timeout, poll_interval, client_factory."""

    name = provider = "azure"

    def __init__(self, subscription_id=None, resource_groups=None, base_url=None, credential=None, deallocate=False,
                 client_factory=None, timeout=900, poll_interval=5.0):
        super().__init__(timeout, poll_interval)
        if not subscription_id:
            raise FaultError("azure fault backend needs a subscription_id")
        self.subscription_id = subscription_id
        self.resource_groups = list(resource_groups or [])
        self.deallocate = deallocate
        self._factory = client_factory or azure_clients
        self._base_url, self._credential = base_url, credential
        self._c = None

    @property
    def compute(self):
        return self._clients()[0]

    @property
    def network(self):
        return self._clients()[1]

    def _clients(self):
        if self._c is None:
            self._c = self._factory(self.subscription_id, self._base_url, self._credential)
        return self._c

    def _list(self, fault):
        return common.azure_instances(self.compute, self.network, self.resource_groups)

    def _state(self, rg, name):
        try:
            vm = self.compute.virtual_machines.get(rg, name, expand="instanceView")
        except Exception as exc:
            if _http_status(exc) == 404:
                return None
            raise common.CloudError(common.describe_error("azure", "virtualMachines.get", exc)) from exc
        return common.azure_power_state(common.azure_json(vm))

    def _until(self, rg, name, state):
        self._wait(lambda: self._state(rg, name) in (state, None), "Azure VM %s to be %s" % (name, state))

    def _lro(self, what, begin, *args):
        return common.call("azure", what, lambda: begin(*args, polling_interval=self.poll_interval).result(
            timeout=self.timeout))

    def _stop(self, running, fault):
        vms = self.compute.virtual_machines
        begin, what = ((vms.begin_deallocate, "virtualMachines.deallocate") if self.deallocate
                       else (vms.begin_power_off, "virtualMachines.powerOff"))
        stopped = []
        for inst in running:
            self._lro(what, begin, inst["resource_group"], inst["name"])
            stopped.append({"resource_group": inst["resource_group"], "name": inst["name"], "id": inst["id"]})
        for inst in stopped:
            self._until(inst["resource_group"], inst["name"], "stopped")
        return {"subscription_id": self.subscription_id, "instances": stopped}

    def _restore_stop(self, record):
        done, started = [], []
        for inst in record.get("instances") or []:
            rg, name = inst["resource_group"], inst["name"]
            state = self._state(rg, name)
            if state == "stopping":
                self._until(rg, name, "stopped")
                state = self._state(rg, name)
            if state is None:
                done.append("%s: gone, nothing to start" % name)
            elif state == "stopped":
                self._lro("virtualMachines.start", self.compute.virtual_machines.begin_start, rg, name)
                started.append(inst)
            else:
                done.append("%s: already %s" % (name, state))
        for inst in started:
            self._until(inst["resource_group"], inst["name"], "running")
            done.append("%s: started" % inst["name"])
        return done

    def _nsgs(self, victims):
        """NSG ids guarding the victims: each NIC's subnet NSG, else the NIC's own."""
        nsgs = []
        for inst in victims:
            for nic_id in inst["nics"]:
                rg, names = _arm_parts(nic_id)
                nic = common.azure_json(common.call("azure", "networkInterfaces.get",
                                                    self.network.network_interfaces.get, rg, names[0]))
                chosen = None
                for ipc in (nic.get("properties") or {}).get("ipConfigurations") or []:
                    subnet_id = ((ipc.get("properties") or {}).get("subnet") or {}).get("id")
                    if subnet_id:
                        srg, snames = _arm_parts(subnet_id)
                        subnet = common.azure_json(common.call("azure", "subnets.get", self.network.subnets.get,
                                                               srg, snames[0], snames[1]))
                        chosen = ((subnet.get("properties") or {}).get("networkSecurityGroup") or {}).get("id")
                        if chosen:
                            break
                chosen = chosen or ((nic.get("properties") or {}).get("networkSecurityGroup") or {}).get("id")
                if not chosen:
                    raise FaultError("azure: NIC %s of %s has no network security group (neither on the NIC nor on "
                                     "its subnet) to add the isolation rules to" % (names[0], inst["name"]))
                if chosen not in nsgs:
                    nsgs.append(chosen)
        return nsgs

    @staticmethod
    def _priority(nsg, direction):
        rules = [r.get("properties") or {} for r in (nsg.get("properties") or {}).get("securityRules") or []]
        rules = [r for r in rules if r.get("direction") == direction]
        used = {r.get("priority") for r in rules}
        first_allow = min([r.get("priority") for r in rules if r.get("access") == "Allow"] or [4097])
        for priority in range(100, first_allow):
            if priority not in used:
                return priority
        raise FaultError("azure: NSG %s has no free %s priority ahead of its first allow rule (%d)"
                         % (nsg.get("name"), direction.lower(), first_allow))

    def _rules(self, victims, fault, fid):
        addresses = sorted({i["private_ip"] for i in victims if i.get("private_ip")})
        if not addresses:
            raise FaultError("azure: the VMs to isolate have no private address")
        plan = []
        for nsg_id in self._nsgs(victims):
            rg, names = _arm_parts(nsg_id)
            nsg = common.azure_json(common.call("azure", "networkSecurityGroups.get",
                                                self.network.network_security_groups.get, rg, names[0]))
            base = "meridian-isolate-%s-%s" % (_slug(fault["region"], 24), fid)
            for direction, suffix, src, dst in (("Inbound", "in", ["*"], addresses),
                                                ("Outbound", "out", addresses, ["*"])):
                props = {"protocol": "*", "access": "Deny", "direction": direction,
                         "priority": self._priority(nsg, direction),
                         "sourcePortRange": "*", "destinationPortRange": "*",
                         "description": "Meridian drill: isolate %s/%s" % (fault["cluster"], fault["region"])}
                props.update({"sourceAddressPrefix": "*"} if src == ["*"] else {"sourceAddressPrefixes": src})
                props.update({"destinationAddressPrefix": "*"} if dst == ["*"] else {"destinationAddressPrefixes": dst})
                plan.append({"resource_group": rg, "nsg": names[0], "rule": "%s-%s" % (base, suffix),
                             "properties": props})
        return plan

    def _plan_isolate(self, victims, fault):
        return ["add %s deny rule %s (priority %d) to NSG %s/%s" % (
                    r["properties"]["direction"].lower(), r["rule"], r["properties"]["priority"],
                    r["resource_group"], r["nsg"]) for r in self._rules(victims, fault, "<id>")]

    def _isolate(self, victims, fault):
        record = {"subscription_id": self.subscription_id, "rules": []}
        try:
            for rule in self._rules(victims, fault, fault_id(fault)):
                entry = {k: rule[k] for k in ("resource_group", "nsg", "rule")}
                record["rules"].append(entry)
                self._lro("securityRules.createOrUpdate", self.network.security_rules.begin_create_or_update,
                          rule["resource_group"], rule["nsg"], rule["rule"], {"properties": rule["properties"]})
        except (common.CloudError, FaultError):
            self._restore_isolate(record)
            raise
        return record

    def _restore_isolate(self, record):
        done = []
        for entry in record.get("rules") or []:
            try:
                self.network.security_rules.begin_delete(entry["resource_group"], entry["nsg"], entry["rule"],
                                                         polling_interval=self.poll_interval).result(timeout=self.timeout)
            except Exception as exc:
                if _http_status(exc) == 404:
                    done.append("%s: already deleted" % entry["rule"])
                    continue
                raise common.CloudError(common.describe_error("azure", "securityRules.delete", exc)) from exc
            done.append("%s/%s: rule %s deleted" % (entry["resource_group"], entry["nsg"], entry["rule"]))
        return done
