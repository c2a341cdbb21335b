//! The phase ladder: from the outcome of every check on a workload to its phase, score,
//! confidence, roadmap, evidence needed, generation disconnect, disposition and effort.
//!
//! - `unchanged`: some gating `optimised` check fails or is unknown;
//! - `optimised`: every gating `optimised` check passes, some gating `purpose-built` check
//!   fails or is unknown;
//! - `purpose-built`: every gating check passes.
//!
//! Unknown is not a pass: a workload reaches a phase on evidence only. Not-applicable and
//! suppressed checks take no part.

use std::sync::Arc;

use serde::Serialize;

use crate::model::{Disposition, Generation, Level, Phase, Severity};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckState {
    Pass,
    Fail,
    Unknown,
    NotApplicable,
    /// Failed, but every finding was suppressed: an accepted exception.
    Suppressed,
}

/// What the ladder needs to know about one check on one workload.
#[derive(Debug, Clone)]
pub struct Check {
    pub rule: Arc<str>,
    pub title: Arc<str>,
    pub level: Level,
    pub severity: Severity,
    pub gating: bool,
    pub weight: f64,
    pub effort: u32,
    pub disposition: Disposition,
    pub state: CheckState,
    /// For unknown checks: the facts that were missing.
    pub missing: Vec<String>,
    /// What to collect, in words.
    pub evidence: Option<Arc<str>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoadmapItem {
    pub rule: Arc<str>,
    pub title: Arc<str>,
    pub level: Level,
    pub severity: Severity,
    pub effort: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvidenceItem {
    pub rule: Arc<str>,
    pub title: Arc<str>,
    pub level: Level,
    /// The facts that were missing.
    pub needs: Vec<String>,
    /// What to collect, in words.
    pub collect: Arc<str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    pub phase: Phase,
    pub score: u32,
    pub confidence: f64,
    pub disconnect: bool,
    pub disposition: Disposition,
    pub effort: u32,
    pub roadmap: Vec<RoadmapItem>,
    pub evidence_needed: Vec<EvidenceItem>,
}

pub fn classify(checks: &[Check], generation: Generation) -> Classification {
    let gating: Vec<&Check> = checks
        .iter()
        .filter(|c| {
            c.gating
                && matches!(
                    c.state,
                    CheckState::Pass | CheckState::Fail | CheckState::Unknown
                )
        })
        .collect();
    let held = |level: Level| {
        gating
            .iter()
            .any(|c| c.level == level && c.state != CheckState::Pass)
    };
    let phase = if held(Level::Optimised) {
        Phase::Unchanged
    } else if held(Level::PurposeBuilt) {
        Phase::Optimised
    } else {
        Phase::PurposeBuilt
    };
    let next_level = match phase {
        Phase::Unchanged => Some(Level::Optimised),
        Phase::Optimised => Some(Level::PurposeBuilt),
        Phase::PurposeBuilt => None,
    };

    let mut roadmap: Vec<&Check> = gating
        .iter()
        .copied()
        .filter(|c| Some(c.level) == next_level && c.state == CheckState::Fail)
        .collect();
    roadmap.sort_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
    });

    let mut evidence: Vec<&Check> = gating
        .iter()
        .copied()
        .filter(|c| c.state == CheckState::Unknown)
        .collect();
    evidence.sort_by(|a, b| {
        a.level
            .cmp(&b.level)
            .then(b.weight.total_cmp(&a.weight))
            .then(a.rule.cmp(&b.rule))
    });

    let applicable: Vec<&Check> = checks
        .iter()
        .filter(|c| {
            matches!(
                c.state,
                CheckState::Pass | CheckState::Fail | CheckState::Unknown
            )
        })
        .collect();
    let total: f64 = applicable.iter().map(|c| c.weight).sum();
    let passed: f64 = applicable
        .iter()
        .filter(|c| c.state == CheckState::Pass)
        .map(|c| c.weight)
        .sum();
    let score = if total > 0.0 {
        (100.0 * passed / total).round() as u32
    } else {
        100
    };
    let known = gating
        .iter()
        .filter(|c| c.state != CheckState::Unknown)
        .count();
    let confidence = if gating.is_empty() {
        1.0
    } else {
        ((known as f64 / gating.len() as f64) * 100.0).round() / 100.0
    };

    let disposition = match phase {
        Phase::PurposeBuilt => Disposition::Refactor,
        Phase::Optimised => Disposition::Replatform,
        Phase::Unchanged => {
            let cheap = !roadmap.is_empty()
                && roadmap
                    .iter()
                    .all(|c| c.disposition == Disposition::Replatform)
                && !evidence.iter().any(|c| {
                    c.level == Level::Optimised && c.disposition != Disposition::Replatform
                });
            if cheap {
                Disposition::Replatform
            } else {
                Disposition::Rehost
            }
        }
    };

