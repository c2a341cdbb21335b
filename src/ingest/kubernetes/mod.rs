//! Kubernetes manifests: every YAML/JSON document with a string `apiVersion` and `kind`
//! (multi-document streams, `kind: List` / `*List` with `items`, Helm-rendered output,
//! custom resources). Workload kinds become workloads (kind `kubernetes`, generation 3),
//! one per object, with their containers as components; KubeVirt virtual machines become
//! VMs on generation 3; every other object is kept and joined to the workloads it governs
//! in [`Kubernetes::link`] (see `companions`).
//!
//! Facts are documented in `docs/writing-rules.md` ("Kubernetes"). The pod spec is reached
//! at `facts.pod` whatever the kind, so rules are written once for Deployments, CronJobs,
//! bare Pods and custom kinds that carry a pod template (Argo Rollouts, ...).

mod cnf;
mod companion_specs;
mod companions;
mod facts;
mod kubevirt;
mod objects;
mod selectors;
mod unjoined;

use objects::*;

use std::cell::RefCell;
use std::sync::Arc;

use super::{FileOutput, IngestContext, Input, Object};
use crate::model::{
    Component, Generation, ScanError, Sizing, Suppression, Target, Workload, WorkloadKind,
};
use crate::node::{Node, Value};
use crate::source::SourceFile;
use crate::units::{k8s_quantity, k8s_quantity_gib};

pub struct Kubernetes;

/// The `Object::input` of everything this module keeps for linking.
pub const INPUT_NAME: &str = "kubernetes";

/// The annotation that suppresses rules on an object: `"K8S003,K8S007: reason"`.
pub const IGNORE_ANNOTATION: &str = "fitscan.io/ignore";

impl Input for Kubernetes {
    fn name(&self) -> &'static str {
        INPUT_NAME
    }

    fn facts(&self) -> &'static [crate::model::FactGroup] {
        facts::FACTS
    }

    fn yaml_markers(&self) -> &'static [&'static str] {
        &["apiVersion"]
    }

    fn claims_document(&self, doc: &Node, _file: &SourceFile) -> bool {
        is_object(doc)
    }

    fn ingest_document(
        &self,
        doc: Node,
        file: &SourceFile,
        ctx: &IngestContext,
        out: &mut FileOutput,
    ) {
        let helm_source = helm_source_of(file, doc.line);
        let mut objects = Vec::new();
        flatten(doc, &mut objects);
        for obj in objects {
            ingest_object(obj, file, ctx, helm_source.as_deref(), out);
        }
    }

    fn joins(&self, workload: &Workload) -> bool {
        companions::joins(workload)
    }

    fn link(
        &self,
        workloads: &mut Vec<Workload>,
        objects: Vec<Object>,
        errors: &mut Vec<ScanError>,
        _ctx: &IngestContext,
    ) -> Vec<crate::model::Skipped> {
        drop_instances_of_owners_in_scan(workloads);
        companions::link(workloads, &objects, errors)
    }
}

/// A Kubernetes object: a mapping with a non-empty string `apiVersion` and `kind`.
pub fn is_object(doc: &Node) -> bool {
    let text = |key: &str| {
        doc.get(key)
            .and_then(Node::as_str)
            .is_some_and(|s| !s.trim().is_empty())
    };
    text("apiVersion") && text("kind")
}

fn text_of<'a>(node: &'a Node, key: &str) -> &'a str {
    node.get(key).and_then(Node::as_str).map_or("", str::trim)
}

