//! Companions: the objects that govern a workload without being one, joined to it across
//! every file of the scan once all are read.
//!
//! | companion | joined by |
//! |---|---|
//! | HorizontalPodAutoscaler, KEDA ScaledObject | `scaleTargetRef` kind and name, same namespace |
//! | PodDisruptionBudget, NetworkPolicy | label selector against the pod template labels, same namespace |
//! | Service | `spec.selector` against the pod template labels, same namespace |
//! | Ingress, Gateway API HTTPRoute / GRPCRoute, OpenShift Route | backend Service -> the workloads it selects |
//! | PersistentVolumeClaim | claim name (volumes; StatefulSet volumeClaimTemplates are claims of their own) |
//! | ConfigMap, Secret | references from env, envFrom and volumes |
//! | ServiceAccount | `serviceAccountName` (its `automountServiceAccountToken`) |
//! | LimitRange | namespace: container defaults for requests and limits the pod leaves out |
//!
//! A companion in another file is numbered after the workload's own file, as a compiler's
//! source map does (`model::SourceSpan`), so a finding about it points at its own file and
//! line; `location` (`file:line`) also says where it is, for messages.

use std::collections::BTreeMap;

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::Arc;

use super::companion_specs::*;
use super::object_identity;
use super::selectors::*;
use super::unjoined::{Used, unjoined_files};
use crate::ingest::Object;
use crate::model::{ScanError, Skipped, SourceSpan, Target, Workload, WorkloadKind};
use crate::node::{Node, Value};
use crate::units::k8s_quantity_gib;

/// A companion object with where it is.
pub(super) struct Found<'a> {
    pub(super) kind: &'a str,
    pub(super) namespace: String,
    pub(super) name: String,
    pub(super) file: &'a Arc<str>,
    pub(super) line: u32,
    pub(super) doc: &'a Node,
}

impl Found<'_> {
    pub(super) fn location(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
    fn what(&self) -> String {
        format!("{} `{}/{}`", self.kind, self.namespace, self.name)
    }
}

/// Lines of the files a workload's facts come from, in one numbering: the workload's own
/// file first, then each companion file after it, as `Workload::locate` reads them back.
struct Numbering {
    own: Arc<str>,
    spans: Vec<SourceSpan>,
}

impl Numbering {
    /// Lines of a file never reach this (a 16 MiB file has at most 2^24 lines); a bigger
    /// file's lines, and more companion files than fit in a `u32`, stay unlocated (0).
    const SPACING: u32 = 1 << 25;

    fn line(&mut self, file: &Arc<str>, line: u32) -> u32 {
        if line == 0 || file.as_ref() == self.own.as_ref() {
            return line;
        }
        if line >= Self::SPACING {
            return 0;
        }
        let offset = match self.spans.iter().find(|s| s.file.as_ref() == file.as_ref()) {
            Some(span) => span.offset,
            None => {
                let Some(offset) = u32::try_from(self.spans.len() + 1)
                    .ok()
                    .and_then(|n| n.checked_mul(Self::SPACING))
                    .filter(|o| o.checked_add(Self::SPACING).is_some())
                else {
                    return 0;
                };
                self.spans.push(SourceSpan {
                    file: Arc::clone(file),
                    offset,
                });
                offset
            }
        };
        offset + line
    }

    /// The line of a node of a companion.
    fn at(&mut self, found: &Found<'_>, node: &Node) -> u32 {
        self.line(found.file, node.line)
    }

    /// The line of a companion object itself.
    fn of(&mut self, found: &Found<'_>) -> u32 {
        self.line(found.file, found.line)
    }
}

struct Autoscaler<'a> {
    found: Found<'a>,
    min: f64,
    max: Option<f64>,
    metrics: Vec<String>,
}

struct Budget<'a> {
    found: Found<'a>,
}

struct Policy<'a> {
    found: Found<'a>,
    ingress: bool,
    egress: bool,
}

struct Service<'a> {
    found: Found<'a>,
}

/// The most companions of one kind (Services, NetworkPolicies, ...) listed in one
/// workload's facts. Every workload selected by the same N companions would otherwise hold
/// its own copy of all N (N Deployments, Services and NetworkPolicies sharing a selector:
/// N x N); what is judged on all of them (isolation, autoscaler bounds) still is.
pub const MAX_COMPANIONS_PER_WORKLOAD: usize = 16;

