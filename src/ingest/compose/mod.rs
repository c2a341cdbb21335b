//! Compose files (`compose.yaml`, `docker-compose*.yml`, or any YAML with a top-level
//! `services:` mapping named on the command line): every service of a project is a workload
//! `<project>/<service>` on generation 3, and its container is a component sized from its
//! reservations (else its limits).
//!
//! A project is what `docker compose` would run: ingest keeps each file as an object, and
//! `link` ([`project`]) merges a folder's override file onto its base file, applies
//! `extends`, brings in `include`d files and interpolates with the project's `.env`
//! ([`interpolate`], [`dotenv`]); the rules read the merged service, and every finding
//! points at the file and line where the offending value is written.
//!
//! The shell environment is never read, so that a report does not depend on the machine
//! that produced it: a variable `.env` does not set keeps its written default, or stays as
//! written and counts as unknown, never as a parse error.
//!
//! Facts are documented in `docs/writing-rules.md` ("Compose"). The document rules read is
//! the service (after merging and interpolation): `healthcheck`, `privileged`,
//! `deploy.resources`, ...

pub mod dotenv;
mod facts;
pub mod interpolate;
pub mod merge;
pub mod project;
mod projects;

use std::sync::Arc;

use super::image_ref;
use super::{FileOutput, IngestContext, Input, Object};
use crate::model::{
    Component, Generation, ScanError, Sizing, SourceSpan, Suppression, Target, Workload,
    WorkloadKind,
};
use crate::node::{Node, Value};
use crate::source::SourceFile;

pub struct Compose;

/// The service label that suppresses rules, as the Kubernetes annotation does.
const IGNORE_LABEL: &str = "fitscan.io/ignore";

impl Input for Compose {
    fn name(&self) -> &'static str {
        "compose"
    }

    fn facts(&self) -> &'static [crate::model::FactGroup] {
        facts::FACTS
    }

    fn yaml_markers(&self) -> &'static [&'static str] {
        &["services", "include"]
    }

    fn claims_document(&self, doc: &Node, file: &SourceFile) -> bool {
        let services_map = doc
            .get("services")
            .is_some_and(|s| matches!(s.value, Value::Map(_)));
        // A root file may hold only `include:` (Compose 2.20+).
        let includes = doc
            .get("include")
            .is_some_and(|s| matches!(s.value, Value::Seq(_)));
        let named = is_compose_file_name(&file.file_name());
        doc.get("kind").is_none()
            && ((services_map && (named || file.explicit)) || (includes && named))
    }

    fn ingest_document(
        &self,
        doc: Node,
        file: &SourceFile,
        _ctx: &IngestContext,
        out: &mut FileOutput,
    ) {
        let text = file.text().unwrap_or_default();
        // The tags that change merging are read only where they are written.
        let parsed = if text.contains("!reset") || text.contains("!override") {
            project::parse(&file.path, Arc::clone(&file.display), text)
        } else {
            Ok(project::ComposeFile {
                path: crate::ingest::normalise(&file.path),
                display: Arc::clone(&file.display),
                lines: crate::ingest::line_count(text),
                doc,
                tags: Vec::new(),
            })
        };
        match parsed {
            Ok(f) => out.objects.push(project::envelope(f)),
            Err(e) => out.errors.push(e),
        }
    }

    fn link(
        &self,
        workloads: &mut Vec<Workload>,
        objects: Vec<Object>,
        errors: &mut Vec<ScanError>,
        ctx: &IngestContext,
    ) -> Vec<crate::model::Skipped> {
        use rayon::prelude::*;
        let projects = project::assemble(objects, ctx, errors);
        let built: Vec<(Vec<Workload>, Vec<ScanError>)> =
            projects.into_par_iter().map(project_workloads).collect();
        for (mut w, mut e) in built {
            workloads.append(&mut w);
            errors.append(&mut e);
        }
        Vec::new()
    }
}

