//! The phase ladder: from the outcome of every check on a workload to the state of each
//! defining property, then to its phase, score, confidence, roadmap, evidence needed,
//! generation disconnect, disposition and effort.
//!
//! A gating check is evidence for one property. A property **holds** when its applicable
//! checks pass, **fails** when one fails, is **unknown** when none fails and one could not be
//! judged, and is **n/a** when none of its checks applies.
//! - `unchanged`: an optimised property fails or is unknown;
//! - `optimised`: every optimised property holds (or is n/a); a purpose-built one fails or
//!   is unknown;
//! - `purpose-built`: every property holds (or is n/a);
//! - `not-assessed`: no gating check applied at all.
//!
//! Unknown is not a pass: a workload reaches a phase on evidence only. Advice (checks that
//! name no property) counts in the score and the roadmap, never in the phase. Not-applicable
//! and suppressed checks take no part.

use std::sync::Arc;

use serde::Serialize;

use crate::model::{Disposition, Generation, Level, Phase, Property, PropertyState, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckState {
    Pass,
    Fail,
    Unknown,
    NotApplicable,
    /// Failed, but every finding was suppressed: an accepted exception.
    Suppressed,
}

impl CheckState {
    /// Whether the check took part (passed, failed or could not be judged).
    pub fn applies(self) -> bool {
        matches!(
            self,
            CheckState::Pass | CheckState::Fail | CheckState::Unknown
        )
    }
    pub fn as_str(self) -> &'static str {
        match self {
            CheckState::Pass => "pass",
            CheckState::Fail => "fail",
            CheckState::Unknown => "unknown",
            CheckState::NotApplicable => "n/a",
            CheckState::Suppressed => "suppressed",
        }
    }
}

/// What the ladder needs to know about one check on one workload.
#[derive(Debug, Clone)]
pub struct Check {
    pub rule: Arc<str>,
    pub title: Arc<str>,
    pub level: Level,
    pub severity: Severity,
    /// The property this check is evidence for; `None` for advice.
    pub property: Option<Property>,
    pub weight: f64,
    pub effort: u32,
    pub disposition: Disposition,
    /// `Retire` or `Retain` when the rule is tagged so: a failure of it recommends that
    /// treatment whatever the roadmap says (idle, powered off, an OS no target runs).
    pub treatment: Option<Disposition>,
    pub state: CheckState,
    /// For unknown checks: the facts that were missing.
    pub missing: Vec<String>,
    /// What to collect, in words.
    pub evidence: Option<Arc<str>>,
}

