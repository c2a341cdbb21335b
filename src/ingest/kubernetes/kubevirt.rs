//! KubeVirt `VirtualMachine` / `VirtualMachineInstance`: a virtual machine run by
//! Kubernetes. It is a VM on generation 3, assessed with the VM rule pack: its domain is
//! read into the VM spec shape (`spec.cpu`, `spec.memory`, `spec.disks`, with the lines of
//! the fields they came from) and built by [`VmSpec::workload_from_doc`].

use super::{Problems, object_identity, suppressions_of, text_of};
use crate::ingest::image_ref::ImageRef;
use crate::ingest::vmspec::VmSpec;
use crate::ingest::{FileOutput, IngestContext};
use crate::model::{Generation, ScanError};
use crate::node::Node;
use crate::source::SourceFile;
use crate::units::{k8s_quantity, k8s_quantity_gib};

pub fn is_virtual_machine(api_version: &str, kind: &str) -> bool {
    api_version.starts_with("kubevirt.io/")
        && matches!(kind, "VirtualMachine" | "VirtualMachineInstance")
}

/// Operating systems whose KubeVirt container disks are named after them.
const OS_IMAGES: &[&str] = &[
    "fedora",
    "centos",
    "centos-stream",
    "ubuntu",
    "debian",
    "rhel",
    "opensuse",
    "opensuse-leap",
    "sles",
    "alpine",
    "rocky",
    "almalinux",
    "windows",
];

pub fn ingest(
    obj: Node,
    file: &SourceFile,
    ctx: &IngestContext,
    helm_source: Option<&str>,
    out: &mut FileOutput,
) {
    let kind = text_of(&obj, "kind").to_string();
    let Some((namespace, name)) = object_identity(&obj) else {
        out.errors.push(ScanError::parse(
            &file.display,
            Some(obj.line.max(1)),
            format!("{kind} has no metadata.name"),
        ));
        return;
    };
    let full_name = format!("{namespace}/{name}");
    let mut problems = Problems {
        file: &file.display,
        what: format!("{kind} `{full_name}`"),
        errors: &mut out.errors,
    };
    let vm_spec = vm_spec_of(&obj, &kind, &mut problems);
    let suppressions = suppressions_of(&obj, &file.display, &mut problems);
    let mut doc = Node::map(obj.line);
    for key in ["apiVersion", "kind", "metadata"] {
        if let Some(v) = obj.get(key) {
            doc.insert(key, v.clone());
        }
    }
    doc.insert("spec", vm_spec);
    let mut errors = Vec::new();
    let mut w = VmSpec::workload_from_doc(doc, full_name, &file.display, ctx, &mut errors);
    out.errors.extend(errors);
    w.generation = Generation::CloudNative;
    w.id = format!("vm:kubevirt/{namespace}/{name}");
    w.line = obj.line.max(1);
    w.suppressions.extend(suppressions);
    w.facts.insert("kubevirt", Node::bool(true, 0));
    w.notes.push(format!(
        "KubeVirt {kind}: a virtual machine run by Kubernetes"
    ));
    if let Some(src) = helm_source {
        w.notes.push(format!("rendered by Helm from {src}"));
    }
    out.workloads.push(w);
}

