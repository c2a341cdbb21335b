//! fitscan's own VM spec (`apiVersion: fitscan/v1`, `kind: VirtualMachine` or
//! `VirtualMachineList`): sizing, platform, OS, utilisation and app traits.
//!
//! Other VM inputs (inventories, OVF) build the same document shape with
//! [`VmSpec::workload_from_doc`], so one VM rule pack serves them all.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::{FileOutput, IngestContext, Input};
use crate::model::{
    Demand, Generation, ScanError, Sizing, Suppression, Target, Workload, WorkloadKind,
};
use crate::model::{FactDoc, FactGroup};
use crate::node::format_number;
use crate::node::{Node, Value};
use crate::source::SourceFile;
use crate::units::percentile;
use crate::units::{
    MAX_VCPU, check_memory_gib, check_vcpu, percent, vm_size_gib, vm_size_node_gib,
};

pub struct VmSpec;

/// Data points per day at Azure Migrate's 5-minute collection interval.
pub const SAMPLES_PER_DAY: f64 = 288.0;

static MAINFRAME_OS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(z/?os|z/?vm|z/?vse|z/?tpf|os/390|os/400|i5/os|ibm ?i\b|mvs|vse/esa|tpf)\b")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

fn api_version(doc: &Node) -> Option<&str> {
    doc.get("apiVersion").and_then(Node::as_str)
}

fn is_fitscan(doc: &Node) -> bool {
    api_version(doc).is_some_and(|v| v.to_ascii_lowercase().starts_with("fitscan/"))
}

impl Input for VmSpec {
    fn name(&self) -> &'static str {
        "vm-spec"
    }

    fn facts(&self) -> &'static [FactGroup] {
        FACTS
    }

    fn yaml_markers(&self) -> &'static [&'static str] {
        &["fitscan/"]
    }

    fn claims_document(&self, doc: &Node, _file: &SourceFile) -> bool {
        match &doc.value {
            Value::Seq(items) => items.first().is_some_and(is_fitscan),
            _ => is_fitscan(doc),
        }
    }

    fn ingest_document(
        &self,
        doc: Node,
        file: &SourceFile,
        ctx: &IngestContext,
        out: &mut FileOutput,
    ) {
        let items: Vec<Node> = match doc.value {
            Value::Seq(items) => items,
            _ => {
                let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
                match kind {
                    "VirtualMachine" => vec![doc],
                    "VirtualMachineList" => match doc.get("items").map(|n| &n.value) {
                        Some(Value::Seq(items)) => items.clone(),
                        _ => {
                            out.errors.push(ScanError::parse(
                                &file.display,
                                Some(doc.line),
                                "VirtualMachineList needs `items:` with a list of VirtualMachine documents",
                            ));
                            return;
                        }
                    },
                    other => {
                        let line = doc.get("kind").map_or(doc.line, |n| n.line);
                        out.errors.push(ScanError::parse(
                            &file.display,
                            Some(line),
                            format!(
                                "unknown kind `{other}` for apiVersion fitscan/v1 (expected VirtualMachine or VirtualMachineList)"
                            ),
                        ));
                        return;
                    }
                }
            }
        };
        for item in items {
            if item.as_map().is_none() {
                out.errors.push(ScanError::parse(
                    &file.display,
                    Some(item.line),
                    "a VirtualMachine must be a mapping with metadata and spec",
                ));
                continue;
            }
            let name = item
                .at("metadata.name")
                .and_then(Node::scalar_text)
                .filter(|n| !n.trim().is_empty());
            let Some(name) = name else {
                out.errors.push(ScanError::parse(
                    &file.display,
                    Some(item.line),
                    "VirtualMachine has no metadata.name",
                ));
                continue;
            };
            let mut errors = Vec::new();
            let typos = typos(&item);
            let mut w = VmSpec::workload_from_doc(item, name, &file.display, ctx, &mut errors);
            w.typos = typos;
            out.errors.extend(errors);
            out.workloads.push(w);
        }
    }
}

/// The fields of a VM spec document, by the path of the mapping that holds them: a field
/// one or two edits from one of these is reported as a typo. `*` holds any field (labels).
const KNOWN_FIELDS: &[(&str, &[&str])] = &[
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
        ],
    ),
    ("spec.kubernetes", &["cluster", "nodeRole"]),
    ("spec.placement", &["datacenter", "cluster", "host"]),
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
    ("spec.disks[]", &["size", "count"]),
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
fn is_percentile_key(key: &str) -> bool {
    key.strip_prefix('p')
        .map(|r| r.strip_suffix("Cores").unwrap_or(r))
        .is_some_and(|n| !n.is_empty() && n.parse::<f64>().is_ok())
}

