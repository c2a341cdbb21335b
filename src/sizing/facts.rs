//! The sizing facts (`facts.current.*`, `demand.*`, `rightsizing.*`, `components[*]`):
//! declared for the rule loader and `fitscan rules facts`, and inserted after sizing.

use crate::model::{FactDoc, FactGroup, Workload, WorkloadKind};
use crate::node::Node;
use crate::sizing::ComponentReport;
use crate::sizing::rightsize::{self, Rightsizing};

/// The right-sizing facts over some dimensions (`"{vcpu,memory_gib}"`).
macro_rules! sizing_facts {
    ($dims:literal) => {
        &[
            FactDoc::new(
                concat!("current.", $dims),
                "current size in vCPU and GiB, where known (at the line of the field it came from)",
            ),
            FactDoc::new(
                concat!("demand.", $dims),
                "demand at the chosen percentile (`--percentile`); only with utilisation",
            ),
            FactDoc::new(concat!("demand.share.", $dims), "demand / current size"),
            FactDoc::new(
                "rightsizing.basis",
                "`utilisation` (demand known) or `none`",
            ),
            FactDoc::new(
                "rightsizing.confidence",
                "low, medium or high: the share of expected utilisation data points present",
            ),
            FactDoc::new(
                concat!("rightsizing.recommended.", $dims),
                "demand plus headroom, rounded up to the next allowed size or catalog entry; only where demand for that dimension is known",
            ),
            FactDoc::new(
                concat!("rightsizing.reclaimable.", $dims),
                "current minus recommended; negative when undersized",
            ),
            FactDoc::new(
                concat!("rightsizing.reclaimable_share.", $dims),
                "reclaimable / current size (0.3 = 30 % can go)",
            ),
        ]
    };
}

/// `facts.components[*]` over some dimensions.
macro_rules! component_facts {
    ($parts:literal, $dims:literal) => {
        &[
            FactDoc::new(
                "components[*]",
                concat!(
                    "parts sized on their own: ",
                    $parts,
                    "; iterate with `some: facts.components[*]`"
                ),
            ),
            FactDoc::new("components[*].name", "the part's name"),
            FactDoc::new(
                "components[*].count",
                "instances: replicas (1 per node for a DaemonSet), VDU instances at instantiation",
            ),
            FactDoc::new(
                concat!("components[*].current.", $dims),
                "size of one instance",
            ),
            FactDoc::new(
                concat!("components[*].demand.", $dims),
                "demand of one instance; only with utilisation",
            ),
            FactDoc::new(
                concat!("components[*].recommended.", $dims),
                "recommended size of one instance; only with utilisation",
            ),
            FactDoc::new(
                concat!("components[*].reclaimable.", $dims),
                "current minus recommended, per instance; only with utilisation",
            ),
            FactDoc::new(
                concat!("components[*].reclaimable_share.", $dims),
                "reclaimable / current size (0.5 = half can go); only with utilisation",
            ),
        ]
    };
}

