//! Evaluates a rule on a workload: pass, fail (with the located values that made it fail),
//! unknown (a fact it `needs` is missing) or not applicable (`applies` is false).
//!
//! Text comparisons (`equals`, `one_of`, `contains`) ignore ASCII case, because inventories
//! and CMDBs spell the same value many ways; numbers compare as numbers; `matches` uses the
//! regular expression as written (add `(?i)` to ignore case).

use std::borrow::Cow;

use super::path::Roots;
use super::{Cond, Op, Rule};
use crate::node::{Node, Value};

/// A located value that made a condition fire. An occurrence is one of several places the
/// same problem appears (an element of a list the rule iterates): each becomes a finding of
/// its own. Other hits are evidence for a single finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub line: u32,
    pub value: Option<String>,
    pub occurrence: bool,
    /// For an occurrence found by `some` / `every`: the element's `name` (else `id`), which
    /// messages show as `{item}`.
    pub item: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    Fail(Vec<Hit>),
    /// The paths from `needs` that had no value.
    Unknown(Vec<String>),
    NotApplicable,
}

pub fn evaluate(rule: &Rule, roots: Roots<'_>) -> Outcome {
    // A check that plainly does not apply needs no evidence (a stateless server's backup, a
    // small VDU's utilisation). An `applies` that is false only because a fact it reads is
    // missing has not shown that: the evidence the check needs is asked for first.
    let applies = rule.applies.as_ref().is_none_or(|a| fires(a, roots, None));
    if !applies
        && !rule
            .applies
            .as_ref()
            .is_some_and(|a| reads_a_missing_fact(a, roots))
    {
        return Outcome::NotApplicable;
    }
    let missing: Vec<String> = rule
        .needs
        .iter()
        .filter(|p| p.resolve(roots, None).iter().all(|n| n.is_null()))
        .map(|p| p.text.clone())
        .collect();
    if !missing.is_empty() {
        return Outcome::Unknown(missing);
    }
    if !applies {
        return Outcome::NotApplicable;
    }
    // Most rules pass on most workloads: whether one fires is decided first, without
    // writing the located values that only a failure reports.
    if !fires(&rule.when, roots, None) {
        return Outcome::Pass;
    }
    let (_, mut hits) = eval(&rule.when, roots, None);
    // One hit per line: the first (in condition order), an occurrence when any hit on that
    // line is one, so that evidence for a line never hides the occurrence found there.
    hits.sort_by_key(|h| h.line);
    let mut merged: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits {
        match merged.last_mut() {
            Some(last) if last.line == h.line => last.occurrence |= h.occurrence,
            _ => merged.push(h),
        }
    }
    Outcome::Fail(merged)
}

/// Whether a path `cond` reads at the workload's root (a test, or the list a `some` /
/// `every` / `none` walks) resolves to nothing.
fn reads_a_missing_fact(cond: &Cond, roots: Roots<'_>) -> bool {
    let missing = |path: &super::path::Path| path.resolve(roots, None).iter().all(|n| n.is_null());
    match cond {
        Cond::All(conds) | Cond::Any(conds) => conds.iter().any(|c| reads_a_missing_fact(c, roots)),
        Cond::Not(c) => reads_a_missing_fact(c, roots),
        Cond::Some { path, .. } | Cond::Every { path, .. } | Cond::NoneOf { path, .. } => {
            missing(path)
        }
        Cond::Test { path, .. } => missing(path),
    }
}