impl Check {
    pub fn gating(&self) -> bool {
        self.property.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RoadmapItem {
    pub rule: Arc<str>,
    pub title: Arc<str>,
    pub level: Level,
    /// The property the change makes hold; absent for advice ("also recommended").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<Property>,
    pub severity: Severity,
    pub effort: u32,
}

impl RoadmapItem {
    pub fn is_advice(&self) -> bool {
        self.property.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EvidenceItem {
    pub rule: Arc<str>,
    pub title: Arc<str>,
    pub level: Level,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<Property>,
    /// The facts that were missing.
    pub needs: Vec<String>,
    /// What to collect, in words.
    pub collect: Arc<str>,
}

/// One property on one workload, with the checks behind its state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PropertyOutcome {
    pub property: Property,
    pub state: PropertyState,
    /// The applicable gating checks of the property and their states.
    pub checks: Vec<(Arc<str>, CheckState)>,
}

/// Every property of a workload, serialised as two JSON fields: `properties` (property ->
/// holds / fails / unknown / n/a) and `property_checks` (property -> the applicable checks
/// behind that state, each `{rule, state}`).
///
/// Shared: most workloads of an estate stand the same way on every property.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PropertyVerdicts(pub Arc<[PropertyOutcome]>);

impl PropertyVerdicts {
    pub fn state(&self, property: Property) -> PropertyState {
        self.0
            .iter()
            .find(|o| o.property == property)
            .map_or(PropertyState::NotApplicable, |o| o.state)
    }
    pub fn iter(&self) -> impl Iterator<Item = &PropertyOutcome> {
        self.0.iter()
    }
}

impl Serialize for PropertyVerdicts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct States<'a>(&'a [PropertyOutcome]);
        impl Serialize for States<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for o in self.0 {
                    m.serialize_entry(o.property.as_str(), o.state.as_str())?;
                }
                m.end()
            }
        }
        struct Checks<'a>(&'a [PropertyOutcome]);
        impl Serialize for Checks<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                #[derive(Serialize)]
                struct One<'a> {
                    rule: &'a str,
                    state: &'static str,
                }
                let mut m = s.serialize_map(Some(self.0.len()))?;
                for o in self.0 {
                    let list: Vec<One<'_>> = o
                        .checks
                        .iter()
                        .map(|(rule, state)| One {
                            rule,
                            state: state.as_str(),
                        })
                        .collect();
                    m.serialize_entry(o.property.as_str(), &list)?;
                }
                m.end()
            }
        }
        // Shared by many workloads: written once per JSON report piece (`json_once`).
        let address = crate::json_once::address(&self.0);
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry(
            "properties",
            &crate::json_once::Shared(address, 3, &States(&self.0)),
        )?;
        m.serialize_entry(
            "property_checks",
            &crate::json_once::Shared(address, 4, &Checks(&self.0)),
        )?;
        m.end()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub phase: Phase,
    /// The properties (in [`Property::ALL`] order) that keep the workload from the next
    /// phase: failed or unknown properties of that phase's level.
    pub held_by: Vec<Property>,
    pub properties: Vec<PropertyOutcome>,
    pub score: u32,
    pub confidence: f64,
    pub disconnect: bool,
    pub disposition: Disposition,
    /// One sentence naming the rules or facts that decided the disposition.
    pub disposition_reason: String,
    /// Points of the work the disposition recommends: the failed gating checks between the
    /// workload and its next phase (for `retire`, the retire checks: confirm, archive,
    /// decommission); 0 for `retain`, `rehost` and `none`.
    pub effort: u32,
    /// Points of the whole gating roadmap to purpose-built (the journey, for planning).
    pub effort_to_purpose_built: u32,
    /// Points of assessment: one per distinct piece of evidence to collect.
    pub assessment_effort: u32,
    pub roadmap: Vec<RoadmapItem>,
    pub evidence_needed: Vec<EvidenceItem>,
}

/// What the facts say about a workload beyond its checks.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Circumstances {
    /// Generation 1 with no target platform named: what it runs (`z/OS`), for the reason.
    pub no_target: Option<String>,
}

/// Points of assessment effort per distinct piece of evidence to collect (an interview
/// question, a metrics export): see docs/effort.md.
pub const EVIDENCE_POINTS: u32 = 1;

/// The state of each property from its gating checks, in [`Property::ALL`] order.
pub fn properties(checks: &[Check]) -> Vec<PropertyOutcome> {
    Property::ALL
        .into_iter()
        .map(|property| {
            let mine: Vec<(Arc<str>, CheckState)> = checks
                .iter()
                .filter(|c| c.property == Some(property) && c.state.applies())
                .map(|c| (Arc::clone(&c.rule), c.state))
                .collect();
            let state = if mine.is_empty() {
                PropertyState::NotApplicable
            } else if mine.iter().any(|(_, s)| *s == CheckState::Fail) {
                PropertyState::Fails
            } else if mine.iter().any(|(_, s)| *s == CheckState::Unknown) {
                PropertyState::Unknown
            } else {
                PropertyState::Holds
            };
            PropertyOutcome {
                property,
                state,
                checks: mine,
            }
        })
        .collect()
}

