//! The facts every input kind provides (`facts.*`), declared beside the code that inserts
//! them (`Input::facts`, the catalog's in `catalog.rs`; the pipeline's own, which `lib.rs`
//! inserts, here).
//!
//! The declarations serve three readers: the rule loader, which refuses a `facts.` path no
//! input of the rule's target provides (a typo would otherwise make a check silently pass
//! or stay unknown forever); `fitscan rules facts`, which lists them; and the guide
//! (docs/writing-rules.md), whose list of facts is generated from them.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::sync::LazyLock;

use super::path::{Path, Segment};
use crate::model::{FactGroup, Target};

/// Every declaration: the pipeline's facts first, then each input kind's, then the
/// catalog's.
pub fn groups() -> Vec<&'static FactGroup> {
    let mut out: Vec<&'static FactGroup> = crate::ingest::common_facts::FACTS.iter().collect();
    out.extend(crate::sizing::facts::FACTS);
    out.extend(crate::ingest::vm_features::FACTS);
    out.extend(crate::readiness::FACTS);
    out.extend(crate::lifecycle::FACTS);
    for input in crate::ingest::inputs() {
        out.extend(input.facts());
    }
    out.extend(crate::sizing::catalog::FACTS);
    out.extend(crate::clusters::FACTS);
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Key(String),
    Any,
}

#[derive(Debug)]
struct Declared {
    tokens: Vec<Tok>,
    open: bool,
}

/// The declarations of every target, parsed once.
struct Registry {
    by_target: Vec<(Target, Vec<Declared>)>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
    let mut by_target: Vec<(Target, Vec<Declared>)> =
        Target::ALL.iter().map(|t| (*t, Vec::new())).collect();
    for group in groups() {
        for fact in group.facts {
            for text in expand(fact.path) {
                let Ok(path) = Path::parse(&text) else {
                    continue; // a test checks that every declaration parses
                };
                let tokens: Vec<Tok> = path.segments.iter().map(tok).collect();
                for (target, list) in &mut by_target {
                    if group.targets.contains(target) {
                        list.push(Declared {
                            tokens: tokens.clone(),
                            open: fact.open,
                        });
                    }
                }
            }
        }
    }
    Registry { by_target }
});

fn tok(s: &Segment) -> Tok {
    match s {
        Segment::Key(k) => Tok::Key(k.clone()),
        Segment::Index(_) | Segment::All => Tok::Any,
    }
}

/// `{a,b}[*].{x,y}` -> `a[*].x`, `a[*].y`, `b[*].x`, `b[*].y`.
pub fn expand(path: &str) -> Vec<String> {
    let (Some(open), Some(close)) = (path.find('{'), path.find('}')) else {
        return vec![path.to_string()];
    };
    if close < open {
        return vec![path.to_string()];
    }
    let rest = expand(&path[close + 1..]);
    path[open + 1..close]
        .split(',')
        .flat_map(|alt| {
            rest.iter()
                .map(move |r| format!("{}{}{r}", &path[..open], alt.trim()))
        })
        .collect()
}

fn matches(a: &Tok, b: &Tok) -> bool {
    match (a, b) {
        (Tok::Any, _) | (_, Tok::Any) => true,
        (Tok::Key(x), Tok::Key(y)) => x == y,
    }
}

impl Registry {
    fn declared(&self, target: Target) -> &[Declared] {
        self.by_target
            .iter()
            .find(|(t, _)| *t == target)
            .map_or(&[], |(_, list)| list.as_slice())
    }

    fn valid(&self, target: Target, used: &[Tok]) -> bool {
        used.is_empty()
            || self.declared(target).iter().any(|d| {
                let prefix_of_declared = used.len() <= d.tokens.len()
                    && used.iter().zip(&d.tokens).all(|(u, t)| matches(u, t));
                let below_open = d.open
                    && d.tokens.len() <= used.len()
                    && d.tokens.iter().zip(used).all(|(t, u)| matches(u, t));
                prefix_of_declared || below_open
            })
    }

