//! The facts every VM workload declares.

use super::*;

/// The facts of every VM: VM specs, and the inventories, OVF descriptors and KubeVirt objects
/// read into the same shape through [`VmSpec::workload_from_doc`] (inventory extras come
/// from `tabular::inventory_extras`).
pub const FACTS: &[FactGroup] = &[FactGroup {
    targets: &[Target::Vm],
    title: "Every VM: VM specs, RVTools, Azure Migrate, OVF, KubeVirt",
    facts: &[
        FactDoc::new(
            "vcpu",
            "vCPUs: `spec.cpu` as sockets x cores per socket, `vcpus`, `cores` or a bare count (at the `cpu` field)",
        ),
        FactDoc::new("sockets", "CPU sockets, when `spec.cpu` gives the topology"),
        FactDoc::new(
            "cores_per_socket",
            "cores per socket, when `spec.cpu` gives the topology",
        ),
        FactDoc::new(
            "memory_gib",
            "memory in GiB (`spec.memory`; `MB`, `GB`, `TB` are MiB, GiB, TiB as vSphere writes them)",
        ),
        FactDoc::new(
            "storage_gib",
            "disk capacity in GiB over every disk of `spec.disks` (`count` multiplies)",
        ),
        FactDoc::new("disk_count", "number of disks (`count` multiplies)"),
        FactDoc::new("largest_disk_gib", "size of the largest disk in GiB"),
        FactDoc::new("smallest_disk_gib", "size of the smallest disk in GiB"),
        FactDoc::new(
            "nics",
            "network interfaces: `spec.nics` as a count or a list",
        ),
        FactDoc::new(
            "platform",
            "`spec.platform` in lower case: physical, vsphere, kvm, hyperv, openstack, aws, azure, gcp, mainframe, kubevirt, ...",
        ),
        FactDoc::new(
            "physical",
            "the platform is `physical` (a server not virtualised yet)",
        ),
        FactDoc::new(
            "mainframe",
            "a mainframe or midrange platform or OS (z/OS, z/VM, OS/390, IBM i, OS/400): generation 1; always present",
        ),
        FactDoc::new(
            "os",
            "`spec.os` as written (`RHEL 7.9`, `Microsoft Windows Server 2012 R2 (64-bit)`)",
        ),
        FactDoc::new("role", "`spec.role` as written"),
        FactDoc::new(
            "target",
            "`spec.target`: the platform it is to move to, as written (a generation-1 workload without one is retained)",
        ),
        FactDoc::new(
            "ha",
            "`spec.app.ha` in lower case: none, active-passive, cluster, n+1, active-active or scale-out",
        ),
        FactDoc::new(
            "ha_member",
            "a member of a failover group (active-passive, cluster, n+1, active-active): a standby is never idle, and sizing keeps the group's failover capacity",
        ),
        FactDoc::new(
            "ha_group",
            "the failover group it belongs to: `spec.app.haGroup`, else the `ha-group` label",
        ),
        FactDoc::new(
            "kubernetes_node",
            "the role names a Kubernetes, k8s or OpenShift node (a cluster node, not an application server)",
        ),
        FactDoc::new(
            "data_plane_node",
            "a Kubernetes node that carries data-plane CNFs: its role or labels name SR-IOV, DPDK, PTP, hugepages, a data or user plane, a UPF or CNFs",
        ),
        FactDoc::new("data_plane_reason", "what says so (the role or the label)"),
        FactDoc::new(
            "power_state",
            "`spec.powerState` (RVTools `Powerstate`, Azure Migrate power status): poweredOn, poweredOff or suspended",
        ),
        FactDoc::new("powered_off", "the power state is poweredOff"),
        FactDoc::new(
            "hardware_version",
            "virtual hardware version as a number (`spec.hardwareVersion`: `vmx-13` or `13`)",
        ),
        FactDoc::new(
            "tools_status",
            "VMware Tools (`spec.tools`, RVTools vTools): ok, old, not-running, not-installed or unmanaged",
        ),
        FactDoc::new(
            "tools_version",
            "VMware Tools version, as the inventory writes it",
        ),
        FactDoc::new(
            "health_signal",
            "the platform sees its health: `spec.app.monitoring` (none, heartbeat, agent or application), else a running VMware Tools heartbeat; absent when neither is known",
        ),
        FactDoc::new(
            "snapshot_count",
            "snapshots (`spec.snapshots`; RVTools vSnapshot: 0 when the tab exists and lists none)",
        ),
        FactDoc::new(
            "cpu_reservation_mhz",
            "CPU the hypervisor holds back for the VM, MHz (`spec.reservations.cpuMhz`; RVTools vCPU `Reservation`); 0 for none",
        ),
        FactDoc::new(
            "memory_reservation_gib",
            "memory the hypervisor holds back for the VM, GiB (`spec.reservations.memory`; RVTools vMemory `Reservation`); 0 for none",
        ),
        FactDoc::new(
            "oldest_snapshot",
            "date of the oldest snapshot, as the inventory writes it",
        ),
    ],
}];
