"""Ansible's VMware collections (community.vmware, vmware.vmware, vmware.vmware_rest) against a
``vimsim serve`` process, the way a user runs them: ``ansible-playbook`` from the ``ansible``
package of PyPI, in a venv of its own (``ansible_env.py``).

Ansible starts slowly, so there is one playbook: a block per module (or per group of related
calls), each block running the module and then ``assert`` tasks on what it returned. A failing
block is rescued so that the play goes on, and the JSON callback gives every task's result; each
test below checks one block and reports the task that failed, the module's message and the tail
of its traceback. The blocks run in the order written: the read-only ones first, then the power
operations and the instant clone, then guest customization (a clone of DC0_H0_VM0 customized
by vmware_guest, then customized again by each module that can), the VM lifecycle, the guest
operations (programs with vmware_vm_shell, files with vmware_guest_file_operation), and last
snapshots of DC0_C0_RP0_VM0 (vmware_guest_snapshot, vmware.vmware's vm_snapshot), all removed
at the end.
A registered result outlives its block and hides the play variable of its name (``vm``), so
tasks register under names of their own.
"""
import json
import subprocess

import pytest
import yaml

from .ansible_env import ansible_env, ansible_venv
from .conftest import vimsim_serving

PLAYBOOK = r"""
- name: vimsim through Ansible's VMware collections
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    group/community.vmware.vmware: &vc
      hostname: "{{ vc_host }}"
      port: "{{ vc_port }}"
      username: "{{ vc_user }}"
      password: "{{ vc_password }}"
      validate_certs: false
    group/vmware.vmware.vmware: *vc
    group/vmware.vmware_rest.vmware_rest:
      vcenter_hostname: "{{ vc_host }}:{{ vc_port }}"
      vcenter_username: "{{ vc_user }}"
      vcenter_password: "{{ vc_password }}"
      vcenter_validate_certs: false
  vars:
    vm: DC0_C0_RP0_VM0
    all_vms: [DC0_C0_RP0_VM0, DC0_C0_RP0_VM1, DC0_C0_RP0_NoTools, DC0_H0_VM0, DC0_H0_VM1]
    clone: DC0_C0_RP0_VM0_ansible_ic
    custom_clone: DC0_H0_VM0_ansible_custom
    fail_clone: DC0_H0_VM0_ansible_fail
  tasks:

  - name: community.vmware.vmware_about_info
    block:
    - name: vmware_about_info
      community.vmware.vmware_about_info:
      register: r
    - name: vmware_about_info returns the vCenter's AboutInfo
      assert:
        that:
        - r.about_info.api_type == 'VirtualCenter'
        - r.about_info.product_name == 'VMware vCenter Server'
        - r.about_info.version is match('\d+\.\d+')
        - r.about_info.api_version is match('\d+\.\d+')
        - r.about_info.instance_uuid | length > 0
    rescue: &rescue
    - name: rescued
      debug: {msg: "block failed"}

  - name: community.vmware.vmware_datacenter_info
    block:
    - name: vmware_datacenter_info (all)
      community.vmware.vmware_datacenter_info:
      register: r
    - name: vmware_datacenter_info lists DC0
      assert:
        that:
        - r.datacenter_info | map(attribute='name') | list == ['DC0']
        - r.datacenter_info[0].moid is match('datacenter-')
    - name: vmware_datacenter_info (datacenter DC0)
      community.vmware.vmware_datacenter_info:
        datacenter: DC0
      register: r
    - name: vmware_datacenter_info finds DC0 by name
      assert:
        that:
        - r.datacenter_info | length == 1
        - r.datacenter_info[0].name == 'DC0'
        - r.datacenter_info[0].overall_status in ['green', 'gray']
    rescue: *rescue

  - name: community.vmware.vmware_cluster_info
    block:
    - name: vmware_cluster_info (datacenter DC0)
      community.vmware.vmware_cluster_info:
        datacenter: DC0
      register: r
    - name: vmware_cluster_info returns DC0_C0 with its three hosts
      assert:
        that:
        - r.clusters.keys() | list == ['DC0_C0']
        - r.clusters.DC0_C0.datacenter == 'DC0'
        - r.clusters.DC0_C0.moid is match('domain-c')
        - r.clusters.DC0_C0.hosts | map(attribute='name') | sort == ['DC0_C0_H0', 'DC0_C0_H1', 'DC0_C0_H2']
        - r.clusters.DC0_C0.resource_summary.cpuCapacityMHz > 0
    - name: vmware_cluster_info (cluster_name DC0_C0)
      community.vmware.vmware_cluster_info:
        cluster_name: DC0_C0
      register: r
    - name: vmware_cluster_info finds DC0_C0 by name
      assert:
        that:
        - r.clusters.keys() | list == ['DC0_C0']
    rescue: *rescue

  - name: community.vmware host firewall and vmnic info
    block:
    - name: vmware_host_firewall_info (DC0_H0)
      community.vmware.vmware_host_firewall_info:
        esxi_hostname: DC0_H0
      register: firewall
    - name: vmware_host_vmnic_info (DC0_H0)
      community.vmware.vmware_host_vmnic_info:
        esxi_hostname: DC0_H0
      register: nics
    - name: the host's rulesets and physical NICs
      assert:
        that:
        - firewall.hosts_firewall_info.DC0_H0 | selectattr('key', 'equalto', 'sshServer') | list | length == 1
        - nics.hosts_vmnics_info.DC0_H0.all == ['vmnic0']
    rescue: *rescue

  - name: community.vmware.vmware_host_facts
    block:
    - name: vmware_host_facts (DC0_C0_H0)
      community.vmware.vmware_host_facts:
        esxi_hostname: DC0_C0_H0
      register: r
    - name: vmware_host_facts describes the host
      assert:
        that:
        - r.ansible_facts.ansible_hostname == 'DC0_C0_H0'
        - r.ansible_facts.ansible_distribution == 'VMware ESXi'
        - r.ansible_facts.ansible_distribution_version is match('\d+\.\d+')
        - r.ansible_facts.ansible_host_connection_state == 'connected'
        - r.ansible_facts.ansible_processor_cores > 0
        - r.ansible_facts.ansible_memtotal_mb > 0
        - r.ansible_facts.ansible_datastore | map(attribute='name') | list == ['LocalDS_0']
        - r.ansible_facts.ansible_uuid | length > 0
    rescue: *rescue

  - name: community.vmware.vmware_vm_info
    block:
    - name: vmware_vm_info (all)
      community.vmware.vmware_vm_info:
      register: r
    - name: vmware_vm_info lists every VM
      assert:
        that:
        - r.virtual_machines | map(attribute='guest_name') | sort == all_vms | sort
    - name: vmware_vm_info (vm_name {{ vm }})
      community.vmware.vmware_vm_info:
        vm_name: "{{ vm }}"
      register: r
    - name: vmware_vm_info describes {{ vm }}
      assert:
        that:
        - r.virtual_machines | length == 1
        - r.virtual_machines[0].guest_name == vm
        - r.virtual_machines[0].power_state == 'poweredOn'
        - r.virtual_machines[0].datacenter == 'DC0'
        - r.virtual_machines[0].cluster == 'DC0_C0'
        - r.virtual_machines[0].esxi_hostname is match('DC0_C0_H')
        - r.virtual_machines[0].folder == '/DC0/vm'
        - r.virtual_machines[0].moid is match('vm-')
        - r.virtual_machines[0].uuid | length == 36
        - r.virtual_machines[0].vm_network | length > 0
    rescue: *rescue

  - name: community.vmware.vmware_guest_info
    block:
    - name: vmware_guest_info ({{ vm }})
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ vm }}"
      register: r
    - name: vmware_guest_info describes {{ vm }}
      assert:
        that:
        - r.instance.hw_name == vm
        - r.instance.hw_power_status == 'poweredOn'
        - r.instance.hw_guest_id == 'otherLinux64Guest'
        - r.instance.hw_processor_count == 1
        - r.instance.hw_memtotal_mb == 32
        - r.instance.hw_datastores == ['LocalDS_0']
        - r.instance.hw_esxi_host is match('DC0_C0_H')
        - r.instance.hw_folder == '/DC0/vm'
        - r.instance.guest_tools_status == 'guestToolsRunning'
        - r.instance.moid is match('vm-')
        - r.instance.instance_uuid | length == 36
        - r.instance.hw_interfaces == ['eth0']
        - r.instance.snapshots == []
    - name: vmware_guest_info (uuid, SearchIndex.FindByUuid)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        uuid: "{{ r.instance.hw_product_uuid }}"
      register: by_uuid
    - name: vmware_guest_info finds the same VM by its BIOS UUID
      assert:
        that:
        - by_uuid.instance.moid == r.instance.moid
    - name: vmware_guest_info (schema vsphere, properties)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ vm }}"
        schema: vsphere
        properties: [config.hardware.numCPU, runtime.powerState, guest.toolsRunningStatus]
      register: r
    - name: vmware_guest_info returns the vSphere properties asked for
      assert:
        that:
        - r.instance.config.hardware.numCPU == 1
        - r.instance.runtime.powerState == 'poweredOn'
        - r.instance.guest.toolsRunningStatus == 'guestToolsRunning'
    rescue: *rescue

  - name: community.vmware.vmware_guest_find
    block:
    - name: vmware_guest_find ({{ vm }})
      community.vmware.vmware_guest_find:
        name: "{{ vm }}"
      register: r
    - name: vmware_guest_find returns the VM's folder
      assert:
        that:
        - r.folders == ['/DC0/vm']
    rescue: *rescue

  - name: community.vmware.vmware_guest_disk_info
    block:
    - name: vmware_guest_disk_info ({{ vm }})
      community.vmware.vmware_guest_disk_info:
        datacenter: DC0
        name: "{{ vm }}"
      register: r
    - name: vmware_guest_disk_info returns the VM's disk
      assert:
        that:
        - r.guest_disk_info | length >= 1
        - r.guest_disk_info['0'].label == 'Hard disk 1'
        - r.guest_disk_info['0'].capacity_in_kb > 0
        - r.guest_disk_info['0'].backing_datastore == 'LocalDS_0'
        - r.guest_disk_info['0'].backing_filename is match('\[LocalDS_0\] ')
        - r.guest_disk_info['0'].controller_type | length > 0
    rescue: *rescue

  - name: community.vmware.vmware_guest_network
    block:
    - name: vmware_guest_network (gather_network_info, {{ vm }})
      community.vmware.vmware_guest_network:
        datacenter: DC0
        name: "{{ vm }}"
        gather_network_info: true
      register: r
    - name: vmware_guest_network lists the VM's adapter
      assert:
        that:
        - r.changed == false
        - r.network_info | length >= 1
        - r.network_info[0].network_name == 'VM Network'
        - r.network_info[0].mac_address is match('([0-9a-f]{2}:){5}[0-9a-f]{2}', ignorecase=true)
        - r.network_info[0].label == 'Network adapter 1'
        - r.network_info[0].connected
    rescue: *rescue

  - name: community.vmware.vmware_guest_snapshot_info
    block:
    - name: vmware_guest_snapshot_info ({{ vm }})
      community.vmware.vmware_guest_snapshot_info:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
      register: r
    - name: vmware_guest_snapshot_info finds no snapshot
      assert:
        that:
        - r.guest_snapshots == {}
    rescue: *rescue

  - name: community.vmware.vmware_guest_tools_info
    block:
    - name: vmware_guest_tools_info ({{ vm }})
      community.vmware.vmware_guest_tools_info:
        datacenter: DC0
        name: "{{ vm }}"
      register: r
    - name: vmware_guest_tools_info says the tools run
      assert:
        that:
        - r.vmtools_info.vm_name == vm
        - r.vmtools_info.vm_tools_running_status == 'guestToolsRunning'
        - r.vmtools_info.vm_guest_id == 'otherLinux64Guest'
        - r.vmtools_info.vm_tools_version_status | length > 0
    - name: vmware_guest_tools_info (DC0_C0_RP0_NoTools)
      community.vmware.vmware_guest_tools_info:
        datacenter: DC0
        name: DC0_C0_RP0_NoTools
      register: r
    - name: vmware_guest_tools_info says the tools do not run
      assert:
        that:
        - r.vmtools_info.vm_tools_running_status == 'guestToolsNotRunning'
    rescue: *rescue

  - name: community.vmware.vmware_guest_tools_wait
    block:
    - name: vmware_guest_tools_wait ({{ vm }})
      community.vmware.vmware_guest_tools_wait:
        name: "{{ vm }}"
        timeout: 60
      register: r
    - name: vmware_guest_tools_wait returns the VM once its tools run
      assert:
        that:
        - r.instance.hw_name == vm
        - r.instance.guest_tools_status == 'guestToolsRunning'
    rescue: *rescue

  - name: community.vmware.vmware_object_role_permission_info
    block:
    - name: vmware_object_role_permission_info (Datacenter DC0)
      community.vmware.vmware_object_role_permission_info:
        object_name: DC0
        object_type: Datacenter
      register: r
    - name: vmware_object_role_permission_info shows the Admin user's inherited permission
      assert:
        that:
        - admin | length > 0
        - admin[0].role_name == 'Administrator'
        - admin[0].propagate
      vars:
        admin: "{{ r.permission_info | selectattr('principal', 'search', vc_user) | selectattr('role_id', 'equalto', -1) | list }}"
    rescue: *rescue

  - name: community.vmware.vmware_guest_powerstate
    block:
    - name: vmware_guest_powerstate powered-off (DC0_C0_RP0_VM1)
      community.vmware.vmware_guest_powerstate:
        name: DC0_C0_RP0_VM1
        state: powered-off
      register: r
    - name: vmware_guest_powerstate powered the VM off
      assert:
        that:
        - r.changed
        - r.instance.hw_power_status == 'poweredOff'
    - name: vmware_guest_powerstate powered-off again
      community.vmware.vmware_guest_powerstate:
        name: DC0_C0_RP0_VM1
        state: powered-off
      register: r
    - name: vmware_guest_powerstate changes nothing the second time
      assert:
        that:
        - not r.changed
    - name: vmware_guest_powerstate powered-on
      community.vmware.vmware_guest_powerstate:
        name: DC0_C0_RP0_VM1
        state: powered-on
      register: r
    - name: vmware_guest_powerstate powered the VM on
      assert:
        that:
        - r.changed
        - r.instance.hw_power_status == 'poweredOn'
    - name: vmware_guest_powerstate restarted
      community.vmware.vmware_guest_powerstate:
        name: DC0_C0_RP0_VM1
        state: restarted
      register: r
    - name: vmware_guest_powerstate reset the VM
      assert:
        that:
        - r.changed
        - r.instance.hw_power_status == 'poweredOn'
    - name: vmware_vm_info after the power operations
      community.vmware.vmware_vm_info:
        vm_name: DC0_C0_RP0_VM1
      register: r
    - name: the VM is on
      assert:
        that:
        - r.virtual_machines[0].power_state == 'poweredOn'
    rescue: *rescue

  - name: community.vmware.vmware_guest_instant_clone
    block:
    - name: vmware_guest_instant_clone ({{ vm }} to {{ clone }}, guestinfo_vars)
      community.vmware.vmware_guest_instant_clone:
        name: "{{ clone }}"
        parent_vm: "{{ vm }}"
        datacenter: DC0
        host: DC0_C0_H0
        datastore: LocalDS_0
        folder: /DC0/vm
        vm_username: root
        vm_password: vmware
        guestinfo_vars:
        - hostname: ansible-ic
          ipaddress: 10.10.10.50
          netmask: 255.255.255.0
          gateway: 10.10.10.1
          dns: 10.10.10.2
          domain: example.com
        # The module polls every 15 s for the tools to go down and come back after its
        # RebootGuest; the auto clock reboots at once, so it would never see them down.
        wait_vm_tools: false
      register: r
    - name: vmware_guest_instant_clone made the clone
      assert:
        that:
        - r.changed
        - r.vm_info.vm_name == clone
        - r.vm_info.host == 'DC0_C0_H0'
        - r.vm_info.datastore == ['LocalDS_0']
        - r.vm_info.vm_folder == '/DC0/vm'
        - r.vm_info.instance_uuid | length == 36
    - name: vmware_guest_tools_wait ({{ clone }}, after the guest reboot)
      community.vmware.vmware_guest_tools_wait:
        name: "{{ clone }}"
        timeout: 60
    - name: vmware_guest_info ({{ clone }})
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ clone }}"
      register: r
    - name: the clone runs, with the guestinfo variables and the customized identity
      assert:
        that:
        - r.instance.hw_name == clone
        - r.instance.hw_power_status == 'poweredOn'
        - r.instance.hw_esxi_host == 'DC0_C0_H0'
        - r.instance.guest_tools_status == 'guestToolsRunning'
        - r.instance.advanced_settings['guestinfo.ic.hostname'] == 'ansible-ic'
        - r.instance.advanced_settings['guestinfo.ic.ipaddress'] == '10.10.10.50'
        - r.instance.ipv4 == '10.10.10.50'
    - name: vmware_guest_info ({{ clone }}, the guest's identity after its reboot)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ clone }}"
        schema: vsphere
        properties: [guest.hostName, guest.ipAddress, guest.net, guest.ipStack, guest.customizationInfo]
      register: g
    - name: the clone's guest came up with the host name, address, gateway and DNS asked for
      assert:
        that:
        - g.instance.guest.hostName == 'ansible-ic'
        - g.instance.guest.ipAddress == '10.10.10.50'
        - g.instance.guest.net[0].ipConfig.ipAddress[0].prefixLength == 24
        - g.instance.guest.ipStack[0].dnsConfig.ipAddress == ['10.10.10.2']
        - g.instance.guest.ipStack[0].dnsConfig.domainName == 'example.com'
        - "'10.10.10.1' in (g.instance.guest.ipStack[0].ipRouteConfig.ipRoute | map(attribute='gateway') | map(attribute='ipAddress') | list)"
        - g.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_SUCCEEDED'
    rescue: *rescue

  - name: vmware.vmware.guest_info
    block:
    - name: guest_info ({{ vm }})
      vmware.vmware.guest_info:
        name: "{{ vm }}"
      register: r
    - name: guest_info describes {{ vm }}
      assert:
        that:
        - r.guests | length == 1
        - r.guests[0].hw_name == vm
        - r.guests[0].hw_power_status == 'poweredOn'
        - r.guests[0].hw_processor_count == 1
        - r.guests[0].hw_memtotal_mb == 32
        - r.guests[0].guest_tools_status == 'guestToolsRunning'
        - r.guests[0].moid is match('vm-')
        - r.guests[0].identity.family == 'LINUX'
        - r.guests[0].identity.host_name | length > 0
    - name: guest_info (uuid, SearchIndex.FindByUuid with the instance UUID)
      vmware.vmware.guest_info:
        uuid: "{{ r.guests[0].instance_uuid }}"
      register: by_uuid
    - name: guest_info finds the same VM by its instance UUID
      assert:
        that:
        - by_uuid.guests | map(attribute='moid') | list == [r.guests[0].moid]
    - name: guest_info (all VMs)
      vmware.vmware.guest_info:
      register: r
    - name: guest_info lists every VM
      assert:
        that:
        - all_vms | difference(r.guests | map(attribute='hw_name')) == []
    rescue: *rescue

  - name: vmware.vmware.vm_powerstate
    block:
    - name: vm_powerstate powered-off (DC0_H0_VM1)
      vmware.vmware.vm_powerstate:
        datacenter: DC0
        name: DC0_H0_VM1
        state: powered-off
      register: r
    - name: vm_powerstate powered the VM off
      assert:
        that:
        - r.changed
        - r.vm.name == 'DC0_H0_VM1'
        - r.vm.moid is match('vm-')
    - name: vm_powerstate powered-on (DC0_H0_VM1)
      vmware.vmware.vm_powerstate:
        datacenter: DC0
        name: DC0_H0_VM1
        state: powered-on
      register: r
    - name: vm_powerstate powered the VM on
      assert:
        that:
        - r.changed
    - name: vmware_vm_info after vm_powerstate
      community.vmware.vmware_vm_info:
        vm_name: DC0_H0_VM1
      register: r
    - name: the VM is on
      assert:
        that:
        - r.virtual_machines[0].power_state == 'poweredOn'
    rescue: *rescue

  - name: vmware.vmware_rest.vcenter_vm_info
    block:
    - name: vcenter_vm_info (all)
      vmware.vmware_rest.vcenter_vm_info:
      register: r
    - name: vcenter_vm_info lists every VM
      assert:
        that:
        - all_vms | difference(r.value | map(attribute='name')) == []
        - r.value | map(attribute='vm') | select('match', 'vm-') | list | length == r.value | length
    - name: vcenter_vm_info (filter_names DC0_H0_VM0)
      vmware.vmware_rest.vcenter_vm_info:
        filter_names: [DC0_H0_VM0]
      register: r
    - name: vcenter_vm_info filters by name
      assert:
        that:
        - r.value | length == 1
        - r.value[0].name == 'DC0_H0_VM0'
        - r.value[0].power_state == 'POWERED_ON'
        - r.value[0].cpu_count == 1
        - r.value[0].memory_size_MiB == 32
    - name: vcenter_vm_info (vm {{ r.value[0].vm }})
      vmware.vmware_rest.vcenter_vm_info:
        vm: "{{ r.value[0].vm }}"
      register: one
    - name: vcenter_vm_info describes one VM
      assert:
        that:
        - one.id == r.value[0].vm
        - one.value.name == 'DC0_H0_VM0'
        - one.value.power_state == 'POWERED_ON'
        - one.value.cpu.count == 1
        - one.value.memory.size_MiB == 32
        - one.value.guest_OS == 'OTHER_LINUX_64'
        - one.value.nics | length >= 1
        - one.value.disks | length >= 1
    rescue: *rescue

  - name: vmware.vmware_rest hardware and inventory info
    block:
    - name: vcenter_vm_info (filter_names DC0_H0_VM0) for its id
      vmware.vmware_rest.vcenter_vm_info:
        filter_names: [DC0_H0_VM0]
      register: r
    - name: vcenter_vm_hardware_info
      vmware.vmware_rest.vcenter_vm_hardware_info:
        vm: "{{ r.value[0].vm }}"
      register: hardware
    - name: vcenter_vm_hardware_disk_info
      vmware.vmware_rest.vcenter_vm_hardware_disk_info:
        vm: "{{ r.value[0].vm }}"
      register: disks
    - name: vcenter_vm_guest_networking_interfaces_info
      vmware.vmware_rest.vcenter_vm_guest_networking_interfaces_info:
        vm: "{{ r.value[0].vm }}"
      register: interfaces
    - name: vcenter_datastore_info (all)
      vmware.vmware_rest.vcenter_datastore_info:
      register: datastores
    - name: vcenter_datastore_info (one)
      vmware.vmware_rest.vcenter_datastore_info:
        datastore: "{{ datastores.value[0].datastore }}"
      register: datastore
    - name: the VM's hardware, disks, guest interfaces and its datastore
      assert:
        that:
        - hardware.value.version == 'VMX_19'
        - disks.value | length == 1
        - interfaces.value | length == 1
        - interfaces.value[0].mac_address is match('00:50:56:')
        - datastore.value.name == 'LocalDS_0'
        - datastore.value.capacity > datastore.value.free_space
    rescue: *rescue

  - name: vmware.vmware_rest.vcenter_vm_power
    # The module reports changed=false whatever happens (vmware.vmware_rest#389): the power
    # state is read back with vcenter_vm_info instead.
    block:
    - name: vcenter_vm_info (filter_names DC0_H0_VM0) for its id
      vmware.vmware_rest.vcenter_vm_info:
        filter_names: [DC0_H0_VM0]
      register: r
    - name: vcenter_vm_power stop
      vmware.vmware_rest.vcenter_vm_power:
        vm: "{{ r.value[0].vm }}"
        state: stop
    - name: vcenter_vm_info after stop
      vmware.vmware_rest.vcenter_vm_info:
        vm: "{{ r.value[0].vm }}"
      register: one
    - name: the VM is off
      assert:
        that:
        - one.value.power_state == 'POWERED_OFF'
    - name: vcenter_vm_power stop again (already in the desired state, not a failure)
      vmware.vmware_rest.vcenter_vm_power:
        vm: "{{ r.value[0].vm }}"
        state: stop
    - name: vcenter_vm_power start
      vmware.vmware_rest.vcenter_vm_power:
        vm: "{{ r.value[0].vm }}"
        state: start
    - name: vcenter_vm_power reset
      vmware.vmware_rest.vcenter_vm_power:
        vm: "{{ r.value[0].vm }}"
        state: reset
    - name: vcenter_vm_info after start and reset
      vmware.vmware_rest.vcenter_vm_info:
        vm: "{{ r.value[0].vm }}"
      register: one
    - name: the VM is on again
      assert:
        that:
        - one.value.power_state == 'POWERED_ON'
    rescue: *rescue
  - name: community.vmware.vmware_guest (clone with customization)
    block:
    - name: vmware_guest (clone DC0_H0_VM0 to {{ custom_clone }}, customization, static networks)
      community.vmware.vmware_guest:
        name: "{{ custom_clone }}"
        template: DC0_H0_VM0
        datacenter: DC0
        folder: /DC0/vm
        esxi_hostname: DC0_H0
        networks:
        - name: VM Network
          ip: 10.0.20.15
          netmask: 255.255.255.0
          gateway: 10.0.20.1
        customization:
          hostname: ansible-custom
          domain: example.com
          dns_servers: [10.0.20.2]
        state: poweredon
        wait_for_customization: true
      register: r
    - name: vmware_guest returns the clone, on, with the address asked for
      assert:
        that:
        - r.changed
        - r.instance.hw_name == custom_clone
        - r.instance.hw_power_status == 'poweredOn'
        - r.instance.hw_esxi_host == 'DC0_H0'
        - r.instance.hw_folder == '/DC0/vm'
        - r.instance.ipv4 == '10.0.20.15'
        - r.instance.hw_eth0.ipaddresses == ['10.0.20.15']
    - name: vmware_guest_info ({{ custom_clone }}, the guest's identity)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ custom_clone }}"
        schema: vsphere
        properties: [guest.hostName, guest.ipAddress, guest.customizationInfo, config.tools.pendingCustomization]
      register: g
    - name: the clone's guest ran the customization
      assert:
        that:
        - g.instance.guest.hostName == 'ansible-custom'
        - g.instance.guest.ipAddress == '10.0.20.15'
        - g.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_SUCCEEDED'
        - g.instance.config.tools.pendingCustomization is none
    rescue: *rescue

  - name: community.vmware.vmware_guest (customization of an existing VM)
    block:
    - name: vmware_guest_powerstate powered-off ({{ custom_clone }})
      community.vmware.vmware_guest_powerstate:
        name: "{{ custom_clone }}"
        state: powered-off
    - name: vmware_guest (customization existing_vm, CustomizeVM_Task)
      community.vmware.vmware_guest:
        name: "{{ custom_clone }}"
        datacenter: DC0
        folder: /DC0/vm
        networks:
        - name: VM Network
          ip: 10.0.20.18
          netmask: 255.255.255.0
          gateway: 10.0.20.1
        customization:
          existing_vm: true
          hostname: ansible-existing
          domain: example.com
        wait_for_customization: true
      register: r
    - name: vmware_guest_info ({{ custom_clone }}, after the customization)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ custom_clone }}"
        schema: vsphere
        properties: [runtime.powerState, guest.hostName, guest.ipAddress]
      register: g
    - name: the VM powered on and its guest took the new identity
      assert:
        that:
        - r.changed
        - r.changes.customization
        - g.instance.runtime.powerState == 'poweredOn'
        - g.instance.guest.hostName == 'ansible-existing'
        - g.instance.guest.ipAddress == '10.0.20.18'
    rescue: *rescue

  - name: community.vmware.vmware_guest (a customization the guest fails)
    block:
    - name: POST /vimsim/v1/rules (the guest of {{ fail_clone }} fails its next customization)
      uri:
        url: "https://{{ vc_host }}:{{ vc_port }}/vimsim/v1/rules"
        method: POST
        user: "{{ vc_user }}"
        password: "{{ vc_password }}"
        force_basic_auth: true
        validate_certs: false
        body_format: json
        body:
          operation: CustomizeVM_Task
          target: "{{ fail_clone }}"
          action: guest_fail
          message: Unable to set the host name
          event: CustomizationLinuxIdentityFailed
        status_code: 201
    - name: vmware_guest (clone DC0_H0_VM0 to {{ fail_clone }}, powered off)
      community.vmware.vmware_guest:
        name: "{{ fail_clone }}"
        template: DC0_H0_VM0
        datacenter: DC0
        folder: /DC0/vm
        esxi_hostname: DC0_H0
        state: poweredoff
    - name: vmware_guest (customization existing_vm, no settings for the VM's NIC)
      community.vmware.vmware_guest:
        name: "{{ fail_clone }}"
        datacenter: DC0
        folder: /DC0/vm
        customization:
          existing_vm: true
          hostname: never-set
          domain: example.com
      register: nonic
      failed_when: false  # the failure is what is checked below
    - name: vCenter refuses a spec that sets up none of the VM's NICs
      assert:
        that:
        - nonic.msg is search('The number of network adapter settings in the customization specification. 0 does not match the number of network adapters present in the virtual machine. 1.')
    - name: vmware_guest (customization existing_vm, which the guest fails)
      community.vmware.vmware_guest:
        name: "{{ fail_clone }}"
        datacenter: DC0
        folder: /DC0/vm
        networks:
        - name: VM Network
          type: dhcp
        customization:
          existing_vm: true
          hostname: never-set
          domain: example.com
        wait_for_customization: true
      register: r
      failed_when: false  # the failure is what is checked below
    - name: vmware_guest_info ({{ fail_clone }}, after the failure)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ fail_clone }}"
        schema: vsphere
        properties: [guest.hostName, guest.customizationInfo]
      register: g
    - name: the module saw the failure event, in vCenter's words, and the guest kept its name
      assert:
        that:
        - r.msg == 'Customization failed. For detailed information see warnings'
        - r.warnings | join(' ') is search('Customization failed with error {CustomizationLinuxIdentityFailed}')
        - r.warnings | join(' ') is search('An error occurred while setting up Linux identity')
        - g.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_FAILED'
        - g.instance.guest.customizationInfo.errorMsg == 'Unable to set the host name'
        - g.instance.guest.hostName != 'never-set'
    - name: vmware_guest ({{ fail_clone }} absent)
      community.vmware.vmware_guest:
        name: "{{ fail_clone }}"
        datacenter: DC0
        state: absent
        force: true
    rescue: *rescue

  - name: community.vmware.vmware_guest_customization_info
    block:
    - name: POST /api/session (to create a spec over REST)
      uri:
        url: "https://{{ vc_host }}:{{ vc_port }}/api/session"
        method: POST
        user: "{{ vc_user }}"
        password: "{{ vc_password }}"
        force_basic_auth: true
        validate_certs: false
        status_code: 201
      register: session
    - name: POST /api/vcenter/guest/customization-specs (ansible-rest)
      uri:
        url: "https://{{ vc_host }}:{{ vc_port }}/api/vcenter/guest/customization-specs"
        method: POST
        headers: {vmware-api-session-id: "{{ session.json }}"}
        body_format: json
        body:
          name: ansible-rest
          description: made over REST
          spec:
            configuration_spec:
              linux_config:
                hostname: {type: FIXED, fixed_name: rest-host}
                domain: example.org
                time_zone: Europe/Paris
            global_DNS_settings: {dns_servers: [10.0.30.2], dns_suffix_list: [example.org]}
            interfaces:
            - adapter:
                ipv4: {type: STATIC, ip_address: 10.0.30.15, prefix: 24, gateways: [10.0.30.1]}
        validate_certs: false
        status_code: 201
    - name: vmware_guest_customization_info (all)
      community.vmware.vmware_guest_customization_info:
      register: all
    - name: vmware_guest_customization_info (spec_name linux-web)
      community.vmware.vmware_guest_customization_info:
        spec_name: linux-web
      register: web
    - name: vmware_guest_customization_info (spec_name nosuch)
      community.vmware.vmware_guest_customization_info:
        spec_name: nosuch
      register: missing
      failed_when: false          # the failure is what the assert below checks
    - name: the fixture's specs and the one made over REST, as SOAP reads them
      assert:
        that:
        - all.custom_spec_info.keys() | sort == ['ansible-rest', 'linux-dhcp', 'linux-web']
        - all.custom_spec_info['linux-dhcp'].type == 'Linux'
        - all.custom_spec_info['linux-dhcp'].nic_setting_map | length == 1
        - rest.description == 'made over REST'
        - rest.type == 'Linux'
        - rest.hostname == 'rest-host'
        - rest.domain == 'example.org'
        - rest.time_zone == 'Europe/Paris'
        - rest.dns_server_list == ['10.0.30.2']
        - rest.dns_suffix_list == ['example.org']
        - rest.nic_setting_map | map(attribute='ip_address') | list == ['10.0.30.15']
        - rest.nic_setting_map[0].subnet_mask == '255.255.255.0'
        - rest.nic_setting_map[0].gateway == ['10.0.30.1']
        - rest.change_version | int > 0
        - rest.last_updated_time | length > 0
        - web.custom_spec_info.keys() | list == ['linux-web']
        - web.custom_spec_info['linux-web'].hostname == 'web'
        - web.custom_spec_info['linux-web'].nic_setting_map[0].ip_address == '10.0.10.10'
        - missing.msg == "Unable to find customization specification named 'nosuch'"
      vars:
        rest: "{{ all.custom_spec_info['ansible-rest'] }}"
    rescue: *rescue

  - name: community.vmware.vmware_guest (clone with customization_spec)
    block:
    - name: vmware_guest (clone DC0_H0_VM0 onto DC0_C0 with the spec ansible-rest)
      community.vmware.vmware_guest:
        name: DC0_H0_VM0_ansible_spec
        template: DC0_H0_VM0
        datacenter: DC0
        folder: /DC0/vm
        cluster: DC0_C0
        customization_spec: ansible-rest
        state: poweredon
        wait_for_customization: true
      register: r
    - name: vmware_guest_info (DC0_H0_VM0_ansible_spec)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: DC0_H0_VM0_ansible_spec
        schema: vsphere
        properties: [guest.hostName, guest.ipAddress]
      register: g
    - name: the clone runs in the cluster with the named spec's identity
      assert:
        that:
        - r.changed
        - r.instance.hw_esxi_host is match('DC0_C0_H')
        - r.instance.ipv4 == '10.0.30.15'
        - g.instance.guest.hostName == 'rest-host'
        - g.instance.guest.ipAddress == '10.0.30.15'
    rescue: *rescue

  - name: vmware.vmware.vm_apply_customization
    # The module is not in the collection's action group: module_defaults do not reach it.
    block:
    - name: vmware_guest_powerstate powered-off ({{ custom_clone }})
      community.vmware.vmware_guest_powerstate:
        name: "{{ custom_clone }}"
        state: powered-off
    - name: vm_apply_customization (unix_prep, static IPv4)
      vmware.vmware.vm_apply_customization:
        <<: *vc
        datacenter: DC0
        name: "{{ custom_clone }}"
        unix_prep:
          hostname: ansible-applied
          domain: example.net
        nic_specific_settings:
        - ipv4: {address: 10.0.20.16, subnet_mask: 255.255.255.0, gateways: [10.0.20.1]}
          dns_servers: [10.0.20.2]
        global_dns: {servers: [10.0.20.2]}
      register: r
    - name: vmware_guest_info ({{ custom_clone }}, pending)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ custom_clone }}"
        schema: vsphere
        properties: [config.tools.pendingCustomization, guest.customizationInfo]
      register: pending
    - name: vm_apply_customization again (existing_spec_name, while one is pending)
      vmware.vmware.vm_apply_customization:
        <<: *vc
        datacenter: DC0
        name: "{{ custom_clone }}"
        existing_spec_name: ansible-rest
        use_dhcpv4_for_all_nics: true
        global_dns: {}
      register: again
      failed_when: false          # the failure is what the assert below checks
    - name: the customization waits for the next boot, and a second one is refused
      assert:
        that:
        - r.changed
        - r.vm.name == custom_clone
        - pending.instance.config.tools.pendingCustomization | length > 0
        - pending.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_PENDING'
        - again.msg is search('A customization is already pending')
    - name: vmware_guest_powerstate powered-on ({{ custom_clone }})
      community.vmware.vmware_guest_powerstate:
        name: "{{ custom_clone }}"
        state: powered-on
    - name: vmware_guest_info ({{ custom_clone }}) until the guest has customized
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ custom_clone }}"
        schema: vsphere
        properties: [guest.hostName, guest.ipAddress, guest.customizationInfo]
      register: g
      until: g.instance.guest.customizationInfo.customizationStatus in ['TOOLSDEPLOYPKG_SUCCEEDED', 'TOOLSDEPLOYPKG_FAILED']
      retries: 10
      delay: 1
    - name: the guest took the applied identity at boot
      assert:
        that:
        - g.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_SUCCEEDED'
        - g.instance.guest.hostName == 'ansible-applied'
        - g.instance.guest.ipAddress == '10.0.20.16'
    rescue: *rescue

  - name: vmware.vmware_rest.vcenter_vm_guest_customization
    block:
    - name: vcenter_vm_info (filter_names {{ custom_clone }}) for its id
      vmware.vmware_rest.vcenter_vm_info:
        filter_names: ["{{ custom_clone }}"]
      register: found
    - name: vcenter_vm_power stop
      vmware.vmware_rest.vcenter_vm_power:
        vm: "{{ found.value[0].vm }}"
        state: stop
    - name: vcenter_vm_guest_customization (linux_config, static IPv4)
      vmware.vmware_rest.vcenter_vm_guest_customization:
        vm: "{{ found.value[0].vm }}"
        configuration_spec:
          linux_config:
            domain: example.com
            hostname: {type: FIXED, fixed_name: ansible-vapi}
        global_DNS_settings: {dns_servers: [10.0.20.2]}
        interfaces:
        - adapter:
            ipv4: {type: STATIC, ip_address: 10.0.20.17, prefix: 24, gateways: [10.0.20.1]}
      register: r
    - name: vmware_guest_info ({{ custom_clone }}, pending)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ custom_clone }}"
        schema: vsphere
        properties: [config.tools.pendingCustomization, guest.customizationInfo]
      register: pending
    - name: vcenter_vm_power start
      vmware.vmware_rest.vcenter_vm_power:
        vm: "{{ found.value[0].vm }}"
        state: start
    - name: vmware_guest_info ({{ custom_clone }}) until the guest has customized
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ custom_clone }}"
        schema: vsphere
        properties: [guest.hostName, guest.ipAddress, guest.customizationInfo]
      register: g
      until: g.instance.guest.customizationInfo.customizationStatus in ['TOOLSDEPLOYPKG_SUCCEEDED', 'TOOLSDEPLOYPKG_FAILED']
      retries: 10
      delay: 1
    - name: the REST spec was pending, then the guest took it at boot
      assert:
        that:
        - r.changed
        - pending.instance.config.tools.pendingCustomization | length > 0
        - pending.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_PENDING'
        - g.instance.guest.customizationInfo.customizationStatus == 'TOOLSDEPLOYPKG_SUCCEEDED'
        - g.instance.guest.hostName == 'ansible-vapi'
        - g.instance.guest.ipAddress == '10.0.20.17'
    rescue: *rescue

  - name: community.vmware.vmware_guest lifecycle
    block:
    - name: vmware_guest state present (a new VM from nothing)
      community.vmware.vmware_guest:
        name: ansible_made
        datacenter: DC0
        folder: /DC0/vm
        esxi_hostname: DC0_H0
        guest_id: ubuntu64Guest
        hardware: {num_cpus: 2, memory_mb: 1024, scsi: paravirtual}
        disk:
        - {size_gb: 2, type: thin, datastore: LocalDS_0}
        networks:
        - {name: VM Network, device_type: vmxnet3}
        cdrom:
        - {controller_number: 0, unit_number: 0, type: client}
        state: present
      register: made
    - name: vmware_guest state present again (nothing to change)
      community.vmware.vmware_guest:
        name: ansible_made
        datacenter: DC0
        folder: /DC0/vm
        state: present
      register: again
    - name: vmware_guest reconfigured (CPUs, memory, a larger disk, a second disk)
      community.vmware.vmware_guest:
        name: ansible_made
        datacenter: DC0
        folder: /DC0/vm
        hardware: {num_cpus: 4, memory_mb: 2048}
        disk:
        - {size_gb: 3, type: thin, datastore: LocalDS_0}
        - {size_gb: 1, type: thin, datastore: LocalDS_0}
        state: present
      register: changed
    - name: vmware_guest_disk_info (ansible_made)
      community.vmware.vmware_guest_disk_info:
        datacenter: DC0
        name: ansible_made
      register: disks
    - name: vmware_guest state absent
      community.vmware.vmware_guest:
        name: ansible_made
        datacenter: DC0
        folder: /DC0/vm
        state: absent
      register: gone
    - name: vmware_vm_info (after absent)
      community.vmware.vmware_vm_info:
      register: after
    - name: the VM was made as asked, changed, then removed
      assert:
        that:
        - made.changed
        - made.instance.hw_name == 'ansible_made'
        - made.instance.hw_processor_count == 2
        - made.instance.hw_memtotal_mb == 1024
        - made.instance.hw_power_status == 'poweredOff'
        - made.instance.hw_esxi_host == 'DC0_H0'
        - made.instance.hw_eth0.summary == 'VM Network'
        - not again.changed
        - changed.changed
        - changed.instance.hw_processor_count == 4
        - changed.instance.hw_memtotal_mb == 2048
        - disks.guest_disk_info | length == 2
        - disks.guest_disk_info['0'].capacity_in_kb == 3145728
        - disks.guest_disk_info['1'].capacity_in_kb == 1048576
        - gone.changed
        - "'ansible_made' not in (after.virtual_machines | map(attribute='guest_name') | list)"
    rescue: *rescue

  - name: community.vmware.vmware_vm_shell
    block:
    - name: vmware_guest_info ({{ vm }}, its moId, UUIDs and guest host name)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ vm }}"
        schema: vsphere
        properties: [_moId, config.uuid, config.instanceUuid, guest.hostName]
      register: info
    - name: vcenter_vm_guest_operations_info ({{ vm }})
      vmware.vmware_rest.vcenter_vm_guest_operations_info:
        vm: "{{ info.instance.moid }}"
      register: ready
    - name: vmware_vm_shell (wait_for_process, a program that runs 30 s of clock time)
      community.vmware.vmware_vm_shell:
        <<: &guest {datacenter: DC0, vm_id: "{{ vm }}", vm_username: root, vm_password: vmware}
        vm_shell: /bin/sleep
        vm_shell_args: "30"
        wait_for_process: true
        timeout: 60
      register: waited
    - name: vmware_vm_shell (without wait_for_process) returns the pid
      community.vmware.vmware_vm_shell:
        <<: *guest
        vm_shell: /bin/echo
        vm_shell_args: hello
      register: started
    - name: vmware_vm_shell (vm_id_type uuid, vm_shell_cwd, output redirected to a relative path)
      community.vmware.vmware_vm_shell:
        vm_id: "{{ info.instance.config.uuid }}"
        vm_id_type: uuid
        vm_username: root
        vm_password: vmware
        vm_shell: /bin/hostname
        vm_shell_args: "> hostname.txt"
        vm_shell_cwd: /tmp
        vm_shell_env: [LANG=C]
        wait_for_process: true
      register: in_cwd
    - name: vmware_guest_file_operation fetch (what /bin/hostname wrote)
      community.vmware.vmware_guest_file_operation:
        vm_id: "{{ info.instance.config.instanceUuid }}"
        vm_id_type: instance_uuid
        vm_username: root
        vm_password: vmware
        fetch: {src: /tmp/hostname.txt, dest: "{{ playbook_dir }}/hostname.txt"}
    - name: vmware_vm_shell (vm_id_type inventory_path, a shell's exit code)
      community.vmware.vmware_vm_shell:
        vm_id: "{{ vm }}"
        vm_id_type: inventory_path
        folder: /DC0/vm
        vm_username: root
        vm_password: vmware
        vm_shell: /bin/sh
        vm_shell_args: "-c 'exit 3'"
        wait_for_process: true
      register: failing
      failed_when: false          # the failure is what the assert below checks
    - name: vmware_vm_shell (a wrong guest password)
      community.vmware.vmware_vm_shell:
        datacenter: DC0
        vm_id: "{{ vm }}"
        vm_username: root
        vm_password: wrong
        vm_shell: /bin/true
      register: wrong
      failed_when: false
    - name: vmware_vm_shell (DC0_C0_RP0_NoTools)
      community.vmware.vmware_vm_shell:
        datacenter: DC0
        vm_id: DC0_C0_RP0_NoTools
        vm_username: root
        vm_password: vmware
        vm_shell: /bin/true
      register: no_tools
      failed_when: false
    - name: the programs ran in the guest, on the clock, with their exit codes
      assert:
        that:
        - ready.value.guest_operations_ready and not ready.value.interactive_guest_operations_ready
        - waited.changed and waited.exit_code == 0
        - waited.name == 'sleep' and waited.owner == 'root'
        - waited.cmd_line == '"/bin/sleep" 30'
        - waited.uuid == info.instance.config.uuid
        - (waited.end_time[:19] | to_datetime('%Y-%m-%dT%H:%M:%S') - waited.start_time[:19] | to_datetime('%Y-%m-%dT%H:%M:%S')).total_seconds() == 30
        - started.changed and started.msg | int > 0
        - in_cwd.exit_code == 0 and in_cwd.name == 'hostname'
        - lookup('file', playbook_dir + '/hostname.txt') == info.instance.guest.hostName
        - failing.exit_code == 3 and failing.msg == 'Failed to execute command'
        - wrong.msg is search('Failed to authenticate with the guest operating system')
        - no_tools.msg is search('VMware Tools are necessary')
    rescue: *rescue

  - name: community.vmware.vmware_guest_file_operation
    block:
    - name: vmware_guest_file_operation directory create (with parents)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        directory: {operation: create, path: /tmp/ansible/deep, recurse: true}
      register: made
    - name: vmware_guest_file_operation directory create again
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        directory: {operation: create, path: /tmp/ansible/deep}
      register: made_again
    - name: a local file to upload
      copy:
        dest: "{{ playbook_dir }}/upload.bin"
        content: "uploaded by Ansible\nline two\n"
    - name: vmware_guest_file_operation copy (upload)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        copy: {src: "{{ playbook_dir }}/upload.bin", dest: /tmp/ansible/deep/upload.bin}
      register: uploaded
    - name: vmware_guest_file_operation copy again (no overwrite)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        copy: {src: "{{ playbook_dir }}/upload.bin", dest: /tmp/ansible/deep/upload.bin}
      register: uploaded_again
    - name: vmware_guest_file_operation fetch (download)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        fetch: {src: /tmp/ansible/deep/upload.bin, dest: "{{ playbook_dir }}/fetched.bin"}
      register: fetched
    - name: vmware_vm_shell (the guest reads the uploaded file)
      community.vmware.vmware_vm_shell:
        <<: *guest
        vm_shell: /bin/cat
        vm_shell_args: /tmp/ansible/deep/upload.bin > /tmp/ansible/copy.txt
        wait_for_process: true
    - name: vmware_guest_file_operation fetch (the guest's copy)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        fetch: {src: /tmp/ansible/copy.txt, dest: "{{ playbook_dir }}/copy.txt"}
    - name: vmware_guest_file_operation directory mktemp
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        directory: {operation: mktemp, prefix: ansible-, suffix: .d}
      register: temp
    - name: vmware_guest_file_operation directory delete (recurse)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        directory: {operation: delete, path: /tmp/ansible, recurse: true}
      register: deleted
    - name: vmware_guest_file_operation fetch (a file deleted with its directory)
      community.vmware.vmware_guest_file_operation:
        <<: *guest
        fetch: {src: /tmp/ansible/deep/upload.bin, dest: "{{ playbook_dir }}/gone.bin"}
      register: gone
      failed_when: false          # the failure is what the assert below checks
    - name: the files went to the guest and back, the directories came and went
      assert:
        that:
        - made.changed
        - not made_again.changed and made_again.msg is search('already exist')
        - uploaded.changed
        - not uploaded_again.changed and uploaded_again.msg is search('already exists')
        - fetched.changed
        - lookup('file', playbook_dir + '/fetched.bin', rstrip=false) == "uploaded by Ansible\nline two\n"
        - lookup('file', playbook_dir + '/copy.txt', rstrip=false) == "uploaded by Ansible\nline two\n"
        - temp.dir is match('/tmp/ansible-.{6}\.d$')
        - deleted.changed
        - gone.msg is search('does not exist')
    rescue: *rescue

  - name: community.vmware.vmware_guest_snapshot
    block:
    - name: vmware_guest_snapshot state present (with memory, quiesced)
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: snap1
        description: before the change
        memory_dump: true
        quiesce: true
        state: present
      register: first
    - name: vmware_guest_snapshot state present again (it exists)
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: snap1
        state: present
      register: again
    - name: vmware_guest_snapshot state present (a second one, disk only)
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: snap2
        state: present
      register: second
    - name: vmware_guest_snapshot renames snap2
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: snap2
        new_snapshot_name: snap2b
        new_description: renamed
        state: present
      register: renamed
    - name: vmware_guest_snapshot_info ({{ vm }} with two snapshots)
      community.vmware.vmware_guest_snapshot_info:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
      register: listed
    - name: vmware_guest_snapshot state revert (snap1, by id)
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_id: "{{ first.snapshot_results.current_snapshot.id }}"
        state: revert
      register: reverted
    - name: vmware_guest_info (after the revert)
      community.vmware.vmware_guest_info:
        datacenter: DC0
        name: "{{ vm }}"
      register: after_revert
    - name: vmware_guest_snapshot state absent (snap2b)
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: snap2b
        state: absent
      register: removed
    - name: vmware_guest_snapshot state absent again (nothing to remove)
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: snap2b
        state: absent
      register: removed_again
    - name: vmware_guest_snapshot state remove_all
      community.vmware.vmware_guest_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        state: remove_all
      register: all_gone
    - name: vmware_guest_snapshot_info ({{ vm }} after remove_all)
      community.vmware.vmware_guest_snapshot_info:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
      register: none_left
    - name: the snapshots were taken, renamed, reverted to and removed
      assert:
        that:
        - first.changed
        - first.snapshot_results.current_snapshot.name == 'snap1'
        - first.snapshot_results.current_snapshot.description == 'before the change'
        - first.snapshot_results.current_snapshot.state == 'poweredOn'
        - first.snapshot_results.current_snapshot.quiesced
        - first.snapshot_results.snapshots | length == 1
        - not again.changed
        - "'already exists' in again.msg"
        - second.changed
        - second.snapshot_results.current_snapshot.name == 'snap2'
        - second.snapshot_results.current_snapshot.state == 'poweredOff'
        - second.snapshot_results.current_snapshot.id > first.snapshot_results.current_snapshot.id
        - renamed.changed and renamed.renamed
        - listed.guest_snapshots.snapshots | map(attribute='name') | list == ['snap1', 'snap2b']
        - listed.guest_snapshots.snapshots[1].description == 'renamed'
        - listed.guest_snapshots.current_snapshot.name == 'snap2b'
        - reverted.changed
        - reverted.snapshot_results.current_snapshot.name == 'snap1'
        - after_revert.instance.hw_power_status == 'poweredOn'
        - removed.changed
        - removed.snapshot_results.snapshots | map(attribute='name') | list == ['snap1']
        - not removed_again.changed
        - all_gone.changed
        - all_gone.snapshot_results == {}
        - none_left.guest_snapshots == {}
    rescue: *rescue

  - name: vmware.vmware.vm_snapshot
    block:
    - name: vm_snapshot state present
      vmware.vmware.vm_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: vv1
        description: from vmware.vmware
        state: present
      register: made
    - name: vm_snapshot state present again (nothing to change)
      vmware.vmware.vm_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: vv1
        state: present
      register: kept
    - name: vm_snapshot renames vv1
      vmware.vmware.vm_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        snapshot_name: vv1
        new_snapshot_name: vv2
        description: renamed by vmware.vmware
        state: present
      register: renamed
    - name: vmware_guest_snapshot_info ({{ vm }} after the rename)
      community.vmware.vmware_guest_snapshot_info:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
      register: listed
    - name: vm_snapshot state absent (remove_all)
      vmware.vmware.vm_snapshot:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
        remove_all: true
        state: absent
      register: cleared
    - name: vmware_guest_snapshot_info ({{ vm }} after vm_snapshot)
      community.vmware.vmware_guest_snapshot_info:
        datacenter: DC0
        folder: /DC0/vm
        name: "{{ vm }}"
      register: after
    - name: vm_snapshot made, kept, renamed and removed the snapshot
      assert:
        that:
        - made.changed
        - made.snapshot.name == 'vv1' and made.snapshot.description == 'from vmware.vmware'
        - made.snapshot.state == 'poweredOff'
        - made.result.state == 'success'
        - not kept.changed
        - renamed.changed and renamed.renamed
        - listed.guest_snapshots.current_snapshot.name == 'vv2'
        - listed.guest_snapshots.current_snapshot.description == 'renamed by vmware.vmware'
        - cleared.changed and cleared.result.state == 'success'
        - after.guest_snapshots == {}
    rescue: *rescue

  - name: datacenter, cluster (DRS, HA) and resource pool, made and removed
    block:
    - name: vmware_datacenter present
      community.vmware.vmware_datacenter: {datacenter_name: DCa, state: present}
      register: dc_made
    - name: vmware_datacenter present again
      community.vmware.vmware_datacenter: {datacenter_name: DCa, state: present}
      register: dc_kept
    - name: vmware_cluster present
      community.vmware.vmware_cluster: {datacenter_name: DCa, cluster_name: Ca, state: present}
      register: cl_made
    - name: vmware_cluster present again
      community.vmware.vmware_cluster: {datacenter_name: DCa, cluster_name: Ca, state: present}
      register: cl_kept
    - name: vmware_cluster_drs on, manual
      community.vmware.vmware_cluster_drs: &drs
        datacenter_name: DCa
        cluster_name: Ca
        enable: true
        drs_default_vm_behavior: manual
      register: drs_on
    - name: vmware_cluster_drs again
      community.vmware.vmware_cluster_drs: *drs
      register: drs_kept
    - name: vmware_cluster_ha on
      community.vmware.vmware_cluster_ha: {datacenter: DCa, cluster_name: Ca, enable: true}
      register: ha_on
    - name: vmware_cluster_ha again
      community.vmware.vmware_cluster_ha: {datacenter: DCa, cluster_name: Ca, enable: true}
      register: ha_kept
    - name: vmware_cluster_info of Ca
      community.vmware.vmware_cluster_info: {datacenter: DCa, cluster_name: Ca}
      register: cl_info
    - name: vmware_resource_pool present
      community.vmware.vmware_resource_pool: &pool
        datacenter: DC0
        cluster: DC0_C0
        resource_pool: ansible_rp
        cpu_reservation: 100
        mem_shares: high
        state: present
      register: rp_made
    - name: vmware_resource_pool present again
      community.vmware.vmware_resource_pool: *pool
      register: rp_kept
    - name: vmware_resource_pool absent
      community.vmware.vmware_resource_pool:
        datacenter: DC0
        cluster: DC0_C0
        resource_pool: ansible_rp
        state: absent
      register: rp_gone
    - name: vmware_cluster absent
      community.vmware.vmware_cluster: {datacenter_name: DCa, cluster_name: Ca, state: absent}
      register: cl_gone
    - name: vmware_datacenter absent
      community.vmware.vmware_datacenter: {datacenter_name: DCa, state: absent}
      register: dc_gone
    - name: each made once, found as made, removed
      assert:
        that:
        - dc_made.changed and not dc_kept.changed
        - cl_made.changed and not cl_kept.changed
        - drs_on.changed and not drs_kept.changed
        - ha_on.changed and not ha_kept.changed
        - cl_info.clusters.Ca.enabled_drs and cl_info.clusters.Ca.enable_ha
        - cl_info.clusters.Ca.drs_default_vm_behavior == 'manual'
        - rp_made.changed and not rp_kept.changed
        - rp_gone.changed and cl_gone.changed and dc_gone.changed
    rescue: *rescue

  - name: vmware_vmotion, vmware_guest_custom_attributes, vmware_host_active_directory
    block:
    - name: vmware_vmotion to DC0_C0_H2
      community.vmware.vmware_vmotion: {vm_name: DC0_C0_RP0_VM1, destination_host: DC0_C0_H2}
      register: moved
    - name: vmware_vmotion again
      community.vmware.vmware_vmotion: {vm_name: DC0_C0_RP0_VM1, destination_host: DC0_C0_H2}
      register: moved_again
    - name: vmware_guest_info of the moved VM
      community.vmware.vmware_guest_info: {datacenter: DC0, name: DC0_C0_RP0_VM1}
      register: moved_info
    - name: vmware_guest_custom_attributes (setCustomValue)
      community.vmware.vmware_guest_custom_attributes: &attrs
        name: DC0_H0_VM1
        state: present
        attributes: [{name: ansible_owner, value: alice}]
      register: attrs_set
    - name: vmware_guest_custom_attributes again
      community.vmware.vmware_guest_custom_attributes: *attrs
      register: attrs_kept
    - name: vmware_host_active_directory absent (not joined)
      community.vmware.vmware_host_active_directory: {esxi_hostname: DC0_H0, ad_state: absent}
      register: ad
    - name: moved, attributes set, nothing to leave
      assert:
        that:
        - moved.changed and not moved_again.changed
        - moved_info.instance.hw_esxi_host == 'DC0_C0_H2'
        - attrs_set.changed and not attrs_kept.changed
        - attrs_set.custom_attributes.ansible_owner == 'alice'
        - not ad.changed
    rescue: *rescue

  - name: vmware_category, vmware_tag, vmware_tag_manager (the tagging service, over the SDK)
    block:
    - name: vmware_category present
      community.vmware.vmware_category: &category
        category_name: ansible_team
        category_cardinality: multiple
        associable_object_types: [Virtual Machine]
        state: present
      register: cat_made
    - name: vmware_category present again
      community.vmware.vmware_category: *category
      register: cat_kept
    - name: vmware_tag present
      community.vmware.vmware_tag: &tag
        category_name: ansible_team
        tag_name: blue
        tag_description: the blue team
        state: present
      register: tag_made
    - name: vmware_tag present again
      community.vmware.vmware_tag: *tag
      register: tag_kept
    - name: vmware_tag_manager add
      community.vmware.vmware_tag_manager: &attach
        tag_names: ["ansible_team:blue"]
        object_name: DC0_H0_VM1
        object_type: VirtualMachine
        state: add
      register: attached
    - name: vmware_tag_manager add again
      community.vmware.vmware_tag_manager: *attach
      register: attached_again
    - name: vmware_guest_info with tags
      community.vmware.vmware_guest_info: {datacenter: DC0, name: DC0_H0_VM1, tags: true}
      register: tagged
    - name: vmware_tag_info
      community.vmware.vmware_tag_info:
      register: tag_info
    - name: vmware_tag_manager remove
      community.vmware.vmware_tag_manager:
        tag_names: ["ansible_team:blue"]
        object_name: DC0_H0_VM1
        object_type: VirtualMachine
        state: remove
      register: detached
    - name: vmware_tag absent, vmware_category absent
      community.vmware.vmware_tag: {category_name: ansible_team, tag_name: blue, state: absent}
      register: tag_gone
    - name: vmware_category absent
      community.vmware.vmware_category: {category_name: ansible_team, state: absent}
      register: cat_gone
    - name: made once, attached once, read back, removed
      assert:
        that:
        - cat_made.changed and not cat_kept.changed
        - tag_made.changed and not tag_kept.changed
        - attached.changed and not attached_again.changed
        - tagged.instance.tags == ['blue']
        - tag_info.tag_facts.blue.tag_category_id == cat_made.category_results.category_id
        - detached.changed and tag_gone.changed and cat_gone.changed
    rescue: *rescue

  - name: vmware_vswitch and vmware_portgroup (a host's standard switch and port group)
    block:
    - name: vmware_vswitch present
      community.vmware.vmware_vswitch: &vswitch
        esxi_hostname: DC0_H0
        switch: vSwitch2
        mtu: 9000
        number_of_ports: 256
      register: sw_made
    - name: vmware_vswitch present again
      community.vmware.vmware_vswitch: *vswitch
      register: sw_kept
    - name: vmware_portgroup present
      community.vmware.vmware_portgroup: &portgroup
        esxi_hostname: DC0_H0
        switch: vSwitch2
        portgroup: Backup
        vlan_id: 30
      register: pg_made
    - name: vmware_portgroup present again
      community.vmware.vmware_portgroup: *portgroup
      register: pg_kept
    - name: vmware_portgroup_info
      community.vmware.vmware_portgroup_info: {esxi_hostname: DC0_H0}
      register: pg_info
    - name: vmware_vswitch_info
      community.vmware.vmware_vswitch_info: {esxi_hostname: DC0_H0}
      register: sw_info
    - name: vmware_portgroup absent
      community.vmware.vmware_portgroup:
        esxi_hostname: DC0_H0
        switch: vSwitch2
        portgroup: Backup
        state: absent
      register: pg_gone
    - name: vmware_vswitch absent
      community.vmware.vmware_vswitch: {esxi_hostname: DC0_H0, switch: vSwitch2, state: absent}
      register: sw_gone
    - name: made once, read back, removed
      assert:
        that:
        - sw_made.changed and not sw_kept.changed
        - pg_made.changed and not pg_kept.changed
        - pg_info.hosts_portgroup_info.DC0_H0 | selectattr('portgroup', 'equalto', 'Backup')
          | map(attribute='vlan_id') | list == [30]
        - sw_info.hosts_vswitch_info.DC0_H0.vSwitch2.mtu == 9000
        - sw_info.hosts_vswitch_info.DC0_H0.vSwitch2.num_ports == 256
        - pg_gone.changed and sw_gone.changed
    rescue: *rescue

  - name: vmware_host_ntp and vmware_host_service_manager
    block:
    - name: vmware_host_ntp
      community.vmware.vmware_host_ntp: &ntp
        esxi_hostname: DC0_H0
        ntp_servers: [0.pool.ntp.org, 1.pool.ntp.org]
      register: ntp_set
    - name: vmware_host_ntp again
      community.vmware.vmware_host_ntp: *ntp
      register: ntp_kept
    - name: vmware_host_service_manager ntpd on
      community.vmware.vmware_host_service_manager: &ntpd
        esxi_hostname: DC0_H0
        service_name: ntpd
        state: present
        service_policy: "on"
      register: ntpd_on
    - name: vmware_host_service_manager again
      community.vmware.vmware_host_service_manager: *ntpd
      register: ntpd_kept
    - name: vmware_host_ntp_info
      community.vmware.vmware_host_ntp_info: {esxi_hostname: DC0_H0}
      register: ntp_info
    - name: vmware_host_service_info
      community.vmware.vmware_host_service_info: {esxi_hostname: DC0_H0}
      register: service_info
    - name: vmware_host_service_manager ntpd off again
      community.vmware.vmware_host_service_manager:
        esxi_hostname: DC0_H0
        service_name: ntpd
        state: absent
        service_policy: "off"
      register: ntpd_off
    - name: set once, read back
      assert:
        that:
        - ntp_set.changed and not ntp_kept.changed
        - ntpd_on.changed and not ntpd_kept.changed and ntpd_off.changed
        - ntp_info.hosts_ntp_info.DC0_H0[0].ntp_servers == ['0.pool.ntp.org', '1.pool.ntp.org']
        - service_info.host_service_info.DC0_H0 | selectattr('key', 'equalto', 'ntpd')
          | map(attribute='running') | list == [true]
    rescue: *rescue

"""