fn ingest_object(
    obj: Node,
    file: &SourceFile,
    ctx: &IngestContext,
    helm_source: Option<&str>,
    out: &mut FileOutput,
) {
    let kind = text_of(&obj, "kind").to_string();
    let api_version = text_of(&obj, "apiVersion").to_string();
    if kubevirt::is_virtual_machine(&api_version, &kind) {
        kubevirt::ingest(obj, file, ctx, helm_source, out);
        return;
    }
    match shape_of(&kind, &api_version, &obj) {
        // An owned workload is kept until the joins, which drop it when its owner is in
        // the scan (see `drop_instances_of_owners_in_scan`).
        Some(shape) => {
            if let Some(w) = build_workload(obj, shape, &kind, file, helm_source, &mut out.errors) {
                out.workloads.push(w);
            }
        }
        // Objects wait for the joins in memory until every file is read: only those the
        // joins read are kept, and only what of them they read.
        None if companions::is_companion(&api_version, &kind) => out.objects.push(Object {
            input: INPUT_NAME,
            file: Arc::clone(&file.display),
            doc: companions::kept(obj, &kind),
        }),
        None => {}
    }
}

/// `metadata.name` (or `generateName`) and `metadata.namespace` (`default` when absent).
pub(crate) fn object_identity(obj: &Node) -> Option<(String, String)> {
    let meta = obj.get("metadata")?;
    let name = meta
        .get("name")
        .or_else(|| meta.get("generateName"))
        .and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())?;
    Some((namespace_of(obj), name))
}

pub(crate) fn namespace_of(obj: &Node) -> String {
    obj.at("metadata.namespace")
        .and_then(Node::scalar_text)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

/// Field errors of one object, each naming the object and the field.
struct Problems<'a> {
    file: &'a str,
    what: String,
    errors: &'a mut Vec<ScanError>,
}

impl Problems<'_> {
    fn push(&mut self, line: u32, message: impl std::fmt::Display) {
        self.errors.push(ScanError::parse(
            self.file,
            Some(line),
            format!("{}: {message}", self.what),
        ));
    }
}

/// The pod template's metadata and spec, by shape.
fn pod_parts(obj: &Node, shape: Shape) -> (Option<&Node>, Option<&Node>) {
    let template = match shape {
        Shape::Pod => return (obj.get("metadata"), obj.get("spec")),
        Shape::CronJob => obj.at("spec.jobTemplate.spec.template"),
        _ => obj.at("spec.template"),
    };
    (
        template.and_then(|t| t.get("metadata")),
        template.and_then(|t| t.get("spec")),
    )
}

/// How many pods run, where it says so, and whether the figure was written or defaulted.
struct Replicas {
    count: f64,
    /// The field the count came from; None when defaulted.
    field: Option<Node>,
}

fn replicas_of(obj: &Node, shape: Shape, problems: &mut Problems<'_>) -> Replicas {
    let path = match shape {
        Shape::Replicated => "spec.replicas",
        Shape::Job => "spec.parallelism",
        Shape::CronJob => "spec.jobTemplate.spec.parallelism",
        Shape::Pod | Shape::DaemonSet => {
            return Replicas {
                count: 1.0,
                field: None,
            };
        }
    };
    let default = Replicas {
        count: 1.0,
        field: None,
    };
    let Some(node) = obj.at(path).filter(|n| !n.is_null()) else {
        return default;
    };
    match node.as_f64() {
        Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= 1e6 => Replicas {
            count: n,
            field: Some(node.clone()),
        },
        _ => {
            problems.push(
                node.line,
                format!(
                    "{path} must be a whole number, not `{}`",
                    node.display_text()
                ),
            );
            default
        }
    }
}

/// Security context fields a container inherits from the pod's when it does not set them.
const INHERITED_SECURITY: &[&str] = &[
    "runAsUser",
    "runAsGroup",
    "runAsNonRoot",
    "seLinuxOptions",
    "seccompProfile",
    "appArmorProfile",
    "windowsOptions",
];