/// Workloads that had more companions of a kind than are listed, per file and kind: one
/// error each, however many workloads.
#[derive(Default)]
struct Overflow {
    seen: BTreeMap<(Arc<str>, &'static str), Overflowing>,
}

/// Of one file and companion kind: how many workloads, the most companions one had, and
/// the first workload with its line.
struct Overflowing {
    workloads: usize,
    most: usize,
    first: String,
    line: u32,
}

impl Overflow {
    fn note(&mut self, w: &Workload, what: &'static str, n: usize) {
        if n <= MAX_COMPANIONS_PER_WORKLOAD {
            return;
        }
        let entry = self
            .seen
            .entry((Arc::clone(&w.file), what))
            .or_insert_with(|| Overflowing {
                workloads: 0,
                most: 0,
                first: w.name.clone(),
                line: w.line,
            });
        entry.workloads += 1;
        entry.most = entry.most.max(n);
    }

    fn report(self, errors: &mut Vec<ScanError>) {
        for ((file, what), o) in self.seen {
            let Overflowing {
                workloads,
                most,
                first,
                line,
            } = o;
            let who = match workloads {
                1 => format!("workload `{first}`"),
                n => format!("workload `{first}` and {} more", n - 1),
            };
            errors.push(ScanError::parse(
                &file,
                (line > 0).then_some(line),
                format!(
                    "{who}: up to {most} {what} each, more than one workload lists (limit {MAX_COMPANIONS_PER_WORKLOAD}): the first {MAX_COMPANIONS_PER_WORKLOAD} are joined, the rest left out of its facts"
                ),
            ));
        }
    }
}

/// An entry point to a Service: an Ingress, an HTTPRoute, an OpenShift Route.
struct EntryPoint<'a> {
    found: Found<'a>,
    service: String,
    /// None when the scan cannot tell (a Gateway that is not in the scan).
    tls: Option<bool>,
    hosts: Vec<String>,
}

/// Every companion of the scan, indexed for joining.
#[derive(Default)]
struct Index<'a> {
    autoscalers: HashMap<(String, String, String), Vec<Autoscaler<'a>>>,
    budgets: BySelector<Budget<'a>>,
    policies: BySelector<Policy<'a>>,
    services: BySelector<Service<'a>>,
    claims: HashMap<(String, String), Found<'a>>,
    config_maps: HashSet<(String, String)>,
    secrets: HashSet<(String, String)>,
    accounts: HashMap<(String, String), Found<'a>>,
    defaults: HashMap<String, Defaults>,
    /// Entry points by (namespace, backend service name).
    entries: HashMap<(String, String), Vec<usize>>,
    entry_points: Vec<EntryPoint<'a>>,
}

/// Whether the joins read objects of this API version and kind.
pub(super) fn is_companion(api_version: &str, kind: &str) -> bool {
    let group = api_version.trim().rsplit_once('/').map_or("", |(g, _)| g);
    matches!(
        (group, kind.trim()),
        ("autoscaling", "HorizontalPodAutoscaler")
            | ("keda.sh", "ScaledObject")
            | ("policy", "PodDisruptionBudget")
            | (
                "networking.k8s.io" | "extensions",
                "NetworkPolicy" | "Ingress"
            )
            | (
                "",
                "Service" | "PersistentVolumeClaim" | "ConfigMap" | "Secret"
            )
            | ("", "ServiceAccount" | "LimitRange")
            | (
                "gateway.networking.k8s.io",
                "HTTPRoute" | "GRPCRoute" | "Gateway"
            )
            | ("route.openshift.io", "Route")
    )
}

/// What a companion keeps until the joins: a ConfigMap or Secret is joined by its name only,
/// so its data (configuration files, credentials, often most of a bundle) is dropped here.
pub(super) fn kept(mut doc: Node, kind: &str) -> Node {
    if matches!(kind.trim(), "ConfigMap" | "Secret")
        && let Value::Map(entries) = &mut doc.value
    {
        entries.retain(|e| !matches!(e.key.as_str(), "data" | "stringData" | "binaryData"));
    }
    doc
}