/// Whether `cond` fires, and the located values that made it fire.
pub fn eval(cond: &Cond, roots: Roots<'_>, scope: Option<&Node>) -> (bool, Vec<Hit>) {
    match cond {
        Cond::All(conds) => {
            let mut hits = Vec::new();
            for c in conds {
                let (fired, h) = eval(c, roots, scope);
                if !fired {
                    return (false, Vec::new());
                }
                hits.extend(h);
            }
            (true, hits)
        }
        Cond::Any(conds) => {
            let mut fired_any = false;
            let mut hits = Vec::new();
            for c in conds {
                let (fired, h) = eval(c, roots, scope);
                if fired {
                    fired_any = true;
                    hits.extend(h);
                }
            }
            (fired_any, hits)
        }
        Cond::Not(inner) => (!fires(inner, roots, scope), Vec::new()),
        Cond::Some { path, cond } => {
            let mut hits = Vec::new();
            let mut fired_any = false;
            for element in path.resolve(roots, scope) {
                let (fired, h) = eval(cond, roots, Some(element));
                if fired {
                    fired_any = true;
                    hits.extend(element_hits(element, h));
                }
            }
            (fired_any, hits)
        }
        Cond::Every { path, cond } => {
            let elements = path.resolve(roots, scope);
            if elements.is_empty() {
                return (false, Vec::new());
            }
            let mut hits = Vec::new();
            for element in elements {
                let (fired, h) = eval(cond, roots, Some(element));
                if !fired {
                    return (false, Vec::new());
                }
                hits.extend(element_hits(element, h));
            }
            (true, hits)
        }
        Cond::NoneOf { .. } => (fires(cond, roots, scope), Vec::new()),
        Cond::Test { path, op } => {
            let nodes = path.resolve(roots, scope);
            test(op, &nodes, path.has_wildcard())
        }
    }
}

/// Whether `cond` fires: what [`eval`] says first, without the located values, and stopping
/// at the first element or alternative that decides.
pub fn fires(cond: &Cond, roots: Roots<'_>, scope: Option<&Node>) -> bool {
    match cond {
        Cond::All(conds) => conds.iter().all(|c| fires(c, roots, scope)),
        Cond::Any(conds) => conds.iter().any(|c| fires(c, roots, scope)),
        Cond::Not(inner) => !fires(inner, roots, scope),
        Cond::Some { path, cond } => path.any(roots, scope, &mut |element| {
            fires(cond, roots, Some(element))
        }),
        Cond::Every { path, cond } => {
            let mut reached = false;
            let one_fails = path.any(roots, scope, &mut |element| {
                reached = true;
                !fires(cond, roots, Some(element))
            });
            reached && !one_fails
        }
        Cond::NoneOf { path, cond } => !path.any(roots, scope, &mut |element| {
            fires(cond, roots, Some(element))
        }),
        Cond::Test { path, op } => match op {
            Op::Exists(present) => path.any(roots, scope, &mut |n| !n.is_null()) == *present,
            _ => path.any(roots, scope, &mut |n| !n.is_null() && holds(op, n)),
        },
    }
}

/// Whether a present value meets `op` (any `op` but `exists`), as [`test`] keeps it.
fn holds(op: &Op, n: &Node) -> bool {
    match op {
        Op::Exists(_) => true,
        Op::Equals(v) => scalar_eq(n, v),
        Op::NotEquals(v) => !scalar_eq(n, v),
        Op::OneOf(vs) => vs.iter().any(|v| scalar_eq(n, v)),
        Op::NotOneOf(vs) => !vs.iter().any(|v| scalar_eq(n, v)),
        Op::Matches(re) => match_text(n).is_some_and(|t| re.is_match(&t)),
        Op::NotMatches(re) => match_text(n).is_some_and(|t| !re.is_match(&t)),
        Op::Contains(v) => contains(n, v),
        Op::Gt(x) => n.as_f64().is_some_and(|f| f > *x),
        Op::Gte(x) => n.as_f64().is_some_and(|f| f >= *x),
        Op::Lt(x) => n.as_f64().is_some_and(|f| f < *x),
        Op::Lte(x) => n.as_f64().is_some_and(|f| f <= *x),
    }
}

