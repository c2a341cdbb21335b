//! `--anonymise`: replaces workload names, hosts, clusters, datacenters, folders, vCenters
//! and input paths by stable hashes everywhere in the report (names inside messages,
//! remediations, notes and errors included), so that a report can leave the customer.
//!
//! A token is a prefix and ten hex digits of a keyed FNV-1a hash: the same name gives the
//! same token in every run and every output with the same key, so reports can still be
//! compared. Without `--anonymise-key` the key is empty and a short, guessable name (`dc01`)
//! can be found by hashing candidates; give a secret key when that matters.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use std::sync::LazyLock;

use regex::Regex;

use crate::model::WorkloadKind;

use crate::assessment::Report;

/// Labels whose values identify the customer's estate.
const SENSITIVE_LABELS: &[(&str, &str)] = &[
    ("datacenter", "dc"),
    ("cluster", "cluster"),
    ("host", "host"),
    ("folder", "folder"),
    ("vapp", "vapp"),
    ("vcenter", "vcenter"),
    ("kubernetes-cluster", "k8s-cluster"),
];

struct Tokens {
    key: String,
    map: HashMap<String, String>,
}

impl Tokens {
    fn token(&mut self, prefix: &str, value: &str) -> String {
        if let Some(t) = self.map.get(value) {
            return t.clone();
        }
        let hash = crate::model::fingerprint(&[&self.key, value]);
        let t = format!("{prefix}-{}", &hash[..10]);
        self.map.insert(value.to_string(), t.clone());
        t
    }

    /// An input path as `file-<hash>.<ext>`, keeping the extension a reader needs to tell
    /// an inventory from a manifest.
    fn path(&mut self, path: &str) -> String {
        if let Some(t) = self.map.get(path) {
            return t.clone();
        }
        let ext = std::path::Path::new(path)
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| format!(".{e}"))
            .unwrap_or_default();
        let t = format!("{}{ext}", self.token("file", path));
        self.map.insert(path.to_string(), t.clone());
        t
    }
}

/// The token `apply` gives the input path `path` (for paths the caller records after the
/// scan, such as the config file).
pub fn path_token(key: &str, path: &str) -> String {
    Tokens {
        key: key.to_string(),
        map: HashMap::new(),
    }
    .path(path)
}

/// The prefix of a workload name's token.
fn name_prefix(kind: WorkloadKind) -> &'static str {
    match kind {
        WorkloadKind::Vm => "vm",
        WorkloadKind::ContainerImage => "image",
        WorkloadKind::Kubernetes => "k8s",
        WorkloadKind::Compose => "service",
        WorkloadKind::Vnf => "vnf",
        WorkloadKind::KubernetesCluster => "k8s-cluster",
    }
}

/// The token `apply` gives a workload's name: messages rendered while assessing name the
/// workload by it, so that no free-text search has to find the name in them.
pub fn name_token(key: &str, kind: WorkloadKind, name: &str) -> String {
    Tokens {
        key: key.to_string(),
        map: HashMap::new(),
    }
    .token(name_prefix(kind), name)
}

/// What an e-mail address becomes.
pub const EMAIL_REMOVED: &str = "[e-mail removed]";

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}").ok()
});

/// `text` without its e-mail addresses (a MAINTAINER, a label, a contact in a note).
fn remove_emails(text: &mut String) {
    if !text.contains('@') {
        return;
    }
    if let Some(re) = EMAIL.as_ref()
        && let std::borrow::Cow::Owned(clean) = re.replace_all(text, EMAIL_REMOVED)
    {
        *text = clean;
    }
}

/// Whether a name can be found as a bare word in free text without hitting anything
/// else: it holds a letter and a digit (`db01`) or a separator (`web-1`, `app.prod`).
/// A name of letters only (`RHEL`, `payroll`) or digits only (`8`) would also match an
/// operating system, a figure or a word of a message: it is replaced only where it is
/// quoted (`` `RHEL` ``, `'8'`, `"payroll"`).
fn distinctive(name: &str) -> bool {
    let letters = name.chars().any(char::is_alphabetic);
    let digits = name.chars().any(|c| c.is_ascii_digit());
    (letters && digits)
        || name
            .chars()
            .any(|c| matches!(c, '-' | '_' | '.' | '/' | ':'))
}

