//! What decides whether a VM can move to another platform as it is: boot firmware, raw
//! device mappings, shared and independent disks, fault tolerance, latency sensitivity,
//! passthrough devices (issue 20, `src/readiness/`). Read from the VM spec shape that every
//! inventory row becomes (RVTools vInfo `Firmware`, `Latency Sensitivity`, `FT State`; vDisk
//! `Raw`, `Raw Comp. Mode`, `Disk Mode`, `Sharing mode`), so every VM input gets them.

use crate::model::{FactDoc, FactGroup, Target};
use crate::node::{Node, Value};

/// Errors are (node, field, message), as [`super::tabular::Extras`] keeps them.
pub type FieldError = (Node, &'static str, String);

pub fn read(spec: &Node, facts: &mut Node, errors: &mut Vec<FieldError>) {
    if let Some(n) = spec.get("firmware") {
        let text = n.display_text().trim().to_ascii_lowercase();
        match text.as_str() {
            "bios" | "legacy" | "pcbios" => facts.insert("firmware", Node::str("bios", n.line)),
            "efi" | "uefi" => facts.insert("firmware", Node::str("efi", n.line)),
            _ => errors.push((
                n.clone(),
                "spec.firmware",
                format!(
                    "`{}` is not a boot firmware (bios or efi)",
                    n.display_text()
                ),
            )),
        }
    }
    if let Some(n) = spec.get("latencySensitivity") {
        let text = n.display_text().trim().to_ascii_lowercase();
        match text.as_str() {
            "low" | "normal" | "medium" | "high" | "custom" => {
                facts.insert("latency_sensitivity", Node::str(text, n.line));
            }
            _ => errors.push((
                n.clone(),
                "spec.latencySensitivity",
                format!(
                    "`{}` is not a latency sensitivity (low, normal, medium, high, custom)",
                    n.display_text()
                ),
            )),
        }
    }
    if let Some(n) = spec.get("faultTolerance") {
        let on = match &n.value {
            Value::Bool(b) => Some(*b),
            _ => {
                let t = n.display_text().trim().to_ascii_lowercase();
                match t.as_str() {
                    // vSphere's FaultToleranceState values, and plain words.
                    "notconfigured" | "disabled" | "false" | "no" | "off" | "none" => Some(false),
                    "running" | "needsecondary" | "starting" | "enabled" | "true" | "yes"
                    | "on" => Some(true),
                    _ => None,
                }
            }
        };
        match on {
            Some(b) => facts.insert("fault_tolerance", Node::bool(b, n.line)),
            None => errors.push((
                n.clone(),
                "spec.faultTolerance",
                format!(
                    "`{}` is not a fault tolerance state (true/false, notConfigured, running, needSecondary)",
                    n.display_text()
                ),
            )),
        }
    }
    if let Some(n) = spec.get("passthrough") {
        let items: Option<Vec<Node>> = match &n.value {
            Value::Seq(items) => items
                .iter()
                .map(|i| {
                    let text = match i.get("type") {
                        Some(t) => t.scalar_text(),
                        None => i.scalar_text(),
                    }?;
                    Some(Node::str(text.trim().to_ascii_lowercase(), i.line))
                })
                .collect(),
            _ => None,
        };
        match items {
            Some(list) => facts.insert("passthrough", Node::seq(list, n.line)),
            None => errors.push((
                n.clone(),
                "spec.passthrough",
                "expected a list of devices: gpu, vgpu, nic, pci, usb (or {type, model})"
                    .to_string(),
            )),
        }
    }
    // The OS's word size: said (`osArchitecture`, Azure Migrate's `OS architecture`), else in
    // the OS name as vSphere writes it (`... (32-bit)`).
    let said = spec
        .get("osArchitecture")
        .map(|n| (n.display_text(), n.line));
    let named = spec.get("os").map(|n| (n.display_text(), n.line));
    if let Some((arch, line)) = said
        .as_ref()
        .and_then(|(t, l)| architecture(t).map(|a| (a, *l)))
        .or_else(|| {
            named
                .as_ref()
                .and_then(|(t, l)| architecture(t).map(|a| (a, *l)))
        })
    {
        facts.insert("os_architecture", Node::str(arch, line));
    }
    if let Some(disks) = spec.get("disks").and_then(Node::as_seq) {
        disk_facts(disks, spec.get("disks").map_or(0, |d| d.line), facts);
    }
}

/// `x86`, `x86-64` or `arm64` from the ways inventories write it.
fn architecture(text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    if t.contains("arm64") || t.contains("aarch64") {
        Some("arm64")
    } else if t.contains("64-bit")
        || t.contains("x64")
        || t.contains("x86_64")
        || t.contains("amd64")
        || t.trim() == "64"
    {
        Some("x86-64")
    } else if t.contains("32-bit")
        || t.contains("x86")
        || t.contains("i386")
        || t.contains("i686")
        || t.trim() == "32"
    {
        Some("x86")
    } else {
        None
    }
}

/// Counts of raw, shared and independent disks, each only where some disk says (a plain
/// size says nothing of them), and the first disk's size: the OS disk on every target.
fn disk_facts(disks: &[Node], line: u32, facts: &mut Node) {
    let said = |key: &str| disks.iter().any(|d| d.get(key).is_some());
    let count = |key: &str, hit: &dyn Fn(&str) -> bool| {
        disks
            .iter()
            .filter(|d| {
                d.get(key)
                    .and_then(Node::scalar_text)
                    .is_some_and(|t| hit(&t.to_ascii_lowercase()))
            })
            .count() as i64
    };
    if said("rdm") {
        let n = count("rdm", &|t| !matches!(t, "none" | "false" | "no" | ""));
        facts.insert("rdm_disks", Node::int(n, line));
    }
    if said("sharing") {
        let n = count("sharing", &|t| {
            t.contains("multi") || t == "true" || t == "shared"
        });
        facts.insert("shared_disks", Node::int(n, line));
    }
    if said("mode") {
        let n = count("mode", &|t| t.starts_with("independent"));
        facts.insert("independent_disks", Node::int(n, line));
    }
    if let Some(first) = disks.first()
        && let Some(size) = first
            .get("size")
            .or(Some(first).filter(|f| f.as_f64().is_some()))
        && let Ok(gib) = crate::units::vm_size_node_gib(size)
    {
        facts.insert("os_disk_gib", Node::float(gib, first.line));
    }
}

/// The facts of this file.
pub const FACTS: &[FactGroup] = &[FactGroup {
    targets: &[Target::Vm],
    title: "What decides a move as it is (src/ingest/vm_features.rs; RVTools vInfo and vDisk, the VM spec)",
    facts: &[
        FactDoc::new(
            "firmware",
            "boot firmware, `bios` or `efi` (`spec.firmware`; RVTools vInfo `Firmware`)",
        ),
        FactDoc::new(
            "latency_sensitivity",
            "vSphere latency sensitivity: low, normal, medium, high, custom (`spec.latencySensitivity`; vInfo `Latency Sensitivity`)",
        ),
        FactDoc::new(
            "fault_tolerance",
            "vSphere Fault Tolerance is configured (`spec.faultTolerance`; vInfo `FT State` other than notConfigured)",
        ),
        FactDoc::new(
            "passthrough[*]",
            "passthrough devices: gpu, vgpu, nic, pci, usb (`spec.passthrough`)",
        ),
        FactDoc::new(
            "rdm_disks",
            "raw device mappings (`spec.disks[].rdm: physical | virtual`; vDisk `Raw`); absent when no disk says",
        ),
        FactDoc::new(
            "shared_disks",
            "disks shared with other VMs (`spec.disks[].sharing: multi-writer`; vDisk `Sharing mode`); absent when no disk says",
        ),
        FactDoc::new(
            "independent_disks",
            "independent disks, left out of snapshots and so of snapshot-based replication (`spec.disks[].mode`; vDisk `Disk Mode`); absent when no disk says",
        ),
        FactDoc::new(
            "os_architecture",
            "the OS's word size: x86, x86-64 or arm64 (`spec.osArchitecture`, Azure Migrate `OS architecture`, else `(32-bit)` / `(64-bit)` in the OS name)",
        ),
        FactDoc::new("os_disk_gib", "size of the first disk, the OS disk, in GiB"),
    ],
}];

#[cfg(test)]
mod tests {
    use super::*;

    fn facts_of(yaml: &str) -> (Node, Vec<String>) {
        let docs = crate::yaml::parse_documents(yaml).unwrap_or_default();
        let spec = docs.first().cloned().unwrap_or(Node::map(0));
        let mut facts = Node::map(0);
        let mut errors = Vec::new();
        read(&spec, &mut facts, &mut errors);
        (facts, errors.into_iter().map(|e| e.2).collect())
    }

    #[test]
    fn features_are_read_in_the_words_inventories_use() {
        let (f, errors) = facts_of(
            "firmware: UEFI\nlatencySensitivity: High\nfaultTolerance: running\npassthrough: [GPU, { type: nic, model: X710 }]\ndisks:\n  - { size: 2TB }\n  - { size: 100GB, rdm: physical, sharing: multi-writer }\n  - { size: 50GB, rdm: none, mode: independent-persistent }\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(f.get("firmware").and_then(Node::as_str), Some("efi"));
        assert_eq!(
            f.get("latency_sensitivity").and_then(Node::as_str),
            Some("high")
        );
        assert_eq!(f.get("fault_tolerance").and_then(Node::as_bool), Some(true));
        assert_eq!(f.get("rdm_disks").and_then(Node::as_f64), Some(1.0));
        assert_eq!(f.get("shared_disks").and_then(Node::as_f64), Some(1.0));
        assert_eq!(f.get("independent_disks").and_then(Node::as_f64), Some(1.0));
        assert_eq!(f.get("os_disk_gib").and_then(Node::as_f64), Some(2048.0));
        let kinds: Vec<&str> = f
            .get("passthrough")
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(Node::as_str).collect())
            .unwrap_or_default();
        assert_eq!(kinds, ["gpu", "nic"]);
    }

    #[test]
    fn the_word_size_is_said_or_read_from_the_os_name() {
        let arch = |yaml: &str| {
            facts_of(yaml)
                .0
                .get("os_architecture")
                .and_then(Node::as_str)
                .map(str::to_string)
        };
        assert_eq!(
            arch("os: Microsoft Windows Server 2003 (32-bit)\n").as_deref(),
            Some("x86")
        );
        assert_eq!(
            arch("os: Red Hat Enterprise Linux 8 (64-bit)\n").as_deref(),
            Some("x86-64")
        );
        // Said beats the name.
        assert_eq!(
            arch("os: Windows Server 2008 (64-bit)\nosArchitecture: x86\n").as_deref(),
            Some("x86")
        );
        assert_eq!(arch("os: Ubuntu 22.04\n"), None);
    }

    #[test]
    fn unsaid_is_unknown_and_nonsense_is_an_error() {
        let (f, errors) = facts_of("disks: [ { size: 40GB } ]\nfaultTolerance: notConfigured\n");
        assert!(errors.is_empty(), "{errors:?}");
        assert!(f.get("rdm_disks").is_none());
        assert_eq!(
            f.get("fault_tolerance").and_then(Node::as_bool),
            Some(false)
        );
        let (_, errors) = facts_of("firmware: coreboot\nlatencySensitivity: extreme\n");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].contains("bios or efi"), "{errors:?}");
    }
}