/// The VM spec shape of a KubeVirt object: platform, OS, CPU, memory, disks, and
/// `app.config: files` when cloud-init or sysprep configures the guest from outside.
fn vm_spec_of(obj: &Node, kind: &str, problems: &mut Problems<'_>) -> Node {
    let kind_line = obj.get("kind").map_or(obj.line, |n| n.line);
    let mut spec = Node::map(obj.get("spec").map_or(obj.line, |n| n.line));
    spec.insert("platform", Node::str("kubevirt", kind_line));
    let (template_meta, vmi_spec) = if kind == "VirtualMachineInstance" {
        (obj.get("metadata"), obj.get("spec"))
    } else {
        (
            obj.at("spec.template.metadata"),
            obj.at("spec.template.spec"),
        )
    };
    let domain = vmi_spec.and_then(|s| s.get("domain"));
    let volumes = vmi_spec
        .and_then(|s| s.get("volumes"))
        .and_then(Node::as_seq)
        .unwrap_or_default();

    if let Some(os) = os_of(obj, template_meta, volumes) {
        spec.insert("os", os);
    }

    // CPU: the guest topology, or the pod's CPU request.
    if let Some(cpu) = domain
        .and_then(|d| d.get("cpu"))
        .filter(|c| c.as_map().is_some())
    {
        let mut count = |key: &str| -> Option<f64> {
            let n = cpu.get(key)?;
            match n.as_f64() {
                Some(v) if v >= 1.0 && v.fract() == 0.0 => Some(v),
                _ => {
                    problems.push(
                        n.line,
                        format!(
                            "domain.cpu.{key} must be a whole number from 1, not `{}`",
                            n.display_text()
                        ),
                    );
                    None
                }
            }
        };
        let (sockets, cores, threads) = (count("sockets"), count("cores"), count("threads"));
        if sockets.is_some() || cores.is_some() || threads.is_some() {
            let mut c = Node::map(cpu.line);
            c.insert("sockets", Node::float(sockets.unwrap_or(1.0), cpu.line));
            c.insert(
                "coresPerSocket",
                Node::float(cores.unwrap_or(1.0) * threads.unwrap_or(1.0), cpu.line),
            );
            spec.insert("cpu", c);
        }
    }
    if spec.get("cpu").is_none()
        && let Some(q) = domain.and_then(|d| {
            d.at("resources.requests.cpu")
                .or_else(|| d.at("resources.limits.cpu"))
        })
        && let Some(cores) = parse_quantity(q, "cpu", problems)
    {
        let mut c = Node::map(q.line);
        c.insert("vcpus", Node::float(cores, q.line));
        spec.insert("cpu", c);
    }

    // Memory: the guest's, else the pod's request or limit.
    let memory = domain.and_then(|d| {
        d.at("memory.guest")
            .or_else(|| d.at("resources.requests.memory"))
            .or_else(|| d.at("resources.limits.memory"))
    });
    if let Some(m) = memory
        && let Some(gib) = parse_quantity(m, "memory", problems)
    {
        spec.insert("memory", Node::float(gib, m.line));
    }

    // Disks with a size: data volume templates, empty and host disks. PVC-backed volumes
    // take the claim's size, which lives in another object; container disks are ephemeral.
    let templates = obj
        .at("spec.dataVolumeTemplates")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    let mut disks = Vec::new();
    let mut configured_from_outside = None;
    for v in volumes {
        let size = if let Some(dv) = v.at("dataVolume.name").and_then(Node::scalar_text) {
            templates
                .iter()
                .find(|t| {
                    t.at("metadata.name").and_then(Node::scalar_text).as_deref()
                        == Some(dv.as_str())
                })
                .and_then(|t| {
                    t.at("spec.storage.resources.requests.storage")
                        .or_else(|| t.at("spec.pvc.resources.requests.storage"))
                })
        } else {
            v.at("emptyDisk.capacity")
                .or_else(|| v.at("hostDisk.capacity"))
        };
        if let Some(s) = size
            && let Some(gib) = parse_quantity(s, "storage", problems)
        {
            let mut d = Node::map(v.line);
            d.insert("size", Node::float(gib, s.line));
            disks.push(d);
        }
        for key in ["cloudInitNoCloud", "cloudInitConfigDrive", "sysprep"] {
            if let Some(n) = v.get(key) {
                configured_from_outside.get_or_insert(n.line);
            }
        }
    }
    if !disks.is_empty() {
        let line = vmi_spec
            .and_then(|s| s.get("volumes"))
            .map_or(0, |n| n.line);
        spec.insert("disks", Node::seq(disks, line));
    }
    if let Some(line) = configured_from_outside {
        let mut app = Node::map(line);
        app.insert("config", Node::str("files", line));
        spec.insert("app", app);
    }
    spec
}

fn parse_quantity(node: &Node, what: &str, problems: &mut Problems<'_>) -> Option<f64> {
    let text = node.scalar_text()?;
    let parsed = if what == "cpu" {
        k8s_quantity(&text)
    } else {
        k8s_quantity_gib(&text)
    };
    match parsed {
        Ok(v) if v > 0.0 => Some(v),
        Ok(_) => {
            problems.push(node.line, format!("{what} `{text}` must be positive"));
            None
        }
        Err(e) => {
            problems.push(node.line, format!("{what}: {e}"));
            None
        }
    }
}

/// The guest OS as KubeVirt's templates record it (`name.os.template.kubevirt.io/<id>`
/// annotation, `vm.kubevirt.io/os` annotation, `os.template.kubevirt.io/<id>` label), or
/// the OS a container disk is named after (`quay.io/containerdisks/fedora:40`).
fn os_of(obj: &Node, template_meta: Option<&Node>, volumes: &[Node]) -> Option<Node> {
    let metas = [obj.get("metadata"), template_meta];
    for meta in metas.iter().flatten() {
        for e in meta
            .get("annotations")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            if (e.key.starts_with("name.os.template.kubevirt.io/") || e.key == "vm.kubevirt.io/os")
                && let Some(t) = e.value.scalar_text().filter(|t| !t.trim().is_empty())
            {
                return Some(Node::str(t, e.value.line));
            }
        }
        for e in meta
            .get("labels")
            .and_then(Node::as_map)
            .unwrap_or_default()
        {
            if let Some(id) = e.key.strip_prefix("os.template.kubevirt.io/")
                && e.value.as_bool() == Some(true)
            {
                return Some(Node::str(id, e.value.line));
            }
        }
    }
    for v in volumes {
        let Some(img) = v.at("containerDisk.image") else {
            continue;
        };
        let text = img.scalar_text().unwrap_or_default();
        let r = ImageRef::parse(&text);
        if r.resolved() && OS_IMAGES.contains(&r.name.to_ascii_lowercase().as_str()) {
            let os = match r.tag {
                Some(t) if !t.eq_ignore_ascii_case("latest") => format!("{} {t}", r.name),
                _ => r.name.to_string(),
            };
            return Some(Node::str(os, img.line));
        }
    }
    None
}