/// One occurrence per element that fired (at its first located evidence, or at the
/// element), unless the inner condition already found occurrences of its own.
fn element_hits(element: &Node, inner: Vec<Hit>) -> Vec<Hit> {
    let item = ["name", "id"]
        .iter()
        .find_map(|k| element.get(k).and_then(Node::scalar_text));
    if inner.iter().any(|h| h.occurrence) {
        return inner
            .into_iter()
            .map(|h| Hit {
                item: h.item.or_else(|| item.clone()),
                ..h
            })
            .collect();
    }
    let first = inner.iter().filter(|h| h.line > 0).min_by_key(|h| h.line);
    vec![Hit {
        line: first.map_or(element.line, |h| h.line),
        // An element without a located value is named by its `name`/`id`, not "{5 keys}".
        value: first
            .and_then(|h| h.value.clone())
            .or_else(|| item.clone())
            .or_else(|| Some(element.display_text())),
        occurrence: true,
        item,
    }]
}

fn hit(node: &Node, occurrence: bool) -> Hit {
    Hit {
        line: node.line,
        value: Some(node.display_text()),
        occurrence,
        item: None,
    }
}

fn test(op: &Op, nodes: &[&Node], occurrences: bool) -> (bool, Vec<Hit>) {
    let present: Vec<&Node> = nodes.iter().copied().filter(|n| !n.is_null()).collect();
    let matching: Vec<&Node> = match op {
        Op::Exists(true) => present,
        Op::Exists(false) => return (present.is_empty(), Vec::new()),
        _ => present.into_iter().filter(|n| holds(op, n)).collect(),
    };
    let fired = !matching.is_empty();
    (
        fired,
        matching.into_iter().map(|n| hit(n, occurrences)).collect(),
    )
}

/// Text a regular expression is matched against: a scalar's text, or a list of scalars
/// joined by spaces (an exec-form command line).
fn match_text(node: &Node) -> Option<Cow<'_, str>> {
    match &node.value {
        Value::Seq(items) => {
            let parts: Option<Vec<String>> = items.iter().map(Node::scalar_text).collect();
            parts.map(|p| Cow::Owned(p.join(" ")))
        }
        Value::Map(_) => None,
        _ => text(node),
    }
}

/// A scalar as text, borrowed when it is text already (rules compare millions of them).
fn text(node: &Node) -> Option<Cow<'_, str>> {
    match &node.value {
        Value::Str(s) => Some(Cow::Borrowed(s)),
        _ => node.scalar_text().map(Cow::Owned),
    }
}

fn contains(node: &Node, needle: &Node) -> bool {
    match &node.value {
        Value::Seq(items) => items.iter().any(|i| scalar_eq(i, needle)),
        Value::Map(entries) => {
            let key = needle.scalar_text().unwrap_or_default();
            entries.iter().any(|e| e.key.eq_ignore_ascii_case(&key))
        }
        _ => match (node.scalar_text(), needle.scalar_text()) {
            (Some(h), Some(n)) => h.to_ascii_lowercase().contains(&n.to_ascii_lowercase()),
            _ => false,
        },
    }
}

