"""An inventory saved by ``govc object.save`` (the directory ``vcsim -load`` reads), both ways.

The directory holds one file per managed object, ``NNNN-Type-moId.xml``, each an
ObjectContent (``obj`` and every ``propSet`` with its value as vim25 XML). ``fixture_from``
reads one into a fixture (the format of vimsim/fixtures/default.yaml, with the saved moIds,
UUIDs, sizes and guest data), which ``vimsim serve --load DIR`` builds as it builds any fixture;
``save`` writes one from a running server over vim25, as ``govc object.save`` does.

A saved file is read leniently (an element tree, not the schema's codec): govc writes the
schema of its own release, which may lack fields a newer schema requires.
"""
import glob
import math
import http.client
import os
import ssl
import urllib.parse

from lxml import etree

from vimsim.model import fixture as fixtures
from vimsim.soap.codec import escape

GIB = 1024 ** 3
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VIM25 = "urn:vim25"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"

# What ``save`` reads of each inventory type, as govc object.save saves them all.
SAVED_TYPES = ("Folder", "Datacenter", "ComputeResource", "ClusterComputeResource",
               "HostSystem", "ResourcePool", "VirtualApp", "Datastore", "StoragePod", "Network",
               "DistributedVirtualPortgroup", "DistributedVirtualSwitch",
               "VmwareDistributedVirtualSwitch", "OpaqueNetwork", "VirtualMachine")


class SavedInventoryError(ValueError):
    pass


def _tree(el):
    """An element as nested dicts of lists (a leaf as its text)."""
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        return el.text or ""
    out = {}
    for child in children:
        out.setdefault(etree.QName(child).localname, []).append(_tree(child))
    return out


def _get(value, *path, default=None):
    """The first value at ``path`` in a ``_tree``."""
    for key in path:
        if not isinstance(value, dict) or not value.get(key):
            return default
        value = value[key][0]
    return value


def _all(value, *path):
    """Every value at the last step of ``path`` in a ``_tree``."""
    for key in path[:-1]:
        value = _get(value, key)
    return list(value.get(path[-1], ())) if isinstance(value, dict) else []


class SavedObject:
    def __init__(self, type_name, moid, props):
        self.type, self.moid, self.props = type_name, moid, props

    def prop(self, name, *path, default=None):
        value = self.props.get(name)
        if value is None:
            return default
        return _get(value, *path, default=default) if path else value

    @property
    def name(self):
        return self.prop("name", default="")

    @property
    def parent(self):
        return self.prop("parent") or None


def read(directory):
    """The saved objects of ``directory`` by moId (a file that is not an ObjectContent is an
    error naming it)."""
    files = sorted(glob.glob(os.path.join(directory, "*.xml")))
    if not os.path.isdir(directory):
        raise SavedInventoryError("--load %s: not a directory" % directory)
    if not files:
        raise SavedInventoryError("--load %s: no saved objects (*.xml) in it; save one with "
                                  "`govc object.save -d %s` or `vimsim save %s`"
                                  % (directory, directory, directory))
    objects = {}
    for path in files:
        try:
            root = etree.parse(path, etree.XMLParser(resolve_entities=False)).getroot()
        except (etree.XMLSyntaxError, OSError) as exc:
            raise SavedInventoryError("%s: not a saved object (%s)" % (path, exc))
        obj = root.find("{*}obj")
        if etree.QName(root).localname != "ObjectContent" or obj is None or not obj.get("type"):
            raise SavedInventoryError("%s: not a saved object (an ObjectContent with obj)"
                                      % path)
        props = {}
        for prop_set in root.findall("{*}propSet"):
            val = prop_set.find("{*}val")
            if val is not None:
                props[prop_set.findtext("{*}name")] = _tree(val)
        objects[(obj.text or "").strip()] = SavedObject(obj.get("type"), (obj.text or "").strip(),
                                                        props)
    return objects


