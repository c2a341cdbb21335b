//! CNF readiness (VNF -> CNF): what each VDU of a VM-based VNF needs to run as a container
//! on Kubernetes, and what the estate's clusters must offer. The product contract is
//! "CNF readiness" in the specification; docs/cnf-readiness.md explains the model.
//!
//! A VDU is `ready` when nothing in its descriptor stands in the way, `ready-with-platform-
//! features` when it needs cluster features beyond a default Kubernetes (SR-IOV, Multus,
//! the static CPU manager, Topology Manager, hugepages, capabilities, PTP), and
//! `needs-rework` when the function itself must change (several services in one VDU, local
//! state, a fixed instance count, a full OS image). The input modules fill
//! [`CnfReadiness`] (`ingest/vnf/readiness.rs` for VNF descriptors); the report carries
//! it per workload and [`summarise`] adds the estate's list of features to plan for.

use std::collections::BTreeMap;

use serde::Serialize;

/// Words in a Kubernetes node's role or labels that say it carries data-plane CNFs.
static DATA_PLANE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)(data[-_ ]?plane|user[-_ ]?plane|sr-?iov|dpdk|\bptp\b|huge-?pages?|\bupf\b|\bcnfs?\b)",
    )
    .unwrap_or_else(|e| panic!("static regex: {e}"))
});

/// `data_plane_node` (and `data_plane_reason`) of a VM spec whose role names a Kubernetes
/// node: its role or `metadata.labels` say it carries data-plane CNFs (SR-IOV, DPDK, PTP,
/// hugepages), a reason for the node to be physical (VM013 says so).
pub fn insert_data_plane_node(
    facts: &mut crate::node::Node,
    doc: &crate::node::Node,
    role_line: u32,
    role: &str,
) {
    use crate::node::Node;
    let from_role = DATA_PLANE
        .is_match(role)
        .then(|| (format!("role {role}"), role_line));
    let from_labels = || {
        doc.at("metadata.labels")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .find_map(|e| {
                let value = e.value.scalar_text().unwrap_or_default();
                (DATA_PLANE.is_match(&e.key) || DATA_PLANE.is_match(&value))
                    .then(|| (format!("label {}: {value}", e.key), e.value.line))
            })
    };
    let found = from_role.or_else(from_labels);
    facts.insert(
        "data_plane_node",
        Node::bool(found.is_some(), found.as_ref().map_or(0, |f| f.1)),
    );
    if let Some((why, line)) = found {
        facts.insert("data_plane_reason", Node::str(why, line));
    }
}

/// The verdict for one VDU (or, for a VNF, its worst VDU).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ready,
    ReadyWithPlatformFeatures,
    NeedsRework,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [
        Verdict::Ready,
        Verdict::ReadyWithPlatformFeatures,
        Verdict::NeedsRework,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ReadyWithPlatformFeatures => "ready-with-platform-features",
            Verdict::NeedsRework => "needs-rework",
        }
    }
}

/// A feature a Kubernetes cluster must offer, in the order a platform team plans them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClusterFeature {
    /// SR-IOV CNI and the SR-IOV network device plugin.
    SriovCniDevicePlugin,
    /// A device plugin for a passed-through PCI device (vfio-pci).
    PciDevicePlugin,
    /// A CNI with SmartNIC / OVS hardware offload.
    SmartnicOffload,
    /// Multus, for secondary networks.
    Multus,
    /// The kubelet's static CPU manager policy, with Guaranteed QoS and integer CPUs.
    StaticCpuManager,
    /// Topology Manager `single-numa-node` (or `restricted`).
    TopologyManager,
    #[serde(rename = "hugepages-1Gi")]
    Hugepages1Gi,
    #[serde(rename = "hugepages-2Mi")]
    Hugepages2Mi,
    /// Hugepages whose size the descriptor does not say (1Gi or 2Mi to choose).
    Hugepages,
    /// The `IPC_LOCK` capability (DPDK locks its hugepage memory).
    IpcLock,
    /// The `SYS_NICE` capability (a pinned poll-mode thread sets its priority).
    SysNice,
    /// PTP: linuxptp / a PTP operator and NICs with hardware timestamping.
    Ptp,
}