/// A container as written, plus derived keys: `security` (the effective security context:
/// the pod's inherited fields overridden by the container's), `effective_requests` /
/// `effective_limits` (requests default to limits, as the API server does), the image facts
/// (`image_pin`, `image_tag`, ...) and `sidecar`.
fn augment_container(
    container: &Node,
    index: usize,
    list: &str,
    pod_security: Option<&Node>,
    sidecar: bool,
    names_required: bool,
    problems: &mut Problems<'_>,
) -> Node {
    let mut c = container.clone();
    if c.get("name")
        .and_then(Node::scalar_text)
        .is_none_or(|n| n.trim().is_empty())
    {
        // The API server rejects a nameless container; custom kinds (Knative) name it.
        if names_required {
            problems.push(container.line, format!("{list}[{index}] has no name"));
        }
        c.insert(
            "name",
            Node::str(format!("{list}[{index}]"), container.line),
        );
    }
    let own_security = container.get("securityContext");
    let security_line = own_security.or(pod_security).map_or(0, |n| n.line);
    let mut security = Node::map(security_line);
    if let Some(pod) = pod_security {
        for key in INHERITED_SECURITY {
            if let Some(v) = pod.get(key) {
                security.insert(*key, v.clone());
            }
        }
    }
    if let Some(Value::Map(entries)) = own_security.map(|n| &n.value) {
        for e in entries {
            security.insert(e.key.clone(), e.value.clone());
        }
    }
    c.insert("security", security);
    if let Some(cmd) =
        crate::ingest::command_line(&[container.get("command"), container.get("args")])
    {
        c.insert("command_line", cmd);
    }
    for (derived, first, fallback) in [
        ("effective_requests", "requests", "limits"),
        ("effective_limits", "limits", "limits"),
    ] {
        let mut map = Node::map(container.get("resources").map_or(0, |n| n.line));
        for dim in ["cpu", "memory"] {
            let value = container
                .at(&format!("resources.{first}.{dim}"))
                .or_else(|| container.at(&format!("resources.{fallback}.{dim}")))
                .filter(|n| !n.is_null());
            if let Some(v) = value {
                map.insert(dim, v.clone());
            }
        }
        c.insert(derived, map);
    }
    if let Some(img) = container.get("image") {
        if img.scalar_text().is_none() {
            problems.push(img.line, format!("{list}[{index}].image must be text"));
        }
        crate::ingest::image_ref::insert_facts(&mut c, img);
    }
    c.insert("sidecar", Node::bool(sidecar, 0));
    c
}

/// A quantity from a container's effective requests, in cores or GiB; bad text is an error
/// at its line and counts as unknown.
fn quantity(container: &Node, dim: &str, problems: &mut Problems<'_>, name: &str) -> Option<f64> {
    let node = container.at(&format!("effective_requests.{dim}"))?;
    let Some(text) = node.scalar_text() else {
        problems.push(
            node.line,
            format!("container `{name}`: {dim} must be a quantity such as 500m or 256Mi"),
        );
        return None;
    };
    let parsed = if dim == "cpu" {
        k8s_quantity(&text)
    } else {
        k8s_quantity_gib(&text)
    };
    match parsed {
        Ok(v) if v >= 0.0 && v.is_finite() => Some(v),
        Ok(_) => {
            problems.push(
                node.line,
                format!("container `{name}`: {dim} `{text}` is negative"),
            );
            None
        }
        Err(e) => {
            problems.push(node.line, format!("container `{name}`: {dim}: {e}"));
            None
        }
    }
}