def fixture_from(directory, base=None):
    """A fixture holding the inventory saved in ``directory``; the users, timings and other
    settings come from ``base`` (a fixture dict), since a saved inventory has none."""
    objects = read(directory)
    by_type = {}
    for obj in objects.values():
        by_type.setdefault(obj.type, []).append(obj)
    data = {k: v for k, v in (base or {}).items() if k not in ("datacenters",)}
    data["datacenters"] = [_datacenter(objects, dc) for dc in by_type.get("Datacenter", ())]
    if not data["datacenters"]:
        raise SavedInventoryError("--load %s: no Datacenter among the saved objects" % directory)
    fixtures.check(data, "--load %s" % directory)  # what was read, as any fixture
    return data


def _under(objects, obj, ancestor_moid):
    """Whether ``obj`` lies below the object ``ancestor_moid``."""
    seen = set()
    while obj is not None and obj.moid not in seen:
        seen.add(obj.moid)
        parent = obj.parent
        if parent == ancestor_moid:
            return True
        obj = objects.get(parent)
    return False


def _datacenter(objects, dc):
    by_parent = {}
    for obj in objects.values():
        by_parent.setdefault(obj.parent, []).append(obj)
    folders = {kind: dc.prop(kind + "Folder") for kind in ("vm", "host", "datastore", "network")}
    inside = {kind: [o for o in objects.values() if _under(objects, o, moid)]
              for kind, moid in folders.items()}
    spec = {"name": dc.name, "moid": dc.moid, "folder_moids": folders,
            "entity_order": _entity_order(objects, folders.values(), inside)}
    # each kind's folders below its top one by moId ("prod/web"), and an entity's folder
    below = {kind: _folder_paths(objects, folders[kind], inside[kind]) for kind in folders}
    for kind, paths in below.items():
        if paths or kind == "vm":
            spec[kind + "_folders"] = [{"path": path, "moid": moid}
                                       for moid, path in paths.items()]

    def placed(entry, obj, kind):
        if obj.parent in below[kind]:
            entry["folder"] = below[kind][obj.parent]
        return entry

    paths = below["vm"]
    spec["datastores"] = [placed(_datastore(o), o, "datastore") for o in inside["datastore"]
                          if o.type == "Datastore"]
    spec["networks"] = [placed({"name": o.name, "moid": o.moid}, o, "network")
                        for o in inside["network"] if o.type == "Network"]
    spec["switches"] = [placed(_switch(objects, o), o, "network") for o in inside["network"]
                        if o.type in ("DistributedVirtualSwitch",
                                      "VmwareDistributedVirtualSwitch")]
    vms = [o for o in inside["vm"] if o.type == "VirtualMachine"]
    portgroups = {_portgroup_key(o): o for o in inside["network"]
                  if o.type == "DistributedVirtualPortgroup"}
    spec["clusters"], spec["hosts"] = [], []
    for compute in inside["host"]:
        if compute.type not in ("ComputeResource", "ClusterComputeResource"):
            continue
        hosts = [o for o in by_parent.get(compute.moid, ()) if o.type == "HostSystem"]
        root_pool = objects.get(compute.prop("resourcePool"))
        pools = _pools_below(by_parent, root_pool) if root_pool is not None else []
        mine = [vm for vm in vms if vm.prop("resourcePool") in
                {p.moid for p in pools} | ({root_pool.moid} if root_pool else set())]
        host_specs = [_host(h) for h in hosts]
        vm_specs = [_vm(objects, portgroups, vm, root_pool,
                        cluster=compute.type != "ComputeResource") for vm in mine]
        for vm, vm_spec in zip(mine, vm_specs):
            if vm.parent in paths:
                vm_spec["folder"] = paths[vm.parent]
        if compute.type == "ComputeResource" and len(hosts) == 1:
            host_specs[0].update(compute_moid=compute.moid,
                                 pool_moid=root_pool.moid if root_pool else None, vms=vm_specs)
            spec["hosts"].append(placed(host_specs[0], compute, "host"))
        else:
            spec["clusters"].append(placed({
                "name": compute.name, "moid": compute.moid,
                "pool_moid": root_pool.moid if root_pool else None,
                "drs": _bool(compute.prop("configurationEx", "drsConfig", "enabled",
                                          default="false")),
                "ha": _bool(compute.prop("configurationEx", "dasConfig", "enabled",
                                         default="false")),
                "hosts": host_specs,
                "pools": [{"name": p.name, "moid": p.moid} for p in pools],
                "vms": vm_specs}, compute, "host"))
    return spec


