//! Lifecycle: when the operating systems and images a workload runs on stop receiving
//! security fixes, judged on a given day (`--as-of`, default today).
//!
//! The dates are data (`rules/lifecycle/*.yaml`, [`table`]); this stage recognises a
//! product and version in a VM's OS, a Dockerfile's base image, a container's image or a
//! VNF software image's OS, and inserts what it found as `facts.lifecycle[*]`, which rules
//! read (VM012, DF026, K8S033, CMP023, VNF022, and the "ends soon" warnings).

pub mod date;
pub mod table;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use date::Date;
pub use table::{Product, Table, TableError, Version, Which};

use crate::model::{FactDoc, FactGroup, Target, Workload};
use crate::node::Node;

/// "Ends within N months": the months before an end of support that make it a warning.
pub const WARNING_MONTHS: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Supported,
    /// Support ends within [`WARNING_MONTHS`].
    EndingSoon,
    /// Past its end of support, within the vendor's (paid) extended support.
    ExtendedSupport,
    EndOfLife,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Supported => "supported",
            Status::EndingSoon => "ending-soon",
            Status::ExtendedSupport => "extended-support",
            Status::EndOfLife => "end-of-life",
        }
    }
}

/// The table and the day it is read for.
#[derive(Debug)]
pub struct Judge {
    pub table: Arc<Table>,
    pub as_of: Date,
    /// What [`Judge::os`] found for each OS name seen (the indices of its product and
    /// version): an inventory of 50,000 VMs names a few dozen operating systems, and each
    /// name would otherwise run every product's patterns again.
    os_seen: Mutex<HashMap<Box<str>, Option<Found>>>,
    /// The texts of each product version judged, by its place in the table: 50,000 VMs
    /// share a few dozen, and the same sentence would otherwise be written for each.
    texts: Mutex<HashMap<(usize, usize), Arc<VerdictTexts>>>,
}

/// What `facts.lifecycle[*]` says of a product version in words, on the judge's day.
#[derive(Debug)]
struct VerdictTexts {
    summary: String,
    end_of_support: String,
    end_of_extended_support: Option<String>,
}

/// A product and one of its versions, as indices into the table.
type Found = (usize, usize);

/// The most OS names [`Judge::os`] remembers: an estate names far fewer; past it (hostile
/// input, every VM a new name) names are judged without being remembered, so the cache
/// never grows with the input.
const MAX_OS_SEEN: usize = 4096;

impl Clone for Judge {
    fn clone(&self) -> Judge {
        Judge::new(Arc::clone(&self.table), Some(self.as_of))
    }
}

/// What the table says of one product version on the judge's day.
#[derive(Debug, Clone)]
pub struct Verdict<'a> {
    pub product: &'a Product,
    pub version: &'a Version,
    pub status: Status,
    /// Days from the judge's day to the end of support (negative once past).
    pub days_left: i64,
}

impl Judge {
    pub fn new(table: Arc<Table>, as_of: Option<Date>) -> Judge {
        Judge {
            table,
            as_of: as_of.unwrap_or_else(Date::today),
            os_seen: Mutex::new(HashMap::new()),
            texts: Mutex::new(HashMap::new()),
        }
    }

    /// The texts of `v`, written once per product version (the table bounds how many).
    fn texts(&self, v: &Verdict<'_>) -> Arc<VerdictTexts> {
        let key = (
            std::ptr::from_ref(v.product) as usize,
            std::ptr::from_ref(v.version) as usize,
        );
        let lock = || {
            self.texts
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
        };
        if let Some(t) = lock().get(&key) {
            return Arc::clone(t);
        }
        let made = Arc::new(VerdictTexts {
            summary: summary(v),
            end_of_support: v.version.end_of_support.to_string(),
            end_of_extended_support: v.version.end_of_extended_support.map(|d| d.to_string()),
        });
        Arc::clone(lock().entry(key).or_insert(made))
    }

    /// The built-in table, read for `as_of` (today when None).
    pub fn built_in(as_of: Option<Date>) -> Result<Judge, TableError> {
        Ok(Judge::new(Arc::new(Table::embedded()?), as_of))
    }

    fn verdict<'a>(&self, product: &'a Product, version: &'a Version) -> Verdict<'a> {
        let end = version.end_of_support;
        let status = if self.as_of > end {
            match version.end_of_extended_support {
                Some(x) if self.as_of <= x => Status::ExtendedSupport,
                _ => Status::EndOfLife,
            }
        } else if end <= self.as_of.add_months(WARNING_MONTHS) {
            Status::EndingSoon
        } else {
            Status::Supported
        };
        Verdict {
            product,
            version,
            status,
            days_left: end.days() - self.as_of.days(),
        }
    }

