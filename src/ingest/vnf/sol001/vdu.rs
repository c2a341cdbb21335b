//! VDUs (virtual compute, OS containers), their storage and software images.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::package::*;
use super::types::*;
use super::util::*;
use crate::ingest::vnf::detect::{self, tosca_size_gib, whole_number};
use crate::ingest::vnf::model::{Image, Item, Num, Storage, Vdu, VnfModel};
use crate::model::ScanError;
use crate::node::{Node, Value};

/// Words in a VDU's description that say it is a Kubernetes resource.
static KUBERNETES_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(kubernetes|k8s|helm|pod|deployment|statefulset|daemonset|container)s?\b")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

impl Package<'_> {
    pub(super) fn read_vdu(
        &self,
        id: &str,
        node: &Node,
        model: &mut VnfModel,
        errors: &mut Vec<ScanError>,
    ) -> Vdu {
        let mut vdu = Vdu {
            id: id.to_string(),
            line: node.line,
            ..Vdu::default()
        };
        let props = node.get("properties");
        let field = |path: &str| props.and_then(|p| p.at(path));
        if let Some(name) = field("name")
            .and_then(Node::scalar_text)
            .filter(|n| n != id)
        {
            vdu.display_name = Some(name);
        }
        let number = |path: &str, min: f64, errors: &mut Vec<ScanError>| -> Option<Num> {
            let n = field(path)?;
            match whole_number(n, min) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(errors, n.line, format!("VDU `{id}`: {path}: {e}"));
                    None
                }
            }
        };
        vdu.min_instances = number("vdu_profile.min_number_of_instances", 0.0, errors);
        vdu.max_instances = number("vdu_profile.max_number_of_instances", 0.0, errors);
        if let (Some(min), Some(max)) = (vdu.min_instances, vdu.max_instances)
            && min.value > max.value
        {
            self.error(
                errors,
                max.line,
                format!(
                    "VDU `{id}`: max_number_of_instances {} is below min_number_of_instances {}",
                    max.value, min.value
                ),
            );
        }

        let compute = node
            .at("capabilities.virtual_compute")
            .map(|c| c.get("properties").unwrap_or(c));
        if let Some(c) = compute {
            if let Some(n) = c.at("virtual_cpu.num_virtual_cpu") {
                match whole_number(n, 1.0) {
                    Ok(v) => vdu.vcpu = Some(v),
                    Err(e) => {
                        self.error(errors, n.line, format!("VDU `{id}`: num_virtual_cpu: {e}"))
                    }
                }
            }
            if let Some(n) = c.at("virtual_memory.virtual_mem_size") {
                match tosca_size_gib(n) {
                    Ok(v) => vdu.memory_gib = Some(v),
                    Err(e) => {
                        self.error(errors, n.line, format!("VDU `{id}`: virtual_mem_size: {e}"))
                    }
                }
            }
            if let Some(local) = c.get("virtual_local_storage") {
                let items: Vec<&Node> = match &local.value {
                    Value::Seq(items) => items.iter().collect(),
                    _ => vec![local],
                };
                let mut total: Option<Num> = None;
                for item in items {
                    let Some(n) = item.get("size_of_storage") else {
                        continue;
                    };
                    match tosca_size_gib(n) {
                        Ok(v) => {
                            let t = total.get_or_insert(Num {
                                value: 0.0,
                                line: v.line,
                            });
                            t.value += v.value;
                        }
                        Err(e) => {
                            self.error(errors, n.line, format!("VDU `{id}`: size_of_storage: {e}"))
                        }
                    }
                }
                vdu.local_storage_gib = total;
            }
            if let Some(rac) = c.get("requested_additional_capabilities") {
                collect_named(
                    rac,
                    "requested_additional_capability_name",
                    &mut vdu.flavours,
                );
            }
            detect::acceleration(id, c, &mut model.acceleration);
        }
        if let Some(p) = props {
            for key in ["nfvi_constraints", "boot_order"] {
                if let Some(n) = p.get(key) {
                    detect::acceleration(id, n, &mut model.acceleration);
                }
            }
            if let Some(boot) = p.get("boot_data").filter(|n| !is_empty(n)) {
                vdu.boot_data = true;
                model.day0.push(Item::new(id, "boot data", boot.line));
            }
            if let Some(mp) = p.get("monitoring_parameters").filter(|n| !is_empty(n)) {
                vdu.monitoring = true;
                push_monitoring(mp, &format!("vdu {id}"), &mut model.monitoring);
            }
        }
        if let Some(image) = self.read_image(id, node, errors) {
            vdu.has_image = true;
            model.images.push(image);
        }
        // Tacker's CNF form: a `Vdu.Compute` standing for a Kubernetes resource deployed from
        // manifests or Helm charts says so in its description.
        vdu.kubernetes_hint = field("description")
            .and_then(Node::scalar_text)
            .filter(|d| KUBERNETES_WORDS.is_match(d));
        vdu
    }

    /// An OS container deployable unit is sized by the resources its containers request:
    /// `requested_cpu_resources` in milli-CPU, `requested_memory_resources` and
    /// `requested_ephemeral_storage_resources` as TOSCA sizes.
    pub(super) fn read_containers(
        &self,
        vdu: &mut Vdu,
        node: &Node,
        containers: &BTreeMap<&str, &Node>,
        model: &mut VnfModel,
        errors: &mut Vec<ScanError>,
    ) {
        vdu.container = true;
        let add = |slot: &mut Option<Num>, n: Num| {
            let t = slot.get_or_insert(Num {
                value: 0.0,
                line: n.line,
            });
            t.value += n.value;
        };
        for name in requirement_targets(node, "container") {
            let Some(c) = containers.get(name.as_str()) else {
                continue;
            };
            let props = c.get("properties");
            let field = |k: &str| props.and_then(|p| p.get(k));
            if let Some(n) = field("requested_cpu_resources") {
                match whole_number(n, 0.0) {
                    Ok(m) => add(
                        &mut vdu.vcpu,
                        Num {
                            value: m.value / 1000.0,
                            line: m.line,
                        },
                    ),
                    Err(e) => self.error(
                        errors,
                        n.line,
                        format!("container `{name}`: requested_cpu_resources (milli-CPU): {e}"),
                    ),
                }
            }
            for (key, slot) in [
                ("requested_memory_resources", &mut vdu.memory_gib),
                (
                    "requested_ephemeral_storage_resources",
                    &mut vdu.local_storage_gib,
                ),
            ] {
                if let Some(n) = field(key) {
                    match tosca_size_gib(n) {
                        Ok(v) => add(slot, v),
                        Err(e) => {
                            self.error(errors, n.line, format!("container `{name}`: {key}: {e}"))
                        }
                    }
                }
            }
            if let Some(image) = self.read_image(&name, c, errors) {
                vdu.has_image = true;
                model.images.push(image);
            }
        }
    }

    pub(super) fn read_storage(
        &self,
        name: &str,
        node: &Node,
        kind: &'static str,
        model: &mut VnfModel,
        errors: &mut Vec<ScanError>,
    ) -> Storage {
        let props = node.get("properties");
        let size_node = props.and_then(|p| {
            p.at("virtual_block_storage_data.size_of_storage")
                .or_else(|| p.at("virtual_file_storage_data.size_of_storage"))
                .or_else(|| p.at("virtual_object_storage_data.max_size_of_storage"))
        });
        let size_gib = size_node.and_then(|n| match tosca_size_gib(n) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(
                    errors,
                    n.line,
                    format!("storage `{name}`: size_of_storage: {e}"),
                );
                None
            }
        });
        let image = self.read_image(name, node, errors);
        let boot = image.is_some();
        if let Some(i) = image {
            model.images.push(i);
        }
        Storage {
            name: name.to_string(),
            line: node.line,
            kind,
            size_gib,
            boot,
        }
    }

    /// `sw_image_data` (SOL001 2.x) or a `tosca.artifacts.nfv.SwImage` artifact (3.x).
    pub(super) fn read_image(
        &self,
        owner: &str,
        node: &Node,
        errors: &mut Vec<ScanError>,
    ) -> Option<Image> {
        let from_props = node.at("properties.sw_image_data");
        let artifact = node
            .get("artifacts")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .find(|a| type_of(&a.value).ends_with("SwImage"))
            .map(|a| &a.value);
        let data = from_props.or_else(|| artifact.map(|a| a.get("properties").unwrap_or(a)))?;
        let checksum = data.get("checksum").is_some_and(|c| match &c.value {
            Value::Map(_) => c
                .get("hash")
                .and_then(Node::scalar_text)
                .is_some_and(|h| !h.trim().is_empty()),
            _ => c.scalar_text().is_some_and(|h| !h.trim().is_empty()),
        });
        let size_gib = data.get("size").and_then(|n| match tosca_size_gib(n) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(errors, n.line, format!("image of `{owner}`: size: {e}"));
                None
            }
        });
        let name = data
            .get("name")
            .and_then(Node::scalar_text)
            .or_else(|| {
                artifact
                    .and_then(|a| a.get("file"))
                    .and_then(Node::scalar_text)
            })
            .unwrap_or_else(|| owner.to_string());
        Some(Image {
            name,
            owner: owner.to_string(),
            line: data.line,
            checksum,
            size_gib,
            os: data.get("operating_system").and_then(Node::scalar_text),
        })
    }
}