fn build_workload(
    obj: Node,
    shape: Shape,
    kind: &str,
    file: &SourceFile,
    helm_source: Option<&str>,
    errors: &mut Vec<ScanError>,
) -> Option<Workload> {
    let obj_line = obj.line.max(1);
    let Some((namespace, name)) = object_identity(&obj) else {
        errors.push(ScanError::parse(
            &file.display,
            Some(obj_line),
            format!("{kind} has no metadata.name"),
        ));
        return None;
    };
    let full_name = format!("{namespace}/{name}");
    let mut problems = Problems {
        file: &file.display,
        what: format!("{kind} `{full_name}`"),
        errors,
    };
    let (template_meta, pod) = pod_parts(&obj, shape);
    let Some(pod) = pod.filter(|p| p.as_map().is_some()).cloned() else {
        let where_ = match shape {
            Shape::Pod => "spec",
            Shape::CronJob => "spec.jobTemplate.spec.template.spec",
            _ => "spec.template.spec",
        };
        problems.push(obj_line, format!("has no pod spec ({where_})"));
        return None;
    };
    let template_meta = template_meta.cloned();
    let replicas = replicas_of(&obj, shape, &mut problems);
    let names_required = is_core_group(text_of(&obj, "apiVersion"));
    let containers = containers_of(&pod, names_required, &mut problems);
    let (components, total) = components_of(&containers.running, replicas.count, &mut problems);

    let mut facts = identity_facts(&obj, kind, &namespace, &name, shape, &replicas);
    if let Some(meta) = &template_meta {
        if let Some(labels) = meta.get("labels") {
            facts.insert("pod_labels", labels.clone());
        }
        if let Some(annotations) = meta.get("annotations") {
            facts.insert("pod_annotations", annotations.clone());
        }
    }
    if text_of(&obj, "apiVersion").starts_with("serving.knative.dev/") {
        let kind_line = obj.get("kind").map_or(obj_line, |n| n.line);
        knative_autoscaler(&mut facts, template_meta.as_ref(), &full_name, kind_line);
    }
    let containers_line = pod.get("containers").map_or(pod.line, |n| n.line);
    if let Some(v) = total.vcpu {
        facts.insert("vcpu", Node::float(v, containers_line));
    }
    if let Some(m) = total.memory_gib {
        facts.insert("memory_gib", Node::float(m, containers_line));
    }
    insert_pod_facts(&mut facts, &obj, &pod, shape, containers);
    if let Some(src) = helm_source {
        facts.insert("helm_source", Node::str(src, 0));
    }
    facts.insert("pod", pod);

    let suppressions = suppressions_of(&obj, &file.display, &mut problems);
    let mut w = Workload::new(
        WorkloadKind::Kubernetes,
        Target::Kubernetes,
        full_name,
        Arc::clone(&file.display),
        obj_line,
        Generation::CloudNative,
        obj,
    );
    w.id = format!("kubernetes:{kind}/{namespace}/{name}");
    w.facts = facts;
    w.components = components;
    w.suppressions = suppressions;
    if shape == Shape::DaemonSet {
        w.notes
            .push("DaemonSet: one pod on every node; sizes are per node".to_string());
    }
    if let Some(src) = helm_source {
        w.notes.push(format!("rendered by Helm from {src}"));
    }
    Some(w)
}

/// The pod's containers, augmented (see [`augment_container`]).
struct Containers {
    /// `spec.containers` and native sidecars: what runs for the pod's whole life.
    running: Vec<Node>,
    /// Init containers that run to completion before the others start.
    init: Vec<Node>,
}

fn containers_of(pod: &Node, names_required: bool, problems: &mut Problems<'_>) -> Containers {
    let pod_security = pod.get("securityContext");
    let mut running = Vec::new();
    let mut init = Vec::new();
    match pod.get("containers").map(|n| &n.value) {
        Some(Value::Seq(items)) if !items.is_empty() => {
            for (i, c) in items.iter().enumerate() {
                if c.as_map().is_none() {
                    problems.push(c.line, format!("containers[{i}] is not a mapping"));
                    continue;
                }
                running.push(augment_container(
                    c,
                    i,
                    "containers",
                    pod_security,
                    false,
                    names_required,
                    problems,
                ));
            }
        }
        _ => {
            let line = pod.get("containers").map_or(pod.line, |n| n.line);
            problems.push(line, "has no containers (a pod needs at least one)");
        }
    }
    for (i, c) in pod
        .get("initContainers")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if c.as_map().is_none() {
            problems.push(c.line, format!("initContainers[{i}] is not a mapping"));
            continue;
        }
        // An init container with `restartPolicy: Always` is a native sidecar: it runs
        // beside the app for the pod's whole life.
        let sidecar = c.get("restartPolicy").and_then(Node::as_str) == Some("Always");
        let augmented = augment_container(
            c,
            i,
            "initContainers",
            pod_security,
            sidecar,
            names_required,
            problems,
        );
        if sidecar {
            running.push(augmented);
        } else {
            init.push(augmented);
        }
    }
    Containers { running, init }
}

