//! Detectors both descriptor formats share: hardware-tied acceleration, addresses baked
//! into the descriptor, encrypted links, `# fitscan ignore=` comments, and sizes.

use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::model::{Acceleration, Item, Num};
use crate::model::Suppression;
use crate::node::{Node, Value};

fn static_regex(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("static regex `{pattern}`: {e}"))
}

static IGNORE_COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(
        r"^\s*#\s*fitscan\s+ignore\s*=\s*([A-Za-z0-9_\-]+(?:\s*,\s*[A-Za-z0-9_\-]+)*)\s*(?::\s*(.*?))?\s*$",
    )
});
static IPV4: LazyLock<Regex> = LazyLock::new(|| static_regex(r"^\d{1,3}(\.\d{1,3}){3}$"));
static IPV6: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"^(?i)[0-9a-f]{0,4}(:[0-9a-f]{0,4}){2,7}$"));
static MAC: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"^(?i)[0-9a-f]{2}([:-][0-9a-f]{2}){5}$"));
static ENCRYPTED_PROTOCOL: LazyLock<Regex> =
    LazyLock::new(|| static_regex(r"(?i)\b(ipsec|macsec|d?tls|wireguard|srtp|ssl)\b"));

/// `a-b` and `a_b` compare the same: SOL006 keys use dashes, SOL001 underscores.
fn norm(key: &str) -> String {
    key.to_ascii_lowercase().replace('-', "_")
}

/// The scalars under a node (itself when it is a scalar), lower case.
fn scalars(node: &Node) -> Vec<String> {
    let mut out = Vec::new();
    collect_scalars(node, &mut out);
    out
}

fn collect_scalars(node: &Node, out: &mut Vec<String>) {
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|n| collect_scalars(n, out)),
        Value::Map(entries) => entries.iter().for_each(|e| collect_scalars(&e.value, out)),
        _ => {
            if let Some(t) = node.scalar_text() {
                out.push(t.to_ascii_lowercase());
            }
        }
    }
}

/// Values that switch a feature off (`pinning: dynamic`, `mempage-size: SMALL`, `false`).
fn switched_off(node: &Node) -> bool {
    const OFF: &[&str] = &[
        "", "false", "no", "none", "0", "dynamic", "shared", "small", "any", "virtio", "normal",
    ];
    let values = scalars(node);
    !values.is_empty() && values.iter().all(|v| OFF.contains(&v.as_str()))
}

/// The hardware-tied feature a key names, if any.
fn feature_of_key(key: &str) -> Option<&'static str> {
    if key.contains("pinning") || key.ends_with("cpu_policy") || key.contains("cpu_thread_policy") {
        Some("CPU pinning")
    } else if key.contains("mem_page")
        || key.contains("mempage")
        || key.contains("memory_page")
        || key.contains("memorypage")
        || key.contains("huge_page")
        || key.contains("hugepage")
    {
        Some("huge pages")
    } else if key.contains("numa") || key == "logical_node" {
        Some("NUMA placement")
    } else if key.contains("sriov") || key.contains("sr_iov") {
        Some("SR-IOV")
    } else if key.contains("pci_passthrough") || key.contains("pci_alias") || key == "pci" {
        Some("PCI passthrough")
    } else if key.contains("dpdk") {
        Some("DPDK")
    } else if key == "ptp"
        || key.starts_with("ptp_")
        || key.ends_with("_ptp")
        || key.contains("precision_time")
    {
        Some("PTP")
    } else {
        None
    }
}

/// The feature a value names (`vnic_type: direct`, `type: SR-IOV`, a flavour called
/// `m1.hugepages`).
fn feature_of_value(key: &str, value: &str) -> Option<&'static str> {
    let v = norm(value.trim());
    if key == "vnic_type" {
        return match v.as_str() {
            "direct" => Some("SR-IOV"),
            "direct_physical" => Some("PCI passthrough"),
            "virtio_forwarder"
            | "smart_nic"
            | "accelerator_direct"
            | "accelerator_direct_physical" => Some("SmartNIC offload"),
            "baremetal" => Some("bare-metal NIC"),
            _ => None,
        };
    }
    if v.contains("sriov") || v.contains("sr_iov") {
        Some("SR-IOV")
    } else if v.contains("pci_passthrough") || v.contains("passthrough") {
        Some("PCI passthrough")
    } else if v.contains("hugepage") || v.contains("huge_page") {
        Some("huge pages")
    } else if v.contains("numa") {
        Some("NUMA placement")
    } else if v.contains("dpdk") {
        Some("DPDK")
    } else if v.contains("pinned") || v.contains("cpu_pinning") || v.contains("dedicated_cpu") {
        Some("CPU pinning")
    } else if v == "ptp" || v.contains("precision_time") {
        Some("PTP")
    } else {
        None
    }
}

