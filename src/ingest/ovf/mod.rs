//! OVF descriptors (`.ovf`): every VirtualSystem, also inside a VirtualSystemCollection
//! (a vApp), is a VM. CPU is the Item of ResourceType 3 (VirtualQuantity vCPU, with VMware's
//! CoresPerSocket), memory ResourceType 4 (VirtualQuantity in its AllocationUnits, such as
//! `byte * 2^20`), disks ResourceType 17 (capacity from the DiskSection, in
//! `ovf:capacityAllocationUnits`, `${property}` capacities resolved from the ProductSection
//! defaults), NICs ResourceType 10, and the OperatingSystemSection (description, VMware
//! osType, CIM id). With a DeploymentOptionSection, the default configuration is sized.
//!
//! The XML is read with quick-xml and entities are never expanded: a DOCTYPE (where entity
//! bombs live) is refused outright, and a reference to anything but the five predefined
//! entities or a character reference is an error. Nesting and element counts are bounded.

use std::collections::HashMap;

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use super::tabular::{SpecBuilder, set_located};
use super::vmspec::VmSpec;
use super::{FileOutput, IngestContext, Input};
use crate::model::ScanError;
use crate::node::{Node, format_number};
use crate::source::{LineIndex, SourceFile};

pub struct Ovf;

const MAX_DEPTH: usize = 128;
const MAX_ELEMENTS: usize = 500_000;
const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// An element of the descriptor: local name (namespace prefix dropped), attributes by local
/// name, text, children, and the line of its start tag.
#[derive(Debug, Default)]
struct El {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<El>,
    line: u32,
}

impl El {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    /// The section kind: the element name, or for OVF 0.9's `<Section xsi:type=
    /// "ovf:DiskSection_Type">` / `<Content xsi:type="ovf:VirtualSystem_Type">` the type.
    fn kind(&self) -> &str {
        if matches!(self.name.as_str(), "Section" | "Content")
            && let Some(t) = self.attr("type")
        {
            let t = t.rsplit(':').next().unwrap_or(t);
            return t.strip_suffix("_Type").unwrap_or(t);
        }
        &self.name
    }
    fn child(&self, kind: &str) -> Option<&El> {
        self.children.iter().find(|c| c.kind() == kind)
    }
    fn children_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a El> {
        self.children.iter().filter(move |c| c.kind() == kind)
    }
    fn child_text(&self, kind: &str) -> Option<&str> {
        self.child(kind)
            .map(|c| c.text.trim())
            .filter(|t| !t.is_empty())
    }
    /// Every descendant of this kind, depth first.
    fn descendants<'a>(&'a self, kind: &str, out: &mut Vec<&'a El>) {
        for c in &self.children {
            if c.kind() == kind {
                out.push(c);
            }
            c.descendants(kind, out);
        }
    }
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_string(),
        None => name.to_string(),
    }
}