pub fn classify(
    checks: &[Check],
    generation: Generation,
    circumstances: &Circumstances,
) -> Classification {
    let properties = properties(checks);
    let blocking = |level: Level| -> Vec<Property> {
        properties
            .iter()
            .filter(|p| {
                p.property.level() == level
                    && matches!(p.state, PropertyState::Fails | PropertyState::Unknown)
            })
            .map(|p| p.property)
            .collect()
    };
    let assessed = properties
        .iter()
        .any(|p| p.state != PropertyState::NotApplicable);
    let below_optimised = blocking(Level::Optimised);
    let below_purpose_built = blocking(Level::PurposeBuilt);
    let (phase, held_by) = if !assessed {
        (Phase::NotAssessed, Vec::new())
    } else if !below_optimised.is_empty() {
        (Phase::Unchanged, below_optimised)
    } else if !below_purpose_built.is_empty() {
        (Phase::Optimised, below_purpose_built)
    } else {
        (Phase::PurposeBuilt, Vec::new())
    };

    let property_rank = |p: Option<Property>| p.map_or(usize::MAX, |p| p as usize);
    // The roadmap to purpose-built: the failed gating checks grouped by phase and property,
    // the heaviest first within a property; then the advice.
    let mut roadmap: Vec<&Check> = checks
        .iter()
        .filter(|c| c.state == CheckState::Fail)
        .collect();
    roadmap.sort_by(|a, b| {
        a.property
            .is_none()
            .cmp(&b.property.is_none())
            .then(a.level.cmp(&b.level))
            .then(property_rank(a.property).cmp(&property_rank(b.property)))
            .then(b.weight.total_cmp(&a.weight))
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
    });

    let mut evidence: Vec<&Check> = checks
        .iter()
        .filter(|c| c.gating() && c.state == CheckState::Unknown)
        .collect();
    evidence.sort_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(property_rank(a.property).cmp(&property_rank(b.property)))
            .then(b.weight.total_cmp(&a.weight))
            .then(a.rule.cmp(&b.rule))
    });

    let applicable: Vec<&Check> = checks.iter().filter(|c| c.state.applies()).collect();
    let total: f64 = applicable.iter().map(|c| c.weight).sum();
    let passed: f64 = applicable
        .iter()
        .filter(|c| c.state == CheckState::Pass)
        .map(|c| c.weight)
        .sum();
    let score = if total > 0.0 {
        (100.0 * passed / total).round() as u32
    } else {
        0
    };
    let judged = properties
        .iter()
        .filter(|p| p.state != PropertyState::NotApplicable)
        .count();
    let known = properties
        .iter()
        .filter(|p| matches!(p.state, PropertyState::Holds | PropertyState::Fails))
        .count();
    let confidence = if judged == 0 {
        0.0
    } else {
        ((known as f64 / judged as f64) * 100.0).round() / 100.0
    };

    let (disposition, disposition_reason, effort) =
        treatment(phase, &roadmap, &evidence, circumstances);
    let assessment_effort = {
        let mut distinct: Vec<&str> = evidence
            .iter()
            .map(|c| c.evidence.as_deref().unwrap_or(&*c.rule))
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        EVIDENCE_POINTS * distinct.len() as u32
    };

    Classification {
        phase,
        held_by,
        properties,
        score,
        confidence,
        disconnect: phase == Phase::Unchanged && generation != Generation::Mainframe,
        disposition,
        disposition_reason,
        effort,
        effort_to_purpose_built: roadmap
            .iter()
            .filter(|c| c.gating())
            .map(|c| c.effort)
            .sum(),
        assessment_effort,
        roadmap: roadmap
            .iter()
            .map(|c| RoadmapItem {
                rule: c.rule.clone(),
                title: c.title.clone(),
                level: c.level,
                property: c.property,
                severity: c.severity,
                effort: c.effort,
            })
            .collect(),
        evidence_needed: evidence
            .iter()
            .map(|c| EvidenceItem {
                rule: c.rule.clone(),
                title: c.title.clone(),
                level: c.level,
                property: c.property,
                needs: c.missing.clone(),
                collect: c
                    .evidence
                    .clone()
                    .unwrap_or_else(|| c.missing.join(", ").into()),
            })
            .collect(),
    }
}

