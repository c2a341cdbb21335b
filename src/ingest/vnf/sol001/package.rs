//! One workload's package: its files in the workload's line numbering, the VNF node's
//! properties and interfaces, and the flavour's topology.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::files::*;
use super::types::*;
use super::util::*;
use crate::ingest::shift;
use crate::ingest::vnf::detect;
use crate::ingest::vnf::model::{Format, Item, LcmOperation, NAMED_AS_CNF, VnfModel};
use crate::model::{ScanError, SourceSpan};
use crate::node::{Node, Value};

/// The files of one workload (top-level VNFD, its flavour, the rest of the package), their
/// documents already numbered in the workload's line numbering.
pub(super) struct Package<'a> {
    /// Index of the flavour in `files`: 0 when the top-level file is the flavour, else 1.
    pub(super) flavour: usize,
    pub(super) files: Vec<&'a ToscaFile>,
    pub(super) docs: Vec<Node>,
    pub(super) sources: Vec<SourceSpan>,
    pub(super) types: &'a TypeIndex,
}

impl<'a> Package<'a> {
    pub(super) fn new(
        all: &'a [ToscaFile],
        order: &[usize],
        flavour: usize,
        types: &'a TypeIndex,
    ) -> Self {
        let mut files = Vec::new();
        let mut docs = Vec::new();
        let mut sources = Vec::new();
        let mut offset: u32 = 0;
        for (n, &i) in order.iter().enumerate() {
            let f = &all[i];
            let mut doc = f.doc.clone();
            if n > 0 {
                sources.push(SourceSpan {
                    file: Arc::clone(&f.display),
                    offset,
                });
                shift(&mut doc, offset);
            }
            offset = offset.saturating_add(f.lines.max(max_line(&doc).saturating_sub(offset)));
            files.push(f);
            docs.push(doc);
        }
        Package {
            flavour: usize::from(order.first() != Some(&flavour)),
            files,
            docs,
            sources,
            types,
        }
    }

    pub(super) fn top(&self) -> &Node {
        &self.docs[0]
    }

    pub(super) fn flavour(&self) -> &Node {
        &self.docs[self.flavour]
    }

    pub(super) fn flavour_file(&self) -> &ToscaFile {
        self.files[self.flavour]
    }

    /// The file and line a workload line points at, for errors found while reading.
    pub(super) fn locate(&self, line: u32) -> (Arc<str>, u32) {
        SourceSpan::locate(&self.files[0].display, &self.sources, line)
    }

    pub(super) fn error(&self, errors: &mut Vec<ScanError>, line: u32, message: String) {
        let (file, line) = self.locate(line);
        errors.push(ScanError::parse(&file, Some(line), message));
    }

    pub(super) fn read(&self, errors: &mut Vec<ScanError>) -> VnfModel {
        let top = self.top();
        let flavour = self.flavour();
        let flavour_file = self.flavour_file();
        let tt = flavour.get("topology_template");
        let substitution = tt.and_then(|t| t.get("substitution_mappings"));

        // The VNF node type, from the flavour's substitution or any VNF node template.
        let vnf_type: Option<String> = substitution
            .and_then(|s| s.get("node_type"))
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| {
                [flavour, top].into_iter().find_map(|d| {
                    node_templates(d)
                        .iter()
                        .find(|e| self.types.kind(type_of(&e.value)) == NodeKind::Vnf)
                        .map(|e| type_of(&e.value).to_string())
                })
            });
        let top_vnf = node_templates(top).iter().find(|e| {
            let t = type_of(&e.value);
            self.types.kind(t) == NodeKind::Vnf || vnf_type.as_deref() == Some(t)
        });
        let flavour_vnf = node_templates(flavour).iter().find(|e| {
            let t = type_of(&e.value);
            self.types.kind(t) == NodeKind::Vnf || vnf_type.as_deref() == Some(t)
        });

