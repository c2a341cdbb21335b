//! What each companion's spec says, read on its own: an autoscaler's metrics, an Ingress's
//! or Route's backends and TLS hosts, a LimitRange's defaults, whether a disruption budget
//! blocks every eviction.

use foldhash::HashMap;

use super::companions::Found;
use crate::model::Workload;
use crate::node::{Node, Value};
use crate::units::{k8s_quantity, k8s_quantity_gib};

/// What an Ingress sends where: (service, host of its rule) pairs, the hosts its TLS
/// entries name, and whether a TLS entry without hosts covers every rule.
pub(super) struct IngressBackends {
    pub(super) backends: Vec<(String, Option<String>)>,
    pub(super) tls_hosts: Vec<String>,
    pub(super) tls_everywhere: bool,
}

#[derive(Default)]
pub(super) struct Defaults {
    pub(super) location: String,
    pub(super) request: [Option<String>; 2],
    pub(super) limit: [Option<String>; 2],
}

pub(super) fn positive_number(node: Option<&Node>) -> Result<Option<f64>, (u32, String)> {
    let Some(n) = node.filter(|n| !n.is_null()) else {
        return Ok(None);
    };
    match n.as_f64() {
        Some(v) if v >= 0.0 && v.fract() == 0.0 => Ok(Some(v)),
        _ => Err((
            n.line,
            format!("`{}` is not a whole number", n.display_text()),
        )),
    }
}

pub(super) fn texts(node: Option<&Node>) -> Vec<String> {
    node.and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::scalar_text)
        .collect()
}

/// What an autoscaler scales on: `cpu`, `memory`, `External`, KEDA trigger types, ...
pub(super) fn autoscaler_metrics(spec: Option<&Node>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(spec) = spec else { return out };
    if spec.get("targetCPUUtilizationPercentage").is_some() {
        out.push("cpu".to_string());
    }
    for m in spec
        .get("metrics")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let ty = m
            .get("type")
            .and_then(Node::scalar_text)
            .unwrap_or_default();
        let resource = m
            .at("resource.name")
            .or_else(|| m.at("containerResource.name"))
            .and_then(Node::scalar_text);
        out.push(resource.unwrap_or(ty));
    }
    for t in spec
        .get("triggers")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if let Some(ty) = t.get("type").and_then(Node::scalar_text) {
            out.push(ty);
        }
    }
    out.dedup();
    out
}

pub(super) fn ingress_backends(spec: Option<&Node>) -> IngressBackends {
    let mut backends = Vec::new();
    let Some(spec) = spec else {
        return IngressBackends {
            backends,
            tls_hosts: Vec::new(),
            tls_everywhere: false,
        };
    };
    let service_of = |b: &Node| {
        b.at("service.name")
            .or_else(|| b.get("serviceName"))
            .and_then(Node::scalar_text)
    };
    for key in ["defaultBackend", "backend"] {
        if let Some(s) = spec.get(key).and_then(service_of) {
            backends.push((s, None));
        }
    }
    for rule in spec.get("rules").and_then(Node::as_seq).unwrap_or_default() {
        let host = rule.get("host").and_then(Node::scalar_text);
        for path in rule
            .at("http.paths")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if let Some(s) = path.get("backend").and_then(service_of) {
                backends.push((s, host.clone()));
            }
        }
    }
    let mut tls_hosts = Vec::new();
    let mut tls_everywhere = false;
    for t in spec.get("tls").and_then(Node::as_seq).unwrap_or_default() {
        let hosts = texts(t.get("hosts"));
        if hosts.is_empty() {
            tls_everywhere = true;
        }
        tls_hosts.extend(hosts);
    }
    IngressBackends {
        backends,
        tls_hosts,
        tls_everywhere,
    }
}

/// Whether a TLS host (possibly `*.example.com`) covers a rule's host.
pub(super) fn host_covers(tls: &str, host: &str) -> bool {
    match tls.strip_prefix("*.") {
        Some(domain) => host
            .split_once('.')
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(domain)),
        None => tls.eq_ignore_ascii_case(host),
    }
}

