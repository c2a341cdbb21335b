//! What fitscan knows about one VNF deployment flavour, whichever descriptor format it came
//! from. SOL001 and SOL006 both fill a [`VnfModel`]; [`VnfModel::into_workload`] turns it
//! into the workload, its `facts.*` (documented in docs/writing-rules.md, "VNF") and one
//! component per VDU.
//!
//! Every line here is a line of the workload's numbering (see `model::SourceSpan`): the
//! parsers shift the lines of imported files before they read them.

use std::sync::Arc;

use crate::model::{
    Component, Generation, Sizing, SourceSpan, Suppression, Target, Workload, WorkloadKind,
};
use crate::node::Node;

/// Which descriptor standard a VNF was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Sol001,
    Sol006,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Sol001 => "sol001",
            Format::Sol006 => "sol006",
        }
    }
}

/// A number with the line of the field it came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    pub value: f64,
    pub line: u32,
}

/// Something declared somewhere: a scaling aspect, a monitoring parameter, a hook...
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub name: String,
    /// What kind of thing it is (`cloud-init`, `heal operation`, `vdu` ...).
    pub kind: String,
    pub line: u32,
}

impl Item {
    pub fn new(name: impl Into<String>, kind: impl Into<String>, line: u32) -> Self {
        Item {
            name: name.into(),
            kind: kind.into(),
            line,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Vdu {
    /// The VDU's id: the node template name (SOL001) or `id` (SOL006). Metrics join on it.
    pub id: String,
    /// Its `name` property, when it differs from the id.
    pub display_name: Option<String>,
    pub line: u32,
    pub vcpu: Option<Num>,
    pub memory_gib: Option<Num>,
    pub local_storage_gib: Option<Num>,
    /// Flavour names it asks the VIM for (`requested_additional_capabilities`).
    pub flavours: Vec<(String, u32)>,
    pub min_instances: Option<Num>,
    pub max_instances: Option<Num>,
    /// Instances at instantiation, and where that figure came from.
    pub instances: Option<Num>,
    pub instances_basis: &'static str,
    /// Scaling aspects with a delta for this VDU.
    pub scaling_aspects: Vec<String>,
    pub anti_affinity: bool,
    pub affinity: bool,
    /// Names of the storages attached to it.
    pub storages: Vec<String>,
    pub has_image: bool,
    /// Made of OS containers (SOL001 `Vdu.OsContainerDeployableUnit`).
    pub container: bool,
    pub boot_data: bool,
    pub monitoring: bool,
    pub cps: usize,
    /// What says a `Vdu.Compute` with neither an image nor a compute size stands for a
    /// Kubernetes resource (Tacker's CNF form): its description, e.g.
    /// "kubernetes resource as VDU1".
    pub kubernetes_hint: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Storage {
    pub name: String,
    pub line: u32,
    /// `block`, `object`, `file` (SOL001 node kinds) or `block` for SOL006 descriptors.
    pub kind: &'static str,
    pub size_gib: Option<Num>,
    /// A storage that carries the software image is the VDU's boot volume, not a data volume.
    pub boot: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Image {
    pub name: String,
    /// The VDU or storage it belongs to.
    pub owner: String,
    pub line: u32,
    pub checksum: bool,
    pub size_gib: Option<Num>,
    /// `operating_system` of the image data, when declared.
    pub os: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Aspect {
    pub id: String,
    pub line: u32,
    pub max_scale_level: Option<Num>,
    /// VDUs with a delta in this aspect.
    pub vdus: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct LcmOperation {
    pub name: String,
    pub line: u32,
    /// Whether it runs a VNF-specific implementation (a script or management driver)
    /// rather than the VNFM's default behaviour.
    pub hook: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Placement {
    pub name: String,
    pub line: u32,
    pub scope: Option<String>,
    pub vdus: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Acceleration {
    pub vdu: String,
    pub feature: &'static str,
    pub detail: String,
    pub line: u32,
}

/// Acceleration features that make a VDU a poll-mode data plane: not sized on CPU
/// utilisation (it shows 100 % by design).
pub const POLL_MODE_FEATURES: &[&str] = &["DPDK", "SR-IOV", "CPU pinning", "huge pages"];

/// How `kubernetes_package` begins when only the package's name says it is a CNF.
pub const NAMED_AS_CNF: &str = "named as a CNF";

/// One VNF deployment flavour: one workload.
#[derive(Debug, Clone)]
pub struct VnfModel {
    pub format: Format,
    /// The VNF's name (product name, else descriptor id, else the file name).
    pub vnf_name: String,
    pub flavour: String,
    pub file: Arc<str>,
    pub line: u32,
    pub sources: Vec<SourceSpan>,
    pub doc: Node,
    /// Identity fields of the VNF (product_name, provider, ...), each located.
    pub identity: Vec<(&'static str, String, u32)>,
    /// Where the VNF is declared (the top-level template) and where this flavour is.
    pub vnf_line: u32,
    pub flavour_line: u32,
    pub flavour_description: Option<String>,
    pub vdus: Vec<Vdu>,
    pub storages: Vec<Storage>,
    pub images: Vec<Image>,
    pub scaling_aspects: Vec<Aspect>,
    pub instantiation_levels: Vec<Item>,
    pub default_level: Option<Item>,
    pub monitoring: Vec<Item>,
    pub indicators: Vec<Item>,
    pub healing: Vec<Item>,
    pub lcm_operations: Vec<LcmOperation>,
    pub lcm_configuration: Option<u32>,
    pub day0: Vec<Item>,
    pub virtual_links: Vec<Item>,
    pub ext_cps: Vec<Item>,
    pub security_group_rules: Vec<Item>,
    pub encryption: Vec<Item>,
    pub affinity: Vec<Placement>,
    pub anti_affinity: Vec<Placement>,
    pub acceleration: Vec<Acceleration>,
    pub fixed_addresses: Vec<Item>,
    /// Kubernetes deployment units (OSM KDUs) or VDUs sized by Kubernetes manifests.
    pub kdus: Vec<Item>,
    /// What in the package says it deploys to Kubernetes (Helm chart or manifest
    /// artifacts, MCIOPs, a `Files/kubernetes/` folder, a package named as a CNF).
    pub kubernetes_package: Option<String>,
    pub notes: Vec<String>,
    pub suppressions: Vec<Suppression>,
}

impl VnfModel {
    pub fn new(format: Format, file: Arc<str>, doc: Node) -> Self {
        VnfModel {
            format,
            vnf_name: String::new(),
            flavour: String::new(),
            file,
            line: 1,
            sources: Vec::new(),
            doc,
            identity: Vec::new(),
            vnf_line: 0,
            flavour_line: 0,
            flavour_description: None,
            vdus: Vec::new(),
            storages: Vec::new(),
            images: Vec::new(),
            scaling_aspects: Vec::new(),
            instantiation_levels: Vec::new(),
            default_level: None,
            monitoring: Vec::new(),
            indicators: Vec::new(),
            healing: Vec::new(),
            lcm_operations: Vec::new(),
            lcm_configuration: None,
            day0: Vec::new(),
            virtual_links: Vec::new(),
            ext_cps: Vec::new(),
            security_group_rules: Vec::new(),
            encryption: Vec::new(),
            affinity: Vec::new(),
            anti_affinity: Vec::new(),
            acceleration: Vec::new(),
            fixed_addresses: Vec::new(),
            kdus: Vec::new(),
            kubernetes_package: None,
            notes: Vec::new(),
            suppressions: Vec::new(),
        }
    }

    /// The workload name: `VNF/flavour`, so that a utilisation key reads `VNF/flavour/VDU`.
    pub fn workload_name(&self) -> String {
        format!("{}/{}", self.vnf_name, self.flavour)
    }

    /// A VNF whose VDUs carry neither a compute size nor an image: sized and imaged outside
    /// the descriptor (Kubernetes manifests, Helm charts, Terraform templates), or made of
    /// OS containers or KDUs.
    pub fn containerised(&self) -> bool {
        !self.has_vm_vdus() && (!self.kdus.is_empty() || !self.vdus.is_empty())
    }

    /// Some VDU is a virtual machine as the descriptor describes it: a compute size or a
    /// software image.
    fn has_vm_vdus(&self) -> bool {
        self.vdus
            .iter()
            .any(|v| !v.container && (v.vcpu.is_some() || v.memory_gib.is_some() || v.has_image))
    }

    /// Generation 3 when the VNF is made of containers: OS container deployable units,
    /// KDUs, or VDUs with neither an image nor a compute size that stand for Kubernetes
    /// resources (their description, or the package's charts and manifests, say so).
    /// Otherwise generation 2: a `Vdu.Compute` is a virtual machine booted from a software
    /// image on a VIM, and so is a VDU the descriptor says nothing more about.
    pub fn platform(&self) -> (Generation, Option<String>) {
        if self.has_vm_vdus() {
            return (Generation::ClientServer, None);
        }
        if self.vdus.iter().any(|v| v.container) {
            return (
                Generation::CloudNative,
                Some("its VDUs are OS container deployable units (SOL001 Vdu.OsContainerDeployableUnit)".into()),
            );
        }
        if !self.kdus.is_empty() {
            return (
                Generation::CloudNative,
                Some("it deploys Kubernetes deployment units (KDUs)".into()),
            );
        }
        if let Some(v) = self.vdus.iter().find(|v| v.kubernetes_hint.is_some()) {
            let why = v.kubernetes_hint.clone().unwrap_or_default();
            return (
                Generation::CloudNative,
                Some(format!(
                    "its VDUs declare neither an image nor a compute size and stand for Kubernetes resources (VDU {}: \"{why}\")",
                    v.id
                )),
            );
        }
        if let Some(why) = &self.kubernetes_package {
            return (
                Generation::CloudNative,
                Some(format!(
                    "its VDUs declare neither an image nor a compute size, and the package deploys to Kubernetes ({why})"
                )),
            );
        }
        (Generation::ClientServer, None)
    }

    /// Instances of each VDU at instantiation: the parsers set the default instantiation
    /// level's figure (or the initial delta) when the descriptor gives one; otherwise the
    /// minimum, otherwise one.
    fn settle_instances(&mut self) {
        for vdu in &mut self.vdus {
            if vdu.instances.is_none() {
                vdu.instances = Some(vdu.min_instances.unwrap_or(Num {
                    value: 1.0,
                    line: vdu.line,
                }));
                vdu.instances_basis = if vdu.min_instances.is_some() {
                    "min_instances"
                } else {
                    "assumed"
                };
            }
            vdu.storages.sort();
            vdu.storages.dedup();
        }
    }

    pub fn into_workload(mut self) -> Workload {
        self.settle_instances();
        let name = self.workload_name();
        let containerised = self.containerised();
        let (generation, cnf_reason) = self.platform();
        let readiness = (generation == Generation::ClientServer)
            .then(|| super::readiness::assess(&self))
            .flatten();
        let facts = self.facts();
        let components = self
            .vdus
            .iter()
            .map(|v| {
                let attached: f64 = self
                    .storages
                    .iter()
                    .filter(|s| v.storages.contains(&s.name))
                    .filter_map(|s| s.size_gib.map(|n| n.value))
                    .sum();
                let local = v.local_storage_gib.map(|n| n.value);
                let storage = match (local, attached > 0.0) {
                    (Some(l), _) => Some(l + attached),
                    (None, true) => Some(attached),
                    (None, false) => None,
                };
                // A poll-mode data plane shows full CPU (and huge-page memory) by design.
                let mut poll_mode: Vec<String> = Vec::new();
                for a in self.acceleration.iter().filter(|a| a.vdu == v.id) {
                    if POLL_MODE_FEATURES.contains(&a.feature)
                        && !poll_mode.iter().any(|f| f == a.feature)
                    {
                        poll_mode.push(a.feature.to_string());
                    }
                }
                let hugepages = poll_mode.iter().any(|f| f == "huge pages");
                Component {
                    name: v.id.clone(),
                    line: v.line,
                    count: v.instances.map_or(1.0, |n| n.value),
                    current: Sizing {
                        vcpu: v.vcpu.map(|n| n.value),
                        memory_gib: v.memory_gib.map(|n| n.value),
                        storage_gib: storage,
                    },
                    demand: None,
                    traits: crate::model::Traits {
                        poll_mode,
                        hugepages,
                        // Instances kept apart so that one survives a host failure.
                        redundant: v.anti_affinity,
                        ..Default::default()
                    },
                }
            })
            .collect();
        let mut w = Workload::new(
            WorkloadKind::Vnf,
            Target::Vnf,
            name,
            Arc::clone(&self.file),
            self.line.max(1),
            generation,
            self.doc,
        );
        w.cnf_readiness = readiness.map(Box::new);
        w.facts = facts;
        w.components = components;
        w.sources = self.sources;
        w.notes = self.notes;
        if self.vdus.is_empty() && self.kdus.is_empty() {
            w.notes
                .push("the deployment flavour declares no VDU: nothing to size".into());
        } else if containerised && self.vdus.iter().any(|v| v.container) {
            w.notes.push(
                "a containerised VNF (OS container deployable units): sized from the resources its containers request".into(),
            );
        } else if let (true, Some(why)) = (containerised && self.kdus.is_empty(), &cnf_reason) {
            w.notes.push(format!(
                "a containerised VNF (generation 3): {why}; sized and configured in its Kubernetes manifests or Helm charts (scan those too)"
            ));
        } else if containerised && self.kdus.is_empty() {
            w.notes.push(
                "no VDU declares a compute size or an image, and nothing says they are containers: taken as virtual machines (generation 2) sized and imaged outside the descriptor (Terraform templates, VIM flavours)".into(),
            );
        }
        if generation == Generation::ClientServer && !self.vdus.is_empty() {
            // A package named as a CNF says nothing beside VMs; artifacts do.
            if let Some(why) = self
                .kubernetes_package
                .as_ref()
                .filter(|w| !w.starts_with(NAMED_AS_CNF))
            {
                w.notes.push(format!(
                    "the package also deploys to Kubernetes ({why}): a containerised deployment beside the VMs; scan its charts or manifests to assess it"
                ));
            }
        }
        w.suppressions = self.suppressions;
        w
    }

    fn facts(&self) -> Node {
        let mut f = Node::map(0);
        f.insert("format", Node::str(self.format.as_str(), self.vnf_line));

        let mut vnf = Node::map(self.vnf_line);
        vnf.insert("name", Node::str(self.vnf_name.clone(), self.vnf_line));
        for (key, value, line) in &self.identity {
            vnf.insert(*key, Node::str(value.clone(), *line));
        }
        f.insert("vnf", vnf);
        let mut flavour = Node::map(self.flavour_line);
        flavour.insert("id", Node::str(self.flavour.clone(), self.flavour_line));
        if let Some(d) = &self.flavour_description {
            flavour.insert("description", Node::str(d.clone(), self.flavour_line));
        }
        f.insert("flavour", flavour);

        let containerised = self.containerised();
        f.insert(
            "containerised",
            Node::bool(containerised, self.flavour_line),
        );
        f.insert(
            "vdu_count",
            Node::int(self.vdus.len() as i64, self.flavour_line),
        );
        let vdus: Vec<Node> = self.vdus.iter().map(|v| self.vdu_facts(v)).collect();
        insert_list(&mut f, "vdus", vdus);
        if let Some(first) = self.vdus.first() {
            f.insert("first_vdu", Node::str(first.id.clone(), first.line));
        }
        let total = |pick: fn(&Vdu) -> Option<Num>| -> Option<f64> {
            let known: Vec<(f64, f64)> = self
                .vdus
                .iter()
                .filter_map(|v| pick(v).map(|n| (n.value, v.instances.map_or(1.0, |i| i.value))))
                .collect();
            (!known.is_empty()).then(|| known.iter().map(|(v, n)| v * n).sum())
        };
        if let Some(v) = total(|v| v.local_storage_gib) {
            f.insert("local_storage_gib", Node::float(v, 0));
        }

        let storages: Vec<Node> = self
            .storages
            .iter()
            .map(|s| {
                let mut n = Node::map(s.line);
                n.insert("name", Node::str(s.name.clone(), s.line));
                n.insert("kind", Node::str(s.kind, s.line));
                n.insert("boot", Node::bool(s.boot, s.line));
                if let Some(size) = s.size_gib {
                    n.insert("size_gib", Node::float(size.value, size.line));
                }
                n
            })
            .collect();
        insert_list(&mut f, "storages", storages);
        let data: Vec<Node> = self
            .storages
            .iter()
            .filter(|s| !s.boot)
            .map(|s| Node::str(s.name.clone(), s.line))
            .collect();
        insert_list(&mut f, "data_volumes", data);

        let images: Vec<Node> = self
            .images
            .iter()
            .map(|i| {
                let mut n = Node::map(i.line);
                n.insert("name", Node::str(i.name.clone(), i.line));
                n.insert("owner", Node::str(i.owner.clone(), i.line));
                n.insert("checksum", Node::bool(i.checksum, i.line));
                if let Some(size) = i.size_gib {
                    n.insert("size_gib", Node::float(size.value, size.line));
                }
                if let Some(os) = &i.os {
                    n.insert("os", Node::str(os.clone(), i.line));
                }
                n
            })
            .collect();
        insert_list(&mut f, "images", images);

        let aspects: Vec<Node> = self
            .scaling_aspects
            .iter()
            .map(|a| {
                let mut n = Node::map(a.line);
                n.insert("name", Node::str(a.id.clone(), a.line));
                if let Some(m) = a.max_scale_level {
                    n.insert("max_scale_level", Node::float(m.value, m.line));
                }
                if !a.vdus.is_empty() {
                    let list = a
                        .vdus
                        .iter()
                        .map(|v| Node::str(v.clone(), a.line))
                        .collect();
                    n.insert("vdus", Node::seq(list, a.line));
                }
                n
            })
            .collect();
        insert_list(&mut f, "scaling_aspects", aspects);

        insert_items(&mut f, "instantiation_levels", &self.instantiation_levels);
        f.insert(
            "instantiation_level_count",
            Node::int(self.instantiation_levels.len() as i64, self.flavour_line),
        );
        if let Some(d) = &self.default_level {
            f.insert(
                "default_instantiation_level",
                Node::str(d.name.clone(), d.line),
            );
        }
        insert_items(&mut f, "monitoring", &self.monitoring);
        insert_items(&mut f, "indicators", &self.indicators);
        insert_items(&mut f, "healing", &self.healing);
        let ops: Vec<Node> = self
            .lcm_operations
            .iter()
            .map(|o| {
                let mut n = Node::map(o.line);
                n.insert("name", Node::str(o.name.clone(), o.line));
                n.insert("hook", Node::bool(o.hook, o.line));
                n
            })
            .collect();
        insert_list(&mut f, "lcm_operations", ops);
        let hooks: Vec<Node> = self
            .lcm_operations
            .iter()
            .filter(|o| o.hook)
            .map(|o| Node::str(o.name.clone(), o.line))
            .collect();
        insert_list(&mut f, "lcm_hooks", hooks);
        if let Some(line) = self.lcm_configuration {
            f.insert("lcm_operations_configuration", Node::bool(true, line));
        }
        insert_items(&mut f, "day0", &self.day0);
        insert_items(&mut f, "virtual_links", &self.virtual_links);
        insert_items(&mut f, "ext_cps", &self.ext_cps);
        insert_items(&mut f, "security_group_rules", &self.security_group_rules);
        insert_items(&mut f, "encrypted_links", &self.encryption);
        insert_list(&mut f, "affinity", placements(&self.affinity));
        insert_list(&mut f, "anti_affinity", placements(&self.anti_affinity));
        let accel: Vec<Node> = self
            .acceleration
            .iter()
            .map(|a| {
                let mut n = Node::map(a.line);
                n.insert("name", Node::str(a.vdu.clone(), a.line));
                n.insert("vdu", Node::str(a.vdu.clone(), a.line));
                n.insert("feature", Node::str(a.feature, a.line));
                n.insert("detail", Node::str(a.detail.clone(), a.line));
                n
            })
            .collect();
        insert_list(&mut f, "acceleration", accel);
        insert_items(&mut f, "fixed_addresses", &self.fixed_addresses);
        insert_items(&mut f, "kdus", &self.kdus);
        f
    }

    fn vdu_facts(&self, v: &Vdu) -> Node {
        let mut n = Node::map(v.line);
        n.insert("name", Node::str(v.id.clone(), v.line));
        if let Some(d) = &v.display_name {
            n.insert("display_name", Node::str(d.clone(), v.line));
        }
        let num = |n: &mut Node, key: &str, v: Option<Num>| {
            if let Some(x) = v {
                n.insert(key, Node::float(x.value, x.line));
            }
        };
        num(&mut n, "vcpu", v.vcpu);
        num(&mut n, "memory_gib", v.memory_gib);
        num(&mut n, "local_storage_gib", v.local_storage_gib);
        num(&mut n, "min_instances", v.min_instances);
        num(&mut n, "max_instances", v.max_instances);
        num(&mut n, "instances", v.instances);
        n.insert("instances_basis", Node::str(v.instances_basis, v.line));
        if let (Some(min), Some(max)) = (v.min_instances, v.max_instances) {
            // Located at the maximum: that is the field to raise for scale-out.
            n.insert("scalable", Node::bool(max.value > min.value, max.line));
        }
        if !v.flavours.is_empty() {
            let list = v
                .flavours
                .iter()
                .map(|(f, l)| Node::str(f.clone(), *l))
                .collect();
            n.insert("flavours", Node::seq(list, v.line));
        }
        if !v.scaling_aspects.is_empty() {
            let list = v
                .scaling_aspects
                .iter()
                .map(|a| Node::str(a.clone(), v.line))
                .collect();
            n.insert("scaling_aspects", Node::seq(list, v.line));
        }
        n.insert("anti_affinity", Node::bool(v.anti_affinity, v.line));
        n.insert("affinity", Node::bool(v.affinity, v.line));
        let data: Vec<Node> = self
            .storages
            .iter()
            .filter(|s| v.storages.contains(&s.name) && !s.boot)
            .map(|s| Node::str(s.name.clone(), s.line))
            .collect();
        n.insert("data_volumes", Node::int(data.len() as i64, v.line));
        n.insert(
            "boot_volume",
            Node::bool(
                self.storages
                    .iter()
                    .any(|s| v.storages.contains(&s.name) && s.boot),
                v.line,
            ),
        );
        n.insert("image", Node::bool(v.has_image, v.line));
        n.insert("container", Node::bool(v.container, v.line));
        n.insert("boot_data", Node::bool(v.boot_data, v.line));
        n.insert("monitoring", Node::bool(v.monitoring, v.line));
        n.insert("cps", Node::int(v.cps as i64, v.line));
        let features: Vec<Node> = self
            .acceleration
            .iter()
            .filter(|a| a.vdu == v.id)
            .map(|a| Node::str(a.feature, a.line))
            .collect();
        if !features.is_empty() {
            n.insert("acceleration", Node::seq(features, v.line));
        }
        n
    }
}

/// What `VnfModel::facts` inserts, for the rule loader, `fitscan rules facts` and the guide.
pub const FACTS: &[crate::model::FactGroup] = {
    use crate::model::{FactDoc, FactGroup};
    &[FactGroup {
        targets: &[Target::Vnf],
        title: "From the descriptor, SOL001 or SOL006 (a list is absent when the descriptor declares none)",
        facts: &[
            FactDoc::new("format", "sol001 or sol006"),
            FactDoc::new("vnf", "the VNF node (SOL001) or `vnfd` (SOL006)"),
            FactDoc::new(
                "vnf.name",
                "product name, else descriptor id, else file name",
            ),
            FactDoc::new(
                "vnf.{product_name,provider,software_version,descriptor_id,descriptor_version,vnfm_info}",
                "identity, as written",
            ),
            FactDoc::new("flavour", "the deployment flavour (SOL006: the `df` entry)"),
            FactDoc::new("flavour.id", "the flavour's id"),
            FactDoc::new("flavour.description", "the flavour's description"),
            FactDoc::new(
                "containerised",
                "a CNF: every VDU is an OS container deployable unit or declares neither a compute size nor an image, or only OSM KDUs",
            ),
            FactDoc::new("vdu_count", "VDUs of the flavour"),
            FactDoc::new("first_vdu", "the first VDU's id"),
            FactDoc::new("vdus[*]", "the VDUs, each at its definition"),
            FactDoc::new(
                "vdus[*].name",
                "the VDU's id (node template name / `id`): metrics join on `VNF/flavour/VDU`",
            ),
            FactDoc::new(
                "vdus[*].display_name",
                "its `name` property, when it differs",
            ),
            FactDoc::new(
                "vdus[*].{vcpu,memory_gib,local_storage_gib}",
                "virtual compute per instance (SOL001 sizes exact: `GB` is 10^9 bytes, `GiB` 2^30)",
            ),
            FactDoc::new(
                "vdus[*].{min_instances,max_instances}",
                "`vdu_profile` / `vdu-profile` bounds",
            ),
            FactDoc::new(
                "vdus[*].instances",
                "instances at instantiation: the default instantiation level's, else the initial delta, else the minimum, else 1",
            ),
            FactDoc::new("vdus[*].instances_basis", "where `instances` came from"),
            FactDoc::new(
                "vdus[*].scalable",
                "max instances above min (located at the maximum)",
            ),
            FactDoc::new(
                "vdus[*].flavours[*]",
                "flavour names it asks the VIM for (`requested_additional_capabilities`)",
            ),
            FactDoc::new(
                "vdus[*].scaling_aspects[*]",
                "scaling aspects with a delta for it",
            ),
            FactDoc::new(
                "vdus[*].{affinity,anti_affinity}",
                "a placement rule names it",
            ),
            FactDoc::new("vdus[*].data_volumes", "how many data volumes it attaches"),
            FactDoc::new(
                "vdus[*].boot_volume",
                "it boots from a volume that carries its image",
            ),
            FactDoc::new("vdus[*].image", "it declares a software image"),
            FactDoc::new(
                "vdus[*].container",
                "an OS container deployable unit, sized from its containers' requests",
            ),
            FactDoc::new(
                "vdus[*].boot_data",
                "cloud-init or other boot data (day-0 configuration)",
            ),
            FactDoc::new("vdus[*].monitoring", "a monitoring parameter names it"),
            FactDoc::new("vdus[*].cps", "how many connection points it has"),
            FactDoc::new(
                "vdus[*].acceleration[*]",
                "hardware-tied features it asks for (see `acceleration`)",
            ),
            FactDoc::new("local_storage_gib", "local storage of all VDU instances"),
            FactDoc::new(
                "storages[*]",
                "virtual storages; one with a software image is a boot volume",
            ),
            FactDoc::new(
                "storages[*].{name,kind,boot,size_gib}",
                "name; block, object or file; boot volume; size",
            ),
            FactDoc::new(
                "data_volumes[*]",
                "names of the storages that are not boot volumes",
            ),
            FactDoc::new("images[*]", "software images"),
            FactDoc::new(
                "images[*].{name,owner,checksum,size_gib}",
                "name; the VDU or storage it belongs to; whether it has a checksum; size",
            ),
            FactDoc::new(
                "images[*].os",
                "the image's operating system (`operating_system`), as written",
            ),
            FactDoc::new("scaling_aspects[*]", "scaling aspects"),
            FactDoc::new(
                "scaling_aspects[*].{name,max_scale_level}",
                "the aspect's id and highest scale level",
            ),
            FactDoc::new("scaling_aspects[*].vdus[*]", "VDUs with a delta in it"),
            FactDoc::new("instantiation_levels[*]", "instantiation levels"),
            FactDoc::new("instantiation_level_count", "how many"),
            FactDoc::new("default_instantiation_level", "the default level's id"),
            FactDoc::new(
                "monitoring[*]",
                "monitoring parameters (`kind`: vnf, `vdu X`, `virtual link X`, flavour)",
            ),
            FactDoc::new(
                "indicators[*]",
                "VNF indicators (SOL001 `VnfIndicator` policies, vnf_indicator interfaces; SOL006 `indicator`)",
            ),
            FactDoc::new(
                "healing[*]",
                "what heals it: a heal operation in the Vnflcm interface, heal configuration, an OSM `healing-aspect`, `is_autoheal_enabled`",
            ),
            FactDoc::new("lcm_operations[*]", "Vnflcm operations"),
            FactDoc::new(
                "lcm_operations[*].name",
                "the operation (instantiate, heal, scale, ...)",
            ),
            FactDoc::new(
                "lcm_operations[*].hook",
                "it has an implementation (a script or management driver)",
            ),
            FactDoc::new("lcm_hooks[*]", "the operations with a hook"),
            FactDoc::new(
                "lcm_operations_configuration",
                "SOL006 `lcm-operations-configuration` (or OSM operate/config primitives)",
            ),
            FactDoc::new(
                "day0[*]",
                "configuration at instantiation (`kind`: boot data, cloud-init, configurable properties, instantiate hook, vnf configuration interface, juju charm, initial config primitive, ...)",
            ),
            FactDoc::new("virtual_links[*]", "internal virtual links"),
            FactDoc::new("ext_cps[*]", "external connection points"),
            FactDoc::new(
                "security_group_rules[*]",
                "SecurityGroupRule policies / SOL006 `security-group-rule`",
            ),
            FactDoc::new(
                "encrypted_links[*]",
                "links and connection points that declare encryption (an `encrypt*` field, or IPsec, MACsec, TLS, WireGuard, SRTP in a protocol field)",
            ),
            FactDoc::new(
                "{monitoring,indicators,healing,instantiation_levels,day0,virtual_links,ext_cps,security_group_rules,encrypted_links,fixed_addresses,kdus}[*].{name,kind}",
                "the item's name and what kind of thing it is",
            ),
            FactDoc::new(
                "{affinity,anti_affinity}[*]",
                "placement rules, placement groups expanded",
            ),
            FactDoc::new(
                "{affinity,anti_affinity}[*].{name,scope}",
                "the rule's name and scope (nfvi_node, zone, ...)",
            ),
            FactDoc::new("{affinity,anti_affinity}[*].vdus[*]", "the VDUs it places"),
            FactDoc::new(
                "acceleration[*]",
                "hardware-tied features per VDU, at the field that asks for them",
            ),
            FactDoc::new("acceleration[*].{name,vdu}", "the VDU"),
            FactDoc::new(
                "acceleration[*].feature",
                "SR-IOV, PCI passthrough, SmartNIC offload, CPU pinning, huge pages, NUMA placement, DPDK, PTP",
            ),
            FactDoc::new(
                "acceleration[*].detail",
                "the field and value that ask for it",
            ),
            FactDoc::new(
                "fixed_addresses[*]",
                "IP or MAC addresses written into a connection point (`name` = the CP, `kind` = the field and value)",
            ),
            FactDoc::new("kdus[*]", "OSM Kubernetes deployment units"),
        ],
    }]
};

/// Lists are left out when empty, so that `{path: facts.X, absent: true}` reads "none".
fn insert_list(facts: &mut Node, key: &str, items: Vec<Node>) {
    if !items.is_empty() {
        let line = items.iter().map(|n| n.line).find(|l| *l > 0).unwrap_or(0);
        facts.insert(key, Node::seq(items, line));
    }
}

fn insert_items(facts: &mut Node, key: &str, items: &[Item]) {
    let nodes = items
        .iter()
        .map(|i| {
            let mut n = Node::map(i.line);
            n.insert("name", Node::str(i.name.clone(), i.line));
            n.insert("kind", Node::str(i.kind.clone(), i.line));
            n
        })
        .collect();
    insert_list(facts, key, nodes);
}

fn placements(list: &[Placement]) -> Vec<Node> {
    list.iter()
        .map(|p| {
            let mut n = Node::map(p.line);
            n.insert("name", Node::str(p.name.clone(), p.line));
            if let Some(s) = &p.scope {
                n.insert("scope", Node::str(s.clone(), p.line));
            }
            let vdus = p
                .vdus
                .iter()
                .map(|v| Node::str(v.clone(), p.line))
                .collect();
            n.insert("vdus", Node::seq(vdus, p.line));
            n
        })
        .collect()
}