/// The poll-mode data-plane features a container asks for (huge pages, SR-IOV devices,
/// IPC_LOCK with huge pages for DPDK), and whether huge pages are among them: such a
/// container shows full CPU by design and is not sized on CPU utilisation.
fn poll_mode_of(c: &Node) -> (Vec<String>, bool) {
    let mut features: Vec<String> = Vec::new();
    fn add(features: &mut Vec<String>, f: &str) {
        if !features.iter().any(|x| x == f) {
            features.push(f.to_string());
        }
    }
    let resources = c.get("resources");
    for part in ["requests", "limits"] {
        let Some(entries) = resources.and_then(|r| r.get(part)).and_then(Node::as_map) else {
            continue;
        };
        for e in entries {
            let key = e.key.to_ascii_lowercase();
            if key.starts_with("hugepages-") {
                add(&mut features, "huge pages");
            } else if key.contains("sriov") || key.contains("sr-iov") {
                add(&mut features, "SR-IOV");
            }
        }
    }
    let hugepages = features.iter().any(|f| f == "huge pages");
    let ipc_lock = c
        .get("securityContext")
        .and_then(|s| s.get("capabilities"))
        .and_then(|caps| caps.get("add"))
        .and_then(Node::as_seq)
        .is_some_and(|adds| {
            adds.iter().any(|a| {
                a.scalar_text().is_some_and(|t| {
                    t.trim_start_matches("CAP_")
                        .eq_ignore_ascii_case("IPC_LOCK")
                })
            })
        });
    if hugepages && ipc_lock {
        add(&mut features, "DPDK");
    }
    (features, hugepages)
}

/// One component per long-running container, `replicas` of its effective requests, and
/// their total.
fn components_of(
    running: &[Node],
    replicas: f64,
    problems: &mut Problems<'_>,
) -> (Vec<Component>, Sizing) {
    let mut components = Vec::new();
    let mut total = Sizing::default();
    for c in running {
        let cname = c
            .get("name")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let current = Sizing {
            vcpu: quantity(c, "cpu", problems, &cname),
            memory_gib: quantity(c, "memory", problems, &cname),
            storage_gib: None,
        };
        for (sum, part) in [
            (&mut total.vcpu, current.vcpu),
            (&mut total.memory_gib, current.memory_gib),
        ] {
            if let Some(v) = part {
                *sum = Some(sum.unwrap_or(0.0) + v * replicas);
            }
        }
        let (poll_mode, hugepages) = poll_mode_of(c);
        components.push(Component {
            name: cname,
            line: c.line,
            count: replicas,
            current,
            demand: None,
            traits: crate::model::Traits {
                poll_mode,
                hugepages,
                ..Default::default()
            },
        });
    }
    (components, total)
}