/// Equality for rule values: numerically when both are numbers, otherwise as text that
/// ignores ASCII case (so `true` equals `"True"`).
pub fn scalar_eq(a: &Node, b: &Node) -> bool {
    let numeric_like =
        |n: &Node| matches!(n.value, Value::Int(_) | Value::Float(_)) || n.as_f64().is_some();
    if numeric_like(a)
        && numeric_like(b)
        && let (Some(x), Some(y)) = (a.as_f64(), b.as_f64())
    {
        return (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    }
    match (text(a), text(b)) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(&y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::loader::parse_rule_file;
    use crate::yaml::parse_documents;

    const DOC: &str = "\
spec:
  os: RHEL 6.10
  cpu: { vcpus: 8 }
  disks:
    - { size: 300GB, count: 30 }
    - { size: 50GB }
  app:
    config: Baked
  tags: [legacy, telco]
  command: [\"/usr/bin/supervisord\", \"-n\"]
";

    fn run(when: &str, needs: &str) -> Outcome {
        run_with(when, needs, "")
    }

    fn run_with(when: &str, needs: &str, applies: &str) -> Outcome {
        let text = format!(
            "id: T1\ntarget: vm\nlevel: optimised\ntitle: t\nmessage: m\nremediation: r\n{needs}{applies}when: {when}\n"
        );
        let rules = match parse_rule_file("t.yaml", &text, false) {
            Ok(r) => r,
            Err(e) => panic!("{e}\n{text}"),
        };
        let doc = parse_documents(DOC)
            .unwrap_or_default()
            .pop()
            .unwrap_or_else(Node::null);
        let mut facts = Node::map(0);
        facts.insert("vcpu", Node::float(8.0, 3));
        facts.insert("disk_count", Node::int(31, 5));
        evaluate(
            &rules[0],
            Roots {
                doc: &doc,
                facts: &facts,
            },
        )
    }

    fn lines(o: &Outcome) -> Vec<u32> {
        match o {
            Outcome::Fail(h) => h.iter().map(|h| h.line).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn every_operator() {
        assert_eq!(lines(&run("{path: spec.os, exists: true}", "")), vec![2]);
        assert_eq!(run("{path: spec.nope, exists: true}", ""), Outcome::Pass);
        assert_eq!(
            run("{path: spec.nope, absent: true}", ""),
            Outcome::Fail(vec![])
        );
        assert_eq!(run("{path: spec.os, exists: false}", ""), Outcome::Pass);
        assert_eq!(
            lines(&run("{path: spec.app.config, equals: baked}", "")),
            vec![8]
        );
        assert_eq!(
            run("{path: spec.app.config, not_equals: baked}", ""),
            Outcome::Pass
        );
        assert_eq!(
            lines(&run("{path: spec.app.config, one_of: [files, BAKED]}", "")),
            vec![8]
        );
        assert_eq!(
            run("{path: spec.app.config, not_one_of: [files, baked]}", ""),
            Outcome::Pass
        );
        assert_eq!(
            lines(&run("{path: spec.os, matches: '^RHEL [56]'}", "")),
            vec![2]
        );
        assert_eq!(run("{path: spec.os, matches: '^rhel'}", ""), Outcome::Pass);
        assert_eq!(
            run("{path: spec.os, not_matches: '^RHEL'}", ""),
            Outcome::Pass
        );
        assert_eq!(
            lines(&run("{path: spec.tags, contains: telco}", "")),
            vec![9]
        );
        assert_eq!(lines(&run("{path: spec.os, contains: rhel}", "")), vec![2]);
        assert_eq!(
            lines(&run("{path: spec.command, matches: 'supervisord -n'}", "")),
            vec![10]
        );
        assert_eq!(lines(&run("{path: facts.vcpu, gt: 4}", "")), vec![3]);
        assert_eq!(run("{path: facts.vcpu, gt: 8}", ""), Outcome::Pass);
        assert_eq!(lines(&run("{path: facts.vcpu, gte: 8}", "")), vec![3]);
        assert_eq!(lines(&run("{path: facts.vcpu, lt: 9}", "")), vec![3]);
        assert_eq!(lines(&run("{path: facts.vcpu, lte: 8}", "")), vec![3]);
        // numbers compare numerically even when written as text
        assert_eq!(
            lines(&run("{path: spec.cpu.vcpus, equals: '8.0'}", "")),
            vec![3]
        );
        // a number compared with text never matches a numeric test
        assert_eq!(run("{path: spec.os, gt: 1}", ""), Outcome::Pass);
    }

    #[test]
    fn lists_any_and_every_element() {
        // a wildcard path fires once per matching element
        assert_eq!(
            lines(&run("{path: 'spec.disks[*].size', equals: 300GB}", "")),
            vec![5]
        );
        assert_eq!(
            lines(&run("{path: 'spec.disks[*].size', exists: true}", "")),
            vec![5, 6]
        );
        let some = run(
            "{some: 'spec.disks[*]', where: {path: count, absent: true}}",
            "",
        );
        assert_eq!(lines(&some), vec![6]);
        let every = run(
            "{every: 'spec.disks[*]', where: {path: size, exists: true}}",
            "",
        );
        assert_eq!(lines(&every), vec![5, 6]);
        assert_eq!(
            run(
                "{every: 'spec.disks[*]', where: {path: count, exists: true}}",
                ""
            ),
            Outcome::Pass
        );
        assert_eq!(
            run(
                "{every: 'spec.none[*]', where: {path: count, exists: true}}",
                ""
            ),
            Outcome::Pass
        );
        assert_eq!(
            run(
                "{none: 'spec.disks[*]', where: {path: size, equals: 1TB}}",
                ""
            ),
            Outcome::Fail(vec![])
        );
        assert_eq!(
            run(
                "{none: 'spec.disks[*]', where: {path: size, equals: 50GB}}",
                ""
            ),
            Outcome::Pass
        );
        // `$.` reaches the root from inside an element
        let root = run(
            "{some: 'spec.disks[*]', where: {path: '$.spec.os', matches: RHEL}}",
            "",
        );
        assert_eq!(lines(&root), vec![2]);
    }

    #[test]
    fn evidence_on_a_line_does_not_hide_an_occurrence_there() {
        let out = run(
            "{any: [{all: [{path: 'spec.disks[0].size', exists: true}, {path: 'spec.disks[*].count', exists: true}]}, {path: 'spec.tags[*]', equals: telco}]}",
            "",
        );
        match out {
            Outcome::Fail(hits) => {
                let got: Vec<(u32, bool)> = hits.iter().map(|h| (h.line, h.occurrence)).collect();
                assert_eq!(got, vec![(5, true), (9, true)]);
                assert_eq!(hits[0].value.as_deref(), Some("300GB"));
            }
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn combinators() {
        let all = run(
            "{all: [{path: facts.vcpu, gt: 4}, {path: spec.os, matches: RHEL}]}",
            "",
        );
        assert_eq!(lines(&all), vec![2, 3]);
        let all_fails = run(
            "{all: [{path: facts.vcpu, gt: 4}, {path: spec.os, matches: SLES}]}",
            "",
        );
        assert_eq!(all_fails, Outcome::Pass);
        let any = run(
            "{any: [{path: facts.vcpu, gt: 100}, {path: spec.os, matches: RHEL}]}",
            "",
        );
        assert_eq!(lines(&any), vec![2]);
        assert_eq!(
            run("{not: {path: spec.os, matches: RHEL}}", ""),
            Outcome::Pass
        );
        assert_eq!(
            run("{not: {path: spec.os, matches: SLES}}", ""),
            Outcome::Fail(vec![])
        );
    }

    #[test]
    fn needs_make_unknown_and_applies_make_not_applicable() {
        let unknown = run(
            "{path: facts.demand.vcpu, gt: 1}",
            "needs: [facts.demand.vcpu, facts.vcpu]\n",
        );
        assert_eq!(unknown, Outcome::Unknown(vec!["facts.demand.vcpu".into()]));
        let known = run("{path: facts.vcpu, gt: 1}", "needs: [facts.vcpu]\n");
        assert_eq!(lines(&known), vec![3]);
        let na = run_with(
            "{path: facts.vcpu, gt: 1}",
            "",
            "applies: {path: facts.disk_count, lt: 2}\n",
        );
        assert_eq!(na, Outcome::NotApplicable);
        let applies = run_with(
            "{path: facts.vcpu, gt: 1}",
            "",
            "applies: {path: facts.disk_count, gt: 2}\n",
        );
        assert_eq!(lines(&applies), vec![3]);
    }

    #[test]
    fn a_check_that_does_not_apply_needs_no_evidence_unless_applicability_is_unknown() {
        // not applicable wins over a missing needed fact
        let na = run_with(
            "{path: facts.demand.vcpu, gt: 1}",
            "needs: [facts.demand.vcpu]\n",
            "applies: {path: facts.disk_count, gt: 100}\n",
        );
        assert_eq!(na, Outcome::NotApplicable);
        // an `applies` false only because its own fact is missing asks for the evidence
        let unknown = run_with(
            "{path: facts.demand.vcpu, gt: 1}",
            "needs: [facts.demand.vcpu]\n",
            "applies: {path: facts.powered_off, equals: false}\n",
        );
        assert_eq!(unknown, Outcome::Unknown(vec!["facts.demand.vcpu".into()]));
    }
}