/// The sizing facts, inserted by `insert_workload_facts` and `insert_component_facts` below
/// (a test fails when a fact is inserted undeclared). Containers have no storage of their
/// own: their sizing facts are CPU and memory.
pub const FACTS: &[FactGroup] = {
    use crate::model::Target::{Compose, Kubernetes, Vm, Vnf};
    &[
        FactGroup {
            targets: &[Vm, Vnf],
            title: "Size and right-sizing: CPU, memory and storage",
            facts: sizing_facts!("{vcpu,memory_gib,storage_gib}"),
        },
        FactGroup {
            targets: &[Kubernetes, Compose],
            title: "Size and right-sizing: CPU and memory (containers have no storage of their own)",
            facts: sizing_facts!("{vcpu,memory_gib}"),
        },
        FactGroup {
            targets: &[Vm],
            title: "The sizing judgement of a VM: one rule of oversize for every resource",
            facts: &[
                FactDoc::new(
                    "rightsizing.reclaimable_steps.{vcpu,memory_gib,storage_gib}",
                    "steps of the size ladder the recommendation gives back (0 when none); only where sized on utilisation",
                ),
                FactDoc::new(
                    "rightsizing.oversized.{vcpu,memory_gib,storage_gib}",
                    "true when the recommendation gives back at least one ladder step and at least the oversize threshold (25 %, `--oversize-threshold`) of the current size; only where sized on utilisation",
                ),
                FactDoc::new(
                    "rightsizing.undersized.{vcpu,memory_gib,storage_gib}",
                    "`warning` when demand plus headroom exceeds the current size, `error` when demand alone does; absent when not undersized",
                ),
            ],
        },
        FactGroup {
            targets: &[Compose],
            title: "The sizing judgement of a Compose service",
            facts: &[
                FactDoc::new(
                    "rightsizing.reclaimable_steps.{vcpu,memory_gib}",
                    "steps of the size ladder the recommendation gives back (0 when none); only where sized on utilisation",
                ),
                FactDoc::new(
                    "rightsizing.oversized.{vcpu,memory_gib}",
                    "true when the recommendation gives back at least one step and at least the oversize threshold (25 %) of the current size; only where sized on utilisation",
                ),
                FactDoc::new(
                    "rightsizing.undersized.{vcpu,memory_gib}",
                    "`warning` when demand plus headroom exceeds the current size, `error` when demand alone does; absent when not undersized",
                ),
            ],
        },
        FactGroup {
            targets: &[Vnf, Kubernetes, Compose],
            title: "The sizing judgement of each component (VDU, container, service)",
            facts: &[
                FactDoc::new(
                    "components[*].reclaimable_steps.{vcpu,memory_gib}",
                    "steps of the size ladder the recommendation gives back, per instance; only where sized on utilisation",
                ),
                FactDoc::new(
                    "components[*].oversized.{vcpu,memory_gib}",
                    "true when at least one ladder step and the oversize threshold (25 %) of the instance's size can go; only where sized on utilisation",
                ),
                FactDoc::new(
                    "components[*].undersized.{vcpu,memory_gib}",
                    "`warning` when demand plus headroom exceeds the instance's size, `error` when demand alone does; absent when not undersized",
                ),
            ],
        },
        FactGroup {
            targets: &[Vnf, Kubernetes],
            title: "Poll-mode data planes",
            facts: &[FactDoc::new(
                "components[*].poll_mode",
                "poll-mode data-plane features it uses (DPDK, SR-IOV, CPU pinning, huge pages): its CPU is not sized on utilisation, which shows 100 % by design",
            )],
        },
        FactGroup {
            targets: &[Vnf],
            title: "Throughput of poll-mode VDUs",
            facts: &[FactDoc::new(
                "components[*].throughput_per_vcpu",
                "throughput per vCPU as measured (`throughput_per_vcpu` in --metrics, in the unit the VNF's dimensioning uses): what a poll-mode VDU is sized on",
            )],
        },
        FactGroup {
            targets: &[Vnf],
            title: "Components: the VDUs",
            facts: component_facts!("the VDUs", "{vcpu,memory_gib,storage_gib}"),
        },
        FactGroup {
            targets: &[Kubernetes, Compose],
            title: "Components: the containers (Kubernetes), the service (Compose)",
            facts: component_facts!(
                "the containers (Kubernetes), the service (Compose)",
                "{vcpu,memory_gib}"
            ),
        },
    ]
};

/// Inserts the sizing facts of a workload sized as `rs` (`FACTS`): current size, demand,
/// recommendation, reclaimable, and for VMs and Compose services the judgement.
pub fn insert_workload_facts(w: &mut Workload, rs: &Rightsizing) {
    let facts = &mut w.facts;
    if facts.as_map().is_none() {
        *facts = Node::map(0);
    }
    // Judged at the workload level where it is sized as a whole (a VM, a Compose
    // service); Kubernetes workloads and VNFs are judged per component.
    let is_vm = matches!(w.kind, WorkloadKind::Vm | WorkloadKind::Compose);
    // The demand the recommendation is sized for: a failover group's load, without a
    // poll-mode data plane's CPU (a dimension not sized on utilisation has no demand fact).
    let demand = rightsize::sizing_demand(rs);
    let dims = [
        (
            "vcpu",
            rs.current.vcpu,
            demand.vcpu,
            rs.recommended.vcpu,
            rs.reclaimable.vcpu,
        ),
        (
            "memory_gib",
            rs.current.memory_gib,
            demand.memory_gib,
            rs.recommended.memory_gib,
            rs.reclaimable.memory_gib,
        ),
        (
            "storage_gib",
            rs.current.storage_gib,
            demand.storage_gib,
            rs.recommended.storage_gib,
            rs.reclaimable.storage_gib,
        ),
    ];
    let basis = match rs.basis {
        rightsize::Basis::Utilisation => "utilisation",
        rightsize::Basis::None => "none",
    };
    facts.insert_at(["rightsizing", "basis"], Node::str(basis, 0));
    facts.insert_at(
        ["rightsizing", "confidence"],
        Node::str(rs.confidence.as_str(), 0),
    );
    for (dim, current, demand, recommended, reclaimable) in dims {
        // Sizing facts point where the ingest module located that dimension (`facts.vcpu`).
        let line = facts.get(dim).map_or(0, |n| n.line);
        if let Some(c) = current {
            facts.insert_at(["current", dim], Node::float(c, line));
        }
        // Recommendations only where demand is known: a rule on them is unknown otherwise.
        let Some(d) = demand else { continue };
        facts.insert_at(["demand", dim], Node::float(d, line));
        if let Some(r) = recommended {
            facts.insert_at(["rightsizing", "recommended", dim], Node::float(r, line));
        }
        if let Some(r) = reclaimable {
            facts.insert_at(["rightsizing", "reclaimable", dim], Node::float(r, line));
            if let Some(c) = current.filter(|c| *c > 0.0) {
                facts.insert_at(
                    ["rightsizing", "reclaimable_share", dim],
                    Node::float(rightsize::round2(r / c), line),
                );
                facts.insert_at(
                    ["demand", "share", dim],
                    Node::float(rightsize::round2(d / c), line),
                );
            }
        }
        if is_vm {
            insert_judgement(facts, Some("rightsizing"), rs, dim, line);
        }
    }
}

