//! VNF -> CNF (issue 21): VM-based VNFs are generation 2 with a CNF readiness per VDU,
//! containerised VNFs generation 3; a DPDK CNF on Kubernetes is judged as a CNF.

use std::path::{Path, PathBuf};

use fitscan::assessment::{Report, WorkloadReport};
use fitscan::model::cnf::{ClusterFeature, ReworkKind, Verdict};
use fitscan::model::{Generation, Phase};
use fitscan::{ScanOptions, scan};

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn one(rel: &str) -> WorkloadReport {
    let report: Report =
        scan(&[path(rel)], &ScanOptions::default()).unwrap_or_else(|e| panic!("scan: {e}"));
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let mut ws = report.workloads;
    assert_eq!(ws.len(), 1, "one workload in {rel}");
    ws.remove(0)
}

#[test]
fn a_vm_based_vnf_with_sriov_pinning_numa_and_hugepages_is_ready_with_platform_features() {
    let w = one("rules/vnf/fixtures/readiness/sriov_upf_vnfd.yaml");
    assert_eq!(w.generation, Generation::ClientServer);
    // Phases stay relative to the platform: it scales and heals through its VNFM.
    assert_eq!(w.phase, Phase::PurposeBuilt);
    let r = w.cnf_readiness.unwrap_or_else(|| panic!("a readiness"));
    assert_eq!(r.verdict, Verdict::ReadyWithPlatformFeatures);
    use ClusterFeature::*;
    assert_eq!(
        r.cluster_features,
        vec![
            SriovCniDevicePlugin,
            Multus,
            StaticCpuManager,
            TopologyManager,
            Hugepages1Gi,
            IpcLock,
            SysNice
        ]
    );
    let verdicts: Vec<(&str, Verdict)> =
        r.vdus.iter().map(|v| (v.vdu.as_str(), v.verdict)).collect();
    assert_eq!(
        verdicts,
        vec![
            ("dataplane", Verdict::ReadyWithPlatformFeatures),
            ("controlplane", Verdict::Ready)
        ]
    );
}

#[test]
fn a_monolithic_appliance_with_local_state_needs_rework() {
    let w = one("rules/vnf/fixtures/readiness/appliance_monolith_vnfd.yaml");
    assert_eq!(w.generation, Generation::ClientServer);
    assert_eq!(w.phase, Phase::Unchanged);
    let r = w.cnf_readiness.unwrap_or_else(|| panic!("a readiness"));
    assert_eq!(r.verdict, Verdict::NeedsRework);
    let kinds: Vec<ReworkKind> = r.vdus[0].rework.iter().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        vec![
            ReworkKind::SeveralServices,
            ReworkKind::LocalState,
            ReworkKind::FixedInstanceCount,
            ReworkKind::FullOsImage
        ]
    );
    assert!(r.cluster_features.is_empty());
}

#[test]
fn a_containerised_vnf_is_generation_3_without_a_readiness_verdict() {
    let w = one("rules/vnf/fixtures/readiness/container_vnf_vnfd.yaml");
    assert_eq!(w.generation, Generation::CloudNative);
    assert!(w.cnf_readiness.is_none());
}

#[test]
fn a_dpdk_cnf_with_multus_hugepages_and_ipc_lock_is_judged_as_a_cnf() {
    let report = scan(
        &[path("rules/kubernetes/fixtures/dpdk-cnf.yaml")],
        &ScanOptions::default(),
    )
    .unwrap_or_else(|e| panic!("scan: {e}"));
    let w = &report.workloads[0];
    assert!(
        w.phase >= Phase::Optimised,
        "{:?}: {:?}",
        w.phase,
        w.held_by
    );
    let rules: Vec<&str> = w.findings.iter().map(|f| &*f.rule).collect();
    assert_eq!(rules, vec!["K8S032", "K8S032"]);
    assert!(report.summary.cnf_readiness.is_none());
}

#[test]
fn the_estate_lists_the_cluster_features_to_plan_for() {
    let report = scan(
        &[path("rules/vnf/fixtures/readiness")],
        &ScanOptions::default(),
    )
    .unwrap_or_else(|e| panic!("scan: {e}"));
    let estate = report
        .summary
        .cnf_readiness
        .unwrap_or_else(|| panic!("an estate readiness"));
    assert_eq!(estate.workloads["needs-rework"], 1);
    assert_eq!(estate.workloads["ready-with-platform-features"], 1);
    assert_eq!(estate.vdus["ready"], 1);
    let features: Vec<&str> = estate
        .cluster_features
        .iter()
        .map(|f| f.feature.as_str())
        .collect();
    assert_eq!(
        features,
        vec![
            "sriov-cni-device-plugin",
            "multus",
            "static-cpu-manager",
            "topology-manager",
            "hugepages-1Gi",
            "ipc-lock",
            "sys-nice"
        ]
    );
}