fn build_index<'a>(objects: &'a [Object], errors: &mut Vec<ScanError>) -> Index<'a> {
    let mut index = Index::default();
    let mut gateways: HashMap<(String, String), &'a Node> = HashMap::new();
    let mut routes: Vec<Found<'a>> = Vec::new();
    for obj in objects {
        let doc = &obj.doc;
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("").trim();
        let api = doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or("")
            .trim();
        if !is_companion(api, kind) {
            continue;
        }
        let Some((namespace, name)) = object_identity(doc) else {
            errors.push(ScanError::parse(
                &obj.file,
                Some(doc.line.max(1)),
                format!("{kind} has no metadata.name"),
            ));
            continue;
        };
        let found = Found {
            kind,
            namespace: namespace.clone(),
            name: name.clone(),
            file: &obj.file,
            line: doc.line.max(1),
            doc,
        };
        let mut fail = |(line, message): (u32, String), what: String| {
            errors.push(ScanError::parse(
                &obj.file,
                Some(line),
                format!("{what}: {message}"),
            ));
        };
        let spec = doc.get("spec");
        match kind {
            "HorizontalPodAutoscaler" | "ScaledObject" => {
                let target = spec.and_then(|s| s.get("scaleTargetRef"));
                let target_name = target
                    .and_then(|t| t.get("name"))
                    .and_then(Node::scalar_text)
                    .filter(|s| !s.is_empty());
                let Some(target_name) = target_name else {
                    fail(
                        (
                            target.or(spec).map_or(found.line, |n| n.line),
                            "has no spec.scaleTargetRef.name".into(),
                        ),
                        found.what(),
                    );
                    continue;
                };
                let target_kind = target
                    .and_then(|t| t.get("kind"))
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| "Deployment".into());
                let (min_key, max_key, min_default) = if kind == "ScaledObject" {
                    ("minReplicaCount", "maxReplicaCount", 0.0)
                } else {
                    ("minReplicas", "maxReplicas", 1.0)
                };
                let min = match positive_number(spec.and_then(|s| s.get(min_key))) {
                    Ok(v) => v.unwrap_or(min_default),
                    Err(e) => {
                        fail(e, format!("{} spec.{min_key}", found.what()));
                        min_default
                    }
                };
                let max = match positive_number(spec.and_then(|s| s.get(max_key))) {
                    Ok(v) if kind == "ScaledObject" => Some(v.unwrap_or(100.0)),
                    Ok(v) => v,
                    Err(e) => {
                        fail(e, format!("{} spec.{max_key}", found.what()));
                        None
                    }
                };
                let metrics = autoscaler_metrics(spec);
                index
                    .autoscalers
                    .entry((namespace, target_kind, target_name))
                    .or_default()
                    .push(Autoscaler {
                        found,
                        min,
                        max,
                        metrics,
                    });
            }
            "PodDisruptionBudget" => {
                let all = api == "policy/v1";
                match label_selector(spec.and_then(|s| s.get("selector")), all) {
                    Ok(selector) => index.budgets.push(namespace, selector, Budget { found }),
                    Err(e) => fail(e, found.what()),
                }
            }
            "NetworkPolicy" => {
                // podSelector is required; `{}` selects every pod of the namespace.
                let selector = match spec.and_then(|s| s.get("podSelector")) {
                    None => Ok(Selector::All),
                    some => label_selector(some, true),
                };
                let types = texts(spec.and_then(|s| s.get("policyTypes")));
                let (ingress, egress) = if types.is_empty() {
                    (true, spec.and_then(|s| s.get("egress")).is_some())
                } else {
                    (
                        types.iter().any(|t| t.eq_ignore_ascii_case("Ingress")),
                        types.iter().any(|t| t.eq_ignore_ascii_case("Egress")),
                    )
                };
                match selector {
                    Ok(selector) => index.policies.push(
                        namespace,
                        selector,
                        Policy {
                            found,
                            ingress,
                            egress,
                        },
                    ),
                    Err(e) => fail(e, found.what()),
                }
            }
            "Service" => {
                let selector = service_selector(spec.and_then(|s| s.get("selector")));
                index.services.push(namespace, selector, Service { found });
            }
            "PersistentVolumeClaim" => {
                index.claims.insert((namespace, name), found);
            }
            "ConfigMap" => {
                index.config_maps.insert((namespace, name));
            }
            "Secret" => {
                index.secrets.insert((namespace, name));
            }
            "ServiceAccount" => {
                index.accounts.insert((namespace, name), found);
            }
            "LimitRange" => {
                let d = limit_defaults(spec, &found);
                index.defaults.entry(namespace).or_insert(d);
            }
            "Ingress" => {
                let IngressBackends {
                    backends,
                    tls_hosts,
                    tls_everywhere,
                } = ingress_backends(spec);
                for (service, host) in backends {
                    let tls = tls_everywhere
                        || host
                            .as_ref()
                            .is_some_and(|h| tls_hosts.iter().any(|t| host_covers(t, h)))
                        || (host.is_none() && !tls_hosts.is_empty());
                    let hosts = host.into_iter().collect();
                    add_entry(&mut index, &found, Some(tls), hosts, service);
                }
            }
            "Route" => {
                let service = spec
                    .and_then(|s| s.at("to.name"))
                    .and_then(Node::scalar_text);
                if let Some(service) = service {
                    let tls = spec
                        .and_then(|s| s.get("tls"))
                        .is_some_and(|t| !t.is_null());
                    let hosts = spec
                        .and_then(|s| s.get("host"))
                        .and_then(Node::scalar_text)
                        .into_iter()
                        .collect();
                    add_entry(&mut index, &found, Some(tls), hosts, service);
                }
            }
            "Gateway" => {
                gateways.insert((namespace, name), doc);
            }
            _ => routes.push(found),
        }
    }
    // Routes need their Gateways, which may come later in the scan.
    for route in routes {
        let spec = route.doc.get("spec");
        let tls = route_tls(spec, &route.namespace, &gateways);
        let hosts = texts(spec.and_then(|s| s.get("hostnames")));
        let mut services = Vec::new();
        for rule in spec
            .and_then(|s| s.get("rules"))
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            for backend in rule
                .get("backendRefs")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let kind = backend
                    .get("kind")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| "Service".into());
                let other_ns = backend
                    .get("namespace")
                    .and_then(Node::scalar_text)
                    .is_some_and(|ns| ns != route.namespace);
                if kind == "Service"
                    && !other_ns
                    && let Some(name) = backend.get("name").and_then(Node::scalar_text)
                    && !services.contains(&name)
                {
                    services.push(name);
                }
            }
        }
        for service in services {
            let copy = Found {
                kind: route.kind,
                namespace: route.namespace.clone(),
                name: route.name.clone(),
                file: route.file,
                line: route.line,
                doc: route.doc,
            };
            add_entry(&mut index, &copy, tls, hosts.clone(), service);
        }
    }
    index
}