impl ClusterFeature {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterFeature::SriovCniDevicePlugin => "sriov-cni-device-plugin",
            ClusterFeature::PciDevicePlugin => "pci-device-plugin",
            ClusterFeature::SmartnicOffload => "smartnic-offload",
            ClusterFeature::Multus => "multus",
            ClusterFeature::StaticCpuManager => "static-cpu-manager",
            ClusterFeature::TopologyManager => "topology-manager",
            ClusterFeature::Hugepages1Gi => "hugepages-1Gi",
            ClusterFeature::Hugepages2Mi => "hugepages-2Mi",
            ClusterFeature::Hugepages => "hugepages",
            ClusterFeature::IpcLock => "ipc-lock",
            ClusterFeature::SysNice => "sys-nice",
            ClusterFeature::Ptp => "ptp",
        }
    }

    /// What a platform team reads.
    pub fn label(self) -> &'static str {
        match self {
            ClusterFeature::SriovCniDevicePlugin => "SR-IOV CNI + SR-IOV network device plugin",
            ClusterFeature::PciDevicePlugin => {
                "device plugin for the passed-through PCI device (vfio-pci)"
            }
            ClusterFeature::SmartnicOffload => "CNI with SmartNIC / OVS hardware offload",
            ClusterFeature::Multus => "Multus (secondary networks)",
            ClusterFeature::StaticCpuManager => {
                "static CPU manager policy + Guaranteed QoS (integer CPUs)"
            }
            ClusterFeature::TopologyManager => {
                "Topology Manager policy single-numa-node (or restricted)"
            }
            ClusterFeature::Hugepages1Gi => "hugepages-1Gi resources",
            ClusterFeature::Hugepages2Mi => "hugepages-2Mi resources",
            ClusterFeature::Hugepages => "hugepages resources (size to choose: 1Gi or 2Mi)",
            ClusterFeature::IpcLock => "IPC_LOCK capability allowed",
            ClusterFeature::SysNice => "SYS_NICE capability allowed",
            ClusterFeature::Ptp => "PTP (linuxptp / PTP operator, NICs with hardware timestamping)",
        }
    }
}

/// What the function itself must change to run as containers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReworkKind {
    /// The whole VNF in one VDU: several services that scale, fail and upgrade together.
    SeveralServices,
    /// State on the VDU's own disks.
    LocalState,
    /// A fixed instance count and no scaling aspect.
    FixedInstanceCount,
    /// A general-purpose OS image with the function installed in it.
    FullOsImage,
}

impl ReworkKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReworkKind::SeveralServices => "several-services",
            ReworkKind::LocalState => "local-state",
            ReworkKind::FixedInstanceCount => "fixed-instance-count",
            ReworkKind::FullOsImage => "full-os-image",
        }
    }

    /// The change it asks for.
    pub fn remedy(self) -> &'static str {
        match self {
            ReworkKind::SeveralServices => "one process per container, one Deployment per function",
            ReworkKind::LocalState => {
                "state out of the container (a PersistentVolumeClaim of a StatefulSet, or an external store)"
            }
            ReworkKind::FixedInstanceCount => {
                "replicas that scale (scaling aspects become a HorizontalPodAutoscaler)"
            }
            ReworkKind::FullOsImage => {
                "a container image with only the function's processes, configured from outside"
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rework {
    pub kind: ReworkKind,
    /// What the descriptor shows (located by the VDU's line).
    pub detail: String,
}

/// One VDU's readiness.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VduReadiness {
    pub vdu: String,
    pub line: u32,
    pub verdict: Verdict,
    pub cluster_features: Vec<ClusterFeature>,
    /// For each cluster feature, what in the descriptor asks for it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub because: Vec<String>,
    pub rework: Vec<Rework>,
}

/// A VM-based VNF's readiness: its worst VDU, each VDU, and the features of all of them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CnfReadiness {
    pub verdict: Verdict,
    pub cluster_features: Vec<ClusterFeature>,
    pub vdus: Vec<VduReadiness>,
}

impl CnfReadiness {
    pub fn from_vdus(vdus: Vec<VduReadiness>) -> Option<Self> {
        let verdict = vdus.iter().map(|v| v.verdict).max()?;
        let mut cluster_features: Vec<ClusterFeature> = vdus
            .iter()
            .flat_map(|v| v.cluster_features.iter().copied())
            .collect();
        cluster_features.sort();
        cluster_features.dedup();
        Some(CnfReadiness {
            verdict,
            cluster_features,
            vdus,
        })
    }
}

