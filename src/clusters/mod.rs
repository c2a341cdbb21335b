//! Kubernetes clusters on the virtual infrastructure (issue 24, docs/kubernetes-platform.md).
//!
//! A stage after assessment: every VM assessed leaves a [`NodeRecord`] when it is recognised
//! as a Kubernetes node ([`recognise`]); the records are grouped by cluster (one pass, a map
//! keyed by vCenter and cluster name: linear in the VMs) and each cluster becomes a workload
//! of its own (`kind: kubernetes-cluster`, target `cluster`, generation 3), judged by the
//! `rules/cluster/` rules from facts computed here ([`build`]): control plane, placement,
//! vSphere HA/DRS (RVTools vCluster tab), worker sizing, environments, bare metal.

pub mod mapping;
mod recognise;
pub mod reservations;
mod workload;

use std::sync::Arc;

use serde::Serialize;

pub use recognise::recognise;
pub use workload::{FACTS, build};

use crate::model::Workload;
use crate::node::Node;

/// A node's role in its cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeRole {
    ControlPlane,
    Worker,
}

impl NodeRole {
    pub fn parse(text: &str) -> Option<NodeRole> {
        match text.trim().to_ascii_lowercase().as_str() {
            "control-plane" | "controlplane" | "control plane" | "master" | "cp" | "server" => {
                Some(NodeRole::ControlPlane)
            }
            "worker" | "node" | "agent" => Some(NodeRole::Worker),
            _ => None,
        }
    }
    /// A role written in `.fitscan.yaml`; the error says what is expected, with a
    /// did-you-mean.
    pub fn from_config(n: &Node) -> Result<NodeRole, String> {
        let text = n.scalar_text().unwrap_or_default();
        NodeRole::parse(&text).ok_or_else(|| {
            format!(
                "`role`: `{text}` is not a node role (control-plane or worker){}",
                crate::model::spelling::suggest(&text, &["control-plane", "worker"])
            )
        })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::ControlPlane => "control-plane",
            NodeRole::Worker => "worker",
        }
    }
}

/// One row of the RVTools vCluster tab (or a VM spec's `placement.clusterSettings`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VsphereCluster {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub datacenter: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub vcenter: String,
    pub ha: Option<bool>,
    pub drs: Option<bool>,
    pub admission_control: Option<bool>,
    /// The cluster's default HA restart priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_priority: Option<String>,
    #[serde(skip)]
    pub file: Option<Arc<str>>,
    #[serde(skip)]
    pub line: u32,
}

/// What the cluster stage keeps of a node VM (its document is dropped after assessment).
#[derive(Debug, Clone)]
pub struct NodeRecord {
    pub cluster: String,
    pub role: NodeRole,
    /// How it was recognised (a mapping entry, the VM spec's role, a built-in layout).
    pub signal: String,
    /// A weak built-in match counts only in a cluster with a strong one.
    pub strong: bool,
    pub name: String,
    pub file: Arc<str>,
    pub line: u32,
    pub vcenter: String,
    pub datacenter: Option<String>,
    pub vsphere_cluster: Option<String>,
    pub host: Option<String>,
    pub physical: bool,
    pub vcpu: Option<f64>,
    pub memory_gib: Option<f64>,
    pub snapshots: Option<f64>,
    /// CPU (MHz) and memory (GiB) the hypervisor holds back for the VM.
    pub cpu_reservation_mhz: Option<f64>,
    pub memory_reservation_gib: Option<f64>,
    /// HA restart priority of the VM (`disabled`, `low`, `medium`, `high`, `highest`,
    /// `clusterRestartPriority`).
    pub restart_priority: Option<String>,
    /// The DRS rules the VM is in, as the inventory writes them (`Cluster rule(s)` and
    /// `Cluster rule name(s)`); `Some("")` when the columns are there and empty.
    pub rules: Option<String>,
    /// `placement.clusterSettings` of a VM spec: its vSphere cluster's HA, DRS, admission.
    pub cluster_settings: Option<VsphereCluster>,
    pub environment: Option<&'static str>,
    /// Carries a data-plane CNF (role or labels say data-plane, DPDK, SR-IOV, UPF).
    pub data_plane: bool,
    /// The VM's own `right-sized` verdict (`holds`, `fails`, `unknown`, `n/a`).
    pub right_sized: Option<String>,
}