fn add_entry<'a>(
    index: &mut Index<'a>,
    found: &Found<'a>,
    tls: Option<bool>,
    hosts: Vec<String>,
    service: String,
) {
    let copy = Found {
        kind: found.kind,
        namespace: found.namespace.clone(),
        name: found.name.clone(),
        file: found.file,
        line: found.line,
        doc: found.doc,
    };
    let key = (found.namespace.clone(), service.clone());
    // One entry per (entry point, service): an Ingress with two rules to the same Service
    // counts once, with TLS only if every rule has it.
    if let Some(existing) = index.entries.get(&key).and_then(|ids| {
        ids.iter().copied().find(|i| {
            let f = &index.entry_points[*i].found;
            f.kind == found.kind && f.name == found.name
        })
    }) {
        let e = &mut index.entry_points[existing];
        e.tls = match (e.tls, tls) {
            (Some(a), Some(b)) => Some(a && b),
            _ => None,
        };
        for h in hosts {
            if !e.hosts.contains(&h) {
                e.hosts.push(h);
            }
        }
        return;
    }
    index.entry_points.push(EntryPoint {
        found: copy,
        service,
        tls,
        hosts,
    });
    let id = index.entry_points.len() - 1;
    index.entries.entry(key).or_default().push(id);
}

/// Joins the companions to every Kubernetes workload and writes the facts rules read.
/// The workloads `link` joins companions to.
pub(super) fn joins(w: &Workload) -> bool {
    w.kind == WorkloadKind::Kubernetes && w.target == Target::Kubernetes
}

/// Returns the files whose companions all joined no workload (see [`unjoined_files`]).
pub(super) fn link(
    workloads: &mut [Workload],
    objects: &[Object],
    errors: &mut Vec<ScanError>,
) -> Vec<Skipped> {
    let index = build_index(objects, errors);
    let mut overflow = Overflow::default();
    let mut used = Used::default();
    for w in workloads.iter_mut().filter(|w| joins(w)) {
        join(w, &index, &mut overflow, &mut used);
    }
    overflow.report(errors);
    mark_selecting(&mut used, &index);
    unjoined_files(objects, &used)
}