    /// The product and version an operating system's name (`Microsoft Windows Server 2012
    /// R2 (64-bit)`, `CentOS 7`) names. A minimum (`2016 or later`) names no version.
    pub fn os(&self, name: &str) -> Option<Verdict<'_>> {
        // A poisoned lock only means another worker panicked (its own error entry): the
        // map holds nothing half-written, so it is used as it is.
        let seen = self
            .os_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .copied();
        let found = match seen {
            Some(found) => found,
            None => {
                let found = self.find_os(name);
                let mut map = self
                    .os_seen
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if map.len() < MAX_OS_SEEN {
                    map.insert(name.into(), found);
                }
                found
            }
        };
        let (p, v) = found?;
        let product = self.table.products.get(p)?;
        let version = product.versions.get(v)?;
        Some(self.verdict(product, version))
    }

    /// The product and version (indices into the table) an OS name is, if any.
    fn find_os(&self, name: &str) -> Option<Found> {
        let lower = name.to_ascii_lowercase();
        if ["or later", "or newer", "and later", "or higher"]
            .iter()
            .any(|w| lower.contains(w))
        {
            return None;
        }
        for (pi, p) in self.table.products.iter().enumerate() {
            for re in &p.os {
                let Some(caps) = re.regex().and_then(|re| re.captures(name)) else {
                    continue;
                };
                let found = caps.name("version").map(|m| m.as_str());
                if let Some(v) = find_version(p, found) {
                    let vi = p.versions.iter().position(|x| std::ptr::eq(x, v))?;
                    return Some((pi, vi));
                }
            }
        }
        None
    }

    /// The product and version an image (`repository` with or without registry, `tag`)
    /// is: `centos:7`, `docker.io/library/python:2.7-slim`, `node:fermium`.
    pub fn image(&self, repository: &str, tag: Option<&str>) -> Option<Verdict<'_>> {
        let tag = tag?.trim();
        if tag.is_empty() || tag.eq_ignore_ascii_case("latest") {
            return None;
        }
        let path = image_path(repository);
        let last = path.rsplit('/').next().unwrap_or(&path).to_string();
        for p in &self.table.products {
            if !p.images.iter().any(|i| *i == path || *i == last) {
                continue;
            }
            let from_tag = p
                .tag
                .regex()
                .and_then(|re| re.captures(tag))
                .and_then(|c| c.name("version"))
                .map(|m| m.as_str());
            let word = tag.split(['-', '_']).next().unwrap_or(tag);
            let v = from_tag
                .and_then(|t| find_version(p, Some(t)))
                .or_else(|| find_alias(p, word));
            if let Some(v) = v {
                return Some(self.verdict(p, v));
            }
        }
        None
    }
}

/// An image's repository path as the table names it: without registry or `library/`.
fn image_path(repository: &str) -> String {
    let lower = repository.trim().to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    if parts.len() > 1
        && let Some(first) = parts.first()
        && (first.contains('.') || first.contains(':') || *first == "localhost")
    {
        parts.remove(0);
    }
    if parts.len() > 1 && parts[0] == "library" {
        parts.remove(0);
    }
    parts.join("/")
}

fn normal(v: &str) -> String {
    v.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

fn numbers(v: &str) -> Option<Vec<u64>> {
    v.split('.').map(|p| p.parse::<u64>().ok()).collect()
}

fn find_alias<'a>(p: &'a Product, word: &str) -> Option<&'a Version> {
    let w = normal(word);
    p.versions
        .iter()
        .find(|v| v.aliases.iter().any(|a| normal(a) == w))
}

/// The version entry `found` falls under: the longest exact one (`7` takes `7.9`), an
/// alias, a `below` bound (only as precise as the bound: `3` is not below `3.6`), `any`.
fn find_version<'a>(p: &'a Product, found: Option<&str>) -> Option<&'a Version> {
    let Some(found) = found.map(normal).filter(|f| !f.is_empty()) else {
        return p.versions.iter().find(|v| matches!(v.which, Which::Any));
    };
    let exact = p
        .versions
        .iter()
        .filter_map(|v| match &v.which {
            Which::Exactly(x) => {
                let x = normal(x);
                let hit = found == x
                    || found
                        .strip_prefix(x.as_str())
                        .is_some_and(|rest| rest.starts_with('.'));
                hit.then_some((x.len(), v))
            }
            _ => None,
        })
        .max_by_key(|(len, _)| *len)
        .map(|(_, v)| v);
    if exact.is_some() {
        return exact;
    }
    if let Some(v) = find_alias(p, &found) {
        return Some(v);
    }
    let have = numbers(&found);
    p.versions.iter().find(|v| match &v.which {
        Which::Below(b) => match (&have, numbers(b)) {
            (Some(h), Some(b)) => h.len() >= b.len() && *h < b,
            _ => false,
        },
        Which::Any => true,
        Which::Exactly(_) => false,
    })
}

