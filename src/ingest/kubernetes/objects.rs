//! Objects as the manifests give them: lists flattened, each object's shape (workload kind,
//! pod template path), owner references, removed API versions, inline ignores and the Helm
//! template a rendered object came from.

use std::sync::Arc;

use super::*;

/// The objects of a document: itself, or the items of a `List` / `*List`.
pub(super) fn flatten(doc: Node, out: &mut Vec<Node>) {
    let kind = text_of(&doc, "kind");
    let is_list = kind == "List" || (kind.ends_with("List") && doc.get("items").is_some());
    if !is_list {
        out.push(doc);
        return;
    }
    let Value::Map(entries) = doc.value else {
        return;
    };
    for entry in entries {
        if entry.key != "items" {
            continue;
        }
        if let Value::Seq(items) = entry.value.value {
            // Items that are not objects (no apiVersion/kind) are not Kubernetes objects.
            for item in items.into_iter().filter(is_object) {
                flatten(item, out);
            }
        }
    }
}

/// Where the pod template of a workload kind lives, and how it scales.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    /// A bare Pod: `metadata` and `spec` are the pod's own.
    Pod,
    /// `spec.replicas` copies of `spec.template` (Deployment, StatefulSet, ReplicaSet,
    /// ReplicationController, Deployment-like custom kinds).
    Replicated,
    /// One pod per node.
    DaemonSet,
    /// `spec.parallelism` pods of `spec.template`, run to completion.
    Job,
    /// A Job made on a schedule from `spec.jobTemplate`.
    CronJob,
}

/// API groups whose kinds are the built-in workloads (not a custom resource that happens to
/// be called `Job`).
pub(super) fn is_core_group(api_version: &str) -> bool {
    let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
    matches!(group, "" | "apps" | "extensions" | "batch")
}

pub(super) fn shape_of(kind: &str, api_version: &str, obj: &Node) -> Option<Shape> {
    if is_core_group(api_version) {
        let shape = match kind {
            "Pod" => Some(Shape::Pod),
            "Deployment" | "StatefulSet" | "ReplicaSet" | "ReplicationController" => {
                Some(Shape::Replicated)
            }
            "DaemonSet" => Some(Shape::DaemonSet),
            "Job" => Some(Shape::Job),
            "CronJob" => Some(Shape::CronJob),
            _ => None,
        };
        if shape.is_some() {
            return shape;
        }
    }
    // A custom kind that carries a pod template is run like a Deployment (Argo Rollouts,
    // OpenShift DeploymentConfig, Knative Service, ...).
    obj.at("spec.template.spec.containers")
        .and_then(Node::as_seq)
        .map(|_| Shape::Replicated)
}

/// The controllers that own an object (`metadata.ownerReferences` without `controller:
/// false`): the ReplicaSet of a Pod, the Deployment of a ReplicaSet, an operator's custom
/// resource.
pub(super) fn owners(obj: &Node) -> impl Iterator<Item = &Node> {
    obj.at("metadata.ownerReferences")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter(|r| r.get("controller").and_then(Node::as_bool) != Some(false))
}