/// What the selector joins chose (each label set once), and the entry points of the
/// Services among them.
fn mark_selecting(used: &mut Used, index: &Index<'_>) {
    index.budgets.each_selecting(|b| used.mark(&b.found));
    index.policies.each_selecting(|p| used.mark(&p.found));
    let mut services = Vec::new();
    index.services.each_selecting(|s| {
        services.push((s.found.namespace.clone(), s.found.name.clone()));
        used.mark(&s.found);
    });
    for key in services {
        for id in index
            .entries
            .get(&key)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(e) = index.entry_points.get(*id) {
                used.routes |= matches!(e.found.kind, "HTTPRoute" | "GRPCRoute");
                used.mark(&e.found);
            }
        }
    }
}

fn fact_text(facts: &Node, key: &str) -> String {
    facts
        .get(key)
        .and_then(Node::scalar_text)
        .unwrap_or_default()
}

/// What every step of a join needs to know about the workload.
struct Joining {
    lines: Numbering,
    namespace: String,
    labels: Vec<(String, String)>,
    replicas: f64,
    replicas_set: bool,
    /// Removed API versions of the workload and of the companions joined to it.
    removed: Vec<Node>,
}

impl Joining {
    fn new(w: &Workload) -> Self {
        Joining {
            lines: Numbering {
                own: Arc::clone(&w.file),
                spans: Vec::new(),
            },
            namespace: fact_text(&w.facts, "namespace"),
            labels: label_pairs(w.facts.get("pod_labels")),
            replicas: w
                .facts
                .get("replicas")
                .and_then(Node::as_f64)
                .unwrap_or(1.0),
            replicas_set: w.facts.get("replicas_set").and_then(Node::as_bool) == Some(true),
            removed: w
                .facts
                .get("removed_apis")
                .and_then(Node::as_seq)
                .map(<[Node]>::to_vec)
                .unwrap_or_default(),
        }
    }

    /// A companion's summary node, noting its API version when Kubernetes removed it.
    fn summary(&mut self, found: &Found<'_>) -> Node {
        let api = found
            .doc
            .get("apiVersion")
            .and_then(Node::as_str)
            .unwrap_or("");
        if let Some(why) = super::removed_api(found.kind, api) {
            let text = format!(
                "{} {} {api} at {} ({why})",
                found.kind,
                found.name,
                found.location()
            );
            let line = found
                .doc
                .get("apiVersion")
                .map_or(0, |n| self.lines.at(found, n));
            if !self
                .removed
                .iter()
                .any(|n| n.as_str() == Some(text.as_str()))
            {
                self.removed.push(Node::str(text, line));
            }
        }
        let line = self.lines.of(found);
        let mut n = Node::map(line);
        n.insert("kind", Node::str(found.kind, line));
        n.insert("name", Node::str(found.name.clone(), line));
        n.insert("location", Node::str(found.location(), line));
        n
    }
}

/// A list fact at the line of its first located element (0 when none is in this file).
fn located_list(items: Vec<Node>) -> Node {
    let line = items.iter().map(|n| n.line).find(|l| *l > 0).unwrap_or(0);
    Node::seq(items, line)
}

fn join(w: &mut Workload, index: &Index<'_>, overflow: &mut Overflow, used: &mut Used) {
    let mut j = Joining::new(w);
    join_autoscalers(w, index, &mut j, overflow, used);
    join_budgets(w, index, &mut j, overflow);
    join_policies(w, index, &mut j, overflow);
    join_services(w, index, &mut j, overflow);
    join_claims(w, index, &mut j, used);
    for (key, kind, set) in [
        ("config_maps", "ConfigMap", &index.config_maps),
        ("secrets", "Secret", &index.secrets),
    ] {
        if let Some(Value::Seq(refs)) = w.facts.get_mut(key).map(|n| &mut n.value) {
            for r in refs.iter_mut() {
                let name = r
                    .get("name")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default();
                let key = (j.namespace.clone(), name);
                let found = set.contains(&key);
                if found {
                    used.insert(kind, &key.0, &key.1);
                }
                r.insert("found", Node::bool(found, 0));
            }
        }
    }
    join_service_account(w, index, &mut j, used);
    if let Some(d) = index.defaults.get(&j.namespace) {
        apply_defaults(w, d);
        used.namespaces.insert(j.namespace.clone());
    }
    if !j.removed.is_empty() {
        w.facts.insert("removed_apis", located_list(j.removed));
    }
    w.sources.extend(j.lines.spans);
}