/// Edit distance (insertions, deletions, substitutions, and a swap of two neighbours).
fn edits(a: &str, b: &str) -> usize {
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
fn typo_of<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if known.contains(&key) {
        return None;
    }
    known
        .iter()
        .filter_map(|k| {
            if k.eq_ignore_ascii_case(key) {
                return Some((0, *k));
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

/// Collects field errors while a VM is read, so that one bad field does not lose the VM.
struct FieldErrors<'a> {
    file: &'a str,
    vm: &'a str,
    errors: &'a mut Vec<ScanError>,
}

impl FieldErrors<'_> {
    fn push(&mut self, node: &Node, field: &str, message: impl std::fmt::Display) {
        self.errors.push(ScanError::parse(
            self.file,
            Some(node.line),
            format!("VM `{}`: {field}: {message}", self.vm),
        ));
    }
}

impl VmSpec {
    /// A VM workload from a document in the VM spec shape; invalid fields become errors
    /// (with their line) and are treated as unknown.
    pub fn workload_from_doc(
        doc: Node,
        name: String,
        file: &Arc<str>,
        ctx: &IngestContext,
        errors: &mut Vec<ScanError>,
    ) -> Workload {
        let mut errs = FieldErrors {
            file,
            vm: &name,
            errors,
        };
        let spec = match doc.get("spec") {
            Some(spec) if spec.as_map().is_some() => spec.clone(),
            Some(spec) if !spec.is_null() => {
                let found = match spec.value {
                    Value::Seq(_) => "a list",
                    _ => "a single value",
                };
                errs.push(
                    spec,
                    "spec",
                    format!(
                        "expected a mapping (platform, os, cpu, memory, disks, ...), not {found}"
                    ),
                );
                Node::map(spec.line)
            }
            _ => Node::map(doc.line),
        };
        let mut facts = Node::map(0);

        let platform = text_field(&spec, "platform").map(|s| s.to_ascii_lowercase());
        let os = text_field(&spec, "os");
        let role = text_field(&spec, "role");
        let mainframe = platform.as_deref() == Some("mainframe")
            || os.as_deref().is_some_and(|o| MAINFRAME_OS.is_match(o));
        let generation = if mainframe {
            Generation::Mainframe
        } else {
            Generation::ClientServer
        };
        let line_of = |key: &str| spec.get(key).map_or(0, |n| n.line);
        if let Some(p) = &platform {
            facts.insert("platform", Node::str(p.clone(), line_of("platform")));
            facts.insert("physical", Node::bool(p == "physical", line_of("platform")));
        }
        if let Some(o) = &os {
            facts.insert("os", Node::str(o.clone(), line_of("os")));
        }
        facts.insert("mainframe", Node::bool(mainframe, line_of("platform")));
        if let Some(r) = &role {
            let lower = r.to_ascii_lowercase();
            let node_role = lower.contains("kubernetes")
                || lower.contains("k8s")
                || lower.contains("openshift");
            facts.insert("role", Node::str(r.clone(), line_of("role")));
            facts.insert("kubernetes_node", Node::bool(node_role, line_of("role")));
            if node_role {
                crate::model::cnf::insert_data_plane_node(&mut facts, &doc, line_of("role"), r);
            }
        }

        if let Some(t) = text_field(&spec, "target") {
            facts.insert("target", Node::str(t, line_of("target")));
        }
        // High availability: the mode (`app.ha`) and the group a member belongs to
        // (`app.haGroup`, else the `ha-group` label): sizing keeps failover capacity.
        if let Some(app) = spec.get("app") {
            if let Some(ha) = app.get("ha").and_then(Node::scalar_text) {
                let mode = ha.trim().to_ascii_lowercase();
                let line = app.get("ha").map_or(0, |n| n.line);
                if matches!(
                    mode.as_str(),
                    "active-passive" | "cluster" | "n+1" | "active-active"
                ) {
                    facts.insert("ha_member", Node::bool(true, line));
                }
                facts.insert("ha", Node::str(mode, line));
            }
            let group = app
                .get("haGroup")
                .or_else(|| app.get("ha_group"))
                .or_else(|| {
                    doc.get("metadata")
                        .and_then(|m| m.get("labels"))
                        .and_then(|l| l.get("ha-group"))
                });
            if let Some(g) = group.and_then(|g| g.scalar_text().map(|t| (t, g.line))) {
                facts.insert("ha_group", Node::str(g.0, g.1));
            }
        }
        // CPU
        let mut current = Sizing::default();
        if let Some(cpu) = spec.get("cpu") {
            match read_cpu(cpu) {
                Ok((vcpu, sockets, cores)) => {
                    current.vcpu = Some(vcpu);
                    facts.insert("vcpu", Node::float(vcpu, cpu.line));
                    if let Some(s) = sockets {
                        facts.insert("sockets", Node::float(s, cpu.line));
                    }
                    if let Some(c) = cores {
                        facts.insert("cores_per_socket", Node::float(c, cpu.line));
                    }
                }
                Err(e) => errs.push(cpu, "spec.cpu", e),
            }
        }
        // Memory
        if let Some(mem) = spec.get("memory") {
            match vm_size_node_gib(mem)
                .and_then(|g| check_memory_gib(g, &mem.display_text(), false))
            {
                Ok(gib) => {
                    current.memory_gib = Some(gib);
                    facts.insert("memory_gib", Node::float(gib, mem.line));
                }
                Err(e) => errs.push(mem, "spec.memory", e),
            }
        }
        // Disks
        if let Some(disks) = spec.get("disks") {
            match read_disks(disks) {
                Ok(d) => {
                    current.storage_gib = Some(d.total);
                    facts.insert("storage_gib", Node::float(d.total, disks.line));
                    facts.insert("disk_count", Node::float(d.count, disks.line));
                    if let Some(max) = d.largest {
                        facts.insert("largest_disk_gib", Node::float(max, disks.line));
                    }
                    if let Some(min) = d.smallest {
                        facts.insert("smallest_disk_gib", Node::float(min, disks.line));
                    }
                }
                Err((node, e)) => errs.push(&node, "spec.disks", e),
            }
        }
        if let Some(nics) = spec.get("nics") {
            match nics
                .as_f64()
                .or_else(|| nics.as_seq().map(|s| s.len() as f64))
            {
                Some(n) if n >= 0.0 => facts.insert("nics", Node::float(n, nics.line)),
                _ => errs.push(nics, "spec.nics", "expected a count or a list"),
            }
        }

        // Utilisation
        let util = spec.get("utilisation").or_else(|| spec.get("utilization"));
        let demand = util.and_then(|u| {
            let d = read_utilisation(u, &current, ctx.percentile, file, &mut errs);
            (!d.is_empty()).then_some(d)
        });

        // Inventory extras: location, power state, VMware Tools, hardware version, snapshots.
        let extras = super::tabular::inventory_extras(&spec, &mut facts);
        for (node, field, message) in &extras.errors {
            errs.push(node, field, message);
        }

        // Inline suppressions
        let suppressions = spec
            .get("ignore")
            .or_else(|| doc.get("ignore"))
            .map(|n| read_ignores(n, file, &mut errs))
            .unwrap_or_default();

        let line = doc.line.max(1);
        let mut w = Workload::new(
            WorkloadKind::Vm,
            Target::Vm,
            name,
            Arc::clone(file),
            line,
            generation,
            doc,
        );
        w.facts = facts;
        w.current = current;
        w.demand = demand;
        w.suppressions = suppressions;
        w.labels = extras.labels;
        w.notes = extras.notes;
        w
    }
}

fn text_field(spec: &Node, key: &str) -> Option<String> {
    spec.get(key)
        .and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn positive(node: &Node, what: &str) -> Result<f64, String> {
    match node.as_f64() {
        Some(v) if v > 0.0 && v <= MAX_VCPU => Ok(v),
        Some(v) if v > 0.0 && v <= 1e6 => Err(format!(
            "{what} `{}` is more than a machine has (allowed: 1-4,096)",
            node.display_text()
        )),
        Some(v) if v > 1e6 => Err(format!(
            "{what} `{}` is more than a million: not a machine's count",
            node.display_text()
        )),
        _ => Err(format!(
            "{what} must be a positive number, not `{}`",
            node.display_text()
        )),
    }
}

/// `{sockets, coresPerSocket}`, `{vcpus}`, `{cores}` or a bare count.
fn read_cpu(cpu: &Node) -> Result<(f64, Option<f64>, Option<f64>), String> {
    if cpu.as_map().is_none() {
        return positive(cpu, "cpu").map(|v| (v, None, None));
    }
    let sockets = cpu
        .get("sockets")
        .map(|s| positive(s, "sockets"))
        .transpose()?;
    let cores = cpu
        .get("coresPerSocket")
        .or_else(|| cpu.get("cores_per_socket"))
        .map(|c| positive(c, "coresPerSocket"))
        .transpose()?;
    if let Some(v) = cpu
        .get("vcpus")
        .or_else(|| cpu.get("vcpu"))
        .or_else(|| cpu.get("cores"))
    {
        // An inventory states both the count and the topology; the count is what is sized.
        return positive(v, "vcpus").map(|v| (v, sockets, cores));
    }
    match (sockets, cores) {
        (Some(s), Some(c)) => {
            let text = format!("{} sockets x {} cores", format_number(s), format_number(c));
            check_vcpu(s * c, &text).map(|v| (v, Some(s), Some(c)))
        }
        (Some(s), None) => Ok((s, Some(s), Some(1.0))),
        (None, Some(c)) => Ok((c, Some(1.0), Some(c))),
        (None, None) => Err("expected { sockets, coresPerSocket } or { vcpus }".into()),
    }
}

struct Disks {
    total: f64,
    count: f64,
    largest: Option<f64>,
    smallest: Option<f64>,
}

fn read_disks(disks: &Node) -> Result<Disks, (Node, String)> {
    let items = disks.as_seq().ok_or_else(|| {
        (
            disks.clone(),
            "expected a list of { size, count }".to_string(),
        )
    })?;
    let mut d = Disks {
        total: 0.0,
        count: 0.0,
        largest: None,
        smallest: None,
    };
    for item in items {
        let size_node = if item.as_map().is_some() {
            item.get("size")
        } else {
            Some(item)
        };
        let size_node =
            size_node.ok_or_else(|| (item.clone(), "a disk needs `size`".to_string()))?;
        let size = vm_size_node_gib(size_node).map_err(|e| (size_node.clone(), e))?;
        let count = match item.get("count") {
            None => 1.0,
            Some(c) => match c.as_f64() {
                Some(n) if n >= 1.0 && n.fract() == 0.0 && n <= 10_000.0 => n,
                _ => {
                    return Err((
                        c.clone(),
                        format!(
                            "disk count must be a whole number from 1, not `{}`",
                            c.display_text()
                        ),
                    ));
                }
            },
        };
        d.total += size * count;
        d.count += count;
        d.largest = Some(d.largest.map_or(size, |m: f64| m.max(size)));
        d.smallest = Some(d.smallest.map_or(size, |m: f64| m.min(size)));
    }
    Ok(d)
}

/// A statistic from a utilisation block, by the preference: the chosen percentile, a higher
/// percentile, the peak; then (weak) a lower percentile or the average.
struct Pick<'a> {
    node: &'a Node,
    weak: bool,
    /// What the figure is, for the report: `p95 (given)`, `peak (given; p95 not given)`.
    label: String,
}

fn pick_statistic<'a>(block: &'a Node, want: f64, suffix: &'a str) -> Option<Pick<'a>> {
    let entries = block.as_map()?;
    let mut percentiles: Vec<(f64, &str, &Node)> = Vec::new();
    for e in entries {
        if let Some(rest) = e.key.strip_prefix('p')
            && let Some(num) = rest.strip_suffix(suffix)
            && let Ok(p) = num.parse::<f64>()
        {
            percentiles.push((p, &e.key, &e.value));
        }
    }
    let wanted = format!("p{}", format_number(want));
    let pick = |key: &str, node: &'a Node, weak: bool| {
        let stat = key.strip_suffix(suffix).unwrap_or(key);
        let label = if stat == wanted {
            format!("{stat} (given)")
        } else if weak {
            format!("{stat} (given; {wanted} not given, a weaker figure)")
        } else {
            format!("{stat} (given; {wanted} not given)")
        };
        Pick { node, weak, label }
    };
    let exact = percentiles
        .iter()
        .find(|(p, _, _)| (*p - want).abs() < 1e-9);
    if let Some((_, k, n)) = exact {
        // `p95.0` and `p95` are the same statistic: said as written.
        return Some(Pick {
            node: n,
            weak: false,
            label: format!("{} (given)", k.strip_suffix(suffix).unwrap_or(k)),
        });
    }
    let higher = percentiles
        .iter()
        .filter(|(p, _, _)| *p > want)
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, k, n)) = higher {
        return Some(pick(k, n, false));
    }
    for key in ["peak", "max"] {
        let key = format!("{key}{suffix}");
        if let Some(n) = block.get(&key) {
            return Some(pick(&key, n, false));
        }
    }
    let lower = percentiles
        .iter()
        .filter(|(p, _, _)| *p < want)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((_, k, n)) = lower {
        return Some(pick(k, n, true));
    }
    for key in ["avg", "average", "mean"] {
        let key = format!("{key}{suffix}");
        if let Some(n) = block.get(&key) {
            return Some(pick(&key, n, true));
        }
    }
    None
}

