//! Node templates and the node types a package defines (`derived_from` followed).

use std::collections::HashMap;

use super::MAX_DERIVATION;
use crate::node::Node;

pub(super) fn node_templates(doc: &Node) -> &[crate::node::Entry] {
    doc.at("topology_template.node_templates")
        .and_then(Node::as_map)
        .unwrap_or_default()
}

/// A deployment flavour: a topology with `substitution_mappings` or with VDUs.
pub(super) fn is_flavour(doc: &Node, types: &TypeIndex) -> bool {
    doc.at("topology_template.substitution_mappings").is_some()
        || node_templates(doc)
            .iter()
            .any(|e| types.kind(type_of(&e.value)).is_vdu())
}

pub(super) fn type_of(node: &Node) -> &str {
    node.get("type").and_then(Node::as_str).unwrap_or("")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NodeKind {
    Vnf,
    Vdu,
    /// SOL001 v4 `Vdu.OsContainerDeployableUnit`: a VDU made of OS containers (a CNF).
    ContainerVdu,
    Container,
    Storage(&'static str),
    Cp,
    ExtCp,
    VirtualLink,
    Other,
}

impl NodeKind {
    pub(super) fn is_vdu(self) -> bool {
        matches!(self, NodeKind::Vdu | NodeKind::ContainerVdu)
    }
}

/// `derived_from` of the node, policy and group types a package defines.
pub(super) struct TypeIndex {
    parents: HashMap<String, String>,
}

impl TypeIndex {
    pub(super) fn new<'a>(docs: impl Iterator<Item = &'a Node>) -> Self {
        let mut parents = HashMap::new();
        for doc in docs {
            for section in ["node_types", "policy_types", "group_types"] {
                for e in doc.get(section).and_then(Node::as_map).unwrap_or_default() {
                    if let Some(parent) = e.value.get("derived_from").and_then(Node::as_str) {
                        parents
                            .entry(e.key.clone())
                            .or_insert_with(|| parent.to_string());
                    }
                }
            }
        }
        TypeIndex { parents }
    }

    /// The type and its ancestors, nearest first.
    pub(super) fn lineage<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        let mut out = vec![name];
        let mut cur = name;
        while let Some(parent) = self.parents.get(cur) {
            if out.len() > MAX_DERIVATION || out.contains(&parent.as_str()) {
                break;
            }
            out.push(parent);
            cur = parent;
        }
        out
    }

    pub(super) fn derives(&self, name: &str, base: &str) -> bool {
        self.lineage(name)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(base))
    }

    pub(super) fn kind(&self, name: &str) -> NodeKind {
        for t in self.lineage(name) {
            let kind = match t {
                "tosca.nodes.nfv.VNF" => NodeKind::Vnf,
                "tosca.nodes.nfv.Vdu.Compute" => NodeKind::Vdu,
                "tosca.nodes.nfv.Vdu.OsContainerDeployableUnit" => NodeKind::ContainerVdu,
                "tosca.nodes.nfv.Vdu.OsContainer" => NodeKind::Container,
                "tosca.nodes.nfv.Vdu.VirtualBlockStorage" => NodeKind::Storage("block"),
                "tosca.nodes.nfv.Vdu.VirtualObjectStorage" => NodeKind::Storage("object"),
                "tosca.nodes.nfv.Vdu.VirtualFileStorage" => NodeKind::Storage("file"),
                "tosca.nodes.nfv.VduCp" => NodeKind::Cp,
                "tosca.nodes.nfv.VnfExtCp" => NodeKind::ExtCp,
                "tosca.nodes.nfv.VnfVirtualLink" => NodeKind::VirtualLink,
                _ => continue,
            };
            return kind;
        }
        NodeKind::Other
    }
}
