//! Rules as data: the schema, the loader (embedded defaults plus user files) and the
//! evaluator. A rule is a check attached to the phase it is needed for; its `when` is the
//! failure condition.

mod conditions;
pub mod eval;
pub mod facts;
pub mod loader;
pub mod path;
pub mod template;

use std::collections::BTreeMap;

use crate::model::{Disposition, Level, Property, Severity, Target};
use crate::node::Node;
pub use loader::RuleError;
use path::Path;
use template::Template;

/// Where a rule was defined.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSource {
    pub file: String,
    pub line: u32,
    pub embedded: bool,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub target: Target,
    pub level: Level,
    /// The defining property this rule is evidence for; `None` makes it advice.
    pub property: Option<Property>,
    pub severity: Severity,
    /// A higher severity where a condition holds too (`escalate: { severity: error, when:
    /// ... }`): an undersized workload is a warning, a saturated one an error.
    pub escalate: Option<Escalation>,
    pub weight: f64,
    pub effort: u32,
    /// Whether the rule can hold a workload below a phase: it names a property.
    pub gating: bool,
    pub disposition: Disposition,
    pub title: String,
    pub message: Template,
    pub remediation: Template,
    pub rationale: String,
    /// What to collect when the check is unknown (defaults to the facts it needs).
    pub evidence: Option<String>,
    pub needs: Vec<Path>,
    pub applies: Option<Cond>,
    pub when: Cond,
    /// Where a finding points when the condition matched no located value (e.g. "absent").
    pub at: Option<Path>,
    pub tags: Vec<String>,
    pub links: Vec<String>,
    /// Former ids of this rule: suppressions and baselines written with them still apply.
    pub aliases: Vec<String>,
    pub source: RuleSource,
    /// The rule as parsed (positions of its fields for later checks).
    pub raw: Node,
    /// The rule's YAML as written in its file (without the list's `- `), for `rules show`
    /// and the generated docs.
    pub source_text: String,
}

/// A severity that replaces the rule's own where `when` holds on the workload.
#[derive(Debug, Clone)]
pub struct Escalation {
    pub severity: Severity,
    pub when: Cond,
}

impl Rule {
    /// The severity of this rule's findings on a workload: the escalated one where its
    /// condition holds.
    pub fn severity_on(&self, roots: path::Roots<'_>) -> Severity {
        match &self.escalate {
            Some(e) if eval::fires(&e.when, roots, None) => e.severity,
            _ => self.severity,
        }
    }
}

/// A condition over a workload's document and facts.
#[derive(Debug, Clone)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    /// Fires for each element of `path` on which `cond` fires.
    Some {
        path: Path,
        cond: Box<Cond>,
    },
    /// Fires when the list is not empty and `cond` fires on every element.
    Every {
        path: Path,
        cond: Box<Cond>,
    },
    /// Fires when `cond` fires on no element (an empty or missing list included).
    NoneOf {
        path: Path,
        cond: Box<Cond>,
    },
    Test {
        path: Path,
        op: Op,
    },
}

#[derive(Debug, Clone)]
pub enum Op {
    /// `exists: true` (present and not null) or `exists: false` / `absent: true`.
    Exists(bool),
    Equals(Node),
    NotEquals(Node),
    OneOf(Vec<Node>),
    NotOneOf(Vec<Node>),
    Matches(crate::pattern::Pattern),
    NotMatches(crate::pattern::Pattern),
    Contains(Node),
    Gt(f64),
    Gte(f64),
    Lt(f64),
    Lte(f64),
}

impl Op {
    pub fn name(&self) -> &'static str {
        match self {
            Op::Exists(_) => "exists",
            Op::Equals(_) => "equals",
            Op::NotEquals(_) => "not_equals",
            Op::OneOf(_) => "one_of",
            Op::NotOneOf(_) => "not_one_of",
            Op::Matches(_) => "matches",
            Op::NotMatches(_) => "not_matches",
            Op::Contains(_) => "contains",
            Op::Gt(_) => "gt",
            Op::Gte(_) => "gte",
            Op::Lt(_) => "lt",
            Op::Lte(_) => "lte",
        }
    }
}

/// A rule's id, title and evidence as shared text: every workload's checks, roadmap and
/// evidence list point at one copy instead of each holding its own (an estate of 50,000
/// VMs would hold millions of copies).
#[derive(Debug, Clone)]
pub struct RuleTexts {
    pub id: std::sync::Arc<str>,
    pub title: std::sync::Arc<str>,
    pub evidence: Option<std::sync::Arc<str>>,
}

/// Every loaded rule, grouped by target, in id order.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    by_target: BTreeMap<Target, Vec<usize>>,
    texts: Vec<RuleTexts>,
}

impl RuleSet {
    pub fn new(mut rules: Vec<Rule>) -> Self {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        let mut by_target: BTreeMap<Target, Vec<usize>> = BTreeMap::new();
        for (i, r) in rules.iter().enumerate() {
            by_target.entry(r.target).or_default().push(i);
        }
        let texts = rules
            .iter()
            .map(|r| RuleTexts {
                id: r.id.as_str().into(),
                title: r.title.as_str().into(),
                evidence: r.evidence.as_deref().map(Into::into),
            })
            .collect();
        RuleSet {
            rules,
            by_target,
            texts,
        }
    }

    /// The rules for a target with their shared texts.
    pub fn for_target_with_texts(
        &self,
        target: Target,
    ) -> impl Iterator<Item = (&Rule, &RuleTexts)> {
        self.by_target
            .get(&target)
            .into_iter()
            .flatten()
            .map(|i| (&self.rules[*i], &self.texts[*i]))
    }

    pub fn for_target(&self, target: Target) -> impl Iterator<Item = &Rule> {
        self.by_target
            .get(&target)
            .into_iter()
            .flatten()
            .map(|i| &self.rules[*i])
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules
            .iter()
            .find(|r| r.id.eq_ignore_ascii_case(id))
            .or_else(|| {
                self.rules
                    .iter()
                    .find(|r| r.aliases.iter().any(|a| a.eq_ignore_ascii_case(id)))
            })
    }

    /// The canonical id for an id or alias a user wrote (suppressions, baselines).
    pub fn canonical_id<'a>(&'a self, id: &'a str) -> &'a str {
        self.get(id).map_or(id, |r| r.id.as_str())
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}