def _folder_paths(objects, top_folder, inside):
    """``prod/web`` for each folder below ``top_folder`` (a datacenter's vm, host, datastore
    or network folder), by moId, parents first (``inside`` lists them in the saved order)."""
    paths = {}
    for folder in (o for o in inside if o.type == "Folder"):
        names, obj = [], folder
        while obj is not None and obj.moid != top_folder and len(names) <= len(inside):
            names.append(obj.name.replace("/", "%2f"))  # vCenter's escape for a '/' in a name
            obj = objects.get(obj.parent)
        if obj is not None and obj.moid == top_folder:
            paths[folder.moid] = "/".join(reversed(names))
    return dict(sorted(paths.items(), key=lambda item: item[1].count("/")))


def _children(folder):
    return _all(folder.props.get("childEntity") or {}, "ManagedObjectReference")


def _entity_order(objects, top_folders, inside):
    """Each folder's childEntity, in the order saved (a folder lists its children so)."""
    folders = [objects[m] for m in top_folders if m in objects]
    folders += [o for found in inside.values() for o in found if o.type == "Folder"]
    return [moid for folder in folders for moid in _children(folder)]


def _pools_below(by_parent, root_pool):
    """The resource pools under ``root_pool``, nearest first."""
    found, level = [], [root_pool]
    while level:
        level = [o for p in level for o in by_parent.get(p.moid, ()) if o.type == "ResourcePool"]
        found += level
    return found


def _portgroup_key(pg):
    return pg.prop("key") or pg.prop("config", "key") or pg.moid


def _bool(text):
    return str(text).strip().lower() in ("true", "1")


def _number(text, default=0):
    try:
        return float(text)
    except (TypeError, ValueError):
        return default


def _datastore(o):
    spec = {"name": o.name, "moid": o.moid,
            "capacity_gb": _number(o.prop("summary", "capacity")) / GIB,
            "free_gb": _number(o.prop("summary", "freeSpace")) / GIB}
    url = o.prop("summary", "url", default="")
    prefix = "ds:///vmfs/volumes/"
    if url.startswith(prefix):
        spec["uuid"] = url[len(prefix):].strip("/")
    return spec


def _switch(objects, o):
    portgroups = []
    for moid in _all(o.props.get("portgroup") or {}, "ManagedObjectReference"):
        pg = objects.get(moid)
        if pg is not None:
            portgroups.append({"name": pg.name, "moid": pg.moid, "key": _portgroup_key(pg),
                               "ports": int(_number(pg.prop("config", "numPorts")))})
    return {"name": o.name, "moid": o.moid, "type": o.type,
            "uuid": o.prop("uuid") or o.prop("summary", "uuid"), "portgroups": portgroups}


def _host(h):
    spec = {"name": h.name, "moid": h.moid}
    uuid = h.prop("hardware", "systemInfo", "uuid")
    if uuid:
        spec["uuid"] = uuid
    version = h.prop("config", "product", "version") or h.prop("summary", "config", "product",
                                                                 "version")
    if version:
        spec["hypervisor_version"] = version
    return spec