/// One sentence a consultant can read: the end, and what extended support there is.
pub fn summary(v: &Verdict<'_>) -> String {
    let name = format!("{} {}", v.product.name, v.version.label);
    let end = v.version.end_of_support;
    let ext_name = v
        .product
        .extended_support
        .clone()
        .unwrap_or_else(|| "extended support".to_string());
    let free = if v.version.free_on.is_empty() {
        String::new()
    } else {
        format!(" (free on {})", pretty_list(&v.version.free_on))
    };
    let extended = |verb: &str, free: &str| match v.version.end_of_extended_support {
        Some(x) => format!("; {ext_name} {verb} {x}{free}"),
        None => String::new(),
    };
    match v.status {
        Status::Supported => format!("{name}: supported until {end}{}", extended("until", &free)),
        // No count of days: the text is a finding's identity (its fingerprint), which must
        // not change from one day to the next.
        Status::EndingSoon => format!(
            "{name}: support ends {end}, within {WARNING_MONTHS} months{}",
            extended("available until", &free)
        ),
        Status::ExtendedSupport => format!(
            "{name}: end of support {end}; only paid {ext_name} until {}{free}",
            v.version
                .end_of_extended_support
                .map(|d| d.to_string())
                .unwrap_or_default()
        ),
        Status::EndOfLife => format!("{name}: end of life since {end}{}", extended("ended", "")),
    }
}

fn pretty_list(items: &[String]) -> String {
    let names: Vec<String> = items
        .iter()
        .map(|i| match i.as_str() {
            "azure" => "Azure".to_string(),
            "aws" => "AWS".to_string(),
            "gcp" => "Google Cloud".to_string(),
            "oci" => "Oracle Cloud".to_string(),
            other => other.to_string(),
        })
        .collect();
    names.join(", ")
}

/// Declared for the rule loader and `fitscan rules facts`.
pub const FACTS: &[FactGroup] = {
    use Target::{Compose, Dockerfile, Kubernetes, Vm, Vnf};
    &[
        FactGroup {
            targets: &[Vm, Dockerfile, Kubernetes, Compose, Vnf],
            title: "Lifecycle: end of support of the OS or image, from the lifecycle table (rules/lifecycle/), judged on the report's day (--as-of)",
            facts: &[
                FactDoc::new(
                    "lifecycle[*]",
                    "each product the table knows, at its line: the VM's OS (`spec.os`), the Dockerfile's base image, each container's image, each VNF software image's `operating_system`; absent when the table knows none",
                ),
                FactDoc::new(
                    "lifecycle[*].name",
                    "what it is about: the OS as written, the base image, the container, the software image",
                ),
                FactDoc::new(
                    "lifecycle[*].subject",
                    "operating system, base image, container image or software image",
                ),
                FactDoc::new(
                    "lifecycle[*].reference",
                    "the OS name or image reference as written",
                ),
                FactDoc::new(
                    "lifecycle[*].{product,version}",
                    "the product and version the table names (`Windows Server`, `2012 R2`)",
                ),
                FactDoc::new(
                    "lifecycle[*].status",
                    "supported, ending-soon (support ends within 6 months), extended-support (past its end, in the vendor's paid extended support) or end-of-life",
                ),
                FactDoc::new(
                    "lifecycle[*].{end_of_support,end_of_extended_support}",
                    "the dates (YYYY-MM-DD); extended support only where the vendor sells it",
                ),
                FactDoc::new(
                    "lifecycle[*].extended_support",
                    "what the vendor calls its extended support (Extended Security Updates, ELS, ESM)",
                ),
                FactDoc::new(
                    "lifecycle[*].days_left",
                    "days from the report's day to the end of support; negative once past",
                ),
                FactDoc::new(
                    "lifecycle[*].summary",
                    "one sentence: `Windows Server 2012 R2: end of support 2023-10-10; only paid Extended Security Updates until 2026-10-13 (free on Azure)`",
                ),
                FactDoc::new(
                    "lifecycle[*].source",
                    "where the table's dates come from (a vendor's lifecycle page)",
                ),
            ],
        },
        FactGroup {
            targets: &[Vm, Vnf],
            title: "Lifecycle of operating systems: where extended support is free",
            facts: &[FactDoc::new(
                "lifecycle[*].extended_support_free_on[*]",
                "platforms where the vendor's extended support is free (azure for Windows Server 2012 ESU); images are judged without it",
            )],
        },
    ]
};