SEP = " | "


def _playbook():
    """The playbook with every task's name prefixed by its block's, so that the JSON report
    (which knows tasks, not blocks) tells which block each result belongs to."""
    plays = yaml.safe_load(PLAYBOOK)
    for block in plays[0]["tasks"]:
        for part in ("block", "rescue"):
            block[part] = [dict(task, name=block["name"] + SEP + task["name"])
                           for task in block[part]]
    return plays


BLOCKS = [block["name"] for block in yaml.safe_load(PLAYBOOK)[0]["tasks"]]


def _tail(text, lines=30):
    return "\n".join((text or "").rstrip().splitlines()[-lines:])


@pytest.fixture(scope="module")
def vimsim_process(tmp_path_factory):
    """The server, on a port without "443" in its number: vmware_guest_file_operation puts
    the port it was given in place of every "443" in a transfer URL (it expects vCenter's
    https://*:443/guestFile?...), which would break a port such as 34431."""
    yield from vimsim_serving(tmp_path_factory, lambda port: "443" not in str(port))


@pytest.fixture(scope="module")
def playbook_results(vimsim_process, tmp_path_factory):
    """Runs the playbook once; returns {block name: [(task name, result), ...]} and the logs."""
    playbook_cmd = ansible_venv()
    work = tmp_path_factory.mktemp("ansible")
    (work / "playbook.yml").write_text(yaml.safe_dump(_playbook(), sort_keys=False, width=1000))
    (work / "vars.json").write_text(json.dumps({
        "vc_host": vimsim_process.host, "vc_port": vimsim_process.port,
        "vc_user": vimsim_process.user, "vc_password": vimsim_process.password}))
    env = ansible_env(work / "home")
    env["ANSIBLE_STDOUT_CALLBACK"] = "ansible.posix.json"
    env["ANSIBLE_LOG_PATH"] = str(work / "ansible.log")
    proc = subprocess.run(
        [playbook_cmd, "-i", "localhost,", "-e", "@" + str(work / "vars.json"),
         str(work / "playbook.yml")],
        cwd=str(work), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=900)
    (work / "report.json").write_text(proc.stdout)
    try:
        report = json.loads(proc.stdout[proc.stdout.find("{"):])
    except ValueError:
        pytest.fail("ansible-playbook exited %d without a JSON report:\n%s\n%s"
                    % (proc.returncode, _tail(proc.stdout, 60), _tail(proc.stderr, 60)))
    results = {name: [] for name in BLOCKS}
    for play in report["plays"]:
        for task in play["tasks"]:
            block, _, name = task["task"]["name"].partition(SEP)
            results.setdefault(block, []).append((name, task["hosts"].get("localhost", {})))
    return {"results": results, "stderr": proc.stderr, "work": work}