/// The workloads of an assembled project, and the errors found building them.
fn project_workloads(p: project::Assembled) -> (Vec<Workload>, Vec<ScanError>) {
    let mut workloads = Vec::with_capacity(p.services.len());
    let mut errors = Vec::new();
    let one_shots = run_to_completion(&p.services);
    for (name, service, seen) in p.services {
        let mut problems = Vec::new();
        let mut w = build_service(&name, service, &p.name, &p.home.display, &mut problems);
        let one_shot = one_shots.iter().find(|(n, _)| *n == name).map(|(_, l)| *l);
        w.facts.insert(
            "one_shot",
            Node::bool(one_shot.is_some(), one_shot.unwrap_or(0)),
        );
        w.sources.clone_from(&p.spans);
        // A service only an override or included file declares belongs to that file (per-path
        // ignores, `facts.file`); the project's own file then numbers from 0 like the others.
        let (declared_in, _) = w.locate(w.line);
        if declared_in != w.file {
            w.sources.insert(
                0,
                SourceSpan {
                    file: std::mem::replace(&mut w.file, declared_in),
                    offset: 0,
                },
            );
        }
        // Lines are in the project's numbering: each error and suppression is reported in
        // the file it is written in.
        for mut e in problems {
            if let Some(l) = e.line {
                let (file, line) = w.locate(l);
                e.file = file.to_string();
                e.line = Some(line);
            }
            errors.push(e);
        }
        for s in &mut w.suppressions {
            (s.file, s.line) = SourceSpan::locate(&w.file, &w.sources, s.line);
        }
        if let Some(note) = provenance_note(&seen) {
            w.notes.push(note);
        }
        workloads.push(w);
    }
    (workloads, errors)
}

/// Services another service waits on to complete (`depends_on: {NAME: {condition:
/// service_completed_successfully}}`): run-to-completion jobs (migrations, seeders), with
/// the line of the first condition naming each.
fn run_to_completion(services: &[(String, Node, interpolate::Provenance)]) -> Vec<(String, u32)> {
    let mut found: Vec<(String, u32)> = Vec::new();
    for (_, service, _) in services {
        let Some(Value::Map(deps)) = service.get("depends_on").map(|n| &n.value) else {
            continue;
        };
        for d in deps {
            let completes = d
                .value
                .get("condition")
                .and_then(Node::as_str)
                .is_some_and(|c| c == "service_completed_successfully");
            if completes && !found.iter().any(|(n, _)| *n == d.key) {
                found.push((d.key.clone(), d.value.line));
            }
        }
    }
    found
}

/// Which values interpolation took from a `.env` or from a default written in the file,
/// for a reader to weigh the findings that depend on them.
fn provenance_note(seen: &interpolate::Provenance) -> Option<String> {
    let mut by_file: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (name, file) in &seen.from_env {
        by_file.entry(file).or_default().push(name);
    }
    let mut parts: Vec<String> = by_file
        .into_iter()
        .map(|(file, names)| format!("set by {file}: {}", names.join(", ")))
        .collect();
    if !seen.defaulted.is_empty() {
        let names: Vec<&str> = seen.defaulted.iter().map(String::as_str).collect();
        parts.push(format!(
            "defaults written in the file taken for {}",
            names.join(", ")
        ));
    }
    (!parts.is_empty()).then(|| {
        format!(
            "Compose variables {} (the shell at deploy time may set them otherwise)",
            parts.join("; ")
        )
    })
}

/// `compose.yaml`, `compose.override.yml`, `docker-compose.yml`, `docker-compose.prod.yaml`,
/// `docker-compose-dev.yml` (any case).
pub fn is_compose_file_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let Some(stem) = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
    else {
        return false;
    };
    stem == "compose" || stem.starts_with("compose.") || stem.starts_with("docker-compose")
}

/// A declared project name, else the folder of the file, normalised as Compose does (lower
/// case; letters, digits, `-` and `_`).
fn normalise_project(declared: Option<String>, path: &std::path::Path) -> String {
    let from_dir = || {
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = match parent {
            Some(p) => p.file_name().map(|n| n.to_string_lossy().to_string()),
            None => std::env::current_dir()
                .ok()
                .and_then(|d| d.file_name().map(|n| n.to_string_lossy().to_string())),
        };
        dir.unwrap_or_default()
    };
    let raw = declared.unwrap_or_else(from_dir);
    let normalised: String = raw
        .to_ascii_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    let trimmed = normalised.trim_start_matches(['-', '_']).to_string();
    if trimmed.is_empty() {
        "compose".to_string()
    } else {
        trimmed
    }
}