/// Keys whose values name an interface type or a flavour, where a feature may be spelt.
const VALUE_KEYS: &[&str] = &[
    "vnic_type",
    "type",
    "requested_additional_capability_name",
    "virtual_interface",
    "interface_type",
];

/// Hardware-tied acceleration under `node` (a VDU's compute requirements or a connection
/// point), once per feature and VDU, at the line of the field that asks for it.
pub fn acceleration(vdu: &str, node: &Node, out: &mut Vec<Acceleration>) {
    let Some(entries) = node.as_map() else {
        if let Some(items) = node.as_seq() {
            items.iter().for_each(|n| acceleration(vdu, n, out));
        }
        return;
    };
    for e in entries {
        let key = norm(&e.key);
        if matches!(key.as_str(), "description" | "name" | "sw_image_data") {
            continue;
        }
        let by_key = feature_of_key(&key).filter(|_| !switched_off(&e.value));
        let by_value = || {
            VALUE_KEYS
                .contains(&key.as_str())
                .then(|| e.value.as_str().and_then(|v| feature_of_value(&key, v)))
                .flatten()
        };
        match by_key.or_else(by_value) {
            Some(feature) => {
                if !out.iter().any(|a| a.vdu == vdu && a.feature == feature) {
                    let detail = match e.value.scalar_text() {
                        Some(v) => format!("{}: {v}", e.key),
                        None => e.key.clone(),
                    };
                    out.push(Acceleration {
                        vdu: vdu.to_string(),
                        feature,
                        detail,
                        line: e.value.line,
                    });
                }
            }
            None => acceleration(vdu, &e.value, out),
        }
    }
}

fn looks_like_address(text: &str) -> bool {
    let t = text.trim();
    IPV4.is_match(t) || MAC.is_match(t) || (t.contains(':') && IPV6.is_match(t))
}

/// Literal IP or MAC addresses assigned in the descriptor (not CIDRs of a network).
pub fn fixed_addresses(owner: &str, node: &Node, out: &mut Vec<Item>) {
    const KEYS: &[&str] = &[
        "fixed_ip_address",
        "fixed_ip_addresses",
        "ip_address",
        "ip_addresses",
        "mac_address",
        "fixed_mac_address",
    ];
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if KEYS.contains(&norm(&e.key).as_str()) {
                    let literal: Vec<String> = scalars(&e.value)
                        .into_iter()
                        .filter(|v| looks_like_address(v))
                        .collect();
                    if !literal.is_empty() {
                        out.push(Item::new(
                            owner,
                            format!("{} {}", e.key, literal.join(", ")),
                            e.value.line,
                        ));
                        continue;
                    }
                }
                fixed_addresses(owner, &e.value, out);
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| fixed_addresses(owner, n, out)),
        _ => {}
    }
}

/// Encryption declared on a link or connection point: an `encrypt*` field that is not
/// off, or a protocol field naming IPsec, MACsec, TLS, WireGuard or SRTP.
pub fn encryption(owner: &str, node: &Node, out: &mut Vec<Item>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                let key = norm(&e.key);
                let declared = if key.contains("encrypt") {
                    !switched_off(&e.value)
                } else if key.contains("protocol")
                    || key.contains("security")
                    || key.contains("cipher")
                {
                    scalars(&e.value)
                        .iter()
                        .any(|v| ENCRYPTED_PROTOCOL.is_match(v))
                } else {
                    false
                };
                if declared {
                    out.push(Item::new(owner, e.key.clone(), e.value.line));
                } else {
                    encryption(owner, &e.value, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| encryption(owner, n, out)),
        _ => {}
    }
}