fn read_utilisation(
    util: &Node,
    current: &Sizing,
    want: f64,
    file: &str,
    errs: &mut FieldErrors<'_>,
) -> Demand {
    let mut d = Demand {
        source: format!("{file}:{}", util.line),
        ..Demand::default()
    };
    if let Some(days) = util.get("periodDays").or_else(|| util.get("period_days")) {
        match days.as_f64() {
            Some(v) if v > 0.0 => d.period_days = Some(v),
            _ => errs.push(
                days,
                "utilisation.periodDays",
                "must be a positive number of days",
            ),
        }
    }
    if let Some(s) = util.get("samples") {
        match s.as_f64() {
            Some(v) if v >= 0.0 && v.fract() == 0.0 => d.samples = Some(v as u64),
            _ => errs.push(
                s,
                "utilisation.samples",
                "must be a whole number of data points",
            ),
        }
    }
    d.expected_samples = d
        .period_days
        .map(|days| (days * SAMPLES_PER_DAY).round() as u64);
    let mut weak = false;

    if let Some(cpu) = util.get("cpu") {
        let from_series = cpu.get("series").map(|series| {
            let values: Result<Vec<f64>, String> = series
                .as_seq()
                .ok_or_else(|| "series must be a list of percentages".to_string())
                .and_then(|items| items.iter().map(percent).collect());
            values.map(|v| (percentile(&v, want), v.len()))
        });
        match from_series {
            Some(Ok((Some(p), n))) => match current.vcpu {
                Some(vcpu) => {
                    d.vcpu = Some(p * vcpu);
                    d.samples.get_or_insert(n as u64);
                    d.statistic.vcpu = Some(format!("p{} of {n} samples", format_number(want)));
                }
                None => errs.push(
                    cpu,
                    "utilisation.cpu",
                    "percentages need spec.cpu to turn into vCPU",
                ),
            },
            Some(Ok((None, _))) => errs.push(cpu, "utilisation.cpu.series", "has no values"),
            Some(Err(e)) => errs.push(cpu, "utilisation.cpu.series", e),
            None => {
                if let Some(pick) = pick_statistic(cpu, want, "Cores") {
                    match positive_or_zero(pick.node) {
                        Ok(v) => {
                            d.vcpu = Some(v);
                            d.statistic.vcpu = Some(pick.label);
                        }
                        Err(e) => errs.push(pick.node, "utilisation.cpu", e),
                    }
                    weak |= pick.weak;
                } else if let Some(pick) = pick_statistic(cpu, want, "") {
                    match (percent(pick.node), current.vcpu) {
                        (Ok(share), Some(vcpu)) => {
                            d.vcpu = Some(share * vcpu);
                            d.statistic.vcpu = Some(pick.label);
                        }
                        (Ok(_), None) => errs.push(
                            pick.node,
                            "utilisation.cpu",
                            "percentages need spec.cpu to turn into vCPU",
                        ),
                        (Err(e), _) => errs.push(pick.node, "utilisation.cpu", e),
                    }
                    weak |= pick.weak;
                } else {
                    errs.push(
                        cpu,
                        "utilisation.cpu",
                        format!(
                            "expected p{}, peak or avg (as % or with a Cores suffix)",
                            crate::node::format_number(want)
                        ),
                    );
                }
            }
        }
    }

    if let Some(mem) = util.get("memory") {
        let to_gib = |n: &Node| -> Result<f64, String> {
            let is_percent = matches!(&n.value, Value::Str(s) if s.trim_end().ends_with('%'));
            if is_percent {
                let share = percent(n)?;
                current
                    .memory_gib
                    .map(|m| share * m)
                    .ok_or_else(|| "percentages need spec.memory to turn into GiB".to_string())
            } else {
                vm_size_node_gib(n).and_then(|g| check_memory_gib(g, &n.display_text(), true))
            }
        };
        if let Some(series) = mem.get("series") {
            let values: Result<Vec<f64>, String> = series
                .as_seq()
                .ok_or_else(|| "series must be a list of sizes".to_string())
                .and_then(|items| items.iter().map(to_gib).collect());
            match values {
                Ok(v) => match percentile(&v, want) {
                    Some(p) => {
                        d.memory_gib = Some(p);
                        d.samples.get_or_insert(v.len() as u64);
                        d.statistic.memory_gib =
                            Some(format!("p{} of {} samples", format_number(want), v.len()));
                    }
                    None => errs.push(series, "utilisation.memory.series", "has no values"),
                },
                Err(e) => errs.push(series, "utilisation.memory.series", e),
            }
        } else if let Some(pick) = pick_statistic(mem, want, "") {
            match to_gib(pick.node) {
                Ok(v) => {
                    d.memory_gib = Some(v);
                    d.statistic.memory_gib = Some(pick.label);
                }
                Err(e) => errs.push(pick.node, "utilisation.memory", e),
            }
            weak |= pick.weak;
        } else {
            errs.push(
                mem,
                "utilisation.memory",
                format!(
                    "expected p{}, peak or avg",
                    crate::node::format_number(want)
                ),
            );
        }
    }

    if let Some(storage) = util.get("storage") {
        let used = if storage.as_map().is_some() {
            storage.get("used").or_else(|| storage.get("peak"))
        } else {
            Some(storage)
        };
        match used {
            Some(u) => match vm_size_node_gib(u) {
                Ok(v) => {
                    d.storage_gib = Some(v);
                    d.statistic.storage_gib = Some("used (given)".to_string());
                }
                Err(e) => errs.push(u, "utilisation.storage.used", e),
            },
            None => errs.push(
                storage,
                "utilisation.storage",
                "expected `used:` with a size",
            ),
        }
    }
    d.weak = weak;
    d
}