def _vm(objects, portgroups, vm, root_pool, cluster):
    """A VM's fixture entry; ``portgroups`` are its datacenter's by key (a NIC's backing names
    its port group so)."""
    config, guest, runtime = (vm.prop(p) or {} for p in ("config", "guest", "runtime"))
    spec = {"name": vm.name, "moid": vm.moid,
            "uuid": _get(config, "uuid"), "instance_uuid": _get(config, "instanceUuid"),
            "guest_id": _get(config, "guestId", default="otherGuest"),
            "guest_full_name": _get(config, "guestFullName", default=""),
            "cpus": int(_number(_get(config, "hardware", "numCPU"), 1)),
            "memory_mb": int(_number(_get(config, "hardware", "memoryMB"), 32)),
            "power_state": _get(runtime, "powerState", default="poweredOff"),
            "template": _bool(_get(config, "template", default="false")),
            "annotation": _get(config, "annotation", default=""),
            "tools_installed": _get(guest, "toolsStatus") not in ("toolsNotInstalled",),
            "tools_running": _get(guest, "toolsRunningStatus") == "guestToolsRunning",
            "ip": _get(guest, "ipAddress") or None}
    cores = int(_number(_get(config, "hardware", "numCoresPerSocket"), 1))
    if cores > 1 and spec["cpus"] % cores == 0:
        spec["cores_per_socket"] = cores
    if _get(guest, "guestFamily"):
        spec["guest_family"] = _get(guest, "guestFamily")
    if _get(guest, "hostName"):
        spec["hostname"] = _get(guest, "hostName")
    extra = {_get(o, "key"): _get(o, "value", default="") for o in _all(config, "extraConfig")}
    if extra:
        spec["extra_config"] = extra
    devices = _all(_get(config, "hardware") or {}, "device")
    disks = [d for d in devices if _get(d, "capacityInKB")]
    if disks:
        # whole GB, as the model keeps a disk (a smaller one is rounded up)
        spec["disk_gb"] = max(1, math.ceil(_number(_get(disks[0], "capacityInKB")) / 1024 ** 2))
    networks, macs = [], []
    for nic in (d for d in devices if _get(d, "macAddress")):
        macs.append(_get(nic, "macAddress"))
        moid = _get(nic, "backing", "network")
        key = _get(nic, "backing", "port", "portgroupKey")
        net = objects.get(moid) if moid else portgroups.get(key)
        if net is not None:
            networks.append(net.name)
    spec["networks"], spec["macs"] = networks, macs
    spec["datastores"] = [objects[m].name for m in _all(vm.props.get("datastore") or {},
                                                         "ManagedObjectReference")
                          if m in objects]
    pool = vm.prop("resourcePool")
    if root_pool is not None and pool != root_pool.moid and pool in objects:
        spec["pool"] = objects[pool].name
    host = objects.get(_get(runtime, "host"))
    if cluster and host is not None:
        spec["host"] = host.name
    return {k: v for k, v in spec.items() if v is not None or k == "ip"}


# -- saving ------------------------------------------------------------------------------