/// `# fitscan ignore=VNF004,VNF009: reason` on the line above the offending field: the
/// rules are suppressed for findings on the next line that is not blank or a comment.
pub fn ignore_comments(text: &str, file: &Arc<str>) -> Vec<Suppression> {
    if !text.contains("fitscan") {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(c) = IGNORE_COMMENT.captures(line) else {
            continue;
        };
        let target = lines
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, l)| {
                let t = l.trim_start();
                !t.is_empty() && !t.starts_with('#')
            })
            .map(|(j, _)| j);
        let Some(target) = target else { continue };
        let reason = c
            .get(2)
            .map(|m| m.as_str().trim().to_string())
            .filter(|r| !r.is_empty());
        for rule in c[1].split(',').map(str::trim).filter(|r| !r.is_empty()) {
            out.push(Suppression {
                rule: rule.to_string(),
                reason: reason.clone(),
                file: Arc::clone(file),
                line: to_line(i + 1),
                applies_to_line: Some(to_line(target + 1)),
            });
        }
    }
    out
}

/// `"VNF008, VNF009: reason"` (a `fitscan.io/ignore` metadata value): suppressed for
/// the whole workload.
pub fn ignore_value(node: &Node, file: &Arc<str>, line: u32) -> Vec<Suppression> {
    let Some(text) = node.scalar_text() else {
        return Vec::new();
    };
    let (rules, reason) = match text.split_once(':') {
        Some((r, why)) => (r.to_string(), Some(why.trim().to_string())),
        None => (text, None),
    };
    rules
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| Suppression {
            rule: r.to_string(),
            reason: reason.clone().filter(|w| !w.is_empty()),
            file: Arc::clone(file),
            line,
            applies_to_line: None,
        })
        .collect()
}

fn to_line(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

static TOSCA_SIZE: LazyLock<Regex> = LazyLock::new(|| {
    static_regex(r"^\s*\+?([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]+)\s*$")
});

/// A TOSCA `scalar-unit.size` in GiB, exactly as TOSCA defines the units: `kB`, `MB`,
/// `GB`, `TB` are powers of 1000, `KiB`, `MiB`, `GiB`, `TiB` powers of 1024 (so
/// `512 MB` is 0.477 GiB and `4 GB` is 3.725 GiB). Unit names are read case-insensitively,
/// as TOSCA parsers do. A number without a unit is an error: TOSCA requires one.
pub fn tosca_size_gib(node: &Node) -> Result<Num, String> {
    let text = match &node.value {
        Value::Str(s) => s.as_str(),
        Value::Int(_) | Value::Float(_) => {
            return Err(format!(
                "`{}` has no unit; TOSCA sizes need one (e.g. `{} GiB`, `{} GB`)",
                node.display_text(),
                node.display_text(),
                node.display_text()
            ));
        }
        _ => return Err(format!("`{}` is not a size", node.display_text())),
    };
    let caps = TOSCA_SIZE
        .captures(text)
        .ok_or_else(|| format!("`{text}` is not a TOSCA size (a number and a unit: `4 GiB`)"))?;
    let number: f64 = caps[1]
        .parse()
        .map_err(|_| format!("`{text}` is not a TOSCA size"))?;
    let factor = match caps[2].to_ascii_lowercase().as_str() {
        "b" => 1.0,
        "kb" => 1e3,
        "kib" => 1024.0,
        "mb" => 1e6,
        "mib" => 1024.0 * 1024.0,
        "gb" => 1e9,
        "gib" => GIB,
        "tb" => 1e12,
        "tib" => GIB * 1024.0,
        "pb" => 1e15,
        "pib" => GIB * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "`{text}`: unknown unit `{other}` (TOSCA sizes use B, kB, KiB, MB, MiB, GB, GiB, TB, TiB)"
            ));
        }
    };
    let gib = number * factor / GIB;
    if !gib.is_finite() {
        return Err(format!("`{text}` is not a finite size"));
    }
    Ok(Num {
        value: gib,
        line: node.line,
    })
}