/// HorizontalPodAutoscalers and ScaledObjects targeting the workload widen its replica
/// range; without a fixed count, the autoscaler's floor is what runs (at least one pod).
fn join_autoscalers(
    w: &mut Workload,
    index: &Index<'_>,
    j: &mut Joining,
    overflow: &mut Overflow,
    used: &mut Used,
) {
    let key = (
        j.namespace.clone(),
        fact_text(&w.facts, "object_kind"),
        fact_text(&w.facts, "object_name"),
    );
    let scalers = index
        .autoscalers
        .get(&key)
        .map(Vec::as_slice)
        .unwrap_or_default();
    if scalers.is_empty() {
        // A Knative Service brings its own autoscaler.
        if w.facts.get("autoscalers").is_none() {
            w.facts.insert("autoscaled", Node::bool(false, 0));
        }
        return;
    }
    overflow.note(w, "autoscalers", scalers.len());
    let mut list = Vec::new();
    let mut min = f64::INFINITY;
    let mut max: f64 = 0.0;
    for a in scalers {
        used.mark(&a.found);
        // The replica range is judged on every autoscaler; the first few are listed.
        min = min.min(a.min);
        if let Some(m) = a.max {
            max = max.max(m);
        }
        if list.len() >= MAX_COMPANIONS_PER_WORKLOAD {
            continue;
        }
        let line = j.lines.of(&a.found);
        let mut n = j.summary(&a.found);
        n.insert("min_replicas", Node::float(a.min, line));
        if let Some(m) = a.max {
            n.insert("max_replicas", Node::float(m, line));
        }
        let metrics = a
            .metrics
            .iter()
            .map(|m| Node::str(m.clone(), line))
            .collect();
        n.insert("metrics", Node::seq(metrics, line));
        list.push(n);
    }
    let list = located_list(list);
    let line = list.line;
    w.facts.insert("autoscalers", list);
    w.facts.insert("autoscaled", Node::bool(true, line));
    // Without `spec.replicas` (as GitOps leaves it when an autoscaler owns the count) the
    // autoscaler's floor is the fewest pods that run, not the API's default of 1.
    let floor = if j.replicas_set {
        min.min(j.replicas)
    } else {
        min
    };
    w.facts
        .insert("min_replicas", Node::float(floor.max(0.0), line));
    w.facts
        .insert("max_replicas", Node::float(max.max(j.replicas), line));
    if !j.replicas_set {
        for c in &mut w.components {
            c.count = min.max(1.0);
        }
    }
}

fn join_budgets(w: &mut Workload, index: &Index<'_>, j: &mut Joining, overflow: &mut Overflow) {
    let budgets = index.budgets.selecting(&j.namespace, &j.labels);
    if budgets.is_empty() {
        return;
    }
    overflow.note(w, "PodDisruptionBudgets", budgets.len());
    // Whether a budget blocks eviction depends on the fewest replicas the workload runs.
    let floor = w
        .facts
        .get("min_replicas")
        .and_then(Node::as_f64)
        .unwrap_or(j.replicas);
    let mut list = Vec::new();
    let mut blocking = Vec::new();
    for b in budgets.listed() {
        let line = j.lines.of(&b.found);
        let mut n = j.summary(&b.found);
        let spec = b.found.doc.get("spec");
        for (key, fact) in [
            ("minAvailable", "min_available"),
            ("maxUnavailable", "max_unavailable"),
        ] {
            if let Some(v) = spec.and_then(|s| s.get(key)) {
                let mut v = v.clone();
                v.line = j.lines.at(&b.found, &v);
                n.insert(fact, v);
            }
        }
        let blocks = budget_blocks_eviction(spec, floor);
        n.insert("blocks_eviction", Node::bool(blocks, line));
        if blocks {
            blocking.push(Node::str(
                format!(
                    "PodDisruptionBudget {} ({})",
                    b.found.name,
                    b.found.location()
                ),
                line,
            ));
        }
        list.push(n);
    }
    if !blocking.is_empty() {
        w.facts.insert("blocking_pdbs", Node::seq(blocking, 0));
    }
    w.facts.insert("pdbs", located_list(list));
}