    /// The closest valid path: the first segment no declaration knows replaced by the
    /// nearest key declared at that place.
    fn suggestion(&self, target: Target, used: &[Tok]) -> Option<Vec<Tok>> {
        let depth = (0..used.len())
            .rev()
            .find(|i| self.valid(target, &used[..*i]))
            .unwrap_or(0);
        let Tok::Key(wrong) = &used[depth] else {
            return None;
        };
        let candidates: BTreeSet<&str> = self
            .declared(target)
            .iter()
            .filter(|d| {
                d.tokens.len() > depth
                    && used[..depth]
                        .iter()
                        .zip(&d.tokens)
                        .all(|(u, t)| matches(u, t))
            })
            .filter_map(|d| match &d.tokens[depth] {
                Tok::Key(k) => Some(k.as_str()),
                Tok::Any => None,
            })
            .collect();
        let candidates: Vec<&str> = candidates.into_iter().collect();
        let best = super::loader::closest(wrong, &candidates)?;
        let mut fixed = used.to_vec();
        fixed[depth] = Tok::Key(best.to_string());
        if !self.valid(target, &fixed) {
            fixed.truncate(depth + 1);
        }
        Some(fixed)
    }
}

fn render(tokens: &[Tok]) -> String {
    let mut out = String::from("facts");
    for t in tokens {
        match t {
            Tok::Any => out.push_str("[*]"),
            Tok::Key(k) if k.contains(['.', '/', '[', ']', ' ']) => {
                let _ = write!(out, "[\"{k}\"]");
            }
            Tok::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
        }
    }
    out
}