/// What the object is: kind, API version, namespace, name, shape and replicas.
fn identity_facts(
    obj: &Node,
    kind: &str,
    namespace: &str,
    name: &str,
    shape: Shape,
    replicas: &Replicas,
) -> Node {
    let obj_line = obj.line.max(1);
    let mut facts = Node::map(0);
    let kind_line = obj.get("kind").map_or(obj_line, |n| n.line);
    let api_line = obj.get("apiVersion").map_or(obj_line, |n| n.line);
    let api_version = text_of(obj, "apiVersion");
    facts.insert("object_kind", Node::str(kind, kind_line));
    facts.insert("api_version", Node::str(api_version, api_line));
    facts.insert(
        "namespace",
        Node::str(namespace, line_at(obj, "metadata.namespace")),
    );
    facts.insert(
        "object_name",
        Node::str(name, line_at(obj, "metadata.name")),
    );
    let shape_name = match shape {
        Shape::Pod => "pod",
        Shape::Replicated => "replicated",
        Shape::DaemonSet => "daemon",
        Shape::Job | Shape::CronJob => "batch",
    };
    facts.insert("shape", Node::str(shape_name, kind_line));
    facts.insert(
        "scalable",
        Node::bool(shape == Shape::Replicated, kind_line),
    );
    facts.insert(
        "batch",
        Node::bool(matches!(shape, Shape::Job | Shape::CronJob), kind_line),
    );
    facts.insert("daemon", Node::bool(shape == Shape::DaemonSet, kind_line));
    let replicas_line = replicas.field.as_ref().map_or(0, |n| n.line);
    facts.insert("replicas", Node::float(replicas.count, replicas_line));
    facts.insert(
        "replicas_set",
        Node::bool(replicas.field.is_some(), replicas_line),
    );
    // Until an autoscaler is joined, the range is the fixed count.
    facts.insert("min_replicas", Node::float(replicas.count, replicas_line));
    facts.insert("max_replicas", Node::float(replicas.count, replicas_line));
    if let Some(removed) = removed_api(kind, api_version) {
        let text = format!("{kind} {api_version} ({removed})");
        facts.insert(
            "removed_apis",
            Node::seq(vec![Node::str(text, api_line)], 0),
        );
    }
    facts
}

/// What the pod spec says: host namespaces, containers, storage, configuration and the
/// service account token.
fn insert_pod_facts(
    facts: &mut Node,
    obj: &Node,
    pod: &Node,
    shape: Shape,
    containers: Containers,
) {
    let host_namespaces: Vec<Node> = ["hostNetwork", "hostPID", "hostIPC"]
        .iter()
        .filter_map(|key| {
            let n = pod.get(key)?;
            (n.as_bool() == Some(true)).then(|| Node::str(format!("{key}: true"), n.line))
        })
        .collect();
    if !host_namespaces.is_empty() {
        facts.insert("host_namespaces", Node::seq(host_namespaces, 0));
    }
    let Containers { running, init } = containers;
    let all: Vec<Node> = running.iter().chain(init.iter()).cloned().collect();
    cnf::insert_facts(facts, obj, &all);
    facts.insert(
        "external_config",
        Node::bool(has_external_config(pod, &all), 0),
    );
    let claims = claims_of(obj, pod, shape);
    let persistent = persistent_volumes(pod, &claims);
    if !persistent.is_empty() {
        facts.insert("persistent_volumes", Node::seq(persistent, 0));
    }
    if !claims.is_empty() {
        facts.insert("claims", Node::seq(claims, 0));
    }
    let (config_maps, secrets) = config_references(pod, &all);
    if !config_maps.is_empty() {
        facts.insert("config_maps", Node::seq(config_maps, 0));
    }
    if !secrets.is_empty() {
        facts.insert("secrets", Node::seq(secrets, 0));
    }
    // Refined in `link` by the pod's ServiceAccount when the pod does not say.
    let automount = pod
        .get("automountServiceAccountToken")
        .filter(|n| !n.is_null());
    facts.insert(
        "automount_token",
        automount.map_or(Node::bool(true, 0), |n| {
            Node::bool(n.as_bool().unwrap_or(true), n.line)
        }),
    );
    let containers_line = pod.get("containers").map_or(pod.line, |n| n.line);
    facts.insert("containers", Node::seq(running, containers_line));
    if !init.is_empty() {
        let line = pod.get("initContainers").map_or(0, |n| n.line);
        facts.insert("init_containers", Node::seq(init, line));
    }
    facts.insert("all_containers", Node::seq(all, containers_line));
}