/// Rule ids, each with its title: `VM001 (CPU oversized for measured demand)`.
fn named(checks: &[&Check]) -> String {
    let mut distinct: Vec<&Check> = Vec::with_capacity(checks.len());
    for c in checks {
        if !distinct.iter().any(|d| d.rule == c.rule) {
            distinct.push(c);
        }
    }
    // Written into one string: this sentence is made for every workload.
    let shown = if distinct.len() > 6 {
        5
    } else {
        distinct.len()
    };
    let mut out = String::with_capacity(
        distinct[..shown]
            .iter()
            .map(|c| c.rule.len() + c.title.len() + 5)
            .sum::<usize>()
            + 16,
    );
    for (i, c) in distinct[..shown].iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&c.rule);
        out.push_str(" (");
        out.push_str(&c.title);
        out.push(')');
    }
    if shown < distinct.len() {
        use std::fmt::Write as _;
        let _ = write!(out, " and {} more", distinct.len() - shown);
    }
    out
}

/// The recommended treatment, the sentence that says why, and the effort it takes.
///
/// In order: a failed check tagged `retire` (idle, powered off) recommends retiring; a
/// generation-1 workload without a target, or a failed check tagged `retain` (an OS no
/// target runs), recommends retaining; a purpose-built workload needs nothing; otherwise the
/// failed gating checks between the workload and its next phase decide: any that needs code
/// makes it `refactor`, platform and configuration work only makes it `replatform`, and
/// nothing known to fix (only evidence missing, or nothing judged) makes it `rehost`: move
/// it as it is and decide once the evidence is in.
fn treatment(
    phase: Phase,
    roadmap: &[&Check],
    evidence: &[&Check],
    circumstances: &Circumstances,
) -> (Disposition, String, u32) {
    let retire: Vec<&Check> = roadmap
        .iter()
        .copied()
        .filter(|c| c.treatment == Some(Disposition::Retire))
        .collect();
    if !retire.is_empty() {
        return (
            Disposition::Retire,
            format!(
                "{}: confirm with the owner, then archive and decommission it instead of migrating it",
                named(&retire)
            ),
            retire.iter().map(|c| c.effort).sum(),
        );
    }
    if let Some(what) = &circumstances.no_target {
        return (
            Disposition::Retain,
            format!(
                "generation 1 ({what}) with no target platform named (spec.target): it stays where it is until a rehosting or rewriting target is chosen"
            ),
            0,
        );
    }
    let retain: Vec<&Check> = roadmap
        .iter()
        .copied()
        .filter(|c| c.treatment == Some(Disposition::Retain))
        .collect();
    if !retain.is_empty() {
        return (
            Disposition::Retain,
            format!(
                "{}: a blocker with no remedy in reach, so it stays where it is until its platform is replaced",
                named(&retain)
            ),
            0,
        );
    }
    let next_level = match phase {
        Phase::PurposeBuilt => {
            return (
                Disposition::None,
                "purpose-built: every defining property holds, nothing to do".into(),
                0,
            );
        }
        Phase::NotAssessed => {
            return (
                Disposition::Rehost,
                "nothing judged (no gating check applied): move it as it is until it is assessed"
                    .into(),
                0,
            );
        }
        Phase::Unchanged => Level::Optimised,
        Phase::Optimised => Level::PurposeBuilt,
    };
    let next = match next_level {
        Level::Optimised => "optimised",
        Level::PurposeBuilt => "purpose-built",
    };
    let failed: Vec<&Check> = roadmap
        .iter()
        .copied()
        .filter(|c| c.gating() && c.level == next_level)
        .collect();
    let unknown: Vec<&Check> = evidence
        .iter()
        .copied()
        .filter(|c| c.level == next_level)
        .collect();
    let effort = failed.iter().map(|c| c.effort).sum();
    let pending = if unknown.is_empty() {
        String::new()
    } else {
        format!("; evidence still to collect for {}", named(&unknown))
    };
    let (code, platform): (Vec<&Check>, Vec<&Check>) = failed
        .iter()
        .copied()
        .partition(|c| c.disposition == Disposition::Refactor);
    if !code.is_empty() {
        let also = if platform.is_empty() {
            String::new()
        } else {
            format!(", besides platform work ({})", named(&platform))
        };
        return (
            Disposition::Refactor,
            format!(
                "reaching {next} needs code changes: {}{also}{pending}",
                named(&code)
            ),
            effort,
        );
    }
    if !failed.is_empty() {
        return (
            Disposition::Replatform,
            format!(
                "reaching {next} needs platform and configuration work only: {}{pending}",
                named(&failed)
            ),
            effort,
        );
    }
    (
        Disposition::Rehost,
        format!(
            "nothing known to fix on the way to {next}, but {} cannot be judged yet ({}): move it as it is and decide once the evidence is in",
            if unknown.len() == 1 {
                "one check"
            } else {
                "some checks"
            },
            named(&unknown)
        ),
        0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckState::*;
    use Property::*;

    fn check(rule: &str, property: Property, state: CheckState) -> Check {
        Check {
            rule: rule.into(),
            title: format!("title {rule}").into(),
            level: property.level(),
            severity: Severity::Warning,
            property: Some(property),
            weight: 1.0,
            effort: 2,
            disposition: match property.level() {
                Level::Optimised => Disposition::Replatform,
                Level::PurposeBuilt => Disposition::Refactor,
            },
            treatment: None,
            state,
            missing: if state == Unknown {
                vec!["facts.x".into()]
            } else {
                vec![]
            },
            evidence: None,
        }
    }

    fn advice(rule: &str, state: CheckState) -> Check {
        Check {
            property: None,
            ..check(rule, RightSized, state)
        }
    }

    fn state(c: &Classification, p: Property) -> PropertyState {
        c.properties
            .iter()
            .find(|o| o.property == p)
            .map(|o| o.state)
            .unwrap_or(PropertyState::NotApplicable)
    }

    #[test]
    fn a_failing_optimised_property_means_unchanged_and_names_it() {
        let c = classify(
            &[
                check("A", ConfiguredFromOutside, Fail),
                check("B", RightSized, Pass),
                check("C", ScalesOut, Pass),
            ],
            Generation::ClientServer,
            &Circumstances::default(),
        );
        assert_eq!(c.phase, Phase::Unchanged);
        assert_eq!(c.held_by, vec![ConfiguredFromOutside]);
        assert!(c.disconnect);
        assert_eq!(
            c.roadmap.iter().map(|r| &*r.rule).collect::<Vec<_>>(),
            vec!["A"]
        );
        assert_eq!(c.score, 67);
        assert_eq!(c.confidence, 1.0);
        assert_eq!(c.effort, 2);
        assert_eq!(c.disposition, Disposition::Replatform);
        assert_eq!(state(&c, ConfiguredFromOutside), PropertyState::Fails);
        assert_eq!(state(&c, RightSized), PropertyState::Holds);
        assert_eq!(state(&c, DataSeparable), PropertyState::NotApplicable);
    }

    #[test]
    fn advice_never_moves_the_phase_but_lowers_the_score_and_closes_the_roadmap() {
        let c = classify(
            &[
                check("A", HealthObservable, Pass),
                check("B", SecureByDefault, Pass),
                advice("PIN", Fail),
            ],
            Generation::CloudNative,
            &Circumstances::default(),
        );
        assert_eq!(c.phase, Phase::PurposeBuilt);
        assert_eq!(c.score, 67);
        assert_eq!(c.roadmap.len(), 1);
        assert!(c.roadmap[0].is_advice());
        // advice costs no effort towards the next phase, and nothing is left to do
        assert_eq!(c.effort, 0);
        assert_eq!(c.disposition, Disposition::None);
    }

    #[test]
    fn optimised_when_only_purpose_built_properties_fail() {
        let c = classify(
            &[
                check("A", RightSized, Pass),
                check("B", ScalesOut, Fail),
                check("C", SecureByDefault, Fail),
            ],
            Generation::CloudNative,
            &Circumstances::default(),
        );
        assert_eq!(c.phase, Phase::Optimised);
        assert_eq!(c.held_by, vec![ScalesOut, SecureByDefault]);
        assert!(!c.disconnect);
        assert_eq!(c.roadmap.len(), 2);
        assert_eq!(c.effort, 4);
        // the purpose-built checks need code by default
        assert_eq!(c.disposition, Disposition::Refactor);
    }

    #[test]
    fn the_roadmap_runs_to_purpose_built_grouped_by_phase_and_property_then_advice() {
        let mut heavy = check("Z", DataSeparable, Fail);
        heavy.weight = 5.0;
        let c = classify(
            &[
                advice("ADV", Fail),
                check("P", HealsItself, Fail),
                check("A", ConfiguredFromOutside, Fail),
                heavy,
                check("B", ConfiguredFromOutside, Fail),
            ],
            Generation::ClientServer,
            &Circumstances::default(),
        );
        assert_eq!(
            c.roadmap.iter().map(|r| &*r.rule).collect::<Vec<_>>(),
            vec!["A", "B", "Z", "P", "ADV"]
        );
        // to the next phase (optimised): A, B and Z; the whole journey adds P
        assert_eq!(c.effort, 6);
        assert_eq!(c.effort_to_purpose_built, 8);
    }

    #[test]
    fn unknown_holds_a_workload_below_the_phase_and_lowers_confidence() {
        let c = classify(
            &[
                check("A", RightSized, Unknown),
                check("B", ConfiguredFromOutside, Pass),
                check("C", ScalesOut, Pass),
            ],
            Generation::ClientServer,
            &Circumstances::default(),
        );
        assert_eq!(c.phase, Phase::Unchanged);
        assert_eq!(c.held_by, vec![RightSized]);
        assert!(c.roadmap.is_empty());
        assert_eq!(c.evidence_needed.len(), 1);
        assert_eq!(c.evidence_needed[0].needs, vec!["facts.x".to_string()]);
        assert_eq!(c.evidence_needed[0].property, Some(RightSized));
        assert_eq!(c.confidence, 0.67);
        assert_eq!(c.disposition, Disposition::Rehost);
        let p = classify(
            &[check("A", RightSized, Pass), check("C", ScalesOut, Unknown)],
            Generation::ClientServer,
            &Circumstances::default(),
        );
        assert_eq!(p.phase, Phase::Optimised);
    }

    #[test]
    fn a_failure_outweighs_an_unknown_in_the_same_property() {
        let c = classify(
            &[
                check("A", RightSized, Unknown),
                check("B", RightSized, Fail),
            ],
            Generation::ClientServer,
            &Circumstances::default(),
        );
        assert_eq!(state(&c, RightSized), PropertyState::Fails);
    }

    #[test]
    fn not_applicable_and_suppressed_take_no_part() {
        let c = classify(
            &[
                check("A", RightSized, NotApplicable),
                check("B", ConfiguredFromOutside, Suppressed),
                check("C", ScalesOut, Pass),
            ],
            Generation::CloudNative,
            &Circumstances::default(),
        );
        assert_eq!(c.phase, Phase::PurposeBuilt);
        assert_eq!(c.score, 100);
        assert_eq!(c.confidence, 1.0);
        assert_eq!(
            state(&c, ConfiguredFromOutside),
            PropertyState::NotApplicable
        );
    }

    #[test]
    fn mainframe_workloads_show_no_disconnect() {
        let c = classify(
            &[check("A", RightSized, Fail)],
            Generation::Mainframe,
            &Circumstances::default(),
        );
        assert_eq!(c.phase, Phase::Unchanged);
        assert!(!c.disconnect);
    }

    #[test]
    fn nothing_gating_applied_is_not_assessed_never_purpose_built() {
        for checks in [
            vec![],
            vec![advice("ADV", Pass)],
            vec![check("A", RightSized, NotApplicable)],
            vec![check("A", RightSized, Suppressed), advice("ADV", Fail)],
        ] {
            let c = classify(&checks, Generation::CloudNative, &Circumstances::default());
            assert_eq!(c.phase, Phase::NotAssessed, "{checks:?}");
            assert_eq!(c.confidence, 0.0);
            assert!(!c.disconnect);
            assert!(c.held_by.is_empty());
        }
        assert_eq!(
            classify(&[], Generation::CloudNative, &Circumstances::default()).score,
            0
        );
        assert!(Phase::NotAssessed < Phase::Unchanged);
    }

    fn code(rule: &str, property: Property, state: CheckState) -> Check {
        Check {
            disposition: Disposition::Refactor,
            ..check(rule, property, state)
        }
    }

    fn tagged(rule: &str, treatment: Disposition) -> Check {
        Check {
            treatment: Some(treatment),
            ..advice(rule, Fail)
        }
    }

    fn none() -> Circumstances {
        Circumstances::default()
    }

    #[test]
    fn platform_work_only_to_the_next_phase_is_replatform_and_names_the_rules() {
        let c = classify(
            &[
                check("VM001", RightSized, Fail),
                check("VM006", ConfiguredFromOutside, Fail),
                code("VM009", ScalesOut, Fail),
            ],
            Generation::ClientServer,
            &none(),
        );
        assert_eq!(c.disposition, Disposition::Replatform);
        assert!(c.disposition_reason.starts_with("reaching optimised needs platform and configuration work only: VM001 (title VM001), VM006"), "{}", c.disposition_reason);
        // the next phase's work; VM009 is on the way to purpose-built
        assert_eq!((c.effort, c.effort_to_purpose_built), (4, 6));
    }

    #[test]
    fn code_to_the_next_phase_is_refactor() {
        let c = classify(
            &[
                code("DF001", HealthObservable, Fail),
                check("DF006", ConfiguredFromOutside, Fail),
            ],
            Generation::CloudNative,
            &none(),
        );
        assert_eq!(c.disposition, Disposition::Refactor);
        assert_eq!(
            c.disposition_reason,
            "reaching optimised needs code changes: DF001 (title DF001), besides platform work (DF006 (title DF006))"
        );
        assert_eq!(c.effort, 4);
    }

    #[test]
    fn only_evidence_missing_is_rehost_with_assessment_effort() {
        let mut a = check("A", RightSized, Unknown);
        a.evidence = Some("CPU utilisation".into());
        let mut b = check("B", RightSized, Unknown);
        b.evidence = Some("CPU utilisation".into());
        let c = classify(
            &[a, b, check("C", DataSeparable, Unknown)],
            Generation::ClientServer,
            &none(),
        );
        assert_eq!(c.disposition, Disposition::Rehost);
        assert!(c.disposition_reason.contains("cannot be judged yet"));
        assert_eq!(c.effort, 0);
        // two distinct things to collect: the CPU utilisation (A and B) and C's facts
        assert_eq!(c.assessment_effort, 2);
    }

    #[test]
    fn retire_and_retain_come_before_the_roadmap() {
        let idle = classify(
            &[
                check("VM001", RightSized, Fail),
                tagged("VM014", Disposition::Retire),
            ],
            Generation::ClientServer,
            &none(),
        );
        assert_eq!(idle.disposition, Disposition::Retire);
        assert!(
            idle.disposition_reason
                .starts_with("VM014 (title VM014): confirm with the owner")
        );
        assert_eq!(idle.effort, 2);
        let lpar = classify(
            &[check("VM001", RightSized, Fail)],
            Generation::Mainframe,
            &Circumstances {
                no_target: Some("z/OS".into()),
            },
        );
        assert_eq!(lpar.disposition, Disposition::Retain);
        assert!(
            lpar.disposition_reason
                .starts_with("generation 1 (z/OS) with no target platform named")
        );
        assert_eq!(lpar.effort, 0);
        let solaris = classify(
            &[
                check("VM001", RightSized, Fail),
                tagged("VM020", Disposition::Retain),
            ],
            Generation::ClientServer,
            &none(),
        );
        assert_eq!(solaris.disposition, Disposition::Retain);
        assert!(solaris.disposition_reason.contains("no remedy in reach"));
    }

    #[test]
    fn purpose_built_is_none_and_not_assessed_is_rehost() {
        let c = classify(
            &[check("A", ScalesOut, Pass)],
            Generation::CloudNative,
            &none(),
        );
        assert_eq!(
            (c.disposition, c.effort, c.effort_to_purpose_built),
            (Disposition::None, 0, 0)
        );
        let n = classify(&[], Generation::CloudNative, &none());
        assert_eq!(n.disposition, Disposition::Rehost);
        assert!(n.disposition_reason.starts_with("nothing judged"));
    }
}