fn positive_or_zero(node: &Node) -> Result<f64, String> {
    match node.as_f64() {
        Some(v) if (0.0..=1e6).contains(&v) => check_vcpu(v, &node.display_text()),
        _ => match &node.value {
            Value::Str(s) => vm_size_gib(s)
                .map_err(|_| format!("`{s}` is not a number of cores"))
                .and_then(|v| check_vcpu(v, s)),
            _ => Err(format!(
                "`{}` is not a number of cores",
                node.display_text()
            )),
        },
    }
}

/// `ignore: [VM005, "VM003: vendor appliance"]` or `[{rule: VM005, reason: ...}]`.
fn read_ignores(node: &Node, file: &Arc<str>, errs: &mut FieldErrors<'_>) -> Vec<Suppression> {
    let Some(items) = node.as_seq() else {
        errs.push(node, "ignore", "expected a list of rule ids");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let (rule, reason) = match &item.value {
            Value::Str(s) => match s.split_once(':') {
                Some((r, why)) => (
                    r.trim().to_string(),
                    Some(why.trim().to_string()).filter(|w| !w.is_empty()),
                ),
                None => (s.trim().to_string(), None),
            },
            Value::Map(_) => (
                item.get("rule")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default(),
                item.get("reason").and_then(Node::scalar_text),
            ),
            _ => (String::new(), None),
        };
        if rule.is_empty() {
            errs.push(
                item,
                "ignore",
                "each entry is a rule id, `ID: reason` or { rule, reason }",
            );
            continue;
        }
        for r in rule.split(',').map(str::trim).filter(|r| !r.is_empty()) {
            out.push(Suppression {
                rule: r.to_string(),
                reason: reason.clone(),
                file: Arc::clone(file),
                line: item.line,
                applies_to_line: None,
            });
        }
    }
    out
}