        // Properties: type defaults, then the top-level template, then the flavour's.
        let mut props: BTreeMap<String, Node> = BTreeMap::new();
        if let Some(t) = &vnf_type {
            let lineage = self.types.lineage(t);
            for ty in lineage.iter().rev() {
                for doc in &self.docs {
                    let Some(def) = doc.get("node_types").and_then(|n| n.get(ty)) else {
                        continue;
                    };
                    for e in def
                        .get("properties")
                        .and_then(Node::as_map)
                        .unwrap_or_default()
                    {
                        if let Some(d) = e.value.get("default") {
                            props.insert(e.key.clone(), d.clone());
                        }
                    }
                    break;
                }
            }
        }
        for node in [top_vnf, flavour_vnf].into_iter().flatten() {
            for e in node
                .value
                .get("properties")
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                // `flavour_id: { get_input: selected_flavour }` is decided at instantiation:
                // it says nothing, and must not hide the type's default.
                if !is_intrinsic_function(&e.value) {
                    props.insert(e.key.clone(), e.value.clone());
                }
            }
        }
        let prop_text = |k: &str| -> Option<(String, u32)> {
            let n = props.get(k)?;
            match &n.value {
                Value::Seq(items) => {
                    let parts: Vec<String> = items.iter().filter_map(Node::scalar_text).collect();
                    (!parts.is_empty()).then(|| (parts.join(", "), n.line))
                }
                Value::Map(_) | Value::Null => None,
                _ => n
                    .scalar_text()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| (s, n.line)),
            }
        };

        let mut model = VnfModel::new(
            Format::Sol001,
            Arc::clone(&self.files[0].display),
            Node::map(0),
        );
        model.sources = self.sources.clone();
        for key in [
            "product_name",
            "provider",
            "software_version",
            "descriptor_id",
            "descriptor_version",
            "vnfm_info",
        ] {
            if let Some((v, line)) = prop_text(key) {
                model.identity.push((key_name(key), v, line));
            }
        }
        let stem = |f: &ToscaFile| {
            Path::new(&*f.display)
                .file_stem()
                .map(|s| s.to_string_lossy().trim_end_matches(".vnfd").to_string())
                .unwrap_or_else(|| f.display.to_string())
        };
        model.vnf_name = prop_text("product_name")
            .or_else(|| prop_text("descriptor_id"))
            .map_or_else(|| stem(self.files[0]), |(v, _)| v);
        let flavour_id = substitution
            .and_then(|s| s.at("properties.flavour_id"))
            .and_then(|n| match &n.value {
                Value::Seq(items) => items.first().and_then(Node::scalar_text),
                _ => n.scalar_text(),
            })
            .filter(|s| !s.trim().is_empty())
            .or_else(|| prop_text("flavour_id").map(|(v, _)| v))
            .unwrap_or_else(|| stem(flavour_file));
        model.flavour = flavour_id;
        model.flavour_description = prop_text("flavour_description").map(|(v, _)| v);

        let flavour_line = flavour_vnf
            .map(|e| e.value.line)
            .or(substitution.map(|s| s.line))
            .or(tt.map(|t| t.line))
            .unwrap_or(0);
        model.flavour_line = flavour_line;
        model.vnf_line = top_vnf.map_or(flavour_line, |e| e.value.line);
        // The workload sits in the top-level file (numbered first): its VNF node, or the
        // flavour when the top is the flavour, or its topology.
        model.line = if let Some(v) = top_vnf {
            v.value.line
        } else if self.flavour == 0 {
            flavour_line.max(1)
        } else {
            top.get("topology_template").map_or(1, |t| t.line.max(1))
        };
        model.doc = {
            let mut doc = Node::map(0);
            if let Some(d) = top.get("description") {
                doc.insert("description", d.clone());
            }
            let mut vnf = Node::map(model.vnf_line);
            for (k, v) in &props {
                vnf.insert(k.clone(), v.clone());
            }
            doc.insert("vnf", vnf);
            if let Some(t) = tt {
                doc.insert("topology_template", t.clone());
            }
            doc
        };

        // Suppressions: `# fitscan ignore=` comments of every file, and
        // `metadata: { fitscan.io/ignore: ... }` on the templates and the VNF node.
        for f in &self.files {
            model.suppressions.extend(f.suppressions.iter().cloned());
        }
        let metadata_sources = [
            top.get("metadata"),
            flavour.get("metadata"),
            top_vnf.and_then(|e| e.value.get("metadata")),
            flavour_vnf.and_then(|e| e.value.get("metadata")),
        ];
        for meta in metadata_sources.into_iter().flatten() {
            if let Some(v) = meta.get("fitscan.io/ignore") {
                let (file, line) = self.locate(v.line);
                model
                    .suppressions
                    .extend(detect::ignore_value(v, &file, line));
            }
        }

        self.read_vnf_interfaces(
            &mut model,
            vnf_type.as_deref(),
            [top_vnf, flavour_vnf],
            &props,
        );
        self.read_topology(&mut model, errors);
        model.kubernetes_package = self.kubernetes_artifacts();
        if self.files.len() > 1 {
            let names: Vec<&str> = self.files.iter().map(|f| short_name(&f.display)).collect();
            model.notes.push(format!(
                "SOL001 package read from {} files: {}",
                names.len(),
                names.join(", ")
            ));
        }
        model
    }

    /// What in the package's definitions says it deploys to Kubernetes: a Helm chart
    /// artifact (SOL001 `tosca.artifacts.nfv.HelmChart`, the MCIOP of a containerised
    /// flavour), an artifact under `Files/kubernetes/`, or a package named as a CNF
    /// (`sample_cnf_top.vnfd.yaml`, `test_cnf/Definitions`).
    fn kubernetes_artifacts(&self) -> Option<String> {
        for doc in &self.docs {
            if let Some(found) = find_kubernetes_artifact(doc) {
                return Some(found);
            }
        }
        let cnf_word = |s: &str| {
            s.to_ascii_lowercase()
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == "cnf" || w == "cnfs")
        };
        let top = Path::new(&*self.files[0].display);
        let stem = top.file_name().map(|s| s.to_string_lossy().into_owned());
        // The package's folder: the one holding Definitions/ (or the file's own).
        let parent = top.parent();
        let folder = parent
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("Definitions"))
            })
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned());
        [stem, folder]
            .into_iter()
            .flatten()
            .find(|s| cnf_word(s))
            .map(|s| format!("{NAMED_AS_CNF}: {s}"))
    }

    /// LCM operations, hooks, healing and day-0 sources declared on the VNF.
    pub(super) fn read_vnf_interfaces(
        &self,
        model: &mut VnfModel,
        vnf_type: Option<&str>,
        nodes: [Option<&crate::node::Entry>; 2],
        props: &BTreeMap<String, Node>,
    ) {
        let mut ops: BTreeMap<String, LcmOperation> = BTreeMap::new();
        let mut interface_sets: Vec<&Node> = Vec::new();
        if let Some(t) = vnf_type {
            for ty in self.types.lineage(t).iter().rev() {
                if let Some(i) = self
                    .docs
                    .iter()
                    .find_map(|d| d.get("node_types").and_then(|n| n.get(ty)))
                    .and_then(|def| def.get("interfaces"))
                {
                    interface_sets.push(i);
                }
            }
        }
        interface_sets.extend(
            nodes
                .iter()
                .flatten()
                .filter_map(|e| e.value.get("interfaces")),
        );
        for interfaces in interface_sets {
            for iface in interfaces.as_map().unwrap_or_default() {
                let is_lcm = iface.key.eq_ignore_ascii_case("Vnflcm")
                    || type_of(&iface.value).ends_with("Vnflcm");
                if !is_lcm {
                    continue;
                }
                let operations = iface.value.get("operations").unwrap_or(&iface.value);
                for op in operations.as_map().unwrap_or_default() {
                    if matches!(
                        op.key.as_str(),
                        "type"
                            | "inputs"
                            | "description"
                            | "operations"
                            | "notifications"
                            | "derived_from"
                    ) {
                        continue;
                    }
                    ops.insert(
                        op.key.clone(),
                        LcmOperation {
                            name: op.key.clone(),
                            line: op.value.line,
                            hook: has_implementation(&op.value),
                        },
                    );
                }
            }
        }
        let mut ops: Vec<LcmOperation> = ops.into_values().collect();
        ops.sort_by_key(|o| o.line);
        if let Some(heal) = ops.iter().find(|o| o.name.starts_with("heal")) {
            model
                .healing
                .push(Item::new(heal.name.clone(), "heal operation", heal.line));
        }
        for op in ops
            .iter()
            .filter(|o| o.hook && o.name.starts_with("instantiate"))
        {
            model
                .day0
                .push(Item::new(op.name.clone(), "instantiate hook", op.line));
        }
        model.lcm_operations = ops;

        if let Some(cfg) = props
            .get("lcm_operations_configuration")
            .filter(|n| !is_empty(n))
        {
            model.lcm_configuration = Some(cfg.line);
            if let Some(heal) = cfg.get("heal") {
                model
                    .healing
                    .push(Item::new("heal", "heal operation configuration", heal.line));
            }
        }
        if let Some(cfg) = props
            .get("configurable_properties")
            .filter(|n| !is_empty(n))
        {
            model.day0.push(Item::new(
                "configurable_properties",
                "configurable properties",
                cfg.line,
            ));
            if let Some(auto) = cfg
                .get("is_autoheal_enabled")
                .filter(|n| n.as_bool() != Some(false))
            {
                model
                    .healing
                    .push(Item::new("is_autoheal_enabled", "auto-heal", auto.line));
            }
        }
        if let Some(mp) = props.get("monitoring_parameters") {
            push_monitoring(mp, "vnf", &mut model.monitoring);
        }
    }

    /// VDUs, storage, connection points, links, groups and policies of the flavour.
    pub(super) fn read_topology(&self, model: &mut VnfModel, errors: &mut Vec<ScanError>) {
        let flavour = self.flavour();
        let templates = node_templates(flavour);
        let mut vdu_index: BTreeMap<String, usize> = BTreeMap::new();
        let containers: BTreeMap<&str, &Node> = templates
            .iter()
            .filter(|e| self.types.kind(type_of(&e.value)) == NodeKind::Container)
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        for e in templates {
            let kind = self.types.kind(type_of(&e.value));
            match kind {
                NodeKind::Vdu => {
                    let vdu = self.read_vdu(&e.key, &e.value, model, errors);
                    vdu_index.insert(e.key.clone(), model.vdus.len());
                    model.vdus.push(vdu);
                }
                NodeKind::ContainerVdu => {
                    let mut vdu = self.read_vdu(&e.key, &e.value, model, errors);
                    self.read_containers(&mut vdu, &e.value, &containers, model, errors);
                    vdu_index.insert(e.key.clone(), model.vdus.len());
                    model.vdus.push(vdu);
                }
                NodeKind::Storage(storage_kind) => {
                    let storage = self.read_storage(&e.key, &e.value, storage_kind, model, errors);
                    model.storages.push(storage);
                }
                _ => {}
            }
        }
        for e in templates {
            let kind = self.types.kind(type_of(&e.value));
            let props = e.value.get("properties");
            match kind {
                NodeKind::Cp | NodeKind::ExtCp => {
                    let bound = requirement_targets(&e.value, "virtual_binding");
                    if kind == NodeKind::ExtCp {
                        model
                            .ext_cps
                            .push(Item::new(e.key.clone(), "external cp", e.value.line));
                    }
                    if let Some(p) = props {
                        detect::fixed_addresses(&e.key, p, &mut model.fixed_addresses);
                        detect::encryption(&e.key, p, &mut model.encryption);
                    }
                    for vdu in bound {
                        if let Some(&i) = vdu_index.get(&vdu) {
                            model.vdus[i].cps += 1;
                            if let Some(p) = props {
                                detect::acceleration(&vdu, p, &mut model.acceleration);
                            }
                        }
                    }
                }
                NodeKind::VirtualLink => {
                    model.virtual_links.push(Item::new(
                        e.key.clone(),
                        "internal virtual link",
                        e.value.line,
                    ));
                    if let Some(p) = props {
                        detect::encryption(&e.key, p, &mut model.encryption);
                        if let Some(mp) = p.get("monitoring_parameters") {
                            push_monitoring(
                                mp,
                                &format!("virtual link {}", e.key),
                                &mut model.monitoring,
                            );
                        }
                    }
                }
                NodeKind::Vdu | NodeKind::ContainerVdu => {
                    for target in requirement_targets(&e.value, "virtual_storage") {
                        if let Some(&i) = vdu_index.get(&e.key) {
                            model.vdus[i].storages.push(target);
                        }
                    }
                }
                _ => {}
            }
        }
        let tt = flavour.get("topology_template");
        let groups: BTreeMap<String, Vec<String>> = tt
            .and_then(|t| t.get("groups"))
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|g| {
                let members = g
                    .value
                    .get("members")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect();
                (g.key.clone(), members)
            })
            .collect();
        self.read_policies(model, tt, &groups, &vdu_index, errors);
    }
}

/// The first Helm chart or Kubernetes manifest artifact declared anywhere in a document.
fn find_kubernetes_artifact(node: &Node) -> Option<String> {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Map(entries) => {
                for e in entries {
                    if e.key == "artifacts" {
                        for a in e.value.as_map().unwrap_or_default() {
                            let file = a
                                .value
                                .get("file")
                                .and_then(Node::scalar_text)
                                .unwrap_or_default();
                            let lower = file.to_ascii_lowercase().replace('\\', "/");
                            if type_of(&a.value).ends_with("HelmChart")
                                || lower.contains("files/kubernetes/")
                                || lower.ends_with(".tgz") && lower.contains("helm")
                            {
                                return Some(format!("artifact {} ({file})", a.key));
                            }
                        }
                    }
                    stack.push(&e.value);
                }
            }
            Value::Seq(items) => stack.extend(items.iter()),
            _ => {}
        }
    }
    None
}