/// Replaces every sensitive value in `report`; `key` salts the hashes.
pub fn apply(report: &mut Report, key: &str) {
    let mut tokens = Tokens {
        key: key.to_string(),
        map: HashMap::new(),
    };
    // Paths first, so that a name that is also part of a path keeps the path's token.
    for w in &mut report.workloads {
        let file = tokens.path(&w.file);
        w.file = file.as_str().into();
    }
    for w in &mut report.workloads {
        // Always the name's own token (as `name_token` gives messages), even when the name
        // is also a path seen first (a Dockerfile's folder `.`).
        let token = name_token(&tokens.key, w.kind, &w.name);
        tokens
            .map
            .entry(w.name.clone())
            .or_insert_with(|| token.clone());
        // The id ends with the name (`vm:db01`, `kubernetes:Deployment/ns/web`, then `#2`
        // when made unique): that part is the name's token, whatever the name.
        let (base, suffix) = match w.id.rfind('#') {
            Some(i) if w.id[i + 1..].chars().all(|c| c.is_ascii_digit()) => w.id.split_at(i),
            _ => (w.id.as_str(), ""),
        };
        if let Some(head) = base.strip_suffix(w.name.as_str()) {
            w.id = format!("{head}{token}{suffix}");
        }
        w.name = token;
        for (label, prefix) in SENSITIVE_LABELS {
            if let Some(v) = w.labels.get(label) {
                let token = tokens.token(prefix, v);
                w.labels.insert(label, token);
            }
        }
    }
    // Clusters found among the VMs: the same tokens as their workloads, members and hosts.
    for c in &mut report.clusters {
        let token = tokens.token("k8s-cluster", &c.name);
        if let Some(head) = c.workload.strip_suffix(c.name.as_str()) {
            c.workload = format!("{head}{token}");
        }
        c.name = token;
        for h in &mut c.hosts {
            *h = tokens.token("host", h);
        }
        for v in &mut c.vsphere_clusters {
            *v = tokens.token("cluster", v);
        }
        for m in &mut c.members {
            m.name = tokens.token("vm", &m.name);
            if let Some(h) = m.host.as_mut() {
                *h = tokens.token("host", h);
            }
            m.file = tokens.path(&m.file).as_str().into();
        }
    }
    for (dimension, groups) in report.summary.estate.groups.iter_mut() {
        let prefix = SENSITIVE_LABELS
            .iter()
            .find(|(label, _)| label == dimension)
            .map_or("group", |(_, p)| p);
        let renamed = std::mem::take(groups)
            .into_iter()
            .map(|(value, g)| (tokens.token(prefix, &value), g))
            .collect();
        *groups = renamed;
    }
    for u in &mut report.unmatched_metrics {
        u.name = tokens.token("name", &u.name);
    }
    for path in report
        .assumptions
        .inputs
        .iter_mut()
        .chain(report.assumptions.metrics.iter_mut())
        .chain(report.errors.iter_mut().map(|e| &mut e.file))
        .chain(report.skipped.iter_mut().map(|s| &mut s.file))
        .chain(report.unmatched_metrics.iter_mut().map(|u| &mut u.file))
    {
        *path = tokens.path(path);
    }
    if let Some(c) = report.assumptions.catalog.as_mut() {
        c.file = tokens.path(&c.file);
    }
    // Where suppressions were written (inline in an input, or the config file) and the files
    // components were read from are paths too.
    for path in report
        .assumptions
        .config
        .iter_mut()
        .chain(report.assumptions.baseline.iter_mut())
    {
        *path = tokens.path(path);
    }
    // A finding keeps its own file's token: a workload can span several files (a Compose
    // override, a VNF package's imports, a Kubernetes companion, an archive's entries).
    for w in &mut report.workloads {
        for f in &mut w.findings {
            f.file = tokens.path(&f.file).as_str().into();
        }
        for s in &mut w.suppressed {
            s.file = tokens.path(&s.file).as_str().into();
            s.by.file = tokens.path(&s.by.file).as_str().into();
        }
        for c in &mut w.components {
            if let Some(f) = c.file.as_mut() {
                *f = tokens.path(f).as_str().into();
            }
        }
    }
    for u in &mut report.unused_suppressions {
        u.file = tokens.path(&u.file).as_str().into();
    }

    // Every free text: the longest original first, whole words only.
    let mut pairs: Vec<(String, String)> = tokens
        .map
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    // Names and paths without a letter or digit (`.`, the folder scanned) are never looked
    // for in free text: they would hit its punctuation.
    pairs.retain(|(k, _)| k.chars().any(char::is_alphanumeric));
    pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(&b.0)));
    let Ok(matcher) = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(pairs.iter().map(|(k, _)| k.as_str()))
    else {
        return;
    };
    let quoted_only: Vec<bool> = pairs.iter().map(|(k, _)| !distinctive(k)).collect();
    let replace = |text: &mut String| {
        remove_emails(text);
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in matcher.find_iter(text.as_str()) {
            let fits = if quoted_only[m.pattern().as_usize()] {
                is_quoted(text, m.start(), m.end())
            } else {
                is_word_boundary(text, m.start(), m.end())
            };
            if !fits {
                continue;
            }
            out.push_str(&text[last..m.start()]);
            out.push_str(&pairs[m.pattern().as_usize()].1);
            last = m.end();
        }
        if last > 0 {
            out.push_str(&text[last..]);
            *text = out;
        }
    };
    for w in &mut report.workloads {
        // The id keeps its `#2` suffix (made unique after sorting); only the name changes.
        replace(&mut w.id);
        for f in &mut w.findings {
            replace(&mut f.message);
            // Shared with other workloads' findings: replaced by a copy of its own.
            let mut remediation = f.remediation.to_string();
            replace(&mut remediation);
            if *remediation != *f.remediation {
                f.remediation = remediation.into();
            }
        }
        for s in &mut w.suppressed {
            replace(&mut s.message);
            if let Some(r) = s.reason.as_mut() {
                replace(r);
            }
        }
        for n in &mut w.notes {
            replace(n);
        }
    }
    for e in &mut report.errors {
        replace(&mut e.message);
    }
    for w in &mut report.workloads {
        w.labels.change_values(|v| {
            let mut v = v.to_string();
            remove_emails(&mut v);
            v
        });
    }
    for s in &mut report.skipped {
        replace(&mut s.reason);
    }
    for u in &mut report.unused_suppressions {
        replace(&mut u.message);
        replace(&mut u.remediation);
        if let Some(w) = u.workload.as_mut() {
            replace(w);
        }
    }
}