/// A count of instances or vCPUs: a whole number, at least `min`.
pub fn whole_number(node: &Node, min: f64) -> Result<Num, String> {
    match node.as_f64() {
        Some(v) if v >= min && v.fract() == 0.0 && v <= 1e6 => Ok(Num {
            value: v,
            line: node.line,
        }),
        _ => Err(format!(
            "`{}` is not a whole number of at least {min}",
            node.display_text()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(text: &str) -> Result<f64, String> {
        tosca_size_gib(&Node::str(text, 1)).map(|n| n.value)
    }

    #[test]
    fn tosca_sizes_are_exact() {
        assert_eq!(size("1 GiB"), Ok(1.0));
        assert_eq!(size("512 MiB"), Ok(0.5));
        assert_eq!(size("4 GB"), Ok(4e9 / GIB));
        assert_eq!(size("512 MB"), Ok(512e6 / GIB));
        assert_eq!(size("2 TiB"), Ok(2048.0));
        assert_eq!(size("1.75 GiB"), Ok(1.75));
        assert_eq!(size("8192.5 mib"), Ok(8192.5 / 1024.0));
        assert!(size("1gb GB").is_err());
        assert!(size("4 parsecs").is_err_and(|e| e.contains("unknown unit")));
        assert!(tosca_size_gib(&Node::int(512, 1)).is_err_and(|e| e.contains("has no unit")));
    }

    fn yaml(text: &str) -> Node {
        crate::yaml::parse_documents(text)
            .unwrap_or_default()
            .pop()
            .unwrap_or_else(Node::null)
    }

    #[test]
    fn acceleration_is_found_once_per_feature_and_switched_off_values_are_not() {
        let node = yaml(
            "virtual_cpu:\n  num_virtual_cpu: 4\n  virtual_cpu_pinning:\n    virtual_cpu_pinning_policy: static\nvirtual_memory:\n  vdu_mem_requirements:\n    hw:mem_page_size: large\n    hw:numa_nodes: 1\n  numa_enabled: true\nrequested_additional_capabilities:\n  sriov:\n    requested_additional_capability_name: m1.sriov\n",
        );
        let mut out = Vec::new();
        acceleration("VDU1", &node, &mut out);
        let features: Vec<(&str, u32)> = out.iter().map(|a| (a.feature, a.line)).collect();
        assert_eq!(
            features,
            vec![
                ("CPU pinning", 3),
                ("huge pages", 7),
                ("NUMA placement", 8),
                ("SR-IOV", 11)
            ]
        );
        let off = yaml("pinning: { policy: dynamic }\nmempage-size: SMALL\nvnic_type: normal\n");
        let mut out = Vec::new();
        acceleration("VDU1", &off, &mut out);
        assert!(out.is_empty(), "{out:?}");
        let cp = yaml("vnic_type: direct-physical\n");
        let mut out = Vec::new();
        acceleration("VDU1", &cp, &mut out);
        assert_eq!(out[0].feature, "PCI passthrough");
    }

    #[test]
    fn fixed_addresses_are_literals_not_networks() {
        let node = yaml(
            "protocol:\n  - address_data:\n      - l3_address_data:\n          fixed_ip_address: [10.0.0.5]\n          cidr: 10.0.0.0/24\nmac_address: fa:16:3e:00:00:01\nip_address: { get_input: oam_ip }\n",
        );
        let mut out = Vec::new();
        fixed_addresses("CP1", &node, &mut out);
        let lines: Vec<u32> = out.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![4, 6]);
    }

    #[test]
    fn encryption_needs_a_protocol_or_a_switched_on_flag() {
        let mut out = Vec::new();
        encryption(
            "vl",
            &yaml("connectivity_type: { layer_protocols: [ipv4] }\nencryption: false\n"),
            &mut out,
        );
        assert!(out.is_empty());
        encryption(
            "vl",
            &yaml("vl_profile:\n  security_protocol: IPsec\n"),
            &mut out,
        );
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn ignore_comments_apply_to_the_next_field() {
        let file: Arc<str> = Arc::from("df.yaml");
        let text = "a: 1\n# fitscan ignore=VNF004, VNF009: vendor image, TICKET-7\n\n# note\n  sw_image_data:\n";
        let s = ignore_comments(text, &file);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].line, s[0].applies_to_line), (2, Some(5)));
        assert_eq!(s[1].rule, "VNF009");
        assert_eq!(s[0].reason.as_deref(), Some("vendor image, TICKET-7"));
    }
}