// ---------------------------------------------------------------------------------------
// Services

struct Problems<'a> {
    file: &'a str,
    service: &'a str,
    errors: &'a mut Vec<ScanError>,
}

impl Problems<'_> {
    fn push(&mut self, line: u32, message: impl std::fmt::Display) {
        self.errors.push(ScanError::parse(
            self.file,
            Some(line),
            format!("Compose service `{}`: {message}", self.service),
        ));
    }
}

/// Docker's byte sizes (`512m`, `1g`, `1.5GB`, `2GiB`, a bare number of bytes), 1024-based,
/// in GiB. None (and no error) for text still holding a variable.
fn bytes_gib(node: &Node, field: &str, problems: &mut Problems<'_>) -> Option<f64> {
    const GIB: f64 = 1024.0 * 1024.0 * 1024.0;
    let Some(text) = node.scalar_text() else {
        problems.push(
            node.line,
            format!("{field}: expected a size such as 512m or 2g"),
        );
        return None;
    };
    let t = text.trim();
    if t.is_empty() || t.contains('$') {
        return None;
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let factor = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => GIB,
        "t" | "tb" | "tib" => GIB * 1024.0,
        _ => f64::NAN,
    };
    match num.parse::<f64>() {
        Ok(n) if factor.is_finite() && n.is_finite() => Some(n * factor / GIB),
        _ => {
            problems.push(
                node.line,
                format!("{field}: `{t}` is not a size (use e.g. 512m or 2g)"),
            );
            None
        }
    }
}

fn cpus(node: &Node, field: &str, problems: &mut Problems<'_>) -> Option<f64> {
    let Some(text) = node.scalar_text() else {
        problems.push(node.line, format!("{field}: expected a number of CPUs"));
        return None;
    };
    if text.contains('$') {
        return None;
    }
    match node.as_f64() {
        Some(v) if v >= 0.0 => Some(v),
        _ => {
            problems.push(
                node.line,
                format!("{field}: `{}` is not a number of CPUs", text.trim()),
            );
            None
        }
    }
}

/// One mount of a service, from the short (`./data:/var/lib/data:ro`) or the long syntax.
struct Mount {
    kind: &'static str,
    source: String,
    target: String,
    read_only: bool,
    line: u32,
}

fn is_host_path(source: &str) -> bool {
    source.starts_with('/')
        || source.starts_with("./")
        || source.starts_with("../")
        || source == "."
        || source == ".."
        || source.starts_with('~')
        || source.starts_with("\\\\")
        || (source.len() > 2
            && source.as_bytes()[1] == b':'
            && source.as_bytes()[0].is_ascii_alphabetic())
}

fn mounts_of(service: &Node) -> Vec<Mount> {
    let mut out = Vec::new();
    for v in service
        .get("volumes")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        match &v.value {
            Value::Str(s) => {
                // `C:\data:/data` has a drive letter: split on the colons after it.
                let drive =
                    s.len() > 2 && s.as_bytes()[1] == b':' && s.as_bytes()[0].is_ascii_alphabetic();
                let body = if drive { &s[2..] } else { s.as_str() };
                let parts: Vec<&str> = body.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [target] => (String::new(), (*target).to_string(), ""),
                    [source, target] => ((*source).to_string(), (*target).to_string(), ""),
                    [source, target, mode, ..] => {
                        ((*source).to_string(), (*target).to_string(), *mode)
                    }
                    [] => continue,
                };
                let source = if drive {
                    format!("{}{source}", &s[..2])
                } else {
                    source
                };
                let kind = if source.is_empty() {
                    "volume"
                } else if is_host_path(&source) {
                    "bind"
                } else {
                    "volume"
                };
                let read_only = mode.split(',').any(|m| m == "ro");
                out.push(Mount {
                    kind,
                    source,
                    target,
                    read_only,
                    line: v.line,
                });
            }
            Value::Map(_) => {
                let text = |k: &str| v.get(k).and_then(Node::scalar_text).unwrap_or_default();
                let source = text("source");
                let kind = match text("type").as_str() {
                    "bind" => "bind",
                    "tmpfs" => "tmpfs",
                    "npipe" => "npipe",
                    "image" => "image",
                    "volume" => "volume",
                    _ if is_host_path(&source) => "bind",
                    _ => "volume",
                };
                out.push(Mount {
                    kind,
                    source,
                    target: text("target"),
                    read_only: v.get("read_only").and_then(Node::as_bool) == Some(true),
                    line: v.line,
                });
            }
            _ => {}
        }
    }
    out
}

