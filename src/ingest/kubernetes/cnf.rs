//! The CNF profile: a pod that declares Multus secondary networks
//! (`k8s.v1.cni.cncf.io/networks`), SR-IOV or other device-plugin network resources, or
//! hugepages is a containerised network function. The capabilities and host access its
//! data plane needs (IPC_LOCK, SYS_NICE, NET_ADMIN, NET_RAW; `/dev/hugepages`, `/dev/vfio`,
//! `/sys` mounts) are then advice (K8S032) with that reason, not evidence of a lift.

use crate::node::Node;

/// The Multus annotation naming a pod's secondary networks.
pub const MULTUS_ANNOTATION: &str = "k8s.v1.cni.cncf.io/networks";

/// `cnf` (always: false with no line when the pod is none) and `cnf_features[*]`.
pub fn insert_facts(facts: &mut Node, obj: &Node, containers: &[Node]) {
    let mut features: Vec<Node> = Vec::new();
    let templates = [
        obj.at("spec.template.metadata"),
        obj.at("spec.jobTemplate.spec.template.metadata"),
        obj.get("metadata"),
    ];
    if let Some(n) = templates
        .into_iter()
        .flatten()
        .find_map(|m| m.get("annotations").and_then(|a| a.get(MULTUS_ANNOTATION)))
    {
        let networks = n.scalar_text().unwrap_or_default();
        features.push(Node::str(
            format!("Multus networks ({MULTUS_ANNOTATION}: {})", networks.trim()),
            n.line,
        ));
    }
    for c in containers {
        for part in ["requests", "limits"] {
            let Some(entries) = c.at(&format!("resources.{part}")).and_then(Node::as_map) else {
                continue;
            };
            for e in entries {
                let key = e.key.to_ascii_lowercase();
                let what = if key.starts_with("hugepages-") {
                    format!("hugepages ({})", e.key)
                } else if is_network_device(&key) {
                    format!("device-plugin resource {}", e.key)
                } else {
                    continue;
                };
                if !features.iter().any(|f| f.as_str() == Some(what.as_str())) {
                    features.push(Node::str(what, e.value.line));
                }
            }
        }
    }
    let line = features.first().map_or(0, |f| f.line);
    facts.insert("cnf", Node::bool(!features.is_empty(), line));
    if !features.is_empty() {
        facts.insert("cnf_features", Node::seq(features, line));
    }
}

/// An extended resource a device plugin offers for the network data plane: SR-IOV VFs,
/// vfio / PCI devices, SmartNICs (`intel.com/intel_sriov_netdevice`,
/// `openshift.io/mlxnics`, `mellanox.com/...`). GPUs, FPGAs for compute and other vendors'
/// accelerators are not a data plane.
fn is_network_device(key: &str) -> bool {
    let Some((vendor, name)) = key.split_once('/') else {
        return false;
    };
    if name.contains("gpu") || vendor.contains("nvidia") || vendor.contains("amd.com") {
        return false;
    }
    [
        "sriov",
        "sr-iov",
        "vfio",
        "netdevice",
        "nic",
        "vf",
        "dpdk",
        "pci",
    ]
    .iter()
    .any(|w| name.contains(w))
        || vendor.contains("mellanox")
}
