//! Migration readiness (issue 20): a VM judged against a target platform's limits and
//! support matrix, from its facts (`src/ingest/vm_features.rs`, sizing, the OS). The
//! targets are data, `targets/<name>.yaml`, embedded at build time: `neutral.yaml` holds the
//! platform-neutral checks every target starts from; a target overrides a check by its id
//! (a `verdict: ready` switches it off) and adds its own limits. Each file names its
//! sources and the day they were checked.

use std::sync::{LazyLock, OnceLock};

use crate::model::readiness::{Blocker, EstateReadiness, Readiness, Verdict};
use crate::model::{FactDoc, FactGroup, Target, Workload};
use crate::node::Node;
use crate::pattern::Pattern;

/// The built-in targets: one line each.
const FILES: &[(&str, &str)] = &[
    ("neutral", include_str!("../../targets/neutral.yaml")),
    ("azure", include_str!("../../targets/azure.yaml")),
    ("aws", include_str!("../../targets/aws.yaml")),
    ("gcp", include_str!("../../targets/gcp.yaml")),
    ("vsphere", include_str!("../../targets/vsphere.yaml")),
    ("openstack", include_str!("../../targets/openstack.yaml")),
    ("kubernetes", include_str!("../../targets/kubernetes.yaml")),
];

/// The name used without `--target`.
pub const NEUTRAL: &str = "neutral";

#[derive(Debug, Clone)]
enum Test {
    /// Above this number.
    Max(f64),
    /// Equal to this text or boolean (case-insensitive).
    Equals(String),
    /// The fact's text matches.
    Matches(Pattern),
    /// The list has an item.
    Nonempty,
}

#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub fact: String,
    test: Test,
    pub verdict: Verdict,
    pub why: String,
    pub fix: Option<String>,
}

/// A target: its own checks over the neutral ones.
#[derive(Debug, Clone)]
pub struct Destination {
    pub name: String,
    pub title: String,
    pub checked: String,
    pub sources: Vec<String>,
    pub checks: Vec<Check>,
}

/// The neutral checks, and each target over them, read when first asked for: a scan
/// without `--target` reads one file of seven.
static NEUTRAL_CHECKS: LazyLock<Result<Destination, String>> =
    LazyLock::new(|| parse(NEUTRAL, FILES[0].1));
static BUILT_IN: [OnceLock<Result<Destination, String>>; FILES.len()] =
    [const { OnceLock::new() }; FILES.len()];

/// The names `--target` takes.
pub fn names() -> Vec<&'static str> {
    FILES
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != NEUTRAL)
        .collect()
}

/// The target of that name (`neutral`: the platform-neutral checks only).
pub fn destination(name: &str) -> Result<&'static Destination, String> {
    let index = FILES
        .iter()
        .position(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| {
            format!(
                "`{name}` is not a migration target (one of {}){}",
                names().join(", "),
                crate::model::spelling::suggest(name, &names())
            )
        })?;
    BUILT_IN[index]
        .get_or_init(|| load(index))
        .as_ref()
        .map_err(Clone::clone)
}

/// The target at `FILES[index]`: its own checks over the neutral ones.
fn load(index: usize) -> Result<Destination, String> {
    let neutral = NEUTRAL_CHECKS.as_ref().map_err(Clone::clone)?;
    if index == 0 {
        return Ok(neutral.clone());
    }
    let (name, text) = FILES[index];
    let own = parse(name, text)?;
    let mut checks = neutral.checks.clone();
    for c in own.checks {
        match checks.iter_mut().find(|n| n.id == c.id) {
            Some(n) => *n = c,
            None => checks.push(c),
        }
    }
    let mut sources = own.sources;
    for s in &neutral.sources {
        if !sources.contains(s) {
            sources.push(s.clone());
        }
    }
    Ok(Destination {
        checks,
        sources,
        ..own
    })
}