/// The sizing judgement of one dimension as facts under `prefix`: ladder steps
/// reclaimable, oversized (true / false), undersized (`warning` / `error`, when it is).
/// Only where the dimension was sized on utilisation: a rule on them is unknown otherwise.
fn insert_judgement(
    facts: &mut Node,
    prefix: Option<&str>,
    rs: &Rightsizing,
    dim: &str,
    line: u32,
) {
    let Some(steps) = rightsize::Dim::ALL
        .into_iter()
        .find(|d| d.key() == dim)
        .and_then(|d| d.get(&rs.reclaimable_steps))
    else {
        return;
    };
    let at = |key: &'static str| prefix.into_iter().chain([key, dim]);
    facts.insert_at(at("reclaimable_steps"), Node::float(steps, line));
    facts.insert_at(
        at("oversized"),
        Node::bool(rs.oversized.contains(&dim), line),
    );
    if let Some(severity) = rs.undersized.get(dim) {
        facts.insert_at(at("undersized"), Node::str(*severity, line));
    }
}

/// `facts.components[*]`: each component's name, count and sizing figures, so that rules
/// can iterate containers or VDUs (`some: facts.components[*]`).
pub fn insert_component_facts(facts: &mut Node, components: &[ComponentReport]) {
    if components.is_empty() {
        return;
    }
    let items = components
        .iter()
        .map(|c| {
            let mut n = Node::map(c.line);
            n.insert("name", Node::str(c.name.clone(), c.line));
            n.insert("count", Node::float(c.count, c.line));
            if !c.poll_mode.is_empty() {
                n.insert("poll_mode", Node::str(c.poll_mode.join(", "), c.line));
            }
            if let Some(t) = c.throughput_per_vcpu {
                n.insert("throughput_per_vcpu", Node::float(t, c.line));
            }
            if let Some(rs) = &c.rightsizing {
                let parts = [
                    ("current", rs.current),
                    ("demand", rightsize::sizing_demand(rs)),
                    ("recommended", rs.recommended),
                    ("reclaimable", rs.reclaimable),
                ];
                if rs.basis == rightsize::Basis::Utilisation {
                    let dims = [
                        ("vcpu", rs.current.vcpu, rs.reclaimable.vcpu),
                        (
                            "memory_gib",
                            rs.current.memory_gib,
                            rs.reclaimable.memory_gib,
                        ),
                        (
                            "storage_gib",
                            rs.current.storage_gib,
                            rs.reclaimable.storage_gib,
                        ),
                    ];
                    for (dim, current, reclaimable) in dims {
                        if let (Some(size), Some(r)) = (current, reclaimable)
                            && size > 0.0
                        {
                            let share = Node::float(rightsize::round2(r / size), c.line);
                            n.insert_at(["reclaimable_share", dim], share);
                        }
                    }
                }
                for dim in ["vcpu", "memory_gib"] {
                    insert_judgement(&mut n, None, rs, dim, c.line);
                }
                for (part, s) in parts {
                    // Without utilisation only the current size is a fact.
                    if part != "current" && rs.basis == rightsize::Basis::None {
                        continue;
                    }
                    for (dim, v) in [
                        ("vcpu", s.vcpu),
                        ("memory_gib", s.memory_gib),
                        ("storage_gib", s.storage_gib),
                    ] {
                        if let Some(v) = v {
                            n.insert_at([part, dim], Node::float(v, c.line));
                        }
                    }
                }
            }
            n
        })
        .collect();
    facts.insert("components", Node::seq(items, 0));
}