class _Client:
    """Just enough of a vim25 SOAP client to read every object's properties."""

    def __init__(self, url, user, password, insecure=True):
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SavedInventoryError("not a server URL: %r" % url)
        user = user or urllib.parse.unquote(parts.username or "")
        password = password or urllib.parse.unquote(parts.password or "")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        if parts.scheme == "https":
            context = ssl.create_default_context()
            if insecure:
                context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            self.conn = http.client.HTTPSConnection(parts.hostname, port, context=context)
        else:
            self.conn = http.client.HTTPConnection(parts.hostname, port)
        self.path = parts.path if parts.path not in ("", "/") else "/sdk"
        self.cookie = None
        content = self.call("RetrieveServiceContent", ("ServiceInstance", "ServiceInstance"),
                            "")[0]
        self.content = content
        manager = content.find("{%s}sessionManager" % VIM25)
        self.call("Login", ("SessionManager", manager.text),
                  "<userName>%s</userName><password>%s</password>"
                  % (escape(user), escape(password)))

    def call(self, method, this, body):
        envelope = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="%s" '
                    'xmlns:xsi="%s"><soapenv:Body><%s xmlns="%s"><_this type="%s">%s</_this>'
                    '%s</%s></soapenv:Body></soapenv:Envelope>'
                    % (SOAP_ENV, XSI, method, VIM25, this[0], escape(this[1]), body, method))
        headers = {"Content-Type": "text/xml; charset=utf-8",
                   "SOAPAction": "urn:vim25/8.0.3.0"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request("POST", self.path, envelope.encode(), headers)
        response = self.conn.getresponse()
        data = response.read()
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        root = etree.fromstring(data, etree.XMLParser(huge_tree=True, resolve_entities=False))
        fault = root.find(".//{%s}Fault" % SOAP_ENV)
        if fault is not None:
            raise SavedInventoryError("%s: %s" % (method, fault.findtext("faultstring")))
        return root.find(".//{%s}%sResponse" % (VIM25, method))


def _plain(el, parent=None):
    """A copy of ``el`` without namespaces, as govc writes an ObjectContent (xsi:type kept)."""
    tag = etree.QName(el).localname
    copy = etree.Element(tag, nsmap={"xsi": XSI}) if parent is None else \
        etree.SubElement(parent, tag)
    for key, value in el.attrib.items():
        copy.set(key, value)
    copy.text = el.text
    for child in el:
        if isinstance(child.tag, str):
            _plain(child, copy)
    return copy


def save(directory, url, user=None, password=None):
    """Write every managed object the server at ``url`` serves, with all its properties, into
    ``directory`` as govc object.save does. Returns the number of objects written."""
    client = _Client(url, user, password)
    content = client.content
    collector = content.find("{%s}propertyCollector" % VIM25).text
    root_folder = content.find("{%s}rootFolder" % VIM25).text
    view_manager = content.find("{%s}viewManager" % VIM25).text
    view = client.call("CreateContainerView", ("ViewManager", view_manager),
                       '<container type="Folder">%s</container><recursive>true</recursive>'
                       % escape(root_folder))[0].text
    managers = [(el.get("type"), el.text) for el in content if el.get("type")]
    prop_sets = "".join("<propSet><type>%s</type><all>true</all></propSet>" % t
                        for t in sorted(set(SAVED_TYPES) | {t for t, _ in managers}
                                        | {"ServiceInstance"}))
    objects = [("ServiceInstance", "ServiceInstance")] + managers
    object_sets = "".join('<objectSet><obj type="%s">%s</obj></objectSet>' % (t, escape(m))
                          for t, m in objects)
    object_sets += ('<objectSet><obj type="ContainerView">%s</obj><skip>true</skip>'
                    '<selectSet xsi:type="TraversalSpec"><type>ContainerView</type>'
                    '<path>view</path><skip>false</skip></selectSet></objectSet>' % escape(view))
    spec = "<specSet>%s%s</specSet>" % (prop_sets, object_sets)
    found = []
    result = client.call("RetrievePropertiesEx", ("PropertyCollector", collector),
                         spec + "<options/>")
    while result is not None:
        returnval = result.find("{%s}returnval" % VIM25)
        if returnval is None:
            break
        found += returnval.findall("{%s}objects" % VIM25)
        token = returnval.findtext("{%s}token" % VIM25)
        if not token:
            break
        result = client.call("ContinueRetrievePropertiesEx", ("PropertyCollector", collector),
                             "<token>%s</token>" % escape(token))
    os.makedirs(directory, exist_ok=True)
    for i, el in enumerate(found):
        el.tag = "ObjectContent"
        obj = el.find("{%s}obj" % VIM25)
        name = "%04d-%s-%s.xml" % (i, obj.get("type"), urllib.parse.quote(obj.text, safe=""))
        with open(os.path.join(directory, name), "wb") as f:
            f.write(etree.tostring(_plain(el), pretty_print=True))
    client.call("DestroyView", ("ContainerView", view), "")
    return len(found)
