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
        // Borrowed, not cloned: the document moves into the workload once it is read (an
        // inventory builds 50,000 of these).
        let empty;
        let spec: &Node = match doc.get("spec") {
            Some(spec) if spec.as_map().is_some() => spec,
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
                empty = Node::map(spec.line);
                &empty
            }
            _ => {
                empty = Node::map(doc.line);
                &empty
            }
        };
        let mut facts = Node::map(0);

        let platform = text_field(spec, "platform").map(|s| s.to_ascii_lowercase());
        let os = text_field(spec, "os");
        let role = text_field(spec, "role");
        let mainframe = platform.as_deref() == Some("mainframe")
            || os.as_deref().is_some_and(|o| {
                // Every match holds one of these: most OS names are decided without
                // compiling the pattern (a one-VM scan's start-up).
                crate::pattern::may_hold_any(o, &["os", "vm", "vse", "tpf", "ibm", "mvs"])
                    && MAINFRAME_OS.is_match(o)
            });
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

        if let Some(t) = text_field(spec, "target") {
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
        let extras = super::tabular::inventory_extras(spec, &mut facts);
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

mod facts;
mod read;
#[cfg(test)]
mod tests;
mod typos;

pub use facts::FACTS;
use read::*;
pub use typos::typos;
