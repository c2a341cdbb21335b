//! The estate summary: what an inventory adds to the per-workload figures — powered-off
//! VMs, end-of-life operating systems, rows that are not workloads, capacity and findings
//! by datacenter / cluster / host / vCenter, and the monthly cost with a catalog.

use std::collections::{BTreeMap, HashSet};

use crate::model::WorkloadKind;

use crate::assessment::{CostSummary, EstateSummary, GROUP_KEYS, WorkloadReport};
use crate::sizing::rightsize::round2;

/// The tag of the rules whose findings mark an end-of-life operating system (VM012, and any
/// custom lifecycle rule a workshop adds).
pub const END_OF_LIFE_TAG: &str = "end-of-life";

fn is_powered_off(w: &WorkloadReport) -> bool {
    w.labels
        .get("power_state")
        .is_some_and(|s| s == "poweredOff")
}

fn has_end_of_life_os(w: &WorkloadReport, end_of_life_rules: &HashSet<&str>) -> bool {
    w.findings
        .iter()
        .any(|f| end_of_life_rules.contains(&*f.rule))
}

/// (current, recommended) monthly price of a workload, summed over its components.
fn prices(w: &WorkloadReport) -> Option<(f64, f64)> {
    if let Some(fit) = &w.catalog {
        return Some((fit.current_price_per_month?, fit.price_per_month?));
    }
    if w.components.is_empty() {
        return None;
    }
    let mut total = (0.0, 0.0);
    for c in &w.components {
        let fit = c.catalog.as_ref()?;
        total.0 += c.count * fit.current_price_per_month?;
        total.1 += c.count * fit.price_per_month?;
    }
    Some(total)
}

fn fitted(w: &WorkloadReport) -> bool {
    w.catalog.is_some()
        || (!w.components.is_empty() && w.components.iter().all(|c| c.catalog.is_some()))
}

pub fn summarise(
    workloads: &[WorkloadReport],
    skipped: BTreeMap<String, usize>,
    unmatched_metrics: usize,
    catalog: Option<&crate::sizing::catalog::CatalogInfo>,
    end_of_life_rules: &HashSet<&str>,
) -> EstateSummary {
    let mut s = EstateSummary {
        skipped,
        unmatched_metrics,
        ..EstateSummary::default()
    };
    let mut cost = catalog.map(|c| CostSummary {
        currency: c.currency.clone(),
        ..CostSummary::default()
    });
    for w in workloads {
        let off = is_powered_off(w);
        let eol = has_end_of_life_os(w, end_of_life_rules);
        s.powered_off += usize::from(off);
        s.end_of_life_os += usize::from(eol);
        if let Some(c) = cost.as_mut() {
            match prices(w) {
                Some((now, after)) => {
                    c.priced_workloads += 1;
                    c.current_per_month += now;
                    c.recommended_per_month += after;
                }
                None if !fitted(w)
                    && w.rightsizing.is_some()
                    && matches!(w.kind, WorkloadKind::Vm | WorkloadKind::Vnf) =>
                {
                    c.unfit += 1;
                }
                None => {}
            }
        }
        for key in GROUP_KEYS {
            let Some(value) = w.labels.get(key) else {
                continue;
            };
            // Looked up before any key is copied: 50,000 workloads fall into a few groups.
            if !s.groups.contains_key(*key) {
                s.groups.insert((*key).to_string(), BTreeMap::new());
            }
            let Some(by_value) = s.groups.get_mut(*key) else {
                continue;
            };
            if !by_value.contains_key(value) {
                by_value.insert(value.to_string(), Default::default());
            }
            let Some(g) = by_value.get_mut(value) else {
                continue;
            };
            g.workloads += 1;
            g.powered_off += usize::from(off);
            g.end_of_life_os += usize::from(eol);
            if let Some(rs) = &w.rightsizing {
                let mut under = false;
                for (cur, rec, total_cur, total_rec) in [
                    (
                        rs.current.vcpu,
                        rs.reclaimable.vcpu,
                        &mut g.current.vcpu,
                        &mut g.reclaimable.vcpu,
                    ),
                    (
                        rs.current.memory_gib,
                        rs.reclaimable.memory_gib,
                        &mut g.current.memory_gib,
                        &mut g.reclaimable.memory_gib,
                    ),
                    (
                        rs.current.storage_gib,
                        rs.reclaimable.storage_gib,
                        &mut g.current.storage_gib,
                        &mut g.reclaimable.storage_gib,
                    ),
                ] {
                    *total_cur += cur.unwrap_or(0.0);
                    match rec {
                        Some(r) if r > 0.0 => *total_rec += r,
                        Some(r) if r < 0.0 => under = true,
                        _ => {}
                    }
                }
                g.undersized += usize::from(under);
            }
        }
    }
    for groups in s.groups.values_mut() {
        for g in groups.values_mut() {
            for t in [&mut g.current, &mut g.reclaimable] {
                t.vcpu = round2(t.vcpu);
                t.memory_gib = round2(t.memory_gib);
                t.storage_gib = round2(t.storage_gib);
            }
        }
    }
    if let Some(mut c) = cost {
        c.current_per_month = round2(c.current_per_month);
        c.recommended_per_month = round2(c.recommended_per_month);
        c.saving_per_month = round2(c.current_per_month - c.recommended_per_month);
        s.cost = Some(c);
    }
    s
}