fn join_policies(w: &mut Workload, index: &Index<'_>, j: &mut Joining, overflow: &mut Overflow) {
    let policies = index.policies.selecting(&j.namespace, &j.labels);
    w.facts.insert(
        "network_isolated",
        Node::bool(policies.all().any(|p| p.ingress), 0),
    );
    w.facts.insert(
        "egress_isolated",
        Node::bool(policies.all().any(|p| p.egress), 0),
    );
    if policies.is_empty() {
        return;
    }
    overflow.note(w, "NetworkPolicies", policies.len());
    let list = policies
        .listed()
        .map(|p| {
            let line = j.lines.of(&p.found);
            let mut n = j.summary(&p.found);
            n.insert("ingress", Node::bool(p.ingress, line));
            n.insert("egress", Node::bool(p.egress, line));
            n
        })
        .collect();
    w.facts.insert("network_policies", located_list(list));
}

/// Services selecting the pods, and the entry points (Ingress, routes) in front of them.
fn join_services(w: &mut Workload, index: &Index<'_>, j: &mut Joining, overflow: &mut Overflow) {
    let services = index.services.selecting(&j.namespace, &j.labels);
    if services.is_empty() {
        return;
    }
    overflow.note(w, "Services", services.len());
    let mut list = Vec::new();
    let mut entries = Vec::new();
    let mut insecure = Vec::new();
    let mut entry_points = 0usize;
    for s in services.listed() {
        let line = j.lines.of(&s.found);
        let mut n = j.summary(&s.found);
        let ty = s
            .found
            .doc
            .at("spec.type")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| "ClusterIP".into());
        n.insert("type", Node::str(ty, line));
        list.push(n);
        let ids = index
            .entries
            .get(&(j.namespace.clone(), s.found.name.clone()))
            .map(Vec::as_slice)
            .unwrap_or_default();
        entry_points += ids.len();
        for id in ids {
            if entries.len() >= MAX_COMPANIONS_PER_WORKLOAD {
                break;
            }
            let e = &index.entry_points[*id];
            let eline = j.lines.of(&e.found);
            let mut en = j.summary(&e.found);
            en.insert("service", Node::str(e.service.clone(), eline));
            match e.tls {
                Some(t) => en.insert("tls", Node::bool(t, eline)),
                None => en.insert("tls", Node::null()),
            }
            let hosts = e
                .hosts
                .iter()
                .map(|h| Node::str(h.clone(), eline))
                .collect();
            en.insert("hosts", Node::seq(hosts, eline));
            if e.tls == Some(false) {
                insecure.push(Node::str(
                    format!("{} {} ({})", e.found.kind, e.found.name, e.found.location()),
                    eline,
                ));
            }
            entries.push(en);
        }
    }
    overflow.note(w, "entry points (Ingresses, routes)", entry_points);
    w.facts.insert("services", located_list(list));
    if !entries.is_empty() {
        w.facts.insert("ingresses", located_list(entries));
    }
    if !insecure.is_empty() {
        w.facts.insert("insecure_ingresses", located_list(insecure));
    }
}

/// Claims by name: found or not, size and access modes; `storage_gib` totals the claimed
/// storage (claim templates once per replica).
fn join_claims(w: &mut Workload, index: &Index<'_>, j: &mut Joining, used: &mut Used) {
    let mut storage = None;
    if let Some(Value::Seq(claims)) = w.facts.get_mut("claims").map(|n| &mut n.value) {
        for c in claims.iter_mut() {
            if c.get("template").and_then(Node::as_bool) == Some(true) {
                if let Some(g) = c.get("storage_gib").and_then(Node::as_f64) {
                    *storage.get_or_insert(0.0) += g * j.replicas;
                }
                continue;
            }
            let name = c
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            let found = index.claims.get(&(j.namespace.clone(), name));
            c.insert("found", Node::bool(found.is_some(), 0));
            let Some(f) = found else { continue };
            used.mark(f);
            c.insert("location", Node::str(f.location(), 0));
            if let Some(g) = f
                .doc
                .at("spec.resources.requests.storage")
                .and_then(Node::scalar_text)
                .and_then(|s| k8s_quantity_gib(&s).ok())
            {
                c.insert("storage_gib", Node::float(g, 0));
                *storage.get_or_insert(0.0) += g;
            }
            let modes = texts(f.doc.at("spec.accessModes"))
                .into_iter()
                .map(|m| Node::str(m, 0))
                .collect();
            c.insert("access_modes", Node::seq(modes, 0));
        }
    }
    if let Some(total) = storage {
        w.facts.insert("storage_gib", Node::float(total, 0));
    }
}

