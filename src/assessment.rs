//! The assessment a scan produces: the report's shape. Its JSON form is the contract in
//! PRODUCT.md (schema_version 1); fields may be added, none renamed or removed. Every output
//! format reads it; nothing below the pipeline imports it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::model::*;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "fitscan",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

/// vCPU, GiB of memory and GiB of storage, summed over the estate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Totals {
    pub vcpu: f64,
    pub memory_gib: f64,
    pub storage_gib: f64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeverityCounts {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub workloads: usize,
    pub by_phase: std::collections::BTreeMap<&'static str, usize>,
    pub by_generation: std::collections::BTreeMap<String, usize>,
    pub by_kind: std::collections::BTreeMap<&'static str, usize>,
    pub findings: SeverityCounts,
    pub errors: usize,
    pub suppressed: usize,
    /// Capacity that right-sizing frees (sum of positive reclaimable figures).
    pub reclaimable: Totals,
    /// Capacity undersized workloads lack (sum of negative reclaimable figures, as positives).
    pub missing: Totals,
    pub undersized: usize,
    pub disconnects: usize,
    /// Effort points by disposition (every disposition, 0 when none): the work each
    /// recommends; purpose-built workloads (`none`) add nothing.
    pub effort: std::collections::BTreeMap<&'static str, u32>,
    /// Workloads by disposition (every disposition).
    pub by_disposition: std::collections::BTreeMap<&'static str, usize>,
    /// Points of assessment: evidence to collect, apart from the effort of the work.
    pub assessment_effort: u32,
    /// Suppressions that matched nothing (also counted in `findings.info`).
    pub unused_suppressions: usize,
    /// Inline suppressions disregarded because of `--no-inline-ignores`.
    pub disregarded_suppressions: usize,
    /// Findings left out because the baseline (`--baseline`) holds them.
    pub baselined: usize,
    /// Files found and not assessed (listed, with the reason, in `skipped`).
    pub skipped_files: usize,
    /// Powered-off VMs, end-of-life OSes, skipped inventory rows, groups, costs.
    #[serde(flatten)]
    pub estate: crate::assessment::EstateSummary,
    /// VNFs and VDUs per CNF readiness verdict, and the cluster features to plan for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnf_readiness: Option<crate::model::cnf::EstateReadiness>,
    /// VMs per migration readiness verdict for the target, and the checks that held them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<crate::model::readiness::EstateReadiness>,
}

/// A finding the workload's own suppressions (or the config) removed, with the reason.
#[derive(Debug, Clone, Serialize)]
pub struct SuppressedFinding {
    pub rule: String,
    pub file: Arc<str>,
    pub line: u32,
    pub reason: Option<String>,
    pub severity: Severity,
    pub message: String,
    pub fingerprint: String,
    /// The suppression that removed it.
    pub by: SuppressionRef,
}

/// Where a suppression was written: in the input itself (`inline`: a comment, an
/// annotation, an `ignore:` list) or in the config file's per-path ignores (`config`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuppressionOrigin {
    Inline,
    Config,
}

impl SuppressionOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            SuppressionOrigin::Inline => "inline",
            SuppressionOrigin::Config => "config",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressionRef {
    pub origin: SuppressionOrigin,
    pub file: Arc<str>,
    pub line: u32,
}

/// Rule id of the info finding reported for a suppression that matched nothing.
pub const UNUSED_SUPPRESSION_RULE: &str = "unused-suppression";

/// A suppression that matched no finding: reported as an info finding of rule
/// [`UNUSED_SUPPRESSION_RULE`] at the suppression's own file and line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct UnusedSuppression {
    pub file: Arc<str>,
    pub line: u32,
    /// The rule id as the suppression wrote it.
    pub suppressed_rule: String,
    pub rule: &'static str,
    pub severity: Severity,
    pub origin: SuppressionOrigin,
    /// The workload the inline suppression belongs to (None for config entries).
    pub workload: Option<String>,
    pub message: String,
    pub remediation: String,
    pub fingerprint: String,
}

