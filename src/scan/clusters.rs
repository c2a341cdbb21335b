//! The cluster stage of the pipeline: after every VM is assessed, group the node records,
//! assess each cluster as a workload of its own, and label its node VMs.

use crate::assessment::WorkloadReport;
use crate::clusters::reservations::ReservationPolicy;
use crate::clusters::{ClusterReport, NodeRecord, VsphereCluster, build};
use crate::model::{ScanError, Workload};

/// What the stage needs of one assessed workload (the pipeline's own type).
pub trait Assessment {
    /// The node record kept at assessment, taken out.
    fn take_node(&mut self) -> Option<NodeRecord>;
    fn report_mut(&mut self) -> &mut WorkloadReport;
}

/// Groups the nodes found among `results`, assesses every cluster with `assess` and adds it
/// to `results`; returns the clusters for the report, by name.
pub fn run<A: Assessment>(
    results: &mut Vec<A>,
    vsphere: &[VsphereCluster],
    reservations: &ReservationPolicy,
    errors: &mut Vec<ScanError>,
    assess: impl Fn(Workload) -> Result<A, ScanError>,
) -> Vec<ClusterReport> {
    let nodes: Vec<(usize, NodeRecord)> = results
        .iter_mut()
        .enumerate()
        .filter_map(|(i, a)| a.take_node().map(|n| (i, n)))
        .collect();
    if nodes.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for built in build(nodes, vsphere, reservations) {
        let mut report = built.report;
        for (i, m) in built.members.iter().zip(&report.members) {
            if let Some(a) = results.get_mut(*i) {
                let r = a.report_mut();
                r.labels.insert("kubernetes-cluster", report.name.clone());
                r.labels.insert("kubernetes-role", m.role.as_str());
            }
        }
        match assess(built.workload) {
            Ok(mut a) => {
                let r = a.report_mut();
                report.workload = r.id.clone();
                report.phase = r.phase;
                report.score = r.score;
                let mut rules: Vec<String> =
                    r.findings.iter().map(|f| f.rule.to_string()).collect();
                rules.sort();
                rules.dedup();
                report.findings = rules;
                results.push(a);
            }
            Err(e) => errors.push(e),
        }
        out.push(report);
    }
    out.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| a.workload.cmp(&b.workload))
    });
    out
}