/// The facts of every VM: VM specs, and the inventories, OVF descriptors and KubeVirt objects
/// read into the same shape through [`VmSpec::workload_from_doc`] (inventory extras come
/// from `tabular::inventory_extras`).
pub const FACTS: &[FactGroup] = &[FactGroup {
    targets: &[Target::Vm],
    title: "Every VM: VM specs, RVTools, Azure Migrate, OVF, KubeVirt",
    facts: &[
        FactDoc::new(
            "vcpu",
            "vCPUs: `spec.cpu` as sockets x cores per socket, `vcpus`, `cores` or a bare count (at the `cpu` field)",
        ),
        FactDoc::new("sockets", "CPU sockets, when `spec.cpu` gives the topology"),
        FactDoc::new(
            "cores_per_socket",
            "cores per socket, when `spec.cpu` gives the topology",
        ),
        FactDoc::new(
            "memory_gib",
            "memory in GiB (`spec.memory`; `MB`, `GB`, `TB` are MiB, GiB, TiB as vSphere writes them)",
        ),
        FactDoc::new(
            "storage_gib",
            "disk capacity in GiB over every disk of `spec.disks` (`count` multiplies)",
        ),
        FactDoc::new("disk_count", "number of disks (`count` multiplies)"),
        FactDoc::new("largest_disk_gib", "size of the largest disk in GiB"),
        FactDoc::new("smallest_disk_gib", "size of the smallest disk in GiB"),
        FactDoc::new(
            "nics",
            "network interfaces: `spec.nics` as a count or a list",
        ),
        FactDoc::new(
            "platform",
            "`spec.platform` in lower case: physical, vsphere, kvm, hyperv, openstack, aws, azure, gcp, mainframe, kubevirt, ...",
        ),
        FactDoc::new(
            "physical",
            "the platform is `physical` (a server not virtualised yet)",
        ),
        FactDoc::new(
            "mainframe",
            "a mainframe or midrange platform or OS (z/OS, z/VM, OS/390, IBM i, OS/400): generation 1; always present",
        ),
        FactDoc::new(
            "os",
            "`spec.os` as written (`RHEL 7.9`, `Microsoft Windows Server 2012 R2 (64-bit)`)",
        ),
        FactDoc::new("role", "`spec.role` as written"),
        FactDoc::new(
            "target",
            "`spec.target`: the platform it is to move to, as written (a generation-1 workload without one is retained)",
        ),
        FactDoc::new(
            "ha",
            "`spec.app.ha` in lower case: none, active-passive, cluster, n+1, active-active or scale-out",
        ),
        FactDoc::new(
            "ha_member",
            "a member of a failover group (active-passive, cluster, n+1, active-active): a standby is never idle, and sizing keeps the group's failover capacity",
        ),
        FactDoc::new(
            "ha_group",
            "the failover group it belongs to: `spec.app.haGroup`, else the `ha-group` label",
        ),
        FactDoc::new(
            "kubernetes_node",
            "the role names a Kubernetes, k8s or OpenShift node (a cluster node, not an application server)",
        ),
        FactDoc::new(
            "data_plane_node",
            "a Kubernetes node that carries data-plane CNFs: its role or labels name SR-IOV, DPDK, PTP, hugepages, a data or user plane, a UPF or CNFs",
        ),
        FactDoc::new("data_plane_reason", "what says so (the role or the label)"),
        FactDoc::new(
            "power_state",
            "`spec.powerState` (RVTools `Powerstate`, Azure Migrate power status): poweredOn, poweredOff or suspended",
        ),
        FactDoc::new("powered_off", "the power state is poweredOff"),
        FactDoc::new(
            "hardware_version",
            "virtual hardware version as a number (`spec.hardwareVersion`: `vmx-13` or `13`)",
        ),
        FactDoc::new(
            "tools_status",
            "VMware Tools (`spec.tools`, RVTools vTools): ok, old, not-running, not-installed or unmanaged",
        ),
        FactDoc::new(
            "tools_version",
            "VMware Tools version, as the inventory writes it",
        ),
        FactDoc::new(
            "health_signal",
            "the platform sees its health: `spec.app.monitoring` (none, heartbeat, agent or application), else a running VMware Tools heartbeat; absent when neither is known",
        ),
        FactDoc::new(
            "snapshot_count",
            "snapshots (`spec.snapshots`; RVTools vSnapshot: 0 when the tab exists and lists none)",
        ),
        FactDoc::new(
            "oldest_snapshot",
            "date of the oldest snapshot, as the inventory writes it",
        ),
    ],
}];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ingest;

    fn run(text: &str) -> FileOutput {
        ingest(
            &SourceFile::from_text("vm.yaml", text),
            &IngestContext::default(),
        )
    }

    const SEED: &str = "\
apiVersion: fitscan/v1
kind: VirtualMachine
metadata:
  name: cdr-collector-01
