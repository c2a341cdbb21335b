//! Grouping node records into clusters and each cluster into a `kubernetes-cluster`
//! workload with the facts `rules/cluster/` reads. Every step is one pass over the records
//! with maps keyed by cluster or host: linear in the VMs, never all pairs.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::reservations::ReservationPolicy;
use super::{ClusterMember, ClusterReport, NodeRecord, NodeRole, VsphereCluster};
use crate::model::{FactDoc, FactGroup};
use crate::model::{Generation, Phase, Target, Workload, WorkloadKind};
use crate::node::Node;

/// A cluster ready for assessment: its workload, the indexes of its node records as given
/// to [`build`], and its summary (phase and findings are filled in after assessment).
pub struct Built {
    pub workload: Workload,
    pub members: Vec<usize>,
    pub report: ClusterReport,
}

fn key(vcenter: &str, cluster: &str) -> (String, String) {
    (vcenter.to_ascii_lowercase(), cluster.to_ascii_lowercase())
}

/// Groups the records (`(index, record)`, index as the caller knows it) into clusters.
pub fn build(
    nodes: Vec<(usize, NodeRecord)>,
    vsphere: &[VsphereCluster],
    reservations: &ReservationPolicy,
) -> Vec<Built> {
    let mut groups: BTreeMap<(String, String), Vec<(usize, NodeRecord)>> = BTreeMap::new();
    for (i, n) in nodes {
        groups
            .entry(key(&n.vcenter, &n.cluster))
            .or_default()
            .push((i, n));
    }
    // A node pool named after its cluster (`tkg-prod-np1-...` beside `tkg-prod`) joins the
    // cluster whose name is the longest prefix of its own, when it has no control plane.
    let with_cp: BTreeSet<(String, String)> = groups
        .iter()
        .filter(|(_, m)| m.iter().any(|(_, n)| n.role == NodeRole::ControlPlane))
        .map(|(k, _)| k.clone())
        .collect();
    let orphans: Vec<(String, String)> = groups
        .keys()
        .filter(|k| !with_cp.contains(*k))
        .cloned()
        .collect();
    for k in orphans {
        let mut name = k.1.as_str();
        let target = loop {
            let Some(pos) = name.rfind('-') else {
                break None;
            };
            name = &name[..pos];
            let candidate = (k.0.clone(), name.to_string());
            if with_cp.contains(&candidate) {
                break Some(candidate);
            }
        };
        if let (Some(t), Some(members)) = (target, groups.remove(&k)) {
            groups.entry(t).or_default().extend(members);
        }
    }
    // Weak matches alone are not a cluster.
    groups.retain(|_, m| m.iter().any(|(_, n)| n.strong));
    // Which clusters each host carries.
    let mut host_clusters: HashMap<String, BTreeSet<(String, String)>> = HashMap::new();
    for (k, members) in &groups {
        for (_, n) in members {
            if let Some(h) = &n.host {
                host_clusters
                    .entry(h.to_ascii_lowercase())
                    .or_default()
                    .insert(k.clone());
            }
        }
    }
    let mut by_name: HashMap<String, Vec<&VsphereCluster>> = HashMap::new();
    for c in vsphere {
        by_name
            .entry(c.name.to_ascii_lowercase())
            .or_default()
            .push(c);
    }
    groups
        .into_iter()
        .map(|(k, mut members)| {
            members.sort_by(|a, b| {
                (a.1.file.as_ref(), a.1.line, a.1.name.as_str()).cmp(&(
                    b.1.file.as_ref(),
                    b.1.line,
                    b.1.name.as_str(),
                ))
            });
            let shared = |host: &str| {
                host_clusters
                    .get(&host.to_ascii_lowercase())
                    .is_some_and(|s| s.len() > 1)
            };
            one_cluster(&k, members, &by_name, &shared, reservations)
        })
        .collect()
}