/// Parses the whole document into a tree of [`El`]; errors carry a line.
fn parse_tree(text: &str) -> Result<El, (u32, String)> {
    let lines = LineIndex::new(text);
    let mut reader = Reader::from_str(text);
    // Whitespace is kept: text split around an entity reference must keep its spaces.
    reader.config_mut().trim_text(false);
    let mut stack: Vec<El> = vec![El::default()];
    let mut count = 0usize;
    let line_at = |pos: u64| lines.line(usize::try_from(pos).unwrap_or(usize::MAX));
    loop {
        let event = reader.read_event().map_err(|e| {
            (
                line_at(reader.error_position()),
                format!("not well-formed XML: {e}"),
            )
        })?;
        let end = reader.buffer_position();
        match event {
            Event::DocType(_) => {
                return Err((
                    line_at(end),
                    "DOCTYPE declarations are refused: fitscan never expands XML entities (an entity expansion bomb hides there)".into(),
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                if stack.len() > MAX_DEPTH {
                    return Err((
                        line_at(end),
                        format!("elements nested deeper than {MAX_DEPTH}"),
                    ));
                }
                count += 1;
                if count > MAX_ELEMENTS {
                    return Err((line_at(end), format!("more than {MAX_ELEMENTS} elements")));
                }
                let is_empty = matches!(event, Event::Empty(_));
                let tag_len = e.len() as u64 + if is_empty { 3 } else { 2 };
                let mut el = El {
                    name: local(e.name().as_ref()),
                    line: line_at(end.saturating_sub(tag_len)),
                    ..El::default()
                };
                for a in e.attributes() {
                    let a = a.map_err(|err| (line_at(end), format!("bad attribute: {err}")))?;
                    let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| {
                        (
                            line_at(end),
                            format!(
                                "attribute {}: {err} (entities are never expanded)",
                                local(a.key.as_ref())
                            ),
                        )
                    })?;
                    el.attrs.push((local(a.key.as_ref()), value.into_owned()));
                }
                if is_empty {
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(el);
                    }
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                if stack.len() > 1
                    && let Some(done) = stack.pop()
                    && let Some(parent) = stack.last_mut()
                {
                    parent.children.push(done);
                }
            }
            Event::Text(t) => {
                if let Some(cur) = stack.last_mut() {
                    cur.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(cur) = stack.last_mut() {
                    cur.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name: String = r.to_string();
                        match quick_xml::escape::resolve_predefined_entity(&name) {
                            Some(s) => s.to_string(),
                            None => {
                                return Err((
                                    line_at(end),
                                    format!(
                                        "undefined entity `&{name};` (entities are never expanded)"
                                    ),
                                ));
                            }
                        }
                    }
                    Err(e) => return Err((line_at(end), format!("bad character reference: {e}"))),
                };
                if let Some(cur) = stack.last_mut() {
                    cur.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() > 1 {
        let open = stack.last().map_or(0, |e| e.line);
        return Err((open, "unclosed element at the end of the file".into()));
    }
    let mut root = stack.pop().unwrap_or_default();
    match root.children.pop() {
        Some(top) => Ok(top),
        None => Err((1, "no root element".into())),
    }
}

/// `byte * 2^20`, `byte*2^30`, `byte * 10^6`, `byte`, `MegaBytes`, `GB`: bytes per unit.
fn allocation_units(text: &str) -> Option<f64> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    if t.is_empty() {
        return None;
    }
    if let Some(rest) = t.strip_prefix("byte").or_else(|| t.strip_prefix("bytes")) {
        let rest = rest.trim_start_matches('s');
        if rest.is_empty() {
            return Some(1.0);
        }
        let rest = rest.strip_prefix('*')?;
        let (base, exp) = rest.split_once('^')?;
        let base: f64 = base.parse().ok()?;
        let exp: i32 = exp.parse().ok()?;
        return (base == 2.0 || base == 10.0).then(|| base.powi(exp));
    }
    match t.as_str() {
        "kilobytes" | "kb" | "kib" => Some(1024.0),
        "megabytes" | "mb" | "mib" => Some(1024.0 * 1024.0),
        "gigabytes" | "gb" | "gib" => Some(GIB),
        "terabytes" | "tb" | "tib" => Some(GIB * 1024.0),
        _ => None,
    }
}

/// A size in bytes as a VM spec reads it, in GiB when whole, else in MiB (appliances with
/// 32 MB of memory exist), so that nothing rounds to zero.
fn size_text(bytes: f64) -> String {
    let gib = bytes / GIB;
    if (gib - gib.round()).abs() < 1e-9 && gib >= 1.0 {
        format!("{} GiB", format_number(gib))
    } else {
        format!("{} MiB", format_number(bytes / (1024.0 * 1024.0)))
    }
}

/// Readable OS names for VMware guest ids, so that the end-of-life rule recognises them.
fn os_from_vmware_type(t: &str) -> String {
    let lower = t.to_ascii_lowercase();
    let digits: String = lower
        .trim_end_matches("guest")
        .trim_end_matches("_64")
        .trim_end_matches("64")
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    let bits = if lower.contains("64") {
        " (64-bit)"
    } else {
        ""
    };
    let fixed = match lower.as_str() {
        "windows7server64guest" => Some("Microsoft Windows Server 2008 R2 (64-bit)"),
        "windows8server64guest" => Some("Microsoft Windows Server 2012 (64-bit)"),
        "windows9server64guest" => Some("Microsoft Windows Server 2016 or later (64-bit)"),
        "windows2019srv_64guest" => Some("Microsoft Windows Server 2019 (64-bit)"),
        "windows2019srvnext_64guest" => Some("Microsoft Windows Server 2022 (64-bit)"),
        "windows2022srvnext_64guest" => Some("Microsoft Windows Server 2025 (64-bit)"),
        "winlonghornguest" | "winlonghorn64guest" => Some("Microsoft Windows Server 2008"),
        "win2000servguest" | "win2000advservguest" | "win2000proguest" => {
            Some("Microsoft Windows 2000")
        }
        "winxpproguest" | "winxppro64guest" | "winxphomeguest" => Some("Microsoft Windows XP"),
        "winvistaguest" | "winvista64guest" => Some("Microsoft Windows Vista"),
        "windows7guest" | "windows7_64guest" => Some("Microsoft Windows 7"),
        "windows8guest" | "windows8_64guest" => Some("Microsoft Windows 8"),
        "windows9guest" | "windows9_64guest" => Some("Microsoft Windows 10"),
        "windows11_64guest" => Some("Microsoft Windows 11"),
        "centosguest" | "centos64guest" => Some("CentOS 4/5/6"),
        "slesguest" | "sles64guest" => Some("SUSE Linux Enterprise 9"),
        "vmwarephoton64guest" => Some("VMware Photon OS (64-bit)"),
        "ubuntuguest" | "ubuntu64guest" => Some("Ubuntu Linux"),
        "otherguest" | "otherguest64" => Some("Other"),
        _ => None,
    };
    if let Some(f) = fixed {
        return f.to_string();
    }
    if lower.starts_with("winnet") {
        return format!("Microsoft Windows Server 2003{bits}");
    }
    let family = [
        ("rhel", "Red Hat Enterprise Linux"),
        ("centos", "CentOS"),
        ("sles", "SUSE Linux Enterprise"),
        ("debian", "Debian GNU/Linux"),
        ("oraclelinux", "Oracle Linux"),
        ("oracle", "Oracle Linux"),
        ("solaris", "Solaris"),
        ("freebsd", "FreeBSD"),
        ("vmkernel", "VMware ESXi"),
        ("almalinux", "AlmaLinux"),
        ("rockylinux", "Rocky Linux"),
    ];
    for (prefix, name) in family {
        if lower.starts_with(prefix) {
            return if digits.is_empty() {
                format!("{name}{bits}")
            } else {
                format!("{name} {digits}{bits}")
            };
        }
    }
    if lower.starts_with("other") && lower.contains("linux") {
        return format!("Other Linux{bits}");
    }
    t.to_string()
}

/// The few DMTF CIM OS type ids that need no guessing, for descriptors with nothing else.
fn os_from_cim_id(id: &str) -> Option<&'static str> {
    match id.trim() {
        "1" => Some("Other"),
        "36" => Some("Linux"),
        "58" => Some("Microsoft Windows 2000"),
        "69" => Some("Microsoft Windows Server 2003"),
        "70" => Some("Microsoft Windows Server 2003 (64-bit)"),
        "94" => Some("Ubuntu"),
        "101" => Some("Linux (64-bit)"),
        _ => None,
    }
}

fn platform_of(system_type: &str) -> Option<&'static str> {
    let t = system_type.to_ascii_lowercase();
    if t.contains("vmx") {
        Some("vsphere")
    } else if t.contains("virtualbox") {
        Some("virtualbox")
    } else if t.contains("hyper") {
        Some("hyperv")
    } else if t.contains("kvm") || t.contains("qemu") {
        Some("kvm")
    } else if t.contains("xen") {
        Some("xen")
    } else {
        None
    }
}

/// Envelope-level knowledge every VirtualSystem needs.
struct Envelope<'a> {
    disks: HashMap<&'a str, &'a El>,
    properties: HashMap<String, String>,
    configuration: Option<String>,
    configurations: Vec<String>,
}

impl<'a> Envelope<'a> {
    fn new(root: &'a El) -> Self {
        let mut disks = HashMap::new();
        let mut sections = Vec::new();
        root.descendants("DiskSection", &mut sections);
        for s in sections {
            for d in s.children_of("Disk") {
                if let Some(id) = d.attr("diskId") {
                    disks.insert(id, d);
                }
            }
        }
        let mut properties = HashMap::new();
        let mut products = Vec::new();
        root.descendants("ProductSection", &mut products);
        for p in products {
            let class = p.attr("class").map(|c| format!("{c}.")).unwrap_or_default();
            let mut props = Vec::new();
            p.descendants("Property", &mut props);
            for prop in props {
                if let (Some(key), Some(value)) = (prop.attr("key"), prop.attr("value")) {
                    properties.insert(format!("{class}{key}"), value.to_string());
                    properties.insert(key.to_string(), value.to_string());
                }
            }
        }
        let mut options = Vec::new();
        root.descendants("DeploymentOptionSection", &mut options);
        let mut configurations = Vec::new();
        let mut default = None;
        for o in options {
            for c in o.children_of("Configuration") {
                if let Some(id) = c.attr("id") {
                    configurations.push(id.to_string());
                    if c.attr("default")
                        .is_some_and(|d| d.eq_ignore_ascii_case("true"))
                    {
                        default = Some(id.to_string());
                    }
                }
            }
        }
        let configuration = default.or_else(|| configurations.first().cloned());
        Envelope {
            disks,
            properties,
            configuration,
            configurations,
        }
    }

    /// Whether an element applies to the configuration being sized.
    fn applies(&self, el: &El) -> bool {
        match (el.attr("configuration"), &self.configuration) {
            (Some(list), Some(chosen)) => list.split_whitespace().any(|c| c == chosen),
            _ => true,
        }
    }

    /// A disk's capacity in GiB; `${name}` capacities come from the ProductSection defaults.
    fn disk_gib(&self, disk: &El) -> Result<f64, String> {
        let raw = disk.attr("capacity").unwrap_or("").trim();
        let value = match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(prop) => self
                .properties
                .get(prop)
                .map(String::as_str)
                .ok_or_else(|| {
                    format!("disk capacity `{raw}` names a property with no default value")
                })?,
            None => raw,
        };
        let n: f64 = value
            .trim()
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("disk capacity `{value}` is not a number"))?;
        let units = disk.attr("capacityAllocationUnits").unwrap_or("byte");
        let per = allocation_units(units)
            .ok_or_else(|| format!("unknown capacityAllocationUnits `{units}`"))?;
        Ok(n * per / GIB)
    }
}