/// A Knative Service scales itself (its own autoscaler, bounded by the `min-scale` and
/// `max-scale` annotations of its template; 0 means scale to zero, or no upper bound).
fn knative_autoscaler(facts: &mut Node, template_meta: Option<&Node>, name: &str, line: u32) {
    let bound = |keys: &[&str]| -> Option<&Node> {
        let annotations = template_meta.and_then(|m| m.get("annotations"))?;
        keys.iter().find_map(|k| annotations.get(k))
    };
    let mut scaler = Node::map(line);
    scaler.insert("kind", Node::str("KnativeAutoscaler", line));
    scaler.insert("name", Node::str(name, line));
    if let Some(min) = bound(&[
        "autoscaling.knative.dev/min-scale",
        "autoscaling.knative.dev/minScale",
    ])
    .and_then(Node::as_f64)
    {
        scaler.insert("min_replicas", Node::float(min, line));
        facts.insert("min_replicas", Node::float(min, line));
    }
    if let Some(max) = bound(&[
        "autoscaling.knative.dev/max-scale",
        "autoscaling.knative.dev/maxScale",
    ])
    .and_then(Node::as_f64)
    .filter(|m| *m > 0.0)
    {
        scaler.insert("max_replicas", Node::float(max, line));
        facts.insert("max_replicas", Node::float(max, line));
    }
    facts.insert("autoscalers", Node::seq(vec![scaler], line));
    facts.insert("autoscaled", Node::bool(true, line));
}

fn line_at(node: &Node, path: &str) -> u32 {
    node.at(path).map_or(0, |n| n.line)
}

/// Whether anything is configured from outside the image: environment, arguments, or
/// ConfigMap / Secret / projected / downward API volumes.
fn has_external_config(pod: &Node, containers: &[Node]) -> bool {
    let from_containers = containers.iter().any(|c| {
        ["env", "envFrom", "args"].iter().any(|k| {
            c.get(k)
                .and_then(Node::as_seq)
                .is_some_and(|s| !s.is_empty())
        })
    });
    let from_volumes = pod
        .get("volumes")
        .and_then(Node::as_seq)
        .is_some_and(|vols| {
            vols.iter().any(|v| {
                ["configMap", "secret", "projected", "downwardAPI"]
                    .iter()
                    .any(|k| v.get(k).is_some())
            })
        });
    from_containers || from_volumes
}

/// The PersistentVolumeClaims the pod uses: `persistentVolumeClaim` volumes and, for a
/// StatefulSet, its `volumeClaimTemplates` (one claim per replica).
fn claims_of(obj: &Node, pod: &Node, shape: Shape) -> Vec<Node> {
    let mut out = Vec::new();
    if let Some(vols) = pod.get("volumes").and_then(Node::as_seq) {
        for v in vols {
            let Some(claim) = v.at("persistentVolumeClaim.claimName") else {
                continue;
            };
            let Some(name) = claim.scalar_text().filter(|s| !s.is_empty()) else {
                continue;
            };
            let mut n = Node::map(claim.line);
            n.insert("name", Node::str(name, claim.line));
            n.insert("template", Node::bool(false, claim.line));
            if let Some(vname) = v.get("name") {
                n.insert("volume", vname.clone());
            }
            out.push(n);
        }
    }
    if shape == Shape::Replicated
        && let Some(templates) = obj.at("spec.volumeClaimTemplates").and_then(Node::as_seq)
    {
        for t in templates {
            let Some(name) = t.at("metadata.name") else {
                continue;
            };
            let mut n = Node::map(name.line);
            n.insert(
                "name",
                Node::str(name.scalar_text().unwrap_or_default(), name.line),
            );
            n.insert("template", Node::bool(true, name.line));
            if let Some(size) = t.at("spec.resources.requests.storage")
                && let Some(gib) = size.scalar_text().and_then(|s| k8s_quantity_gib(&s).ok())
            {
                n.insert("storage_gib", Node::float(gib, size.line));
            }
            out.push(n);
        }
    }
    out
}