/// The vCluster row of a node: a VM spec's own settings, else the tab's row by cluster name
/// (and datacenter or vCenter when several share the name).
fn vcluster_of<'a>(
    n: &'a NodeRecord,
    by_name: &'a HashMap<String, Vec<&'a VsphereCluster>>,
) -> Option<&'a VsphereCluster> {
    if let Some(s) = &n.cluster_settings {
        return Some(s);
    }
    let name = n.vsphere_cluster.as_ref()?.to_ascii_lowercase();
    let rows = by_name.get(&name)?;
    let same =
        |a: &str, b: Option<&str>| a.is_empty() || b.is_none_or(|b| a.eq_ignore_ascii_case(b));
    rows.iter()
        .find(|c| {
            same(&c.vcenter, Some(&n.vcenter)) && same(&c.datacenter, n.datacenter.as_deref())
        })
        .or_else(|| (rows.len() == 1).then(|| &rows[0]))
        .copied()
}

/// `anti-affinity`, `pinned` (VM-Host or keep-together), or neither, per rule in the text.
fn rule_kinds(text: &str) -> (bool, bool) {
    let mut anti = false;
    let mut pinned = false;
    for item in text.split([';', ',', '\n']) {
        let l = item.to_ascii_lowercase();
        if l.contains("anti") || l.contains("separate") || l.contains("spread") {
            anti = true;
        } else if l.contains("affinity")
            || l.contains("vm-host")
            || l.contains("vmhost")
            || l.contains("run on")
            || l.contains("together")
            || l.contains("pin")
        {
            pinned = true;
        }
    }
    (anti, pinned)
}

fn priority_rank(p: &str) -> u8 {
    match p.trim().to_ascii_lowercase().as_str() {
        "highest" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "lowest" => 1,
        _ => 0,
    }
}