    Classification {
        phase,
        score,
        confidence,
        disconnect: phase == Phase::Unchanged && generation != Generation::Mainframe,
        disposition,
        effort: roadmap.iter().map(|c| c.effort).sum(),
        roadmap: roadmap
            .iter()
            .map(|c| RoadmapItem {
                rule: c.rule.clone(),
                title: c.title.clone(),
                level: c.level,
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
                needs: c.missing.clone(),
                collect: c
                    .evidence
                    .clone()
                    .unwrap_or_else(|| c.missing.join(", ").into()),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CheckState::*;

    fn check(rule: &str, level: Level, state: CheckState) -> Check {
        Check {
            rule: rule.into(),
            title: format!("title {rule}").into(),
            level,
            severity: Severity::Warning,
            gating: true,
            weight: 1.0,
            effort: 2,
            disposition: match level {
                Level::Optimised => Disposition::Replatform,
                Level::PurposeBuilt => Disposition::Refactor,
            },
            state,
            missing: if state == Unknown {
                vec!["facts.x".into()]
            } else {
                vec![]
            },
            evidence: None,
        }
    }
    const O: Level = Level::Optimised;
    const P: Level = Level::PurposeBuilt;

    #[test]
    fn a_failing_optimised_check_means_unchanged() {
        let c = classify(
            &[
                check("A", O, Fail),
                check("B", O, Pass),
                check("C", P, Pass),
            ],
            Generation::ClientServer,
        );
        assert_eq!(c.phase, Phase::Unchanged);
        assert!(c.disconnect);
        assert_eq!(
            c.roadmap.iter().map(|r| &*r.rule).collect::<Vec<_>>(),
            vec!["A"]
        );
        assert_eq!(c.score, 67);
        assert_eq!(c.confidence, 1.0);
        assert_eq!(c.effort, 2);
        assert_eq!(c.disposition, Disposition::Replatform);
    }

    #[test]
    fn optimised_when_only_purpose_built_checks_fail() {
        let c = classify(
            &[
                check("A", O, Pass),
                check("B", P, Fail),
                check("C", P, Fail),
            ],
            Generation::CloudNative,
        );
        assert_eq!(c.phase, Phase::Optimised);
        assert!(!c.disconnect);
        assert_eq!(c.roadmap.len(), 2);
        assert_eq!(c.effort, 4);
        assert_eq!(c.disposition, Disposition::Replatform);
    }

    #[test]
    fn purpose_built_when_every_gating_check_passes() {
        let mut info = check("I", O, Fail);
        info.gating = false;
        let c = classify(
            &[check("A", O, Pass), check("B", P, Pass), info],
            Generation::CloudNative,
        );
        assert_eq!(c.phase, Phase::PurposeBuilt);
        assert!(c.roadmap.is_empty());
        assert_eq!(c.disposition, Disposition::Refactor);
        // the non-gating failure still lowers the score
        assert_eq!(c.score, 67);
    }

    #[test]
    fn unknown_holds_a_workload_below_the_phase_and_lowers_confidence() {
        let c = classify(
            &[
                check("A", O, Unknown),
                check("B", O, Pass),
                check("C", P, Pass),
            ],
            Generation::ClientServer,
        );
        assert_eq!(c.phase, Phase::Unchanged);
        assert!(c.roadmap.is_empty());
        assert_eq!(c.evidence_needed.len(), 1);
        assert_eq!(c.evidence_needed[0].needs, vec!["facts.x".to_string()]);
        assert_eq!(c.confidence, 0.67);
        assert_eq!(c.disposition, Disposition::Rehost);
        let p = classify(
            &[check("A", O, Pass), check("C", P, Unknown)],
            Generation::ClientServer,
        );
        assert_eq!(p.phase, Phase::Optimised);
    }

    #[test]
    fn not_applicable_and_suppressed_take_no_part() {
        let c = classify(
            &[
                check("A", O, NotApplicable),
                check("B", O, Suppressed),
                check("C", P, Pass),
            ],
            Generation::CloudNative,
        );
        assert_eq!(c.phase, Phase::PurposeBuilt);
        assert_eq!(c.score, 100);
        assert_eq!(c.confidence, 1.0);
    }

    #[test]
    fn roadmap_is_ordered_by_weight_and_refactor_items_mean_rehost() {
        let mut heavy = check("Z", O, Fail);
        heavy.weight = 5.0;
        heavy.disposition = Disposition::Refactor;
        let c = classify(
            &[check("A", O, Fail), heavy, check("P", P, Fail)],
            Generation::ClientServer,
        );
        assert_eq!(
            c.roadmap.iter().map(|r| &*r.rule).collect::<Vec<_>>(),
            vec!["Z", "A"]
        );
        assert_eq!(c.disposition, Disposition::Rehost);
    }

    #[test]
    fn mainframe_workloads_show_no_disconnect() {
        let c = classify(&[check("A", O, Fail)], Generation::Mainframe);
        assert_eq!(c.phase, Phase::Unchanged);
        assert!(!c.disconnect);
    }

    #[test]
    fn no_checks_at_all() {
        let c = classify(&[], Generation::ClientServer);
        assert_eq!(c.phase, Phase::PurposeBuilt);
        assert_eq!(c.score, 100);
    }
}