/// One VirtualSystem as a VM spec document, and its name.
fn virtual_system(
    vs: &El,
    env: &Envelope<'_>,
    vapp: Option<&str>,
    file: &str,
    errors: &mut Vec<ScanError>,
    notes: &mut Vec<String>,
) -> (String, Node) {
    let name = vs
        .child_text("Name")
        .or_else(|| vs.attr("id"))
        .map(str::to_string)
        .unwrap_or_else(|| format!("virtual-system-{}", vs.line));
    let mut b = SpecBuilder::new(vs.line);
    let err = |errors: &mut Vec<ScanError>, line: u32, msg: String| {
        errors.push(ScanError::parse(
            file,
            Some(line),
            format!("VM `{name}`: {msg}"),
        ));
    };
    if let Some(v) = vapp {
        b.text("vapp", v);
    }
    if let Some(os) = vs.child("OperatingSystemSection") {
        let text = os
            .child_text("Description")
            .map(str::to_string)
            .or_else(|| os.attr("osType").map(os_from_vmware_type))
            .or_else(|| os.attr("id").and_then(os_from_cim_id).map(str::to_string));
        if let Some(t) = text {
            b.set("os", Node::str(t, os.line));
        }
    }
    // A VirtualSystem that does not give its size is still a VM: its size is evidence
    // needed (the sizing rules say so), not an error.
    let Some(hw) = vs.child("VirtualHardwareSection") else {
        notes.push("the OVF gives no VirtualHardwareSection: its size is unknown".into());
        return (name.clone(), b.into_doc(&name));
    };
    if let Some(t) = hw
        .child("System")
        .and_then(|s| s.child_text("VirtualSystemType"))
    {
        if let Some(p) = platform_of(t) {
            b.text("platform", p);
        }
        let newest = t
            .split([' ', ','])
            .filter_map(super::tabular::hardware_version)
            .filter(|_| t.contains("vmx"))
            .max();
        if let Some(v) = newest {
            b.text("hardwareVersion", format!("vmx-{v:02}"));
        }
    }
    let mut disks = Vec::new();
    let mut nics = 0u32;
    for item in hw
        .children
        .iter()
        .filter(|c| matches!(c.name.as_str(), "Item" | "StorageItem" | "EthernetPortItem"))
    {
        if !env.applies(item) || item.attr("bound").is_some_and(|b| b != "normal") {
            continue;
        }
        let resource = item.child_text("ResourceType").unwrap_or("");
        let quantity = || {
            item.child_text("VirtualQuantity").map(|q| {
                q.parse::<f64>()
                    .ok()
                    .filter(|v| v.is_finite() && *v > 0.0)
                    .ok_or(q)
            })
        };
        match resource {
            "3" => match quantity() {
                Some(Ok(v)) => {
                    let mut cpu = Node::map(item.line);
                    cpu.insert("vcpus", Node::float(v, item.line));
                    if let Some(cores) = item
                        .child_text("CoresPerSocket")
                        .and_then(|c| c.parse::<f64>().ok())
                        .filter(|c| *c > 0.0 && v % c == 0.0)
                    {
                        cpu.insert("sockets", Node::float(v / cores, item.line));
                        cpu.insert("coresPerSocket", Node::float(cores, item.line));
                    }
                    b.set("cpu", cpu);
                }
                Some(Err(q)) => err(
                    errors,
                    item.line,
                    format!("CPU VirtualQuantity `{q}` is not a count"),
                ),
                None => {}
            },
            "4" => match quantity() {
                Some(Ok(v)) => {
                    let units = item.child_text("AllocationUnits").unwrap_or("byte * 2^20");
                    match allocation_units(units) {
                        Some(per) => b.set("memory", Node::str(size_text(v * per), item.line)),
                        None => err(
                            errors,
                            item.line,
                            format!("unknown memory AllocationUnits `{units}`"),
                        ),
                    }
                }
                Some(Err(q)) => err(
                    errors,
                    item.line,
                    format!("memory VirtualQuantity `{q}` is not a number"),
                ),
                None => {}
            },
            "17" => {
                let host = item.child_text("HostResource").unwrap_or("");
                let id = host
                    .trim_start_matches("ovf:")
                    .trim_start_matches('/')
                    .strip_prefix("disk/");
                let Some(id) = id else {
                    // A disk backed by a file reference or created empty: no size to read.
                    continue;
                };
                match env.disks.get(id) {
                    Some(disk) => match env.disk_gib(disk) {
                        Ok(gib) => {
                            let mut d = Node::map(item.line);
                            d.insert("size", Node::str(size_text(gib * GIB), item.line));
                            d.insert("id", Node::str(id, item.line));
                            disks.push(d);
                        }
                        Err(e) => err(errors, disk.line, e),
                    },
                    None => err(
                        errors,
                        item.line,
                        format!("disk `{host}` is not in the DiskSection"),
                    ),
                }
            }
            "10" => nics += 1,
            _ => {}
        }
    }
    if b.spec().get("cpu").is_none() && b.spec().get("memory").is_none() {
        notes.push(
            "the VirtualHardwareSection gives no CPU or memory (ResourceType 3 or 4): its size is unknown"
                .into(),
        );
    }
    if !disks.is_empty() {
        b.set("disks", Node::seq(disks, hw.line));
    }
    if nics > 0 {
        b.number("nics", f64::from(nics));
    }
    if let Some(c) = &env.configuration {
        set_located(
            b.spec_mut(),
            "deploymentOption",
            Node::str(c.clone(), vs.line),
            vs.line,
        );
    }
    (name.clone(), b.into_doc(&name))
}