/// Volume types whose data lives outside the node and survives a reschedule: claims and
/// the in-tree network volume plugins (deprecated, but persistent all the same).
const PERSISTENT_VOLUME_TYPES: &[&str] = &[
    "persistentVolumeClaim",
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "fc",
    "flocker",
    "gcePersistentDisk",
    "glusterfs",
    "iscsi",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

/// Names of the pod's volumes that keep data beyond the pod, and of its claim templates,
/// each at its line.
fn persistent_volumes(pod: &Node, claims: &[Node]) -> Vec<Node> {
    let mut out: Vec<Node> = pod
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter(|v| PERSISTENT_VOLUME_TYPES.iter().any(|t| v.get(t).is_some()))
        .filter_map(|v| v.get("name").cloned())
        .collect();
    out.extend(
        claims
            .iter()
            .filter(|c| c.get("template").and_then(Node::as_bool) == Some(true))
            .filter_map(|c| c.get("name").cloned()),
    );
    out
}

/// ConfigMaps and Secrets the pod references, each `{name, via, line}` at the reference.
fn config_references(pod: &Node, containers: &[Node]) -> (Vec<Node>, Vec<Node>) {
    let mut maps = Vec::new();
    let mut secrets = Vec::new();
    let push = |list: &mut Vec<Node>, name: Option<&Node>, via: &str| {
        if let Some(n) = name
            && let Some(text) = n.scalar_text().filter(|s| !s.trim().is_empty())
        {
            let mut r = Node::map(n.line);
            r.insert("name", Node::str(text.trim(), n.line));
            r.insert("via", Node::str(via, n.line));
            list.push(r);
        }
    };
    for c in containers {
        for env in c.get("env").and_then(Node::as_seq).unwrap_or_default() {
            push(&mut maps, env.at("valueFrom.configMapKeyRef.name"), "env");
            push(&mut secrets, env.at("valueFrom.secretKeyRef.name"), "env");
        }
        for from in c.get("envFrom").and_then(Node::as_seq).unwrap_or_default() {
            push(&mut maps, from.at("configMapRef.name"), "envFrom");
            push(&mut secrets, from.at("secretRef.name"), "envFrom");
        }
    }
    for v in pod
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        push(&mut maps, v.at("configMap.name"), "volume");
        push(&mut secrets, v.at("secret.secretName"), "volume");
        // Volume plugins that read their credentials from a Secret: `secretRef.name`
        // (cephfs, rbd, iscsi, scaleIO, storageos, flexVolume, cinder), CSI's
        // `nodePublishSecretRef.name`, azureFile's `secretName`.
        if let Value::Map(entries) = &v.value {
            for e in entries {
                push(&mut secrets, e.value.at("secretRef.name"), "volume");
                push(
                    &mut secrets,
                    e.value.at("nodePublishSecretRef.name"),
                    "volume",
                );
                if e.key == "azureFile" {
                    push(&mut secrets, e.value.get("secretName"), "volume");
                }
            }
        }
        for src in v
            .at("projected.sources")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            push(&mut maps, src.at("configMap.name"), "volume");
            push(&mut secrets, src.at("secret.name"), "volume");
        }
    }
    (maps, secrets)
}

// ---------------------------------------------------------------------------------------
// Helm: `helm template` writes `---` then `# Source: chart/templates/x.yaml` before each
// document. The template a document came from is worth showing beside its findings.

/// (line, source) for every `# Source:` comment, and (line, None) for every `---`.
type SourceMarks = Arc<Vec<(u32, Option<String>)>>;

thread_local! {
    /// The marks of the file being read on this thread, keyed by its bytes' address and
    /// length: one pass per file, however many documents it holds.
    static HELM_MARKS: RefCell<Option<(usize, usize, SourceMarks)>> = const { RefCell::new(None) };
}

#[cfg(test)]
mod tests;