/// Whether a match is quoted as a whole: `` `RHEL` ``, `'8'`, `"payroll"`, or the whole text.
fn is_quoted(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    match (before, after) {
        (None, None) => true,
        (Some(b), Some(a)) => b == a && matches!(b, '`' | '\'' | '"'),
        _ => false,
    }
}

/// Whether a match stands alone: not inside a longer name (`web01` in `web010`).
fn is_word_boundary(text: &str, start: usize, end: usize) -> bool {
    let inner = |c: char| c.is_alphanumeric() || c == '_' || c == '-' || c == '.';
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    // A trailing full stop ends a sentence, not a name.
    let after_ok = match after {
        None => true,
        Some('.') => text[end + 1..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric()),
        Some(c) => !inner(c),
    };
    before.is_none_or(|c| !inner(c)) && after_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_are_words_or_numbers_are_replaced_only_when_quoted() {
        assert!(distinctive("db01"));
        assert!(distinctive("web-frontend"));
        assert!(!distinctive("RHEL"));
        assert!(!distinctive("8"));
        assert!(is_quoted("VM `RHEL`: x", 4, 8));
        assert!(!is_quoted("runs RHEL 6", 5, 9));
        assert!(is_quoted("8", 0, 1));
    }

    #[test]
    fn emails_are_removed() {
        let mut t =
            "uses MAINTAINER (`Jane <jane.doe@example.com>`), bob@corp.example.org".to_string();
        remove_emails(&mut t);
        assert_eq!(
            t,
            "uses MAINTAINER (`Jane <[e-mail removed]>`), [e-mail removed]"
        );
    }

    #[test]
    fn boundaries() {
        assert!(is_word_boundary("VM `web01`: x", 4, 9));
        assert!(!is_word_boundary("web010 is", 0, 5));
        assert!(is_word_boundary("runs on web01.", 8, 13));
        assert!(!is_word_boundary("web01.example.com", 0, 5));
    }
}