/// Environment entries as (name, value node or None for a pass-through), from the list
/// (`KEY=value`, `KEY`) or the mapping syntax.
fn environment_of(service: &Node) -> Vec<(String, Option<Node>, u32)> {
    let mut out = Vec::new();
    match service.get("environment").map(|n| &n.value) {
        Some(Value::Map(entries)) => {
            for e in entries {
                let value = (!e.value.is_null()).then(|| e.value.clone());
                out.push((e.key.clone(), value, e.value.line));
            }
        }
        Some(Value::Seq(items)) => {
            for item in items {
                let Some(text) = item.scalar_text() else {
                    continue;
                };
                match text.split_once('=') {
                    Some((k, v)) => out.push((
                        k.trim().to_string(),
                        Some(Node::str(v, item.line)),
                        item.line,
                    )),
                    None => out.push((text.trim().to_string(), None, item.line)),
                }
            }
        }
        _ => {}
    }
    out
}

/// Labels as (key, value node), from the mapping or the `key=value` list syntax.
fn labels_of(service: &Node) -> Vec<(String, Node)> {
    match service.get("labels").map(|n| &n.value) {
        Some(Value::Map(entries)) => entries
            .iter()
            .map(|e| (e.key.clone(), e.value.clone()))
            .collect(),
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| {
                let t = i.scalar_text()?;
                let (k, v) = t.split_once('=')?;
                Some((k.trim().to_string(), Node::str(v.trim(), i.line)))
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn suppressions_of(
    service: &Node,
    file: &Arc<str>,
    problems: &mut Problems<'_>,
) -> Vec<Suppression> {
    let Some((_, node)) = labels_of(service)
        .into_iter()
        .find(|(k, _)| k == IGNORE_LABEL)
    else {
        return Vec::new();
    };
    super::ignore_list(&node, file).unwrap_or_else(|| {
        problems.push(
            node.line,
            format!("label {IGNORE_LABEL} names no rule (expected \"RULE,RULE: reason\")"),
        );
        Vec::new()
    })
}

/// Published ports, each `{published, target, host_ip, all_interfaces}` at its line.
/// A long-syntax port (`{target: 80, published: "8080", host_ip: ..., protocol: udp}`) in the
/// short syntax a reader knows from `docker ps`: `8080:80/udp`, `[::1]:8080:80`.
fn short_port_syntax(
    host_ip: &str,
    published: &str,
    target: &str,
    protocol: Option<&str>,
) -> String {
    let mut text = String::new();
    if !host_ip.is_empty() {
        if host_ip.contains(':') {
            text.push_str(&format!("[{host_ip}]:"));
        } else {
            text.push_str(&format!("{host_ip}:"));
        }
    }
    if !published.is_empty() {
        text.push_str(published);
        text.push(':');
    }
    text.push_str(target);
    if let Some(protocol) = protocol.filter(|p| !p.is_empty() && *p != "tcp") {
        text.push('/');
        text.push_str(protocol);
    }
    text
}

fn ports_of(service: &Node) -> Vec<Node> {
    let mut out = Vec::new();
    for p in service
        .get("ports")
        .and_then(Node::as_seq)
        .unwrap_or_default()
    {
        let (host_ip, published, target) = match &p.value {
            Value::Map(_) => {
                let t = |k: &str| p.get(k).and_then(Node::scalar_text).unwrap_or_default();
                (t("host_ip"), t("published"), t("target"))
            }
            _ => {
                let Some(text) = p.scalar_text() else {
                    continue;
                };
                let spec = text.split('/').next().unwrap_or("").to_string();
                // `[::1]:8080:80`, `127.0.0.1:8080:80`, `8080:80`, `80`
                let (ip, rest) = if let Some(stripped) = spec.strip_prefix('[') {
                    match stripped.split_once("]:") {
                        Some((ip, rest)) => (ip.to_string(), rest.to_string()),
                        None => (String::new(), spec.clone()),
                    }
                } else {
                    let parts: Vec<&str> = spec.split(':').collect();
                    if parts.len() == 3 {
                        (parts[0].to_string(), format!("{}:{}", parts[1], parts[2]))
                    } else {
                        (String::new(), spec.clone())
                    }
                };
                match rest.split_once(':') {
                    Some((published, target)) => (ip, published.to_string(), target.to_string()),
                    // Only the container port: Docker publishes it on an ephemeral host port.
                    None => (ip, String::new(), rest),
                }
            }
        };
        let mut n = Node::map(p.line);
        let all = host_ip.is_empty() || host_ip == "0.0.0.0" || host_ip == "::";
        n.insert("published", Node::str(published.clone(), p.line));
        n.insert("target", Node::str(target.clone(), p.line));
        n.insert("host_ip", Node::str(host_ip.clone(), p.line));
        n.insert("all_interfaces", Node::bool(all, p.line));
        let text = p.scalar_text().unwrap_or_else(|| {
            let protocol = p.get("protocol").and_then(Node::scalar_text);
            short_port_syntax(&host_ip, &published, &target, protocol.as_deref())
        });
        n.insert("text", Node::str(text, p.line));
        out.push(n);
    }
    out
}

fn build_service(
    name: &str,
    service: Node,
    project: &str,
    file: &Arc<str>,
    errors: &mut Vec<ScanError>,
) -> Workload {
    let mut problems = Problems {
        file,
        service: name,
        errors,
    };
    let line = service.line.max(1);
    if service.get("image").is_none() && service.get("build").is_none() {
        problems.push(line, "has neither `image` nor `build`");
    }
    let mut facts = Node::map(0);
    facts.insert("project", Node::str(project, 0));
    facts.insert("service", Node::str(name, line));

    // Replicas: deploy.replicas, else the legacy `scale`; `deploy.mode: global` runs one per
    // node.
    let global = service
        .at("deploy.mode")
        .and_then(Node::scalar_text)
        .is_some_and(|m| m == "global");
    let replicas_node = service
        .at("deploy.replicas")
        .or_else(|| service.get("scale"))
        .filter(|n| !n.is_null());
    let replicas = match replicas_node {
        Some(n) => match n.as_f64() {
            Some(v) if v >= 0.0 && v.fract() == 0.0 => Some((v, n.line)),
            _ if n.scalar_text().is_some_and(|t| t.contains('$')) => None,
            _ => {
                problems.push(
                    n.line,
                    format!("replicas: `{}` is not a whole number", n.display_text()),
                );
                None
            }
        },
        None => None,
    };
    let (count, replicas_line) = replicas.unwrap_or((1.0, 0));
    facts.insert("replicas", Node::float(count, replicas_line));
    facts.insert(
        "replicas_set",
        Node::bool(replicas.is_some(), replicas_line),
    );
    facts.insert("global", Node::bool(global, 0));

    if let Some(img) = service.get("image") {
        if img.scalar_text().is_none() {
            problems.push(img.line, "image must be text");
        }
        image_ref::insert_facts(&mut facts, img);
    }
    facts.insert("builds", Node::bool(service.get("build").is_some(), 0));

    // Restart policy: `restart`, else `deploy.restart_policy.condition`.
    if let Some(r) = service
        .get("restart")
        .or_else(|| service.at("deploy.restart_policy.condition"))
        .filter(|n| !n.is_null())
    {
        facts.insert("restart_policy", r.clone());
    }

    // Health check, and whether it is switched off.
    if let Some(hc) = service.get("healthcheck") {
        let disabled = hc.get("disable").and_then(Node::as_bool) == Some(true)
            || hc.get("test").is_some_and(|t| {
                let text = match &t.value {
                    Value::Seq(items) => items.first().and_then(Node::scalar_text),
                    _ => t.scalar_text(),
                };
                text.is_some_and(|s| s.trim().eq_ignore_ascii_case("none"))
            });
        facts.insert("healthcheck_disabled", Node::bool(disabled, hc.line));
    }

    // Resources: deploy.resources, else the service-level fields.
    let mut limits = Node::map(0);
    let mut reservations = Node::map(0);
    let limit_cpu = service
        .at("deploy.resources.limits.cpus")
        .or_else(|| service.get("cpus"))
        .filter(|n| !n.is_null());
    let limit_mem = service
        .at("deploy.resources.limits.memory")
        .or_else(|| service.get("mem_limit"))
        .filter(|n| !n.is_null());
    let res_cpu = service
        .at("deploy.resources.reservations.cpus")
        .filter(|n| !n.is_null());
    let res_mem = service
        .at("deploy.resources.reservations.memory")
        .or_else(|| service.get("mem_reservation"))
        .filter(|n| !n.is_null());
    let mut sizing = Sizing::default();
    if let Some(n) = limit_cpu
        && let Some(v) = cpus(n, "cpus", &mut problems)
    {
        limits.insert("vcpu", Node::float(v, n.line));
    }
    if let Some(n) = limit_mem
        && let Some(v) = bytes_gib(n, "memory limit", &mut problems)
    {
        limits.insert("memory_gib", Node::float(v, n.line));
    }
    if let Some(n) = res_cpu
        && let Some(v) = cpus(n, "cpus reservation", &mut problems)
    {
        reservations.insert("vcpu", Node::float(v, n.line));
    }
    if let Some(n) = res_mem
        && let Some(v) = bytes_gib(n, "memory reservation", &mut problems)
    {
        reservations.insert("memory_gib", Node::float(v, n.line));
    }
    for dim in ["vcpu", "memory_gib"] {
        // The size a service is planned at: its reservation, else its limit.
        if let Some(n) = reservations.get(dim).or_else(|| limits.get(dim)).cloned() {
            let v = n.as_f64();
            match dim {
                "vcpu" => sizing.vcpu = v,
                _ => sizing.memory_gib = v,
            }
            if let Some(v) = v {
                facts.insert(dim, Node::float(v * count, n.line));
            }
        }
    }
    if limits.as_map().is_some_and(|m| !m.is_empty()) {
        facts.insert("limits", limits);
    }
    if reservations.as_map().is_some_and(|m| !m.is_empty()) {
        facts.insert("reservations", reservations);
    }

    // Mounts
    let mounts = mounts_of(&service);
    let mut mount_nodes = Vec::new();
    let mut binds = Vec::new();
    let mut sockets = Vec::new();
    let mut persistent = Vec::new();
    for m in &mounts {
        let mut n = Node::map(m.line);
        n.insert("type", Node::str(m.kind, m.line));
        n.insert("source", Node::str(m.source.clone(), m.line));
        n.insert("target", Node::str(m.target.clone(), m.line));
        n.insert("read_only", Node::bool(m.read_only, m.line));
        mount_nodes.push(n);
        let text = if m.source.is_empty() {
            m.target.clone()
        } else {
            format!("{}:{}", m.source, m.target)
        };
        let socket = m.source.ends_with("docker.sock") || m.target.ends_with("docker.sock");
        if socket {
            sockets.push(Node::str(text.clone(), m.line));
        } else if m.kind == "bind" && !m.read_only {
            binds.push(Node::str(text.clone(), m.line));
        }
        // Named volumes keep data beyond the container; anonymous ones go with it.
        let named = m.kind == "volume" && !m.source.is_empty();
        if named || (m.kind == "bind" && !socket) {
            persistent.push(Node::str(text, m.line));
        }
    }
    if !mount_nodes.is_empty() {
        facts.insert("mounts", Node::seq(mount_nodes, 0));
    }
    if !binds.is_empty() {
        facts.insert("bind_mounts", Node::seq(binds, 0));
    }
    if !sockets.is_empty() {
        facts.insert("docker_socket", Node::seq(sockets, 0));
    }
    if !persistent.is_empty() {
        facts.insert("persistent_mounts", Node::seq(persistent, 0));
    }

    // Environment
    let env: Vec<Node> = environment_of(&service)
        .into_iter()
        .map(|(key, value, l)| {
            let mut n = Node::map(l);
            n.insert("name", Node::str(key, l));
            if let Some(v) = value {
                // Values still holding a variable come from the shell at deploy time.
                let unresolved = v.scalar_text().is_some_and(|t| t.contains('$'));
                n.insert("unresolved", Node::bool(unresolved, v.line));
                if !unresolved {
                    n.insert("value", v);
                }
            }
            n
        })
        .collect();
    let external = !env.is_empty()
        || service.get("env_file").is_some()
        || service.get("configs").is_some()
        || service.get("secrets").is_some()
        || service.get("command").is_some();
    facts.insert("external_config", Node::bool(external, 0));
    if let Some(cmd) =
        crate::ingest::command_line(&[service.get("entrypoint"), service.get("command")])
    {
        facts.insert("command_line", cmd);
    }
    if !env.is_empty() {
        let l = service.get("environment").map_or(0, |n| n.line);
        facts.insert("environment", Node::seq(env, l));
    }

    let ports = ports_of(&service);
    if !ports.is_empty() {
        facts.insert("ports", Node::seq(ports, 0));
    }

    let suppressions = suppressions_of(&service, file, &mut problems);
    let full_name = format!("{project}/{name}");
    let component = Component {
        name: name.to_string(),
        line,
        count,
        current: sizing,
        demand: None,
        traits: Default::default(),
    };
    let mut w = Workload::new(
        WorkloadKind::Compose,
        Target::Compose,
        full_name,
        Arc::clone(file),
        line,
        Generation::CloudNative,
        service,
    );
    w.facts = facts;
    w.components = vec![component];
    w.suppressions = suppressions;
    if global {
        w.notes
            .push("deploy.mode global: one container on every node; sizes are per node".into());
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest, link};

    /// One file read and its project assembled, as a scan does.
    fn read(file: &SourceFile) -> FileOutput {
        let ctx = IngestContext::default();
        let mut out = ingest(file, &ctx);
        let objects = std::mem::take(&mut out.objects);
        link(&mut out.workloads, objects, &mut out.errors, &ctx);
        out
    }

    fn run(name: &str, text: &str) -> FileOutput {
        read(&SourceFile::from_text(name, text))
    }

    #[test]
    fn compose_file_names() {
        for ok in [
            "compose.yaml",
            "compose.yml",
            "docker-compose.yml",
            "Docker-Compose.YAML",
            "docker-compose.prod.yml",
            "docker-compose-dev.yaml",
            "compose.override.yaml",
        ] {
            assert!(is_compose_file_name(ok), "{ok}");
        }
        for no in [
            "values.yaml",
            "mycompose.yaml",
            "compose.json",
            "docker-compose",
        ] {
            assert!(!is_compose_file_name(no), "{no}");
        }
    }

    const SHOP: &str = "\
name: Shop
services:
  web:
    image: ${REGISTRY:-ghcr.io/acme}/web:${TAG:-1.4.2}
    deploy:
      replicas: 3
      resources:
        limits: { cpus: '1.5', memory: 1g }
        reservations: { cpus: '0.5', memory: 512m }
    volumes:
      - ./static:/srv/static:ro
      - data:/var/lib/web
    environment:
      - DB_PASSWORD=hunter2
      - API_TOKEN=${API_TOKEN}
      - MODE
    ports: ['127.0.0.1:8080:80', '9090:90']
  db:
    image: postgres
    mem_limit: lots
volumes:
  data: {}
";

    #[test]
    fn long_syntax_ports_read_as_the_short_syntax() {
        let out = run(
            "compose.yaml",
            "services:\n  web:\n    image: nginx:1.27\n    ports:\n      - target: 80\n        published: \"8080\"\n      - { target: 53, published: 5353, protocol: udp, host_ip: \"::1\" }\n      - { target: 9000, host_ip: 127.0.0.1 }\n",
        );
        let ports = out.workloads[0]
            .facts
            .get("ports")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        let texts: Vec<(&str, bool)> = ports
            .iter()
            .map(|p| {
                (
                    p.get("text").and_then(Node::as_str).unwrap_or("?"),
                    p.get("all_interfaces")
                        .and_then(Node::as_bool)
                        .unwrap_or(false),
                )
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                ("8080:80", true),
                ("[::1]:5353:53/udp", false),
                ("127.0.0.1:9000", false)
            ]
        );
    }

    #[test]
    fn services_become_workloads_with_facts_and_sizes() {
        let out = run("deploy/compose.yaml", SHOP);
        let names: Vec<&str> = out.workloads.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, vec!["shop/web", "shop/db"]);
        let web = &out.workloads[0];
        assert_eq!(web.id, "compose:shop/web");
        assert_eq!(web.line, 3);
        let f = &web.facts;
        assert_eq!(f.get("image_tag").and_then(Node::as_str), Some("1.4.2"));
        assert_eq!(
            f.get("image_repository").and_then(Node::as_str),
            Some("ghcr.io/acme/web")
        );
        assert_eq!(f.get("replicas").and_then(Node::as_f64), Some(3.0));
        let c = &web.components[0];
        assert_eq!(
            (c.count, c.current.vcpu, c.current.memory_gib),
            (3.0, Some(0.5), Some(0.5))
        );
        assert_eq!(f.at("limits.memory_gib").and_then(Node::as_f64), Some(1.0));
        assert_eq!(
            f.get("bind_mounts"),
            None,
            "read-only binds are configuration"
        );
        assert_eq!(
            f.get("persistent_mounts")
                .and_then(Node::as_seq)
                .map(<[Node]>::len),
            Some(2)
        );
        let env = f
            .get("environment")
            .and_then(Node::as_seq)
            .unwrap_or_default();
        assert_eq!(env[0].get("value").and_then(Node::as_str), Some("hunter2"));
        assert_eq!(
            env[1].get("value"),
            None,
            "unresolved values are not literals"
        );
        assert_eq!(env[2].get("value"), None, "pass-through");
        let ports = f.get("ports").and_then(Node::as_seq).unwrap_or_default();
        assert_eq!(
            ports[0].get("all_interfaces").and_then(Node::as_bool),
            Some(false)
        );
        assert_eq!(
            ports[1].get("all_interfaces").and_then(Node::as_bool),
            Some(true)
        );
        // a bad size is an error at its line; the service survives with the size unknown
        assert_eq!(out.errors.len(), 1, "{:?}", out.errors);
        assert_eq!(out.errors[0].line, Some(20));
        assert!(out.errors[0].message.contains("`db`"));
        assert_eq!(out.workloads[1].components[0].current.memory_gib, None);
    }

    #[test]
    fn project_is_the_folder_without_a_name() {
        let out = run(
            "apps/My Shop/docker-compose.yml",
            "services:\n  web: { image: nginx:1.27 }\n",
        );
        assert_eq!(out.workloads[0].name, "myshop/web");
    }

    #[test]
    fn only_compose_names_are_claimed_when_walking() {
        let text = "services:\n  web: { image: nginx:1.27 }\n";
        let mut walked = SourceFile::from_text("x/values.yaml", text);
        walked.explicit = false;
        let out = read(&walked);
        assert!(out.workloads.is_empty());
        let out = run("x/stack.yml", text);
        assert_eq!(out.workloads.len(), 1, "named on the command line");
        // a list of services (GitLab CI) is not Compose
        let out = run("x/.gitlab-ci.yml", "services:\n  - docker:dind\n");
        assert!(out.workloads.is_empty());
    }

    #[test]
    fn long_syntax_mounts_sockets_and_windows_paths() {
        let text = "\
services:
  agent:
    image: agent:2
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
      - type: bind
        source: ./data
        target: /data
      - C:\\data:/data:rw
      - /scratch
";
        let out = run("compose.yaml", text);
        let f = &out.workloads[0].facts;
        let binds: Vec<String> = f
            .get("bind_mounts")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::scalar_text)
            .collect();
        assert_eq!(binds, vec!["./data:/data", "C:\\data:/data"]);
        assert_eq!(
            f.get("docker_socket")
                .and_then(Node::as_seq)
                .map(|s| s[0].line),
            Some(5)
        );
    }
}
