//! Field names a VM spec knows, and the did-you-mean for a field one or two edits away.

use super::*;

/// The fields of a VM spec document, by the path of the mapping that holds them: a field
/// one or two edits from one of these is reported as a typo. `*` holds any field (labels).
pub(super) const KNOWN_FIELDS: &[(&str, &[&str])] = &[
    ("", &["apiVersion", "kind", "metadata", "spec", "ignore"]),
    (
        "metadata",
        &["name", "labels", "annotations", "namespace", "description"],
    ),
    (
        "spec",
        &[
            "platform",
            "os",
            "role",
            "kubernetes",
            "placement",
            "cpu",
            "memory",
            "disks",
            "nics",
            "utilisation",
            "utilization",
            "app",
            "ignore",
            "datacenter",
            "cluster",
            "host",
            "vcenter",
            "vapp",
            "powerState",
            "power_state",
            "hardwareVersion",
            "tools",
            "snapshots",
            "reservations",
            "firmware",
            "latencySensitivity",
            "faultTolerance",
            "passthrough",
            "osArchitecture",
        ],
    ),
    ("spec.reservations", &["cpuMhz", "memory"]),
    ("spec.kubernetes", &["cluster", "nodeRole"]),
    (
        "spec.placement",
        &[
            "datacenter",
            "cluster",
            "host",
            "folder",
            "rules",
            "restartPriority",
            "clusterSettings",
        ],
    ),
    (
        "spec.placement.clusterSettings",
        &["ha", "drs", "admissionControl", "restartPriority"],
    ),
    (
        "spec.cpu",
        &[
            "sockets",
            "coresPerSocket",
            "cores_per_socket",
            "vcpus",
            "vcpu",
            "cores",
        ],
    ),
    ("spec.disks[]", &["size", "count", "rdm", "mode", "sharing"]),
    (
        "spec.utilisation",
        &[
            "periodDays",
            "period_days",
            "samples",
            "cpu",
            "memory",
            "storage",
        ],
    ),
    (
        "spec.utilisation.cpu",
        &[
            "series",
            "peak",
            "max",
            "avg",
            "average",
            "mean",
            "peakCores",
            "maxCores",
            "avgCores",
            "averageCores",
            "meanCores",
        ],
    ),
    (
        "spec.utilisation.memory",
        &["series", "peak", "max", "avg", "average", "mean"],
    ),
    ("spec.utilisation.storage", &["used", "peak"]),
    (
        "spec.app",
        &[
            "config",
            "state",
            "backup",
            "ha",
            "scaling",
            "encryption",
            "monitoring",
        ],
    ),
    ("spec.tools", &["status", "version"]),
    ("spec.snapshots", &["count", "oldest"]),
];

/// Whether `key` is a percentile statistic (`p95`, `p99.9`, `p95Cores`).
pub(super) fn is_percentile_key(key: &str) -> bool {
    key.strip_prefix('p')
        .map(|r| r.strip_suffix("Cores").unwrap_or(r))
        .is_some_and(|n| !n.is_empty() && n.parse::<f64>().is_ok())
}

/// Edit distance (insertions, deletions, substitutions, and a swap of two neighbours).
pub(super) fn edits(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// The known field `key` is almost surely a typo of: one or two edits away (one for keys of
/// up to four letters, which must also keep their first letter: `zone` is not `role`), or
/// the same but for case.
pub(super) fn typo_of<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if known.contains(&key) {
        return None;
    }
    known
        .iter()
        .filter_map(|k| {
            if k.eq_ignore_ascii_case(key) {
                return Some((0, *k));
            }
            // Two edits change the length by two at most: a longer way off is no typo, and
            // most fields are (every field of a mapping is weighed against every known one).
            if key.chars().count().abs_diff(k.chars().count()) > 2 {
                return None;
            }
            let d = edits(&key.to_ascii_lowercase(), &k.to_ascii_lowercase());
            let short = key.chars().count().min(k.chars().count()) <= 4;
            let same_start = key.chars().next().map(|c| c.to_ascii_lowercase())
                == k.chars().next().map(|c| c.to_ascii_lowercase());
            let close = if short { d == 1 && same_start } else { d <= 2 };
            close.then_some((d, *k))
        })
        .min()
        .map(|(_, k)| k)
}

/// Every field of a VM spec document that is one or two edits from a known one.
pub fn typos(doc: &Node) -> Vec<crate::model::FieldTypo> {
    fn walk(node: &Node, path: &str, out: &mut Vec<crate::model::FieldTypo>) {
        let Some(known) = KNOWN_FIELDS
            .iter()
            .find(|(p, _)| {
                *p == path
                    || (path == "spec.utilization" && *p == "spec.utilisation")
                    || path
                        .strip_prefix("spec.utilization.")
                        .is_some_and(|rest| p.strip_prefix("spec.utilisation.") == Some(rest))
            })
            .map(|(_, k)| *k)
        else {
            return;
        };
        let Some(entries) = node.as_map() else {
            return;
        };
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{}.{k}", path.trim_end_matches("[]"))
            }
        };
        for e in entries {
            if is_percentile_key(&e.key) {
                continue;
            }
            match typo_of(&e.key, known) {
                Some(k) => out.push(crate::model::FieldTypo {
                    line: e.value.line,
                    field: join(&e.key),
                    known: join(k),
                }),
                None => {
                    let child = if path.is_empty() {
                        e.key.clone()
                    } else {
                        format!("{path}.{}", e.key)
                    };
                    match e.value.as_seq() {
                        Some(items) => {
                            for item in items {
                                walk(item, &format!("{child}[]"), out);
                            }
                        }
                        None => walk(&e.value, &child, out),
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(doc, "", &mut out);
    out
}