/// What reports need to know about a loaded rule (SARIF rule descriptors, HTML rule
/// index); the severity is the effective one, after config overrides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub name: String,
    pub target: Target,
    pub level: Level,
    pub property: Option<Property>,
    pub severity: Severity,
    pub gating: bool,
    pub weight: f64,
    pub effort: u32,
    pub disposition: Disposition,
    pub title: String,
    pub rationale: String,
    /// The remediation as written in the rule (placeholders unrendered).
    pub remediation: String,
    pub evidence: Option<String>,
    pub tags: Vec<String>,
    pub links: Vec<String>,
    pub aliases: Vec<String>,
    /// `file:line` of a user rule; None for rules embedded in fitscan.
    pub source: Option<String>,
}

/// One check's outcome on one workload (not serialised; `rules test` reads it).
#[derive(Debug, Clone)]
pub struct CheckRecord {
    pub rule: Arc<str>,
    pub state: crate::classify::CheckState,
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkloadReport {
    pub id: String,
    pub name: String,
    pub kind: WorkloadKind,
    pub file: Arc<str>,
    pub line: u32,
    pub generation: Generation,
    pub phase: Phase,
    /// The properties that keep the workload from the next phase (failed or unknown).
    pub held_by: Vec<Property>,
    /// `properties` (each defining property: holds / fails / unknown / n/a) and
    /// `property_checks` (the rules behind each).
    #[serde(flatten)]
    pub properties: crate::classify::PropertyVerdicts,
    pub score: u32,
    pub confidence: f64,
    pub disconnect: bool,
    pub disposition: Disposition,
    /// One sentence naming the rules or facts that decided the disposition.
    pub disposition_reason: Arc<str>,
    /// Effort points of the work the disposition recommends (to the next phase).
    pub effort: u32,
    /// Effort points of the whole gating roadmap to purpose-built.
    pub effort_to_purpose_built: u32,
    /// Points of assessment: one per distinct piece of evidence to collect.
    pub assessment_effort: u32,
    #[serde(serialize_with = "roadmap_once")]
    pub roadmap: Arc<[crate::classify::RoadmapItem]>,
    #[serde(serialize_with = "evidence_once")]
    pub evidence_needed: Arc<[crate::classify::EvidenceItem]>,
    pub findings: Vec<Finding>,
    /// Boxed, as are the other large optional parts: a list of 50,000 reports (and of their
    /// results while they are assessed) holds the room of each field for every report.
    pub rightsizing: Option<Box<crate::sizing::rightsize::Rightsizing>>,
    pub target: Target,
    pub notes: Vec<String>,
    pub suppressed: Vec<SuppressedFinding>,
    /// Per-component right-sizing (containers, VDUs); absent when the workload has none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<ComponentReport>,
    #[serde(skip)]
    pub checks: Vec<CheckRecord>,
    /// Inventory attributes (datacenter, cluster, host, power_state, ...).
    #[serde(skip_serializing_if = "Labels::is_empty")]
    pub labels: Labels,
    /// The cheapest entry of the `--catalog` that fits, when one was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<Box<crate::sizing::catalog::CatalogFit>>,
    /// CNF readiness of a VM-based VNF (see `crate::model::cnf`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cnf_readiness: Option<Box<crate::model::cnf::CnfReadiness>>,
    /// Migration readiness for the scan's target (VMs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub readiness: Option<Box<crate::model::readiness::Readiness>>,
}

pub use crate::sizing::ComponentReport;

/// What a reader needs to reproduce the report.
#[derive(Debug, Clone, Serialize)]
pub struct Assumptions {
    pub percentile: f64,
    /// Headroom in percent.
    pub headroom_pct: f64,
    /// Share of the current size (percent) a recommendation must reclaim, besides a step
    /// of the ladder, for a size to be oversized.
    pub oversize_threshold_pct: f64,
    /// The fullest (percent) a disk is left after the move (with headroom above 0).
    pub storage_max_fill_pct: f64,
    /// Person-days one effort point stands for.
    pub effort_days_per_point: f64,
    /// The day end-of-support dates were judged for (`--as-of`, default the scan's day).
    pub as_of: String,
    /// What the sizing assumed beyond the figures, one line each: physical cores counted as
    /// vCPUs, a percentile that was not available, failover groups, poll-mode data planes.
    pub sizing_notes: Vec<String>,
    pub rules: usize,
    pub default_rules: bool,
    pub rule_sources: Vec<String>,
    pub inputs: Vec<String>,
    /// The config file read (`.fitscan.yaml`), if any.
    pub config: Option<String>,
    /// The baseline findings were compared with (`--baseline`), if any.
    pub baseline: Option<String>,
    /// Utilisation files joined to the workloads (`--metrics`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<String>,
    /// The size catalog recommendations were rounded to (`--catalog`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog: Option<crate::sizing::catalog::CatalogInfo>,
    /// Names, hosts, clusters and files were replaced by stable hashes (`--anonymise`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub anonymised: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    pub summary: Summary,
    pub workloads: Vec<WorkloadReport>,
    pub errors: Vec<ScanError>,
    /// Files found and not assessed, each with the reason, sorted by file.
    pub skipped: Vec<Skipped>,
    pub assumptions: Assumptions,
    /// Suppressions that matched nothing, sorted by file, line and rule.
    pub unused_suppressions: Vec<UnusedSuppression>,
    /// Every rule the scan ran, in id order (for reports that describe rules; not in JSON).
    #[serde(skip)]
    pub rules: Vec<RuleInfo>,
    /// Metrics rows that matched no workload (reported, never dropped).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_metrics: Vec<crate::sizing::metrics::Unmatched>,
    /// The Kubernetes clusters found among the VMs, by name (`src/clusters/`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<crate::clusters::ClusterReport>,
}

impl Report {
    /// The rules this report speaks of (in a finding, the roadmap or the evidence needed), in
    /// id order: what a reader needs to know of each (why it matters, where its page is) is
    /// said once per rule, not once per finding.
    pub fn rules_spoken_of(&self) -> Vec<&RuleInfo> {
        let mut ids: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
        for w in &self.workloads {
            ids.extend(w.findings.iter().map(|f| &*f.rule));
            ids.extend(w.roadmap.iter().map(|r| &*r.rule));
            ids.extend(w.evidence_needed.iter().map(|e| &*e.rule));
        }
        ids.into_iter()
            .filter_map(|id| self.rules.iter().find(|r| r.id == id))
            .collect()
    }
}

/// The labels the summary groups by, when the inventory names them.
pub const GROUP_KEYS: &[&str] = &["datacenter", "cluster", "host", "vcenter"];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct EstateSummary {
    /// VMs whose inventory says they are powered off (they are workloads, and say so).
    pub powered_off: usize,
    /// Workloads with an end-of-life operating system finding (VM012).
    pub end_of_life_os: usize,
    /// Inventory rows that are not workloads, by reason (`template`, `srm-placeholder`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub skipped: BTreeMap<String, usize>,
    /// By `datacenter`, `cluster`, `host`, `vcenter`: each value's figures.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub groups: BTreeMap<String, BTreeMap<String, GroupSummary>>,
    /// Monthly cost now and after right-sizing, with a priced `--catalog`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<CostSummary>,
    /// Metrics rows that matched no workload (listed in `unmatched_metrics`).
    #[serde(skip_serializing_if = "is_zero")]
    pub unmatched_metrics: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GroupSummary {
    pub workloads: usize,
    pub powered_off: usize,
    pub end_of_life_os: usize,
    pub undersized: usize,
    /// Current size summed over the group (vCPU, GiB, GiB).
    pub current: Totals,
    pub reclaimable: Totals,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Workloads with a price for both their current and their recommended entry.
    pub priced_workloads: usize,
    pub current_per_month: f64,
    pub recommended_per_month: f64,
    pub saving_per_month: f64,
    /// Workloads no catalog entry fits (see their notes).
    pub unfit: usize,
}

/// Roadmaps and evidence lists are shared by many workloads: written once per JSON report
/// piece (`json_once`).
fn roadmap_once<S: serde::Serializer>(
    value: &Arc<[crate::classify::RoadmapItem]>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    crate::json_once::shared(crate::json_once::address(value), 1, &**value, serializer)
}

fn evidence_once<S: serde::Serializer>(
    value: &Arc<[crate::classify::EvidenceItem]>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    crate::json_once::shared(crate::json_once::address(value), 2, &**value, serializer)
}