/// Inserts `facts.lifecycle[*]` (`FACTS`) for what the workload runs on.
pub fn insert(w: &mut Workload, judge: &Judge) {
    let mut items = Vec::new();
    let facts = &w.facts;
    match w.target {
        Target::Vm => {
            if let Some(os) = facts.get("os") {
                let text = os.scalar_text().unwrap_or_default();
                if let Some(v) = judge.os(&text) {
                    items.push(item(judge, &v, &text, "operating system", &text, os.line));
                }
            }
        }
        Target::Dockerfile => {
            if let Some(base) = facts.get("base") {
                let image = base
                    .get("image")
                    .and_then(Node::scalar_text)
                    .unwrap_or_default();
                let repo = base.get("repository").and_then(Node::scalar_text);
                let tag = base.get("tag").and_then(Node::scalar_text);
                let line = base.get("image").map_or(base.line, |n| n.line);
                if let Some(v) = repo.and_then(|r| judge.image(&r, tag.as_deref())) {
                    items.push(item(judge, &v, &image, "base image", &image, line));
                }
            }
        }
        Target::Kubernetes => {
            for c in facts
                .get("all_containers")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some((v, reference, line)) = image_of(judge, c) {
                    let name = c
                        .get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| reference.clone());
                    items.push(item(judge, &v, &name, "container image", &reference, line));
                }
            }
        }
        Target::Compose => {
            if let Some((v, reference, line)) = image_of(judge, facts) {
                items.push(item(
                    judge,
                    &v,
                    &reference,
                    "container image",
                    &reference,
                    line,
                ));
            }
        }
        Target::Vnf => {
            for img in facts
                .get("images")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                let Some(os) = img.get("os") else { continue };
                let text = os.scalar_text().unwrap_or_default();
                if let Some(v) = judge.os(&text) {
                    let name = img
                        .get("name")
                        .and_then(Node::scalar_text)
                        .unwrap_or_else(|| text.clone());
                    items.push(item(judge, &v, &name, "software image", &text, os.line));
                }
            }
        }
        Target::Cluster => {}
    }
    if items.is_empty() {
        return;
    }
    if w.facts.as_map().is_none() {
        w.facts = Node::map(0);
    }
    let line = items.iter().map(|n| n.line).find(|l| *l > 0).unwrap_or(0);
    w.facts.insert("lifecycle", Node::seq(items, line));
}

/// The verdict on a container's or service's image (`image_repository`, `image_tag`), the
/// reference as written and its line; an unresolved reference (a variable) is not judged.
fn image_of<'a>(judge: &'a Judge, n: &Node) -> Option<(Verdict<'a>, String, u32)> {
    if n.get("image_pin").and_then(Node::as_str) == Some("unresolved") {
        return None;
    }
    let repo_node = n.get("image_repository")?;
    let repo = repo_node.scalar_text()?;
    let tag = n.get("image_tag").and_then(Node::scalar_text);
    let v = judge.image(&repo, tag.as_deref())?;
    let reference = match &tag {
        Some(t) => format!("{repo}:{t}"),
        None => repo,
    };
    Some((v, reference, repo_node.line))
}

fn item(
    judge: &Judge,
    v: &Verdict<'_>,
    name: &str,
    subject: &str,
    reference: &str,
    line: u32,
) -> Node {
    let texts = judge.texts(v);
    let mut n = Node::map_with_capacity(line, 13);
    n.insert("name", Node::str(name, line));
    n.insert("subject", Node::str(subject, line));
    n.insert("reference", Node::str(reference, line));
    n.insert("product", Node::str(v.product.name.clone(), line));
    n.insert("version", Node::str(v.version.label.clone(), line));
    n.insert("status", Node::str(v.status.as_str(), line));
    n.insert(
        "end_of_support",
        Node::str(texts.end_of_support.clone(), line),
    );
    if let Some(x) = &texts.end_of_extended_support {
        n.insert("end_of_extended_support", Node::str(x.clone(), line));
        if let Some(name) = &v.product.extended_support {
            n.insert("extended_support", Node::str(name.clone(), line));
        }
    }
    if !v.version.free_on.is_empty() {
        let list = v
            .version
            .free_on
            .iter()
            .map(|p| Node::str(p.clone(), line))
            .collect();
        n.insert("extended_support_free_on", Node::seq(list, line));
    }
    n.insert("days_left", Node::int(v.days_left, line));
    n.insert("summary", Node::str(texts.summary.clone(), line));
    n.insert("source", Node::str(v.product.source.clone(), line));
    n
}
