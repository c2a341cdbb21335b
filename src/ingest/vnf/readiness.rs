//! CNF readiness of a VM-based VNF, VDU by VDU (see [`crate::cnf`] and
//! docs/cnf-readiness.md): the cluster features its declared acceleration maps to, and the
//! rework its shape asks for.

use std::sync::LazyLock;

use regex::Regex;

use super::model::{Vdu, VnfModel};
use crate::model::cnf::{ClusterFeature, CnfReadiness, Rework, ReworkKind, VduReadiness, Verdict};

fn static_regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("static regex `{pattern}`: {e}"))
}

/// A VDU or image that keeps data: the names VNF002 reads as state to keep.
static STATEFUL: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)(^|[^a-z])(db|dbs|database|sql|mysql|mariadb|postgres|mongo|redis|cassandra|registry|storage|store|repo|nfs|ftp|backup|archive|cdr|hss|udr|ldap|kafka|elastic)",
    )
});

/// A general-purpose server OS (cirros, a test image of a few MiB, is not one).
static FULL_OS: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"(?i)(ubuntu|centos|rhel|red ?hat|debian|sles|suse|windows|oracle ?linux|rocky|alma|fedora)",
    )
});

/// The readiness of every VM-based VDU of a VNF; `None` when it has none (a containerised
/// VNF, or a flavour without VDUs).
pub fn assess(model: &VnfModel) -> Option<CnfReadiness> {
    let vm_vdus: Vec<&Vdu> = model.vdus.iter().filter(|v| !v.container).collect();
    let single = model.vdus.len() == 1 && model.kdus.is_empty();
    let vdus = vm_vdus
        .into_iter()
        .map(|v| assess_vdu(model, v, single))
        .collect();
    CnfReadiness::from_vdus(vdus)
}

