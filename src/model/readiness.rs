//! Migration readiness of a VM for a target platform (issue 20): ready, conditionally
//! ready (a change first) or not ready (it cannot move as it is), with the checks that
//! decided it. The checks and the targets' limits are data (`targets/*.yaml`, judged in
//! `src/readiness/`); these are the types the report carries.

use std::collections::BTreeMap;

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Ready,
    ConditionallyReady,
    NotReady,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [
        Verdict::Ready,
        Verdict::ConditionallyReady,
        Verdict::NotReady,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::ConditionallyReady => "conditionally-ready",
            Verdict::NotReady => "not-ready",
        }
    }
    pub fn parse(text: &str) -> Option<Verdict> {
        Verdict::ALL.into_iter().find(|v| v.as_str() == text.trim())
    }
}

/// One check that did not pass: what it found and what to do.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Blocker {
    /// The check's id in the target file (`shared-disks`).
    pub check: String,
    pub verdict: Verdict,
    /// What the inventory says (`shared_disks = 2`, `largest_disk_gib = 40960 > 32768`).
    pub found: String,
    pub why: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

/// A VM's readiness for one target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Readiness {
    /// The target's name (`azure`), or `neutral` without `--target`.
    pub target: String,
    pub verdict: Verdict,
    /// The checks that make it not ready or conditionally ready, worst first.
    pub blockers: Vec<Blocker>,
    /// Checks the inventory could not answer (no vDisk tab, no firmware column): the verdict
    /// holds only for what is known.
    /// Shared between the VMs whose inventory lacks the same columns (most of an estate).
    pub not_checked: std::sync::Arc<[String]>,
}

/// The estate's readiness: VMs per verdict, and how often each check blocked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EstateReadiness {
    pub target: String,
    /// The target's title, sources and the date its limits were checked.
    pub title: String,
    pub checked: String,
    pub sources: Vec<String>,
    pub vms: BTreeMap<&'static str, usize>,
    /// Per check id: VMs it made not ready or conditionally ready.
    pub checks: BTreeMap<String, usize>,
    /// VMs with at least one check not answered.
    pub incomplete: usize,
}

impl EstateReadiness {
    pub fn add(&mut self, r: &Readiness) {
        *self.vms.entry(r.verdict.as_str()).or_default() += 1;
        for b in &r.blockers {
            *self.checks.entry(b.check.clone()).or_default() += 1;
        }
        if !r.not_checked.is_empty() {
            self.incomplete += 1;
        }
    }
}