fn parse(name: &str, text: &str) -> Result<Destination, String> {
    let file = format!("targets/{name}.yaml");
    let docs = crate::yaml::parse_documents(text)
        .map_err(|e| format!("{file}:{}: {}", e.line.unwrap_or(0), e.message))?;
    let doc = docs.first().ok_or_else(|| format!("{file}: empty"))?;
    let text_of = |n: &Node, key: &str| n.get(key).and_then(Node::scalar_text);
    let at = |n: &Node| format!("{file}:{}", n.line);
    let mut checks = Vec::new();
    for e in doc.get("checks").and_then(Node::as_map).unwrap_or_default() {
        let c = &e.value;
        let fact = text_of(c, "fact").ok_or_else(|| format!("{}: a check needs `fact`", at(c)))?;
        let test = if let Some(max) = c.get("max") {
            Test::Max(
                max.as_f64()
                    .ok_or_else(|| format!("{}: `max` is a number", at(max)))?,
            )
        } else if let Some(v) = c.get("equals") {
            Test::Equals(v.display_text().to_ascii_lowercase())
        } else if let Some(m) = c.get("matches") {
            // Built in: compiled on first use (`every_pattern_of_the_targets_compiles`).
            Test::Matches(Pattern::deferred(&m.scalar_text().unwrap_or_default()))
        } else if c.get("nonempty").is_some() {
            Test::Nonempty
        } else {
            return Err(format!(
                "{}: a check needs `max`, `equals`, `matches` or `nonempty`",
                at(c)
            ));
        };
        let verdict = text_of(c, "verdict")
            .and_then(|v| Verdict::parse(&v))
            .ok_or_else(|| {
                format!(
                    "{}: `verdict` is ready, conditionally-ready or not-ready",
                    at(c)
                )
            })?;
        checks.push(Check {
            id: e.key.clone(),
            fact,
            test,
            verdict,
            why: text_of(c, "why").unwrap_or_default(),
            fix: text_of(c, "fix"),
        });
    }
    Ok(Destination {
        name: text_of(doc, "target").unwrap_or_else(|| name.to_string()),
        title: text_of(doc, "title").unwrap_or_else(|| name.to_string()),
        checked: text_of(doc, "checked").unwrap_or_default(),
        sources: doc
            .get("sources")
            .and_then(Node::as_seq)
            .map(|s| s.iter().filter_map(Node::scalar_text).collect())
            .unwrap_or_default(),
        checks,
    })
}

impl Destination {
    /// Judges a VM from its facts: every check that hits and is not `ready` is a blocker;
    /// a check whose fact is absent is not checked.
    pub fn judge(&self, facts: &Node) -> Readiness {
        let mut blockers = Vec::new();
        let mut not_checked = Vec::new();
        for c in &self.checks {
            if c.verdict == Verdict::Ready {
                continue;
            }
            let Some(value) = facts.get(&c.fact) else {
                not_checked.push(c.id.clone());
                continue;
            };
            let found = match &c.test {
                Test::Max(max) => value.as_f64().filter(|v| v > max).map(|v| {
                    let v = crate::node::format_number(v);
                    // A count with a limit of none says nothing more than the count.
                    if *max == 0.0 {
                        format!("{} = {v}", c.fact)
                    } else {
                        let max = crate::node::format_number(*max);
                        format!("{} = {v} (at most {max})", c.fact)
                    }
                }),
                Test::Equals(want) => {
                    let text = value.display_text().to_ascii_lowercase();
                    (text == *want).then(|| format!("{} = {text}", c.fact))
                }
                Test::Matches(re) => value
                    .scalar_text()
                    .filter(|t| re.is_match(t))
                    .map(|t| format!("{} = {t}", c.fact)),
                Test::Nonempty => value.as_seq().filter(|s| !s.is_empty()).map(|s| {
                    let items: Vec<String> = s.iter().filter_map(Node::scalar_text).collect();
                    format!("{} = {}", c.fact, items.join(", "))
                }),
            };
            if let Some(found) = found {
                blockers.push(Blocker {
                    check: c.id.clone(),
                    verdict: c.verdict,
                    found,
                    why: c.why.clone(),
                    fix: c.fix.clone(),
                });
            }
        }
        blockers.sort_by_key(|b| std::cmp::Reverse(b.verdict));
        Readiness {
            target: self.name.clone(),
            verdict: blockers
                .iter()
                .map(|b| b.verdict)
                .max()
                .unwrap_or(Verdict::Ready),
            blockers,
            not_checked: not_checked.into(),
        }
    }

    pub fn estate(&self) -> EstateReadiness {
        EstateReadiness {
            target: self.name.clone(),
            title: self.title.clone(),
            checked: self.checked.clone(),
            sources: self.sources.clone(),
            ..EstateReadiness::default()
        }
    }
}

/// Judges a VM for `target` and gives the rules the result as facts (`facts.readiness`).
pub fn insert(w: &mut Workload, target: &Destination) {
    if w.target != Target::Vm {
        return;
    }
    let r = target.judge(&w.facts);
    let l = w.line;
    let mut n = Node::map(l);
    n.insert("target", Node::str(r.target.clone(), l));
    n.insert("verdict", Node::str(r.verdict.as_str(), l));
    let list = |v: Verdict| {
        Node::seq(
            r.blockers
                .iter()
                .filter(|b| b.verdict == v)
                .map(|b| Node::str(b.check.clone(), l))
                .collect(),
            l,
        )
    };
    n.insert("blocking", list(Verdict::NotReady));
    n.insert("conditions", list(Verdict::ConditionallyReady));
    w.facts.insert("readiness", n);
    w.readiness = Some(Box::new(r));
}