/// Whether every Gateway listener a route attaches to terminates TLS; None when a parent
/// Gateway is not in the scan.
pub(super) fn route_tls(
    spec: Option<&Node>,
    namespace: &str,
    gateways: &HashMap<(String, String), &Node>,
) -> Option<bool> {
    let parents = spec
        .and_then(|s| s.get("parentRefs"))
        .and_then(Node::as_seq)
        .unwrap_or_default();
    if parents.is_empty() {
        return None;
    }
    let mut all_tls = true;
    for p in parents {
        let name = p.get("name").and_then(Node::scalar_text)?;
        let ns = p
            .get("namespace")
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| namespace.to_string());
        let gateway = gateways.get(&(ns, name))?;
        let section = p.get("sectionName").and_then(Node::scalar_text);
        let listeners = gateway
            .at("spec.listeners")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        let secure = listeners
            .iter()
            .filter(|l| {
                section
                    .as_deref()
                    .is_none_or(|s| l.get("name").and_then(Node::scalar_text).as_deref() == Some(s))
            })
            .all(|l| {
                l.get("protocol")
                    .and_then(Node::scalar_text)
                    .is_some_and(|p| p == "HTTPS" || p == "TLS")
            });
        all_tls &= secure;
    }
    Some(all_tls)
}

/// Container defaults of a LimitRange (`type: Container`): requests default to
/// `defaultRequest`, else to the default limit.
pub(super) fn limit_defaults(spec: Option<&Node>, found: &Found<'_>) -> Defaults {
    let mut d = Defaults {
        location: format!("LimitRange {} ({})", found.name, found.location()),
        ..Defaults::default()
    };
    for item in spec
        .and_then(|s| s.get("limits"))
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        if item.get("type").and_then(Node::scalar_text).as_deref() != Some("Container") {
            continue;
        }
        for (i, dim) in ["cpu", "memory"].iter().enumerate() {
            let get = |key: &str| {
                item.get(key)
                    .and_then(|m| m.get(dim))
                    .and_then(Node::scalar_text)
            };
            d.limit[i] = get("default");
            d.request[i] = get("defaultRequest").or_else(|| get("default"));
        }
    }
    d
}

/// Whether a budget allows no voluntary eviction at the workload's lowest replica count:
/// `maxUnavailable: 0` (or 0%), or `minAvailable` at least the replica count (or 100%).
pub(super) fn budget_blocks_eviction(spec: Option<&Node>, replicas: f64) -> bool {
    let value = |key: &str| spec.and_then(|s| s.get(key)).and_then(Node::scalar_text);
    if let Some(max) = value("maxUnavailable") {
        return matches!(max.trim(), "0" | "0%");
    }
    if let Some(min) = value("minAvailable") {
        let min = min.trim();
        if let Some(pct) = min.strip_suffix('%') {
            return pct.trim().parse::<f64>().is_ok_and(|p| p >= 100.0);
        }
        return min.parse::<f64>().is_ok_and(|m| m >= replicas);
    }
    false
}

/// Fills a container's missing requests and limits from the namespace's LimitRange, as the
/// admission controller would, and sizes the components from them.
pub(super) fn apply_defaults(w: &mut Workload, d: &Defaults) {
    for list in ["containers", "init_containers", "all_containers"] {
        let Some(Value::Seq(items)) = w.facts.get_mut(list).map(|n| &mut n.value) else {
            continue;
        };
        for c in items.iter_mut() {
            for (key, defaults) in [
                ("effective_requests", &d.request),
                ("effective_limits", &d.limit),
            ] {
                let Some(target) = c.get_mut(key) else {
                    continue;
                };
                for (i, dim) in ["cpu", "memory"].iter().enumerate() {
                    if target.get(dim).is_none()
                        && let Some(v) = &defaults[i]
                    {
                        target.insert(*dim, Node::str(v.clone(), 0));
                        target.insert("defaulted_by", Node::str(d.location.clone(), 0));
                    }
                }
            }
        }
    }
    let containers: Vec<Node> = w
        .facts
        .get("containers")
        .and_then(Node::as_seq)
        .map(<[Node]>::to_vec)
        .unwrap_or_default();
    for comp in &mut w.components {
        let Some(c) = containers.iter().find(|c| {
            c.get("name").and_then(Node::scalar_text).as_deref() == Some(comp.name.as_str())
        }) else {
            continue;
        };
        if comp.current.vcpu.is_none() {
            comp.current.vcpu = c
                .at("effective_requests.cpu")
                .and_then(Node::scalar_text)
                .and_then(|s| k8s_quantity(&s).ok());
        }
        if comp.current.memory_gib.is_none() {
            comp.current.memory_gib = c
                .at("effective_requests.memory")
                .and_then(Node::scalar_text)
                .and_then(|s| k8s_quantity_gib(&s).ok());
        }
    }
}