/// Checks a path under `facts.` (its segments after `facts`) for a rule of `target`:
/// `Err` says what is wrong, with a did-you-mean hint.
pub fn check(target: Target, segments: &[Segment]) -> Result<(), String> {
    let registry = &*REGISTRY;
    let used: Vec<Tok> = segments.iter().map(tok).collect();
    if registry.valid(target, &used) {
        return Ok(());
    }
    let shown = render(&used);
    let mut message = format!("`{shown}` is not a fact of {target} workloads");
    if let Some(fixed) = registry.suggestion(target, &used) {
        let _ = write!(message, " (did you mean `{}`?)", render(&fixed));
    } else {
        let elsewhere: Vec<&str> = Target::ALL
            .iter()
            .filter(|t| registry.valid(**t, &used))
            .map(|t| t.as_str())
            .collect();
        if !elsewhere.is_empty() {
            let _ = write!(message, " (only of {})", elsewhere.join(", "));
        }
    }
    let _ = write!(
        message,
        "; `fitscan rules facts --target {target}` lists them"
    );
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_text(target: Target, text: &str) -> Result<(), String> {
        let path = Path::parse(text).unwrap_or_else(|e| panic!("{e}"));
        check(target, &path.segments[1..])
    }

    #[test]
    fn every_declaration_parses_and_has_a_meaning() {
        for g in groups() {
            assert!(!g.targets.is_empty(), "{}", g.title);
            for f in g.facts {
                for text in expand(f.path) {
                    assert!(Path::parse(&text).is_ok(), "{} does not parse", f.path);
                }
                let full_stop = f.meaning.ends_with('.') && !f.meaning.ends_with("...");
                assert!(
                    f.meaning.len() > 5 && !full_stop,
                    "{}: say what it means, without a full stop",
                    f.path
                );
            }
        }
    }

    #[test]
    fn declared_paths_prefixes_and_open_facts_are_valid() {
        for ok in [
            "facts.vcpu",
            "facts.rightsizing",
            "facts.rightsizing.reclaimable.memory_gib",
            "facts.name",
        ] {
            assert_eq!(check_text(Target::Vm, ok), Ok(()), "{ok}");
        }
        for ok in [
            "facts.containers[*].readinessProbe.httpGet.port",
            "facts.containers[0].image_pin",
            "facts.pod.hostNetwork",
            "facts.pod_labels.app",
            "facts.autoscalers[*].min_replicas",
            "facts.components[*].current.vcpu",
        ] {
            assert_eq!(check_text(Target::Kubernetes, ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn unknown_facts_say_what_was_meant() {
        let e = check_text(Target::Vm, "facts.vcpus")
            .err()
            .unwrap_or_default();
        assert!(
            e.contains("`facts.vcpus` is not a fact of vm workloads"),
            "{e}"
        );
        assert!(e.contains("did you mean `facts.vcpu`?"), "{e}");
        let e = check_text(Target::Vm, "facts.rightsizing.reclaimable.vcpus")
            .err()
            .unwrap_or_default();
        assert!(
            e.contains("did you mean `facts.rightsizing.reclaimable.vcpu`?"),
            "{e}"
        );
        let e = check_text(Target::Vm, "facts.autoscalers")
            .err()
            .unwrap_or_default();
        assert!(e.contains("(only of kubernetes)"), "{e}");
        assert!(e.contains("fitscan rules facts --target vm"), "{e}");
        // The facts of one target are not those of another.
        assert!(check_text(Target::Dockerfile, "facts.replicas").is_err());
    }

    /// Every fact path the workloads of `files` carry, as the rules see them (the pipeline's
    /// steps before the rules run, as `assess` takes them).
    fn produced(
        files: &[crate::source::SourceFile],
        opts: &crate::ScanOptions,
        out: &mut BTreeSet<(Target, Vec<Tok>)>,
    ) {
        let mut workloads = Vec::new();
        let mut objects = Vec::new();
        let mut errors = Vec::new();
        let mut vsphere = Vec::new();
        for f in files {
            let o = crate::scan::ingest_guarded(f, opts);
            workloads.extend(o.workloads);
            objects.extend(o.objects);
            vsphere.extend(o.vsphere_clusters);
        }
        crate::ingest::link(
            &mut workloads,
            objects,
            &mut errors,
            &crate::ingest::IngestContext::default(),
        );
        let extras = match crate::scan::load_extras(opts) {
            Ok(x) => x,
            Err(e) => panic!("{e}"),
        };
        extras.metrics.apply(&mut workloads, &mut errors);
        // Kubernetes clusters are built from their node VMs, as the pipeline does after
        // assessing them (each node assessed for its right-sizing verdict).
        let mut nodes: Vec<(usize, crate::clusters::NodeRecord)> = workloads
            .iter()
            .enumerate()
            .filter_map(|(i, w)| {
                crate::clusters::recognise(w, &opts.kubernetes_clusters).map(|n| (i, n))
            })
            .collect();
        if !nodes.is_empty() {
            // Rules are loaded only where there are nodes to judge: most fixtures have none.
            let rules = crate::rules::loader::load(true, &[]).unwrap_or_else(|e| panic!("{e}"));
            let applied = crate::scan::policy::Applied::default();
            for (i, n) in &mut nodes {
                let assessed = crate::scan::assess::assess(
                    workloads[*i].clone(),
                    &rules,
                    opts,
                    &applied,
                    extras.catalog.as_ref(),
                );
                let state = assessed
                    .report
                    .properties
                    .state(crate::model::Property::RightSized);
                n.right_sized = serde_json::to_value(state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
            }
        }
        let clusters: Vec<crate::model::Workload> =
            crate::clusters::build(nodes, &vsphere, &Default::default())
                .into_iter()
                .map(|b| b.workload)
                .collect();
        workloads.extend(clusters);
        for mut w in workloads {
            // The pipeline's own steps, so that the facts seen are the facts rules get.
            crate::ingest::common_facts::insert(&mut w);
            crate::lifecycle::insert(&mut w, &extras.lifecycle);
            crate::sizing::size(&mut w, &opts.sizing, extras.catalog.as_ref());
            if let Ok(target) = crate::readiness::destination(crate::readiness::NEUTRAL) {
                crate::readiness::insert(&mut w, target);
            }
            walk(w.target, &w.facts, &mut Vec::new(), out);
        }
    }

    fn walk(
        target: Target,
        node: &crate::node::Node,
        at: &mut Vec<Tok>,
        out: &mut BTreeSet<(Target, Vec<Tok>)>,
    ) {
        use crate::node::Value;
        if !at.is_empty() {
            out.insert((target, at.clone()));
        }
        match &node.value {
            Value::Map(entries) => {
                for e in entries {
                    at.push(Tok::Key(e.key.clone()));
                    walk(target, &e.value, at, out);
                    at.pop();
                }
            }
            Value::Seq(items) => {
                at.push(Tok::Any);
                for i in items {
                    walk(target, i, at, out);
                }
                at.pop();
            }
            _ => {}
        }
    }

    impl PartialOrd for Tok {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(other))
        }
    }
    impl Ord for Tok {
        fn cmp(&self, other: &Self) -> std::cmp::Ordering {
            let key = |t: &Tok| match t {
                Tok::Any => (0, String::new()),
                Tok::Key(k) => (1, k.clone()),
            };
            key(self).cmp(&key(other))
        }
    }

    fn read_all(dir: &std::path::Path) -> Vec<crate::source::SourceFile> {
        let candidates = crate::scan::discover::discover(
            &[dir.to_path_buf()],
            crate::scan::discover::WalkOptions {
                follow_links: false,
                no_ignore: true,
                threads: 1,
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
        candidates
            .candidates
            .iter()
            .filter_map(|c| {
                crate::ingest::read::read(c, crate::DEFAULT_MAX_FILE_SIZE)
                    .ok()
                    .flatten()
            })
            .collect()
    }

    /// The facts of every fixture of the default rules' tests (with their metrics and
    /// catalogs), of the samples, and of tests/fixtures/facts (inputs for the rarer facts).
    fn produced_by_fixtures() -> BTreeSet<(Target, Vec<Tok>)> {
        let mut out = BTreeSet::new();
        let tree =
            crate::authoring::testing::RuleTree::embedded().unwrap_or_else(|e| panic!("{e}"));
        for (files, opts) in
            crate::authoring::testing::case_inputs(&tree).unwrap_or_else(|e| panic!("{e}"))
        {
            produced(&files, &opts, &mut out);
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        produced(
            &read_all(&root.join("samples")),
            &crate::ScanOptions::default(),
            &mut out,
        );
        let extra = root.join("tests/fixtures/facts");
        let opts = crate::ScanOptions {
            metrics: vec![extra.join("metrics.csv")],
            ..crate::ScanOptions::default()
        };
        produced(&read_all(&extra), &opts, &mut out);
        out
    }

    #[test]
    fn every_fact_the_inputs_produce_is_declared() {
        let registry = &*REGISTRY;
        let undeclared: Vec<String> = produced_by_fixtures()
            .iter()
            .filter(|(t, path)| !registry.valid(*t, path))
            .map(|(t, path)| format!("{t}: {}", render(path)))
            .collect();
        assert!(
            undeclared.is_empty(),
            "facts inserted but not declared (add them to the input's `facts()`):\n{}",
            undeclared.join("\n")
        );
    }

    #[test]
    fn every_declared_fact_is_produced_by_a_fixture() {
        let produced = produced_by_fixtures();
        let mut missing = Vec::new();
        for (target, declared) in &REGISTRY.by_target {
            for d in declared {
                let seen = produced.iter().any(|(t, p)| {
                    t == target
                        && p.len() == d.tokens.len()
                        && p.iter().zip(&d.tokens).all(|(a, b)| matches(a, b))
                });
                if !seen {
                    missing.push(format!("{target}: {}", render(&d.tokens)));
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(
            missing.is_empty(),
            "declared facts no fixture or sample produces (add a fixture that does):\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn alternatives_expand() {
        assert_eq!(
            expand("current.{vcpu, memory_gib}"),
            vec!["current.vcpu", "current.memory_gib"]
        );
        assert_eq!(expand("os"), vec!["os"]);
        assert_eq!(
            expand("{a,b}[*].{x,y}"),
            vec!["a[*].x", "a[*].y", "b[*].x", "b[*].y"]
        );
    }
}