/// VirtualSystems with the vApp (VirtualSystemCollection) each belongs to.
fn systems<'a>(el: &'a El, vapp: Option<&'a str>, out: &mut Vec<(&'a El, Option<&'a str>)>) {
    for c in &el.children {
        match c.kind() {
            "VirtualSystem" => out.push((c, vapp)),
            "VirtualSystemCollection" => {
                let name = c.child_text("Name").or_else(|| c.attr("id"));
                systems(c, name.or(vapp), out);
            }
            _ => {}
        }
    }
}

impl Input for Ovf {
    fn name(&self) -> &'static str {
        "ovf"
    }

    fn wants_file_name(&self, name: &str) -> bool {
        name.to_ascii_lowercase().ends_with(".ovf")
    }

    fn claims_file(&self, file: &SourceFile) -> bool {
        // Walked `.ovf` files that are not OVF envelopes (an HTML error page saved under
        // that name) are skipped; one named on the command line is always read.
        file.explicit
            || file
                .bytes
                .windows(b"Envelope".len())
                .take(64 * 1024)
                .any(|w| w == b"Envelope")
    }

    fn ingest_file(&self, file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
        let text = match file.text() {
            Ok(t) => t,
            Err(e) => {
                out.errors.push(e);
                return;
            }
        };
        let root = match parse_tree(text) {
            Ok(r) => r,
            Err((line, message)) => {
                out.errors
                    .push(ScanError::parse(&file.display, Some(line), message));
                return;
            }
        };
        if root.name != "Envelope" {
            out.errors.push(ScanError::parse(
                &file.display,
                Some(root.line),
                format!(
                    "not an OVF descriptor: the root element is <{}>, not <Envelope>",
                    root.name
                ),
            ));
            return;
        }
        let env = Envelope::new(&root);
        let mut found = Vec::new();
        systems(&root, None, &mut found);
        if found.is_empty() {
            // A valid envelope (an empty VirtualSystemCollection): nothing to assess.
            out.skips.push(crate::model::Skipped::new(
                &file.display,
                "the OVF envelope describes no VirtualSystem: nothing to assess",
            ));
            return;
        }
        for (vs, vapp) in found {
            let mut errors = Vec::new();
            let mut notes = Vec::new();
            let (name, doc) =
                virtual_system(vs, &env, vapp, &file.display, &mut errors, &mut notes);
            let mut w = VmSpec::workload_from_doc(doc, name, &file.display, ctx, &mut errors);
            w.notes.extend(notes);
            if let Some(c) = &env.configuration
                && env.configurations.len() > 1
            {
                w.notes.push(format!(
                    "sized for deployment option `{c}` (of {})",
                    env.configurations.join(", ")
                ));
            }
            out.errors.extend(errors);
            out.workloads.push(w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::ingest;

    fn run(name: &str, text: &str) -> FileOutput {
        ingest(
            &SourceFile::from_text(name, text),
            &IngestContext::default(),
        )
    }

    const APPLIANCE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vmw="http://www.vmware.com/schema/ovf">
  <DiskSection>
    <Info>disks</Info>
    <Disk ovf:diskId="system" ovf:capacity="40" ovf:capacityAllocationUnits="byte * 2^30"/>
    <Disk ovf:diskId="data" ovf:capacity="${data_size}" ovf:capacityAllocationUnits="byte*2^30"/>
    <Disk ovf:diskId="small" ovf:capacity="536870912"/>
  </DiskSection>
  <DeploymentOptionSection>
    <Configuration ovf:id="small"><Label>S</Label></Configuration>
    <Configuration ovf:id="large" ovf:default="true"><Label>L</Label></Configuration>
  </DeploymentOptionSection>
  <VirtualSystem ovf:id="appliance">
    <Name>Billing &amp; Rating</Name>
    <ProductSection><Property ovf:key="data_size" ovf:type="int" ovf:value="100"/></ProductSection>
    <OperatingSystemSection ovf:id="80" vmw:osType="rhel6_64Guest"><Info>os</Info></OperatingSystemSection>
    <VirtualHardwareSection>
      <System><vssd:VirtualSystemType xmlns:vssd="x">vmx-10</vssd:VirtualSystemType></System>
      <Item ovf:configuration="small"><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item ovf:configuration="large">
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>8</rasd:VirtualQuantity>
        <vmw:CoresPerSocket ovf:required="false">4</vmw:CoresPerSocket>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>16384</rasd:VirtualQuantity>
      </Item>
      <Item><rasd:HostResource>ovf:/disk/system</rasd:HostResource><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:HostResource>ovf:/disk/data</rasd:HostResource><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:HostResource>ovf:/disk/small</rasd:HostResource><rasd:ResourceType>17</rasd:ResourceType></Item>
      <Item><rasd:ResourceType>10</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"#;

    #[test]
    fn sizes_units_properties_and_the_default_configuration() {
        let out = run("appliance.ovf", APPLIANCE);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let w = &out.workloads[0];
        assert_eq!(w.name, "Billing & Rating");
        assert_eq!(w.line, 15);
        assert_eq!(w.current.vcpu, Some(8.0));
        assert_eq!(w.current.memory_gib, Some(16.0));
        assert_eq!(w.current.storage_gib, Some(140.5));
        assert_eq!(w.facts.get("sockets").and_then(Node::as_f64), Some(2.0));
        assert_eq!(w.facts.get("vcpu").map(|n| n.line), Some(22));
        assert_eq!(w.facts.get("memory_gib").map(|n| n.line), Some(27));
        assert_eq!(
            w.facts.get("os").and_then(Node::as_str),
            Some("Red Hat Enterprise Linux 6 (64-bit)")
        );
        assert_eq!(
            w.facts.get("hardware_version").and_then(Node::as_f64),
            Some(10.0)
        );
        assert_eq!(w.facts.get("nics").and_then(Node::as_f64), Some(1.0));
        assert!(
            w.notes
                .iter()
                .any(|n| n.contains("deployment option `large`"))
        );
    }

    #[test]
    fn collections_are_vapps_of_several_vms() {
        let text = r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <VirtualSystemCollection ovf:id="shop">
    <VirtualSystem ovf:id="web"><VirtualHardwareSection>
      <Item><ResourceType>3</ResourceType><VirtualQuantity>2</VirtualQuantity></Item>
    </VirtualHardwareSection></VirtualSystem>
    <VirtualSystem ovf:id="db"><VirtualHardwareSection>
      <Item><ResourceType>4</ResourceType><AllocationUnits>MegaBytes</AllocationUnits><VirtualQuantity>2048</VirtualQuantity></Item>
    </VirtualHardwareSection></VirtualSystem>
  </VirtualSystemCollection>
</Envelope>"#;
        let out = run("shop.ovf", text);
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        let names: Vec<&str> = out.workloads.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, vec!["web", "db"]);
        assert_eq!(out.workloads[1].current.memory_gib, Some(2.0));
        assert_eq!(out.workloads[0].labels.get("vapp"), Some("shop"));
    }

    #[test]
    fn entity_bombs_fail_fast_and_nothing_is_expanded() {
        let mut bomb =
            String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
        for i in 1..10 {
            bomb.push_str(&format!(
                " <!ENTITY lol{i} \"{}\">\n",
                format!("&lol{};", i - 1).repeat(10)
            ));
        }
        bomb.push_str(
            "]>\n<Envelope><VirtualSystem><Name>&lol9;</Name></VirtualSystem></Envelope>\n",
        );
        let start = std::time::Instant::now();
        let out = run("bomb.ovf", &bomb);
        assert!(start.elapsed() < std::time::Duration::from_secs(1));
        assert!(out.workloads.is_empty());
        assert!(
            out.errors[0].message.contains("DOCTYPE"),
            "{:?}",
            out.errors
        );
        let out = run(
            "ref.ovf",
            "<Envelope><VirtualSystem><Name>&xxe;</Name></VirtualSystem></Envelope>",
        );
        assert!(
            out.errors[0].message.contains("undefined entity `&xxe;`"),
            "{:?}",
            out.errors
        );
    }

    #[test]
    fn broken_xml_is_an_error_with_its_line_and_an_empty_envelope_a_skip() {
        let out = run(
            "broken.ovf",
            "<Envelope>\n  <VirtualSystem>\n    <Name>x</Nam>\n</Envelope>\n",
        );
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].line, Some(3));
        let out = run(
            "empty.ovf",
            "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"/>",
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert!(out.skips[0].reason.contains("no VirtualSystem"));
        let mut html = SourceFile::from_text("page.ovf", "<HTML><BODY>Error 404</BODY></HTML>");
        html.explicit = false;
        assert!(!Ovf.claims_file(&html));
    }

    #[test]
    fn a_virtual_system_without_its_size_is_a_vm_whose_size_is_unknown() {
        let out = run(
            "nosize.ovf",
            "<Envelope>\n<VirtualSystem ovf:id=\"a\"><Name>a</Name>\n<VirtualHardwareSection><Info>hw</Info></VirtualHardwareSection></VirtualSystem>\n</Envelope>",
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.workloads.len(), 1);
        assert!(
            out.workloads[0]
                .notes
                .iter()
                .any(|n| n.contains("size is unknown")),
            "{:?}",
            out.workloads[0].notes
        );
        let out = run(
            "nohw.ovf",
            "<Envelope><VirtualSystem><Name>b</Name></VirtualSystem></Envelope>",
        );
        assert!(out.errors.is_empty(), "{:?}", out.errors);
        assert_eq!(out.workloads.len(), 1);
    }

    #[test]
    fn units_and_os_names() {
        assert_eq!(allocation_units("byte * 2^20"), Some(1048576.0));
        assert_eq!(allocation_units("byte * 2 ^ 30"), Some(GIB));
        assert_eq!(allocation_units("byte*10^9"), Some(1e9));
        assert_eq!(allocation_units("MegaBytes"), Some(1048576.0));
        assert_eq!(allocation_units("parsecs"), None);
        assert_eq!(
            os_from_vmware_type("winNetStandardGuest"),
            "Microsoft Windows Server 2003"
        );
        assert_eq!(os_from_vmware_type("centos7_64Guest"), "CentOS 7 (64-bit)");
        assert_eq!(
            os_from_vmware_type("debian10_64Guest"),
            "Debian GNU/Linux 10 (64-bit)"
        );
        assert_eq!(
            os_from_vmware_type("windows9Server64Guest"),
            "Microsoft Windows Server 2016 or later (64-bit)"
        );
    }
}