def _module_traceback(result):
    """The module's own traceback: ansible-core 2.19 appends the controller's to it."""
    text = str(result.get("exception") or "")
    return text.split("\n\nThe above target exception")[0].split("\n\nThe above action")[0]


@pytest.mark.parametrize("block", BLOCKS)
def test_module(playbook_results, block):
    """Every task of the block ran and none failed (the first failure ends the block)."""
    tasks = playbook_results["results"][block]
    assert tasks, "no task of %s ran; ansible-playbook stderr:\n%s" % (
        block, _tail(playbook_results["stderr"]))
    for name, result in tasks:
        if result.get("failed"):
            detail = [result.get("msg", "")]
            if result.get("assertion"):
                detail.append("assertion: %s" % result["assertion"])
            else:
                for key, text in (("traceback", _module_traceback(result)),
                                  ("module_stderr", result.get("module_stderr")),
                                  ("module_stdout", result.get("module_stdout"))):
                    if text and "traceback unavailable" not in text:
                        detail.append("%s:\n%s" % (key, _tail(text)))
            pytest.fail("%s: task %r failed: %s" % (block, name, "\n".join(detail)),
                        pytrace=False)


@pytest.mark.parametrize("plugin", ["vmware.vmware.esxi_hosts",
                                    "community.vmware.vmware_host_inventory"])
