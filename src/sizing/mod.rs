//! The sizing stage: utilisation joined to workloads (`metrics`), each workload and
//! component right-sized on a ladder (`rightsize`) or rounded to a catalog entry
//! (`catalog`), and the sizing facts rules read, declared and inserted together (`facts`).

pub mod catalog;
pub mod facts;
pub mod metrics;
pub mod rightsize;

use std::sync::Arc;

use serde::Serialize;

use crate::model::{self, Workload, WorkloadKind};
use crate::node::{self, Node};
use rightsize::{Ladder, Rightsizing, SizingOptions, rightsize};

/// A part sized on its own (a VDU, a container, a Compose service's container): an entry
/// of a workload's `components` in the report.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentReport {
    pub name: String,
    /// Set when the component is defined in another file than the workload's (a VDU in a
    /// VNF package's deployment-flavour file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<Arc<str>>,
    pub line: u32,
    pub count: f64,
    /// Poll-mode data-plane features (DPDK, SR-IOV, CPU pinning, huge pages): not sized on
    /// CPU utilisation.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub poll_mode: Vec<String>,
    /// Throughput per vCPU, when measured (`throughput_per_vcpu` in --metrics): what a
    /// poll-mode data plane is sized on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput_per_vcpu: Option<f64>,
    pub rightsizing: Option<rightsize::Rightsizing>,
    /// The cheapest catalog entry (VM size, NFVI flavour) that fits one instance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<catalog::CatalogFit>,
}

/// What sizing one workload gives: its components', its own, and the catalog entry.
pub struct Sized {
    pub components: Vec<ComponentReport>,
    pub rightsizing: Option<rightsize::Rightsizing>,
    pub catalog: Option<catalog::CatalogFit>,
}

/// Sizes one workload and its components (with a catalog, VMs and VDUs are rounded to
/// its entries), notes what the figures cannot see, and inserts the sizing facts.
pub fn size(w: &mut Workload, sizing: &SizingOptions, catalog: Option<&catalog::Catalog>) -> Sized {
    let ladder = Ladder::for_kind(w.kind);
    // Catalogs hold VM sizes and NFVI flavours: they size VMs and VDUs, not containers.
    let catalog = catalog.filter(|_| ladder == Ladder::Vm);
    let components: Vec<ComponentReport> = w
        .components
        .iter()
        .map(|c| {
            let mut traits = c.traits.clone();
            // Redundant VDUs (N+1): the instances share the load, and one instance down
            // leaves the others to carry it.
            if w.kind == WorkloadKind::Vnf
                && traits.redundant
                && c.count >= 2.0
                && let Some(d) = &c.demand
            {
                let n = c.count;
                let f = n / (n - 1.0);
                traits.failover = Some((
                    model::Sizing {
                        vcpu: d.vcpu.map(|v| v * f),
                        memory_gib: d.memory_gib.map(|v| v * f),
                        storage_gib: None,
                    },
                    format!(
                        "failover: {} instances of this VDU, kept apart by anti-affinity, share the load (N+1); each is sized to carry it with one instance down (demand x {}/{})",
                        node::format_number(n),
                        node::format_number(n),
                        node::format_number(n - 1.0)
                    ),
                ));
            }
            let mut rightsizing = rightsize(&c.current, c.demand.as_ref(), ladder, sizing, &traits);
            let fit = catalog.and_then(|cat| cat.fit(rightsizing.as_mut(), sizing));
            if fit.is_some()
                && let Some(r) = rightsizing.as_mut()
            {
                rightsize::judge(r, ladder, sizing);
            }
            ComponentReport {
                name: c.name.clone(),
                file: None,
                line: c.line,
                count: c.count,
                poll_mode: traits.poll_mode.clone(),
                throughput_per_vcpu: c.demand.as_ref().and_then(|d| d.throughput_per_vcpu),
                rightsizing,
                catalog: fit,
            }
        })
        .collect();
    let mut traits = w.traits.clone();
    let ha_member = w.facts.get("ha_member").and_then(Node::as_bool) == Some(true);
    if ha_member && traits.failover.is_none() {
        let mode = w
            .facts
            .get("ha")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        traits.keep_size = Some(format!(
            "failover: a member of an {mode} group whose peers are not in the scan: CPU and memory are kept at the current size (a standby must carry its peer's load; name the group in app.haGroup to size it with its peers)"
        ));
    }
    let rs = if w.current.is_empty() && w.demand.is_none() && !components.is_empty() {
        let parts: Vec<(f64, &Rightsizing)> = components
            .iter()
            .filter_map(|c| c.rightsizing.as_ref().map(|r| (c.count, r)))
            .collect();
        rightsize::aggregate(&parts)
    } else {
        rightsize(&w.current, w.demand.as_ref(), ladder, sizing, &traits)
    };
    let mut rs = rs;
    let fit = if components.is_empty() {
        catalog.and_then(|cat| cat.fit(rs.as_mut(), sizing))
    } else {
        None
    };
    if fit.is_some()
        && let Some(r) = rs.as_mut()
    {
        rightsize::judge(r, ladder, sizing);
    }
    if let Some(r) = rs.as_mut()
        && let Some(note) = cores_note(&w.facts, r)
    {
        r.notes.push(note);
    }
    if let Some(d) = &w.demand {
        let stand_ins = d.statistic.stand_ins();
        if !stand_ins.is_empty() {
            w.notes.push(format!(
                "percentile: p{} was asked for but not available: {} stood in",
                node::format_number(sizing.percentile),
                stand_ins.join(", ")
            ));
        }
    }
    if let Some(cat) = catalog
        && fit.is_none()
        && components.is_empty()
        && let Some(note) = cat.unfit_note(rs.as_ref(), sizing)
    {
        w.notes.push(note);
    }
    if let Some(rs) = rs.as_ref() {
        facts::insert_workload_facts(w, rs);
    }
    catalog::insert_facts(&mut w.facts, fit.as_ref());
    facts::insert_component_facts(&mut w.facts, &components);
    Sized {
        components,
        rightsizing: rs,
        catalog: fit,
    }
}

/// Physical cores against threads, said where a physical server's size is counted: one
/// vCPU per core, hyper-threads not counted.
fn cores_note(facts: &Node, rs: &Rightsizing) -> Option<String> {
    if facts.get("physical").and_then(Node::as_bool) != Some(true) {
        return None;
    }
    let vcpu = rs.current.vcpu?;
    let topology = match (
        facts.get("sockets").and_then(Node::as_f64),
        facts.get("cores_per_socket").and_then(Node::as_f64),
    ) {
        (Some(s), Some(c)) => format!(" ({} x {})", node::format_number(s), node::format_number(c)),
        _ => String::new(),
    };
    Some(format!(
        "cpu: {} physical cores{topology} counted as {} vCPU, one per core (hyper-threads not counted); if hyper-threading was on, the OS showed {} threads and CPU % is of those: check before sizing below the cores",
        node::format_number(vcpu),
        node::format_number(vcpu),
        node::format_number(vcpu * 2.0)
    ))
}

/// Why a `--metrics` or `--catalog` file cannot be used: the scan stops before it starts
/// (exit 2), the message naming the file.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{path}: {message}")]
    Path { path: String, message: String },
    #[error("{0}")]
    Usage(String),
}