fn one_cluster(
    k: &(String, String),
    members: Vec<(usize, NodeRecord)>,
    by_name: &HashMap<String, Vec<&VsphereCluster>>,
    shared: &dyn Fn(&str) -> bool,
    reservations: &ReservationPolicy,
) -> Built {
    let first = &members[0].1;
    let file = Arc::clone(&first.file);
    let cluster_line = first.line;
    let name = first.cluster.clone();
    let line_of = |n: &NodeRecord| {
        if n.file == file { n.line } else { cluster_line }
    };
    let nodes: Vec<&NodeRecord> = members.iter().map(|(_, n)| n).collect();
    let cps: Vec<&NodeRecord> = nodes
        .iter()
        .copied()
        .filter(|n| n.role == NodeRole::ControlPlane)
        .collect();
    let workers: Vec<&NodeRecord> = nodes
        .iter()
        .copied()
        .filter(|n| n.role == NodeRole::Worker)
        .collect();
    let virtual_nodes: Vec<&NodeRecord> = nodes.iter().copied().filter(|n| !n.physical).collect();
    let mut facts = Node::map(0);
    let l = cluster_line;
    let count = |v: usize| Node::int(v as i64, l);
    facts.insert("node_count", count(nodes.len()));
    facts.insert("control_plane_count", count(cps.len()));
    facts.insert("worker_count", count(workers.len()));
    facts.insert("virtual_nodes", count(virtual_nodes.len()));
    let bare = nodes.iter().filter(|n| n.physical).count();
    facts.insert("bare_metal_nodes", count(bare));
    facts.insert(
        "bare_metal_general",
        count(nodes.iter().filter(|n| n.physical && !n.data_plane).count()),
    );
    // Control plane spread over hosts: known when every control-plane VM's host is.
    let cp_virtual: Vec<&NodeRecord> = cps.iter().copied().filter(|n| !n.physical).collect();
    if !cp_virtual.is_empty() && cp_virtual.iter().all(|n| n.host.is_some()) {
        let hosts: BTreeSet<String> = cp_virtual
            .iter()
            .filter_map(|n| n.host.as_ref().map(|h| h.to_ascii_lowercase()))
            .collect();
        facts.insert("control_plane_hosts", count(hosts.len()));
        facts.insert(
            "control_plane_doubled_up",
            count(cp_virtual.len().saturating_sub(hosts.len())),
        );
    }
    if !cp_virtual.is_empty() && cp_virtual.iter().all(|n| n.rules.is_some()) {
        let anti = cp_virtual
            .iter()
            .all(|n| n.rules.as_deref().is_some_and(|r| rule_kinds(r).0));
        facts.insert("control_plane_anti_affinity", Node::bool(anti, l));
    }
    // HA restart priority: the VM's own, else its vSphere cluster's default.
    let priorities: Vec<Option<String>> = cp_virtual
        .iter()
        .map(|n| {
            n.restart_priority
                .clone()
                .filter(|p| priority_rank(p) > 0 || p == "disabled")
                .or_else(|| vcluster_of(n, by_name).and_then(|c| c.restart_priority.clone()))
        })
        .collect();
    if !priorities.is_empty() && priorities.iter().all(Option::is_some) {
        let lowest = priorities
            .iter()
            .flatten()
            .min_by_key(|p| priority_rank(p))
            .cloned()
            .unwrap_or_default();
        facts.insert(
            "control_plane_restart_high",
            Node::bool(priority_rank(&lowest) >= 4, l),
        );
        facts.insert("control_plane_restart_priority", Node::str(lowest, l));
    }
    // vSphere cluster settings: known when every VM's cluster row says.
    let rows: Vec<Option<&VsphereCluster>> = virtual_nodes
        .iter()
        .map(|n| vcluster_of(n, by_name))
        .collect();
    let setting = |get: &dyn Fn(&VsphereCluster) -> Option<bool>| -> Option<bool> {
        if rows.is_empty() {
            return None;
        }
        rows.iter()
            .map(|r| r.and_then(get))
            .collect::<Option<Vec<bool>>>()
            .map(|v| v.into_iter().all(|b| b))
    };
    let ha = setting(&|c| c.ha);
    let drs = setting(&|c| c.drs);
    let admission = setting(&|c| c.admission_control);
    for (k, v) in [
        ("vsphere_ha", ha),
        ("vsphere_drs", drs),
        ("vsphere_admission_control", admission),
    ] {
        if let Some(b) = v {
            facts.insert(k, Node::bool(b, l));
        }
    }
    if virtual_nodes.iter().any(|n| n.rules.is_some()) {
        facts.insert("affinity_rules_known", Node::bool(true, l));
    }
    // Workers: one size, right-sized.
    let sizes: Vec<(f64, f64)> = workers
        .iter()
        .filter_map(|n| Some((n.vcpu?, n.memory_gib?)))
        .collect();
    if sizes.len() >= 2 {
        let mut counted: BTreeMap<String, usize> = BTreeMap::new();
        for (c, m) in &sizes {
            *counted.entry(format!("{c} vCPU/{m} GiB")).or_default() += 1;
        }
        facts.insert("workers_uniform", Node::bool(counted.len() == 1, l));
        let text: Vec<String> = counted.iter().map(|(s, n)| format!("{n} x {s}")).collect();
        facts.insert("worker_sizes", Node::str(text.join(", "), l));
    }
    let verdicts: Vec<&str> = workers
        .iter()
        .map(|n| n.right_sized.as_deref().unwrap_or("unknown"))
        .collect();
    if verdicts.contains(&"fails") {
        facts.insert("workers_right_sizing", Node::str("fails", l));
    } else if !verdicts.is_empty() && verdicts.iter().all(|v| *v == "holds") {
        facts.insert("workers_right_sizing", Node::str("holds", l));
    }
    if nodes.iter().any(|n| n.snapshots.is_some()) {
        let total: f64 = nodes.iter().filter_map(|n| n.snapshots).sum();
        facts.insert("snapshot_count", Node::float(total, l));
    }
    // Reservations: known when the inventory says for some node VM.
    let reserved = |n: &NodeRecord| -> Option<String> {
        let cpu = n.cpu_reservation_mhz.filter(|v| *v > 0.0);
        let mem = n.memory_reservation_gib.filter(|v| *v > 0.0);
        let parts: Vec<String> = [
            cpu.map(|v| format!("{} MHz CPU", crate::node::format_number(v))),
            mem.map(|v| format!("{} GiB memory", crate::node::format_number(v))),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" and "))
    };
    // Data-plane nodes may always hold them: latency sensitivity high needs them.
    let allowed = |n: &NodeRecord| n.data_plane || reservations.allows(&name, n.role).is_some();
    if virtual_nodes
        .iter()
        .any(|n| n.cpu_reservation_mhz.is_some() || n.memory_reservation_gib.is_some())
    {
        facts.insert("reservations_known", Node::bool(true, l));
        facts.insert(
            "reserved_nodes_outside_policy",
            count(
                virtual_nodes
                    .iter()
                    .filter(|n| reserved(n).is_some() && !allowed(n))
                    .count(),
            ),
        );
    }
    // Hosts: how many, and how many also carry another cluster's nodes.
    let hosts: BTreeSet<String> = virtual_nodes
        .iter()
        .filter_map(|n| n.host.clone())
        .collect();
    if !virtual_nodes.is_empty() && virtual_nodes.iter().all(|n| n.host.is_some()) {
        facts.insert("hosts", count(hosts.len()));
        facts.insert(
            "shared_hosts",
            count(hosts.iter().filter(|h| shared(h)).count()),
        );
    }
    let environments: BTreeSet<&str> = nodes.iter().filter_map(|n| n.environment).collect();
    facts.insert("environment_count", count(environments.len()));
    facts.insert(
        "environments",
        Node::seq(environments.iter().map(|e| Node::str(*e, l)).collect(), l),
    );
    // Per node, for findings that point at one node.
    let items: Vec<Node> = nodes
        .iter()
        .map(|n| {
            let nl = line_of(n);
            let mut m = Node::map(nl);
            m.insert("name", Node::str(n.name.clone(), nl));
            m.insert("role", Node::str(n.role.as_str(), nl));
            if let Some(h) = &n.host {
                m.insert("host", Node::str(h.clone(), nl));
            }
            if let Some(s) = n.snapshots {
                m.insert("snapshots", Node::float(s, nl));
            }
            if let Some(r) = &n.rules {
                m.insert("pinned", Node::bool(rule_kinds(r).1, nl));
            }
            if let Some(text) = reserved(n).filter(|_| !n.physical) {
                m.insert("reservation", Node::str(text, nl));
                m.insert("reservation_allowed", Node::bool(allowed(n), nl));
            }
            m.insert("physical", Node::bool(n.physical, nl));
            m.insert("data_plane", Node::bool(n.data_plane, nl));
            if let Some(r) = &n.right_sized {
                m.insert("right_sized", Node::str(r.clone(), nl));
            }
            m
        })
        .collect();
    facts.insert("nodes", Node::seq(items.clone(), l));

    let mut doc = Node::map(l);
    doc.insert("kind", Node::str("KubernetesCluster", l));
    let mut meta = Node::map(l);
    meta.insert("name", Node::str(name.clone(), l));
    doc.insert("metadata", meta);
    doc.insert("nodes", Node::seq(items, l));
    let mut w = Workload::new(
        WorkloadKind::KubernetesCluster,
        Target::Cluster,
        name.clone(),
        Arc::clone(&file),
        l.max(1),
        Generation::CloudNative,
        doc,
    );
    w.facts = facts;
    let platform = match (bare, nodes.len() - bare) {
        (0, _) => "virtual",
        (_, 0) => "bare-metal",
        _ => "mixed",
    };
    w.labels.insert("platform", platform);
    if !k.0.is_empty() {
        w.labels.insert("vcenter", k.0.clone());
    }
    let vsphere_clusters: BTreeSet<String> = nodes
        .iter()
        .filter_map(|n| n.vsphere_cluster.clone())
        .collect();
    let recognised_by: BTreeSet<String> = nodes.iter().map(|n| n.signal.clone()).collect();
    let report = ClusterReport {
        name,
        workload: w.id.clone(),
        platform,
        nodes: nodes.len(),
        control_plane: cps.len(),
        workers: workers.len(),
        hosts: hosts.into_iter().collect(),
        vsphere_clusters: vsphere_clusters.into_iter().collect(),
        ha,
        drs,
        admission_control: admission,
        environments: environments.iter().map(|e| e.to_string()).collect(),
        recognised_by: recognised_by.into_iter().collect(),
        members: nodes
            .iter()
            .map(|n| ClusterMember {
                name: n.name.clone(),
                role: n.role,
                host: n.host.clone(),
                file: Arc::clone(&n.file),
                line: n.line,
            })
            .collect(),
        phase: Phase::NotAssessed,
        score: 0,
        findings: Vec::new(),
    };
    Built {
        members: members.iter().map(|(i, _)| *i).collect(),
        workload: w,
        report,
    }
}