/// The pod's ServiceAccount; its `automountServiceAccountToken` applies when the pod does
/// not say.
fn join_service_account(w: &mut Workload, index: &Index<'_>, j: &mut Joining, used: &mut Used) {
    let account = w
        .facts
        .at("pod.serviceAccountName")
        .or_else(|| w.facts.at("pod.serviceAccount"))
        .and_then(Node::scalar_text)
        .unwrap_or_else(|| "default".into());
    let found = index.accounts.get(&(j.namespace.clone(), account.clone()));
    let mut sa = Node::map(0);
    sa.insert("name", Node::str(account, 0));
    sa.insert("found", Node::bool(found.is_some(), 0));
    if let Some(f) = found {
        used.mark(f);
        sa.insert("location", Node::str(f.location(), 0));
        if let Some(a) = f
            .doc
            .get("automountServiceAccountToken")
            .filter(|n| !n.is_null())
        {
            let value = Node::bool(a.as_bool().unwrap_or(true), j.lines.at(f, a));
            sa.insert("automount", value.clone());
            if w.facts.at("pod.automountServiceAccountToken").is_none() {
                w.facts.insert("automount_token", value);
            }
        }
    }
    w.facts.insert("service_account", sa);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents;

    fn node(text: &str) -> Node {
        parse_documents(text)
            .unwrap_or_default()
            .pop()
            .unwrap_or_else(Node::null)
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn label_selectors_follow_kubernetes_semantics() {
        let labels = pairs(&[("app", "web"), ("tier", "frontend"), ("version", "2")]);
        let sel = |text: &str, all: bool| label_selector(Some(&node(text)), all);
        assert_eq!(sel("{}", true).map(|s| s.selects(&labels)), Ok(true));
        assert_eq!(sel("{}", false).map(|s| s.selects(&labels)), Ok(false));
        assert_eq!(
            label_selector(None, true).map(|s| s.selects(&labels)),
            Ok(false)
        );
        let ok = sel(
            "matchLabels: {app: web}\nmatchExpressions:\n  - {key: tier, operator: In, values: [frontend, edge]}\n  - {key: canary, operator: DoesNotExist}\n  - {key: version, operator: NotIn, values: ['1']}\n",
            true,
        );
        assert_eq!(ok.map(|s| s.selects(&labels)), Ok(true));
        let no = sel("matchLabels: {app: web, tier: backend}\n", true);
        assert_eq!(no.map(|s| s.selects(&labels)), Ok(false));
        let exists = sel(
            "matchExpressions: [{key: version, operator: Exists}]\n",
            true,
        );
        assert_eq!(exists.map(|s| s.selects(&labels)), Ok(true));
        let bad = sel("matchExpressions: [{key: a, operator: Near}]\n", true);
        assert!(bad.is_err_and(|(line, m)| line == 1 && m.contains("Near")));
        // numbers written as numbers still match their text
        let numeric = sel("matchLabels: {version: 2}\n", true);
        assert_eq!(numeric.map(|s| s.selects(&labels)), Ok(true));
        assert!(!service_selector(None).selects(&labels));
    }

    #[test]
    fn tls_hosts_cover_wildcards_only_one_level_deep() {
        assert!(host_covers("*.example.com", "shop.example.com"));
        assert!(!host_covers("*.example.com", "a.shop.example.com"));
        assert!(!host_covers("*.example.com", "example.com"));
        assert!(host_covers("Shop.example.com", "shop.example.com"));
    }

    #[test]
    fn budgets_that_block_every_eviction() {
        let spec = |t: &str| node(t);
        assert!(budget_blocks_eviction(
            Some(&spec("maxUnavailable: 0\n")),
            3.0
        ));
        assert!(budget_blocks_eviction(
            Some(&spec("maxUnavailable: 0%\n")),
            3.0
        ));
        assert!(!budget_blocks_eviction(
            Some(&spec("maxUnavailable: 1\n")),
            3.0
        ));
        assert!(budget_blocks_eviction(
            Some(&spec("minAvailable: 3\n")),
            3.0
        ));
        assert!(!budget_blocks_eviction(
            Some(&spec("minAvailable: 2\n")),
            3.0
        ));
        assert!(budget_blocks_eviction(
            Some(&spec("minAvailable: 100%\n")),
            3.0
        ));
        assert!(!budget_blocks_eviction(
            Some(&spec("minAvailable: 50%\n")),
            3.0
        ));
    }
}