/// Workloads owned by a controller that is itself a workload of the scan (the Pods of a
/// ReplicaSet, the ReplicaSets of a Deployment, as `kubectl get all -o yaml` exports them)
/// are instances of it, assessed once as their owner. One whose owner is not in the scan
/// (an operator's custom resource, an object not exported) is assessed on its own: an owner
/// reference never hides a workload nothing else stands for.
pub(super) fn drop_instances_of_owners_in_scan(workloads: &mut Vec<Workload>) {
    use std::collections::HashSet;
    let is_k8s = |w: &Workload| w.kind == WorkloadKind::Kubernetes;
    if !workloads
        .iter()
        .any(|w| is_k8s(w) && owners(&w.doc).next().is_some())
    {
        return;
    }
    let fact = |w: &Workload, key: &str| {
        w.facts
            .get(key)
            .and_then(Node::scalar_text)
            .unwrap_or_default()
    };
    let mut present: HashSet<(String, String, String)> = HashSet::new();
    let mut uids: HashSet<String> = HashSet::new();
    for w in workloads.iter().filter(|w| is_k8s(w)) {
        present.insert((
            fact(w, "object_kind"),
            fact(w, "namespace"),
            fact(w, "object_name"),
        ));
        if let Some(uid) = w.doc.at("metadata.uid").and_then(Node::scalar_text) {
            uids.insert(uid);
        }
    }
    workloads.retain(|w| {
        if !is_k8s(w) {
            return true;
        }
        let namespace = fact(w, "namespace");
        let text = |r: &Node, key: &str| {
            r.get(key)
                .and_then(Node::scalar_text)
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        !owners(&w.doc).any(|r| {
            let uid = text(r, "uid");
            (!uid.is_empty() && uids.contains(&uid))
                || present.contains(&(text(r, "kind"), namespace.clone(), text(r, "name")))
        })
    });
}

/// Kubernetes removed these API versions: manifests written with them no longer apply.
pub(crate) fn removed_api(kind: &str, api_version: &str) -> Option<&'static str> {
    Some(match (api_version, kind) {
        ("extensions/v1beta1", "Ingress") => "removed in Kubernetes 1.22; use networking.k8s.io/v1",
        ("extensions/v1beta1", "Deployment" | "DaemonSet" | "ReplicaSet" | "StatefulSet")
        | ("apps/v1beta1" | "apps/v1beta2", _) => "removed in Kubernetes 1.16; use apps/v1",
        ("extensions/v1beta1", "NetworkPolicy") => {
            "removed in Kubernetes 1.16; use networking.k8s.io/v1"
        }
        ("networking.k8s.io/v1beta1", "Ingress" | "IngressClass") => {
            "removed in Kubernetes 1.22; use networking.k8s.io/v1"
        }
        ("batch/v1beta1" | "batch/v2alpha1", "CronJob") => {
            "removed in Kubernetes 1.25; use batch/v1"
        }
        ("policy/v1beta1", "PodDisruptionBudget") => "removed in Kubernetes 1.25; use policy/v1",
        ("autoscaling/v2beta1", "HorizontalPodAutoscaler") => {
            "removed in Kubernetes 1.25; use autoscaling/v2"
        }
        ("autoscaling/v2beta2", "HorizontalPodAutoscaler") => {
            "removed in Kubernetes 1.26; use autoscaling/v2"
        }
        _ => return None,
    })
}

/// `fitscan.io/ignore: "K8S003,K8S007: reason"` on the object, as workload-wide
/// suppressions at the annotation's line.
pub(super) fn suppressions_of(
    obj: &Node,
    file: &Arc<str>,
    problems: &mut Problems<'_>,
) -> Vec<Suppression> {
    let Some(node) = obj
        .at("metadata.annotations")
        .and_then(|a| a.get(IGNORE_ANNOTATION))
    else {
        return Vec::new();
    };
    crate::ingest::ignore_list(node, file).unwrap_or_else(|| {
        problems.push(
            node.line,
            format!(
                "annotation {IGNORE_ANNOTATION} names no rule (expected \"RULE,RULE: reason\")"
            ),
        );
        Vec::new()
    })
}

pub(super) fn helm_source_of(file: &SourceFile, doc_line: u32) -> Option<String> {
    let key = (file.bytes.as_ptr() as usize, file.bytes.len());
    let marks = HELM_MARKS.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some((ptr, len, marks)) = slot.as_ref()
            && (*ptr, *len) == key
        {
            return Arc::clone(marks);
        }
        let marks = Arc::new(scan_helm_marks(file));
        *slot = Some((key.0, key.1, Arc::clone(&marks)));
        marks
    });
    marks
        .iter()
        .take_while(|(line, _)| *line < doc_line)
        .last()
        .and_then(|(_, source)| source.clone())
}

pub(super) fn scan_helm_marks(file: &SourceFile) -> Vec<(u32, Option<String>)> {
    let Ok(text) = file.text() else {
        return Vec::new();
    };
    if !text.contains("# Source:") {
        return Vec::new();
    }
    let mut marks = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.starts_with("---") {
            marks.push((n, None));
        } else if let Some(src) = line.strip_prefix("# Source:") {
            marks.push((n, Some(src.trim().to_string())));
        }
    }
    marks
}