/// The facts of a `kubernetes-cluster` workload.
pub const FACTS: &[FactGroup] = &[FactGroup {
    targets: &[Target::Cluster],
    title: "A Kubernetes cluster found among the VMs (src/clusters/)",
    facts: &[
        FactDoc::new("node_count", "nodes recognised in the cluster"),
        FactDoc::new("control_plane_count", "control-plane nodes"),
        FactDoc::new("worker_count", "worker nodes"),
        FactDoc::new("virtual_nodes", "nodes that are VMs"),
        FactDoc::new(
            "bare_metal_nodes",
            "nodes on physical servers (`spec.platform: physical`)",
        ),
        FactDoc::new(
            "bare_metal_general",
            "bare-metal nodes that carry no data-plane CNF (role or labels say data-plane, DPDK, SR-IOV, UPF)",
        ),
        FactDoc::new(
            "control_plane_hosts",
            "distinct ESXi hosts the control-plane VMs run on (RVTools `Host`, `placement.host`); absent when one is unknown",
        ),
        FactDoc::new(
            "control_plane_doubled_up",
            "control-plane VMs beyond one per host (0 when each has a host of its own); absent when a host is unknown",
        ),
        FactDoc::new(
            "control_plane_anti_affinity",
            "every control-plane VM is in an anti-affinity DRS rule (RVTools `Cluster rule(s)` / `Cluster rule name(s)`, `placement.rules`); absent when the columns are not exported",
        ),
        FactDoc::new(
            "control_plane_restart_high",
            "every control-plane VM restarts with HA priority high or highest (its own, else its vSphere cluster's default)",
        ),
        FactDoc::new(
            "control_plane_restart_priority",
            "the lowest HA restart priority among the control-plane VMs",
        ),
        FactDoc::new(
            "vsphere_ha",
            "vSphere HA is on in every vSphere cluster the nodes run in (RVTools vCluster `HA enabled`, `placement.clusterSettings.ha`); absent without the tab",
        ),
        FactDoc::new(
            "vsphere_drs",
            "DRS is on in every vSphere cluster the nodes run in (vCluster `DRS enabled`)",
        ),
        FactDoc::new(
            "vsphere_admission_control",
            "HA admission control is on in every vSphere cluster the nodes run in (vCluster `AdmissionControlEnabled`)",
        ),
        FactDoc::new(
            "affinity_rules_known",
            "the inventory says which DRS rules the node VMs are in (the columns are exported)",
        ),
        FactDoc::new(
            "workers_uniform",
            "every worker has the same vCPU and memory (two or more sized workers)",
        ),
        FactDoc::new(
            "worker_sizes",
            "the worker sizes and how many of each (`3 x 4 vCPU/16 GiB`)",
        ),
        FactDoc::new(
            "workers_right_sizing",
            "`fails` when a worker VM is not right-sized, `holds` when every one is; absent when not known",
        ),
        FactDoc::new(
            "snapshot_count",
            "snapshots of the node VMs, added up (absent without snapshot data)",
        ),
        FactDoc::new(
            "reservations_known",
            "the inventory says the CPU or memory reservation of a node VM (RVTools vCPU / vMemory `Reservation`, `spec.reservations`)",
        ),
        FactDoc::new(
            "reserved_nodes_outside_policy",
            "node VMs with a CPU or memory reservation that neither carry a data-plane CNF nor are allowed one by `kubernetes-reservations` in `.fitscan.yaml`",
        ),
        FactDoc::new(
            "hosts",
            "distinct ESXi hosts the node VMs run on (absent when one is unknown)",
        ),
        FactDoc::new(
            "shared_hosts",
            "of those hosts, how many also run nodes of another Kubernetes cluster",
        ),
        FactDoc::new(
            "environment_count",
            "environments the node names and folders show (prod, test, dev)",
        ),
        FactDoc::new("environments[*]", "those environments"),
        FactDoc::open(
            "nodes[*]",
            "each node: name, role, host, snapshots, pinned (a VM-Host or keep-together rule), reservation (`4000 MHz CPU and 16 GiB memory`, when it holds one), reservation_allowed (a data-plane node, or `kubernetes-reservations` allows it), physical, data_plane, right_sized",
        ),
    ],
}];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_texts_are_read_as_anti_affinity_or_pinning() {
        assert_eq!(rule_kinds("k8s-cp-anti-affinity"), (true, false));
        assert_eq!(rule_kinds("Anti-Affinity; pin-to-esx01"), (true, true));
        assert_eq!(rule_kinds("VM-Host must run on esx01"), (false, true));
        assert_eq!(rule_kinds(""), (false, false));
    }
}