def test_host_inventory_plugins_give_each_host_its_management_address(
        vimsim_process, tmp_path, plugin):
    """The plugins read each host's address from QueryNetConfig("management"): vmk0's."""
    from pyVim.connect import Disconnect, SmartConnect
    from pyVmomi import vim
    inventory = ansible_venv().replace("ansible-playbook", "ansible-inventory")
    source = tmp_path / ("hosts.%s.yml" % plugin.rsplit(".", 1)[1])
    source.write_text(yaml.safe_dump({
        "plugin": plugin, "hostname": vimsim_process.host, "port": vimsim_process.port,
        "username": vimsim_process.user, "password": vimsim_process.password,
        "validate_certs": False}))
    env = ansible_env(tmp_path / "home")
    env["ANSIBLE_INVENTORY_ENABLED"] = plugin
    proc = subprocess.run([inventory, "-i", str(source), "--list"], env=env, cwd=str(tmp_path),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    assert proc.returncode == 0, _tail(proc.stderr)
    hostvars = json.loads(proc.stdout)["_meta"]["hostvars"]
    si = SmartConnect(host=vimsim_process.host, port=vimsim_process.port,
                      user=vimsim_process.user, pwd=vimsim_process.password,
                      disableSslCertValidation=True)
    try:
        view = si.content.viewManager.CreateContainerView(si.content.rootFolder,
                                                          [vim.HostSystem], True)
        expected = {h.name: h.config.network.vnic[0].spec.ip.ipAddress for h in view.view}
    finally:
        Disconnect(si)

    def plain(value):  # ansible-inventory marks values from outside as unsafe
        return value.get("__ansible_unsafe") if isinstance(value, dict) else value
    assert {name: plain(v.get("ansible_host")) for name, v in hostvars.items()} == expected
    assert all(expected.values())
