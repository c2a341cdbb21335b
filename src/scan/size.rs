//! Sizing across workloads: failover groups sized together, and the assumptions the
//! report states.

use std::collections::BTreeMap;

use crate::assessment::WorkloadReport;
use crate::model::{Workload, WorkloadKind};
use crate::node::Node;
use crate::sizing::rightsize::{self, SizingOptions};

use super::*;

/// A VM that names its failover group (`app.haGroup`): it is sized with its peers, so it
/// waits for every file to be read.
pub(super) fn in_failover_group(w: &Workload) -> bool {
    w.kind == WorkloadKind::Vm
        && w.facts.get("ha_member").and_then(Node::as_bool) == Some(true)
        && w.facts.get("ha_group").is_some()
}

/// Sizes the members of each failover group (VMs of one `app.haGroup`) for failover: in an
/// active-passive group every member must carry the busiest member's load alone; in a
/// cluster (N+1, active-active) the others must carry the group's load with one member
/// down, so each is sized for the group's total over (members - 1). A standby is never
/// sized on its own near-idle figures. A group of one is left to `keep_size`.
pub(super) fn size_failover_groups(workloads: &mut [Workload]) {
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, w) in workloads.iter().enumerate() {
        if in_failover_group(w)
            && let Some(g) = w.facts.get("ha_group").and_then(Node::scalar_text)
        {
            groups.entry(g).or_default().push(i);
        }
    }
    for (group, members) in groups {
        if members.len() < 2 {
            continue;
        }
        let active_passive = members.iter().any(|i| {
            workloads[*i]
                .facts
                .get("ha")
                .and_then(Node::scalar_text)
                .as_deref()
                == Some("active-passive")
        });
        let n = members.len() as f64;
        let pick = |f: fn(&model::Demand) -> Option<f64>| -> Option<f64> {
            let values: Vec<f64> = members
                .iter()
                .filter_map(|i| workloads[*i].demand.as_ref().and_then(f))
                .collect();
            if values.is_empty() {
                None
            } else if active_passive {
                values.iter().copied().reduce(f64::max)
            } else {
                Some(values.iter().sum::<f64>() / (n - 1.0))
            }
        };
        let load = model::Sizing {
            vcpu: pick(|d| d.vcpu),
            memory_gib: pick(|d| d.memory_gib),
            storage_gib: None,
        };
        if load.vcpu.is_none() && load.memory_gib.is_none() {
            continue;
        }
        let names: Vec<String> = members.iter().map(|i| workloads[*i].name.clone()).collect();
        let figures = [
            load.vcpu
                .map(|v| format!("{} vCPU", node::format_number(rightsize::round2(v)))),
            load.memory_gib
                .map(|v| format!("{} GiB", node::format_number(rightsize::round2(v)))),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
        let how = if active_passive {
            format!(
                "active-passive: each member is sized to carry the busiest member's load alone ({figures})"
            )
        } else {
            format!(
                "N+1: each member is sized for the group's load spread over {} members with one down ({figures} each)",
                node::format_number(n - 1.0)
            )
        };
        let note = format!(
            "failover: group `{group}` ({} members: {}), {how}; a standby is never idle",
            members.len(),
            names.join(", ")
        );
        for i in &members {
            workloads[*i].traits.failover = Some((load, note.clone()));
        }
    }
}

/// The assumptions sizing made beyond the figures, one line each, for the report's
/// assumptions: the oversize and undersize shapes, the storage floor, and how many
/// workloads a percentile stood in for, a failover group or a poll-mode data plane
/// concerned, and physical cores counted as vCPUs.
pub(super) fn sizing_assumptions(
    workloads: &[WorkloadReport],
    sizing: &SizingOptions,
) -> Vec<String> {
    let pct = |x: f64| node::format_number(rightsize::round2(x * 100.0));
    let mut lines = vec![
        format!(
            "oversized: the recommendation gives back at least one step of the size ladder and at least {} % of the current size (--oversize-threshold); undersized: a warning when demand plus headroom exceeds the size, an error when demand alone does",
            pct(sizing.oversize_threshold)
        ),
        if sizing.headroom > 0.0 {
            format!(
                "storage: a recommendation leaves a disk at most {} % full; shrinking a disk means a file-level copy (a block-level rehost keeps the provisioned size)",
                pct(sizing.storage_max_fill)
            )
        } else {
            format!(
                "storage: --headroom 0 sizes storage to the space used exactly, so a disk may be full after the move (the {} % floor applies with any headroom above 0); shrinking a disk means a file-level copy",
                pct(sizing.storage_max_fill)
            )
        },
    ];
    let count =
        |pick: &dyn Fn(&WorkloadReport) -> bool| workloads.iter().filter(|w| pick(w)).count();
    let notes_of = |w: &WorkloadReport, prefix: &str| -> bool {
        let parts = w
            .components
            .iter()
            .filter_map(|c| c.rightsizing.as_ref())
            .chain(w.rightsizing.as_deref());
        parts
            .flat_map(|r| r.notes.iter())
            .any(|n| n.starts_with(prefix))
    };
    let missing = count(&|w| w.notes.iter().any(|n| n.starts_with("percentile: ")));
    if missing > 0 {
        lines.push(format!(
            "percentile: p{} was asked for but not available for {missing} workload(s): the statistic that stood in is named in each workload's notes and sizing",
            node::format_number(sizing.percentile)
        ));
    }
    let cores = count(&|w| notes_of(w, "cpu: "));
    if cores > 0 {
        lines.push(format!(
            "cpu: {cores} physical server(s) counted one vCPU per physical core, hyper-threads not counted; where the target's vCPU is a hyper-thread and hyper-threading was on, CPU % was of twice as many threads"
        ));
    }
    let failover = count(&|w| notes_of(w, "failover: "));
    if failover > 0 {
        lines.push(format!(
            "failover: {failover} workload(s) in failover groups (app.ha, redundant VDUs) sized to carry the group's load with one member down; a standby is never idle"
        ));
    }
    let poll = count(&|w| notes_of(w, "poll-mode"));
    if poll > 0 {
        lines.push(format!(
            "poll mode: {poll} workload(s) with a poll-mode data plane (DPDK, SR-IOV, CPU pinning, huge pages) not sized on CPU utilisation, which shows 100 % by design (evidence needed: throughput per vCPU)"
        ));
    }
    lines
}
