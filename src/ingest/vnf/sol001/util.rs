//! Small readers of TOSCA values shared by the package readers.

use crate::ingest::vnf::model::Item;
use crate::node::{Node, Value};

pub(super) fn key_name(key: &str) -> &'static str {
    match key {
        "product_name" => "product_name",
        "provider" => "provider",
        "software_version" => "software_version",
        "descriptor_id" => "descriptor_id",
        "descriptor_version" => "descriptor_version",
        _ => "vnfm_info",
    }
}

pub(super) fn short_name(display: &str) -> &str {
    display.rsplit(['/', '\\']).next().unwrap_or(display)
}

/// The highest line in a document (a file's line count when its text is not at hand).
pub(super) fn max_line(node: &Node) -> u32 {
    let inner = match &node.value {
        Value::Seq(items) => items.iter().map(max_line).max().unwrap_or(0),
        Value::Map(entries) => entries
            .iter()
            .map(|e| max_line(&e.value))
            .max()
            .unwrap_or(0),
        _ => 0,
    };
    inner.max(node.line)
}

/// A TOSCA intrinsic function (`{ get_input: x }`, `{ concat: [...] }`): a value only known
/// at deployment.
pub(super) fn is_intrinsic_function(node: &Node) -> bool {
    const FUNCTIONS: &[&str] = &[
        "get_input",
        "get_property",
        "get_attribute",
        "get_operation_output",
        "get_artifact",
        "concat",
        "join",
        "token",
    ];
    matches!(node.as_map(), Some([only]) if FUNCTIONS.contains(&only.key.as_str()))
}

pub(super) fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        Value::Str(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// `instantiate_end: { implementation: mgmt-driver }` or `instantiate_end: script.sh` run
/// something of the VNF's own; `instantiate: []` declares support with the VNFM's default.
pub(super) fn has_implementation(op: &Node) -> bool {
    match &op.value {
        Value::Str(s) => !s.trim().is_empty(),
        Value::Map(_) => op.get("implementation").is_some_and(|i| !is_empty(i)),
        _ => false,
    }
}

/// Targets of a requirement: `- virtual_binding: VDU1` or `- virtual_binding: { node: VDU1 }`.
pub(super) fn requirement_targets(node: &Node, name: &str) -> Vec<String> {
    let Some(reqs) = node.get("requirements") else {
        return Vec::new();
    };
    let entries: Vec<&crate::node::Entry> = match &reqs.value {
        Value::Seq(items) => items
            .iter()
            .flat_map(|i| i.as_map().unwrap_or_default())
            .collect(),
        Value::Map(entries) => entries.iter().collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter(|e| e.key == name)
        .filter_map(|e| match &e.value.value {
            Value::Map(_) => e.value.get("node").and_then(Node::scalar_text),
            _ => e.value.scalar_text(),
        })
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// Every scalar under a key named `key`, with its line.
pub(super) fn collect_named(node: &Node, key: &str, out: &mut Vec<(String, u32)>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if e.key == key
                    && let Some(v) = e.value.scalar_text().filter(|v| !v.trim().is_empty())
                {
                    out.push((v, e.value.line));
                } else {
                    collect_named(&e.value, key, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| collect_named(n, key, out)),
        _ => {}
    }
}

/// `monitoring_parameters`: a map of name -> parameter, or a list.
pub(super) fn push_monitoring(node: &Node, scope: &str, out: &mut Vec<Item>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                out.push(Item::new(e.key.clone(), scope, e.value.line));
            }
        }
        Value::Seq(items) => {
            for i in items {
                let name = i
                    .get("name")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| i.display_text());
                out.push(Item::new(name, scope, i.line));
            }
        }
        _ => {}
    }
}