spec:
  platform: physical
  os: RHEL 7.9
  cpu: { sockets: 2, coresPerSocket: 4 }
  memory: 128GB
  disks:
    - { size: 300GB, count: 30 }
  utilisation:
    periodDays: 30
    samples: 8640
    cpu: { p95: 50% }
    memory: { p95: 32GB, peak: 32GB }
    storage: { used: 1TB }
";

    #[test]
    fn reads_the_seed_server() {
        let out = run(SEED);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let w = &out.workloads[0];
        assert_eq!(w.name, "cdr-collector-01");
        assert_eq!(w.generation, Generation::ClientServer);
        assert_eq!(
            w.current,
            Sizing {
                vcpu: Some(8.0),
                memory_gib: Some(128.0),
                storage_gib: Some(9000.0)
            }
        );
        let d = w.demand.clone().unwrap_or_default();
        assert_eq!(
            (d.vcpu, d.memory_gib, d.storage_gib),
            (Some(4.0), Some(32.0), Some(1024.0))
        );
        assert_eq!((d.samples, d.expected_samples), (Some(8640), Some(8640)));
        assert_eq!(w.facts.get("disk_count").and_then(Node::as_f64), Some(30.0));
        assert_eq!(w.facts.get("vcpu").map(|n| n.line), Some(8));
    }

    #[test]
    fn mainframes_are_generation_one() {
        let out = run(
            "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: mf}\nspec: {os: z/OS 2.5}\n",
        );
        assert_eq!(out.workloads[0].generation, Generation::Mainframe);
        let out = run(
            "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: mf}\nspec: {platform: mainframe}\n",
        );
        assert_eq!(out.workloads[0].generation, Generation::Mainframe);
        let out = run(
            "apiVersion: fitscan/v1\nkind: VirtualMachine\nmetadata: {name: as400}\nspec: {os: IBM i 7.4}\n",
        );
        assert_eq!(out.workloads[0].generation, Generation::Mainframe);
    }

    #[test]
    fn lists_and_multi_documents() {
        let list = "apiVersion: fitscan/v1\nkind: VirtualMachineList\nitems:\n  - metadata: {name: a}\n    spec: {cpu: {vcpus: 2}}\n  - metadata: {name: b}\n    spec: {cpu: 4}\n";
        let out = run(list);
        assert_eq!(
            out.workloads
                .iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>(),
            vec!["a", "b"]
        );
        assert_eq!(out.workloads[1].current.vcpu, Some(4.0));
        assert_eq!(out.workloads[1].line, 6);
        let multi = format!("{SEED}---\n{}", SEED.replace("cdr-collector-01", "second"));
        assert_eq!(run(&multi).workloads.len(), 2);
    }

    #[test]
    fn bad_fields_are_errors_with_lines_and_the_vm_survives() {
        let bad = SEED
            .replace("memory: 128GB", "memory: lots")
            .replace("count: 30", "count: -2");
        let out = run(&bad);
        assert_eq!(out.workloads.len(), 1);
        assert_eq!(out.workloads[0].current.memory_gib, None);
        let lines: Vec<Option<u32>> = out.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![Some(9), Some(11)]);
        assert!(
            out.errors[0]
                .message
                .contains("VM `cdr-collector-01`: spec.memory"),
            "{}",
            out.errors[0].message
        );
    }

    #[test]
    fn statistics_follow_the_percentile_preference() {
        let util = |cpu: &str| {
            let text = SEED.replace("cpu: { p95: 50% }", cpu);
            run(&text).workloads[0].demand.clone().unwrap_or_default()
        };
        assert_eq!(util("cpu: { p99: 75%, p50: 10% }").vcpu, Some(6.0));
        assert_eq!(util("cpu: { peakCores: 5 }").vcpu, Some(5.0));
        let avg = util("cpu: { avg: 25% }");
        assert_eq!((avg.vcpu, avg.weak), (Some(2.0), true));
        let series = util("cpu: { series: [10%, 20%, 50%, 100%] }");
        assert_eq!(series.vcpu, Some(8.0));
    }

    #[test]
    fn ignores_become_suppressions() {
        let text = SEED.replace(
            "spec:\n",
            "spec:\n  ignore: [VM005, \"VM012: vendor appliance, TICKET-9\"]\n",
        );
        let w = &run(&text).workloads[0];
        assert_eq!(w.suppressions.len(), 2);
        assert_eq!(
            w.suppressions[1].reason.as_deref(),
            Some("vendor appliance, TICKET-9")
        );
    }

    #[test]
    fn fields_a_typo_away_from_known_ones_are_reported_and_others_kept() {
        let text = SEED
            .replace("memory: 128GB", "memmory: 128GB")
            .replace(
                "  utilisation:",
                "  zone: eu-1\n  cost: 12\n  ap: { config: external }\n  utilisation:",
            )
            .replace("cpu: { p95: 50% }", "cpu: { p95: 50%, paek: 60% }");
        let out = run(&text);
        let typos: Vec<(String, String, u32)> = out.workloads[0]
            .typos
            .iter()
            .map(|t| (t.field.clone(), t.known.clone(), t.line))
            .collect();
        assert_eq!(
            typos,
            vec![
                ("spec.memmory".to_string(), "spec.memory".to_string(), 9),
                ("spec.ap".to_string(), "spec.app".to_string(), 14),
                (
                    "spec.utilisation.cpu.paek".to_string(),
                    "spec.utilisation.cpu.peak".to_string(),
                    18
                ),
            ]
        );
        assert_eq!(typo_of("Memory", &["memory"]), Some("memory"));
        assert_eq!(typo_of("monitoring", &["monitoring"]), None);
        assert_eq!(
            typo_of("zone", &["role"]),
            None,
            "a short key keeps its first letter"
        );
        assert_eq!(
            typo_of("coresPerSokcet", &["coresPerSocket"]),
            Some("coresPerSocket")
        );
    }

    #[test]
    fn unknown_kinds_and_missing_names_are_errors() {
        let out = run("apiVersion: fitscan/v1\nkind: Gadget\n");
        assert!(out.errors[0].message.contains("unknown kind `Gadget`"));
        let out = run("apiVersion: fitscan/v1\nkind: VirtualMachine\nspec: {}\n");
        assert!(out.errors[0].message.contains("no metadata.name"));
    }
}