fn assess_vdu(model: &VnfModel, vdu: &Vdu, single: bool) -> VduReadiness {
    let mut features: Vec<ClusterFeature> = Vec::new();
    let mut because: Vec<String> = Vec::new();
    let mut add = |f: &[ClusterFeature], why: String| {
        features.extend_from_slice(f);
        because.push(why);
    };
    let accel: Vec<_> = model
        .acceleration
        .iter()
        .filter(|a| a.vdu == vdu.id)
        .collect();
    let has = |feature: &str| accel.iter().any(|a| a.feature == feature);
    for a in &accel {
        let why = format!("{} ({})", a.feature, a.detail);
        match a.feature {
            "SR-IOV" => add(
                &[ClusterFeature::SriovCniDevicePlugin, ClusterFeature::Multus],
                why,
            ),
            "PCI passthrough" | "bare-metal NIC" => add(
                &[ClusterFeature::PciDevicePlugin, ClusterFeature::Multus],
                why,
            ),
            "SmartNIC offload" => add(
                &[ClusterFeature::SmartnicOffload, ClusterFeature::Multus],
                why,
            ),
            "CPU pinning" => add(&[ClusterFeature::StaticCpuManager], why),
            "NUMA placement" => add(&[ClusterFeature::TopologyManager], why),
            "huge pages" => add(&[hugepage_size(&a.detail)], why),
            "DPDK" => add(&[ClusterFeature::IpcLock], why),
            "PTP" => add(&[ClusterFeature::Ptp], why),
            _ => {}
        }
    }
    // A poll-mode data plane (DPDK, or hugepages with SR-IOV or pinned CPUs: its
    // fingerprint) locks its hugepage memory and, pinned, raises its threads' priority.
    let poll_mode = has("DPDK") || (has("huge pages") && (has("SR-IOV") || has("CPU pinning")));
    if poll_mode {
        if !has("DPDK") {
            add(
                &[ClusterFeature::IpcLock],
                "a poll-mode data plane (hugepages with SR-IOV or pinned CPUs) locks its memory"
                    .into(),
            );
        }
        if has("CPU pinning") {
            add(
                &[ClusterFeature::SysNice],
                "a pinned poll-mode thread sets its scheduling priority".into(),
            );
        }
    }
    features.sort();
    features.dedup();

    let mut rework = Vec::new();
    if single {
        rework.push(Rework {
            kind: ReworkKind::SeveralServices,
            detail:
                "the whole VNF is this one VDU: its functions scale, fail and are upgraded together"
                    .into(),
        });
    }
    let name_shows_state = STATEFUL.is_match(&vdu.id)
        || vdu
            .display_name
            .as_deref()
            .is_some_and(|n| STATEFUL.is_match(n))
        || model
            .images
            .iter()
            .any(|i| i.owner == vdu.id && STATEFUL.is_match(&i.name));
    let data_volumes = model
        .storages
        .iter()
        .any(|s| vdu.storages.contains(&s.name) && !s.boot);
    if name_shows_state && !data_volumes {
        let local = vdu
            .local_storage_gib
            .map(|n| format!(" ({} GiB of local disk)", (n.value * 100.0).round() / 100.0))
            .unwrap_or_default();
        rework.push(Rework {
            kind: ReworkKind::LocalState,
            detail: format!(
                "it keeps data and has no data volume: its state is on its own disks{local}"
            ),
        });
    }
    let fixed = matches!((vdu.min_instances, vdu.max_instances), (Some(min), Some(max)) if max.value <= min.value);
    if fixed && vdu.scaling_aspects.is_empty() {
        let n = vdu.max_instances.map_or(1.0, |n| n.value);
        rework.push(Rework {
            kind: ReworkKind::FixedInstanceCount,
            detail: format!("fixed at {n} instance(s), in no scaling aspect"),
        });
    }
    for image in model
        .images
        .iter()
        .filter(|i| i.owner == vdu.id || vdu.storages.contains(&i.owner))
    {
        // By what it is, not by its size: descriptors often declare a nominal size.
        let os = image
            .os
            .as_deref()
            .filter(|o| FULL_OS.is_match(o))
            .or_else(|| FULL_OS.is_match(&image.name).then_some(image.name.as_str()));
        if let Some(os) = os {
            rework.push(Rework {
                kind: ReworkKind::FullOsImage,
                detail: format!(
                    "boots a general-purpose OS image ({os}) with the function installed in it"
                ),
            });
            break;
        }
    }
    let verdict = if !rework.is_empty() {
        Verdict::NeedsRework
    } else if !features.is_empty() {
        Verdict::ReadyWithPlatformFeatures
    } else {
        Verdict::Ready
    };
    VduReadiness {
        vdu: vdu.id.clone(),
        line: vdu.line,
        verdict,
        cluster_features: features,
        because,
        rework,
    }
}

/// `mem_page_size: 1GB` / `hw:mem_page_size: 2048` / `mempage-size: LARGE`.
fn hugepage_size(detail: &str) -> ClusterFeature {
    let d = detail.to_ascii_lowercase().replace([' ', '_', '-'], "");
    if d.contains("1g") || d.contains("1048576") {
        ClusterFeature::Hugepages1Gi
    } else if d.contains("2m") || d.ends_with(":2048") || d.contains("2048k") {
        ClusterFeature::Hugepages2Mi
    } else {
        ClusterFeature::Hugepages
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugepage_sizes_follow_what_the_descriptor_writes() {
        assert_eq!(
            hugepage_size("mem_page_size: 1GB"),
            ClusterFeature::Hugepages1Gi
        );
        assert_eq!(
            hugepage_size("hw:mem_page_size: 2048"),
            ClusterFeature::Hugepages2Mi
        );
        assert_eq!(
            hugepage_size("mempage-size: 2MB"),
            ClusterFeature::Hugepages2Mi
        );
        assert_eq!(
            hugepage_size("mempage-size: LARGE"),
            ClusterFeature::Hugepages
        );
    }
}