impl NodeRecord {
    fn read(
        w: &Workload,
        spec: &Node,
        cluster: String,
        role: NodeRole,
        signal: String,
        strong: bool,
        folder: &str,
    ) -> NodeRecord {
        use recognise::text;
        let fact = |k: &str| w.facts.get(k).and_then(Node::as_f64);
        let rules = {
            let a = text(spec, &["placement.rules", "clusterRules"]);
            let b = text(spec, &["clusterRuleNames"]);
            let listed = spec.at("placement.rules").and_then(Node::as_seq).map(|s| {
                s.iter()
                    .filter_map(Node::scalar_text)
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            let columns = spec.get("clusterRules").is_some()
                || spec.get("clusterRuleNames").is_some()
                || spec.at("placement.rules").is_some();
            match (listed, a, b) {
                (Some(l), _, _) => Some(l),
                (None, a, b) => {
                    let joined = [a, b].into_iter().flatten().collect::<Vec<_>>().join("; ");
                    columns.then_some(joined)
                }
            }
        };
        let settings = spec
            .at("placement.clusterSettings")
            .map(|s| VsphereCluster {
                name: text(spec, &["placement.cluster", "cluster"]).unwrap_or_default(),
                ha: s.get("ha").and_then(Node::as_bool),
                drs: s.get("drs").and_then(Node::as_bool),
                admission_control: s.get("admissionControl").and_then(Node::as_bool),
                restart_priority: s
                    .get("restartPriority")
                    .and_then(Node::scalar_text)
                    .map(|t| t.to_ascii_lowercase()),
                ..VsphereCluster::default()
            });
        let role_text = w
            .facts
            .get("role")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let labels = w
            .doc
            .at("metadata.labels")
            .and_then(Node::as_map)
            .map(|m| {
                m.iter()
                    .map(|e| format!("{}={}", e.key, e.value.display_text()))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default();
        let data_plane = regex::Regex::new(r"(?i)data-?plane|dpdk|sr-?iov|\bupf\b|\bcnf\b")
            .map(|r| r.is_match(&role_text) || r.is_match(&labels))
            .unwrap_or(false);
        NodeRecord {
            cluster,
            role,
            signal,
            strong,
            name: w.name.clone(),
            file: Arc::clone(&w.file),
            line: w.line,
            vcenter: text(spec, &["vcenter"]).unwrap_or_default(),
            datacenter: text(spec, &["placement.datacenter", "datacenter"]),
            vsphere_cluster: text(spec, &["placement.cluster", "cluster"]),
            host: text(spec, &["placement.host", "host"]),
            physical: w
                .facts
                .get("physical")
                .and_then(Node::as_bool)
                .unwrap_or(false),
            vcpu: fact("vcpu"),
            memory_gib: fact("memory_gib"),
            snapshots: fact("snapshot_count"),
            cpu_reservation_mhz: fact("cpu_reservation_mhz"),
            memory_reservation_gib: fact("memory_reservation_gib"),
            restart_priority: text(spec, &["placement.restartPriority", "haRestartPriority"])
                .map(|t| t.to_ascii_lowercase()),
            rules,
            cluster_settings: settings,
            environment: recognise::environment(&w.name, folder),
            data_plane,
            right_sized: None,
        }
    }
}

/// One Kubernetes cluster in the report's `clusters`.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    pub name: String,
    /// The id of its `kubernetes-cluster` workload.
    pub workload: String,
    /// `virtual`, `bare-metal` or `mixed`.
    pub platform: &'static str,
    pub nodes: usize,
    pub control_plane: usize,
    pub workers: usize,
    /// Distinct ESXi hosts its nodes run on (known ones).
    pub hosts: Vec<String>,
    pub vsphere_clusters: Vec<String>,
    pub ha: Option<bool>,
    pub drs: Option<bool>,
    pub admission_control: Option<bool>,
    pub environments: Vec<String>,
    /// How its nodes were recognised.
    pub recognised_by: Vec<String>,
    pub members: Vec<ClusterMember>,
    pub phase: crate::model::Phase,
    pub score: u32,
    /// The rules that found something, in id order.
    pub findings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClusterMember {
    pub name: String,
    pub role: NodeRole,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    pub file: Arc<str>,
    pub line: u32,
}