/// The facts [`insert`] gives.
pub const FACTS: &[FactGroup] = &[FactGroup {
    targets: &[Target::Vm],
    title: "Migration readiness for `--target` (src/readiness/, targets/*.yaml)",
    facts: &[
        FactDoc::new(
            "readiness.target",
            "the target judged for (`neutral` without `--target`)",
        ),
        FactDoc::new(
            "readiness.verdict",
            "ready, conditionally-ready or not-ready",
        ),
        FactDoc::new(
            "readiness.blocking[*]",
            "the checks that make it not ready (`shared-disks`, `os-disk-size`)",
        ),
        FactDoc::new(
            "readiness.conditions[*]",
            "the checks that need a change first (`raw-device-mappings`, `fault-tolerance`)",
        ),
    ],
}];

#[cfg(test)]
mod tests {
    #[test]
    fn every_pattern_of_the_targets_compiles() {
        let mut count = 0;
        for (name, _) in super::FILES {
            let d = super::destination(name).unwrap_or_else(|e| panic!("{e}"));
            for c in &d.checks {
                if let super::Test::Matches(p) = &c.test {
                    crate::pattern::Pattern::compile(p.as_str())
                        .unwrap_or_else(|e| panic!("{name} {}: {e}", c.id));
                    count += 1;
                }
            }
        }
        assert!(count > 0);
    }

    use super::*;

    fn facts(yaml: &str) -> Node {
        crate::yaml::parse_documents(yaml)
            .ok()
            .and_then(|d| d.into_iter().next())
            .unwrap_or(Node::map(0))
    }

    #[test]
    fn every_built_in_target_parses_and_overrides_by_id() {
        for name in names() {
            let d = destination(name).unwrap_or_else(|e| panic!("{e}"));
            assert!(!d.sources.is_empty(), "{name} names no source");
            assert!(!d.checked.is_empty(), "{name} says no date");
        }
        let neutral = destination(NEUTRAL).unwrap_or_else(|e| panic!("{e}"));
        let azure = destination("Azure").unwrap_or_else(|e| panic!("{e}"));
        let shared = |d: &Destination| {
            d.checks
                .iter()
                .find(|c| c.id == "shared-disks")
                .map(|c| c.verdict)
        };
        assert_eq!(shared(neutral), Some(Verdict::ConditionallyReady));
        assert_eq!(shared(azure), Some(Verdict::NotReady));
        let e = destination("azrue").err().unwrap_or_default();
        assert!(e.contains("did you mean `azure`"), "{e}");
    }

    #[test]
    fn verdicts_follow_the_worst_check_and_unknown_facts_are_listed() {
        let azure = destination("azure").unwrap_or_else(|e| panic!("{e}"));
        let r = azure.judge(&facts(
            "os: Windows Server 2019\nos_architecture: x86-64\nos_disk_gib: 3000\nrdm_disks: 1\nshared_disks: 0\nindependent_disks: 0\nmemory_gib: 64\nlargest_disk_gib: 3000\ndisk_count: 2\nfault_tolerance: false\nlatency_sensitivity: normal\npassthrough: []\n",
        ));
        assert_eq!(r.verdict, Verdict::NotReady);
        let ids: Vec<&str> = r.blockers.iter().map(|b| b.check.as_str()).collect();
        assert_eq!(ids, ["os-disk-size", "raw-device-mappings"]);
        assert_eq!(r.blockers[0].found, "os_disk_gib = 3000 (at most 2048)");
        assert!(r.not_checked.is_empty(), "{:?}", r.not_checked);
        // The same VM on AWS: raw mappings are copied by the agent, the OS disk fits.
        let aws = destination("aws").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            aws.judge(&facts(
                "os: Windows Server 2019\nos_architecture: x86-64\nos_disk_gib: 3000\nrdm_disks: 1\n"
            ))
            .verdict,
            Verdict::Ready
        );
        // Nothing known but the OS: ready as far as it goes, and the gaps are said.
        let r = azure.judge(&facts("os: Ubuntu 22.04\n"));
        assert_eq!(r.verdict, Verdict::Ready);
        assert!(r.not_checked.contains(&"shared-disks".to_string()));
        // A mainframe OS moves to no x86 target.
        let neutral = destination(NEUTRAL).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            neutral.judge(&facts("os: z/OS 2.5\n")).verdict,
            Verdict::NotReady
        );
        assert_eq!(
            neutral
                .judge(&facts("os: Red Hat Enterprise Linux 9\n"))
                .verdict,
            Verdict::Ready
        );
    }
}