/// A feature the estate's clusters must offer, and how much asks for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureDemand {
    pub feature: ClusterFeature,
    pub label: &'static str,
    pub workloads: usize,
    pub vdus: usize,
}

/// The estate's CNF readiness: VNFs and VDUs per verdict, and the cluster features to plan
/// for (those of the VDUs that can move: ready with platform features or after rework).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EstateReadiness {
    pub workloads: BTreeMap<&'static str, usize>,
    pub vdus: BTreeMap<&'static str, usize>,
    pub cluster_features: Vec<FeatureDemand>,
}

/// The estate summary over the workloads that have a readiness; `None` when none has.
pub fn summarise<'a>(readiness: impl Iterator<Item = &'a CnfReadiness>) -> Option<EstateReadiness> {
    let mut out = EstateReadiness {
        workloads: Verdict::ALL.iter().map(|v| (v.as_str(), 0)).collect(),
        vdus: Verdict::ALL.iter().map(|v| (v.as_str(), 0)).collect(),
        cluster_features: Vec::new(),
    };
    let mut any = false;
    let mut demand: BTreeMap<ClusterFeature, (usize, usize)> = BTreeMap::new();
    for r in readiness {
        any = true;
        *out.workloads.entry(r.verdict.as_str()).or_default() += 1;
        for f in &r.cluster_features {
            demand.entry(*f).or_default().0 += 1;
        }
        for v in &r.vdus {
            *out.vdus.entry(v.verdict.as_str()).or_default() += 1;
            for f in &v.cluster_features {
                demand.entry(*f).or_default().1 += 1;
            }
        }
    }
    out.cluster_features = demand
        .into_iter()
        .map(|(feature, (workloads, vdus))| FeatureDemand {
            feature,
            label: feature.label(),
            workloads,
            vdus,
        })
        .collect();
    any.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vdu(name: &str, verdict: Verdict, features: &[ClusterFeature]) -> VduReadiness {
        VduReadiness {
            vdu: name.into(),
            line: 1,
            verdict,
            cluster_features: features.to_vec(),
            because: Vec::new(),
            rework: Vec::new(),
        }
    }

    #[test]
    fn a_vnf_is_as_ready_as_its_worst_vdu_and_needs_every_feature_of_its_vdus() {
        let r = CnfReadiness::from_vdus(vec![
            vdu("lb", Verdict::Ready, &[]),
            vdu(
                "up",
                Verdict::ReadyWithPlatformFeatures,
                &[ClusterFeature::Multus, ClusterFeature::SriovCniDevicePlugin],
            ),
        ]);
        let r = r.unwrap_or_else(|| panic!("two VDUs give a readiness"));
        assert_eq!(r.verdict, Verdict::ReadyWithPlatformFeatures);
        assert_eq!(
            r.cluster_features,
            vec![ClusterFeature::SriovCniDevicePlugin, ClusterFeature::Multus]
        );
        assert_eq!(CnfReadiness::from_vdus(Vec::new()), None);
        let estate = summarise([&r, &r].into_iter()).unwrap_or_default();
        assert_eq!(estate.workloads["ready-with-platform-features"], 2);
        assert_eq!(estate.vdus["ready"], 2);
        assert_eq!(estate.cluster_features[1].feature, ClusterFeature::Multus);
        assert_eq!(estate.cluster_features[1].vdus, 2);
        assert_eq!(summarise(std::iter::empty()), None);
    }

    #[test]
    fn json_names_are_the_contract() {
        let json = serde_json::to_string(&[
            ClusterFeature::Hugepages1Gi,
            ClusterFeature::StaticCpuManager,
        ])
        .unwrap_or_default();
        assert_eq!(json, r#"["hugepages-1Gi","static-cpu-manager"]"#);
        for f in [
            ClusterFeature::Hugepages2Mi,
            ClusterFeature::SriovCniDevicePlugin,
        ] {
            let s = serde_json::to_string(&f).unwrap_or_default();
            assert_eq!(s.trim_matches('"'), f.as_str());
        }
    }
}
