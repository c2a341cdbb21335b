//! The one shape every input kind produces and every report reads.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

use crate::node::Node;

pub mod cnf;
mod fact_schema;
pub mod readiness;
pub mod spelling;
pub use fact_schema::{FactDoc, FactGroup};

/// Platform generation: 1 mainframe, 2 client-server / virtualised, 3 cloud-native.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Generation {
    Mainframe = 1,
    ClientServer = 2,
    CloudNative = 3,
}

impl Generation {
    pub fn number(self) -> u8 {
        self as u8
    }
    pub const ALL: [Generation; 3] = [
        Generation::Mainframe,
        Generation::ClientServer,
        Generation::CloudNative,
    ];
    pub fn platform(self) -> &'static str {
        match self {
            Generation::Mainframe => "mainframe",
            Generation::ClientServer => "client-server",
            Generation::CloudNative => "cloud-native",
        }
    }
}

impl Serialize for Generation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.number())
    }
}

/// Where a workload is in its evolution on its platform. `NotAssessed` (no gating check
/// applied at all) orders below every phase, so that a `--min-phase` gate fails on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    NotAssessed,
    Unchanged,
    #[serde(alias = "optimized")]
    Optimised,
    PurposeBuilt,
}

impl Phase {
    /// Every verdict, in the order reports list them (the three phases, then not-assessed).
    pub const ALL: [Phase; 4] = [
        Phase::Unchanged,
        Phase::Optimised,
        Phase::PurposeBuilt,
        Phase::NotAssessed,
    ];
    /// The phases of the ladder (what a gate or a rule level can name).
    pub const LADDER: [Phase; 3] = [Phase::Unchanged, Phase::Optimised, Phase::PurposeBuilt];
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::NotAssessed => "not-assessed",
            Phase::Unchanged => "unchanged",
            Phase::Optimised => "optimised",
            Phase::PurposeBuilt => "purpose-built",
        }
    }
    /// The next phase up the ladder (none above purpose-built, none for not-assessed).
    pub fn next(self) -> Option<Phase> {
        match self {
            Phase::Unchanged => Some(Phase::Optimised),
            Phase::Optimised => Some(Phase::PurposeBuilt),
            Phase::PurposeBuilt | Phase::NotAssessed => None,
        }
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Phase {
    type Err = String;
    /// A phase a user can ask for (`--min-phase`, `min_phase:`): not-assessed is a verdict,
    /// never a goal.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "unchanged" => Ok(Phase::Unchanged),
            "optimised" | "optimized" => Ok(Phase::Optimised),
            "purpose-built" | "purpose_built" | "purposebuilt" => Ok(Phase::PurposeBuilt),
            other => Err(format!(
                "unknown phase `{other}` (expected unchanged, optimised or purpose-built)"
            )),
        }
    }
}

/// A defining property of a phase: what a gating rule is evidence for. The same property
/// means the same thing for every input kind (see `docs/phases.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Property {
    RightSized,
    ConfiguredFromOutside,
    DataSeparable,
    HealthObservable,
    ScalesOut,
    HealsItself,
    SecureByDefault,
}

impl Property {
    pub const ALL: [Property; 7] = [
        Property::RightSized,
        Property::ConfiguredFromOutside,
        Property::DataSeparable,
        Property::HealthObservable,
        Property::ScalesOut,
        Property::HealsItself,
        Property::SecureByDefault,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Property::RightSized => "right-sized",
            Property::ConfiguredFromOutside => "configured-from-outside",
            Property::DataSeparable => "data-separable",
            Property::HealthObservable => "health-observable",
            Property::ScalesOut => "scales-out",
            Property::HealsItself => "heals-itself",
            Property::SecureByDefault => "secure-by-default",
        }
    }
    /// The phase this property defines.
    pub fn level(self) -> Level {
        match self {
            Property::RightSized
            | Property::ConfiguredFromOutside
            | Property::DataSeparable
            | Property::HealthObservable => Level::Optimised,
            Property::ScalesOut | Property::HealsItself | Property::SecureByDefault => {
                Level::PurposeBuilt
            }
        }
    }
    /// What the property means, in one line a CIO can check a verdict against.
    pub fn meaning(self) -> &'static str {
        match self {
            Property::RightSized => "sized to measured demand, or declares the resources it needs",
            Property::ConfiguredFromOutside => {
                "settings injected from outside (environment, ConfigMaps, cloud-init, LCM configurable properties): one image, many environments"
            }
            Property::DataSeparable => {
                "persistent data on volumes that can be backed up and restored apart from the compute (a stateless workload holds this)"
            }
            Property::HealthObservable => {
                "health visible to the platform (probes, HEALTHCHECK, monitoring parameters, one watched foreground process)"
            }
            Property::ScalesOut => {
                "scales horizontally through the platform (replicas and an autoscaler, scaling aspects)"
            }
            Property::HealsItself => {
                "replaced or restarted by the platform when unhealthy (probes with several instances, disruption budgets, VNF healing)"
            }
            Property::SecureByDefault => {
                "least privilege and encryption where it talks to others (non-root, no privilege escalation, network policies, TLS)"
            }
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Property {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Property::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown property `{s}` (expected one of {})",
                    Property::ALL.map(Property::as_str).join(", ")
                )
            })
    }
}

/// Where a property stands on one workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum PropertyState {
    /// Every gating check of the property passed.
    #[serde(rename = "holds")]
    Holds,
    /// One of its gating checks failed.
    #[serde(rename = "fails")]
    Fails,
    /// None failed, one could not be judged: evidence needed.
    #[serde(rename = "unknown")]
    Unknown,
    /// No gating check of the property applies to this workload.
    #[serde(rename = "n/a")]
    NotApplicable,
}

impl PropertyState {
    pub fn as_str(self) -> &'static str {
        match self {
            PropertyState::Holds => "holds",
            PropertyState::Fails => "fails",
            PropertyState::Unknown => "unknown",
            PropertyState::NotApplicable => "n/a",
        }
    }
}

/// The phase a check is needed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    #[serde(alias = "optimized")]
    Optimised,
    PurposeBuilt,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Optimised => "optimised",
            Level::PurposeBuilt => "purpose-built",
        }
    }
    /// The phase a workload reaches once every gating check of this level passes.
    pub fn phase(self) -> Phase {
        match self {
            Level::Optimised => Phase::Optimised,
            Level::PurposeBuilt => Phase::PurposeBuilt,
        }
    }
}

impl FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "optimised" | "optimized" => Ok(Level::Optimised),
            "purpose-built" => Ok(Level::PurposeBuilt),
            other => Err(format!(
                "unknown level `{other}` (expected optimised or purpose-built)"
            )),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            other => Err(format!(
                "unknown severity `{other}` (expected error, warning or info)"
            )),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What kind of workload a report row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    Vm,
    ContainerImage,
    Kubernetes,
    Compose,
    Vnf,
    /// A Kubernetes cluster found among the VMs (`src/clusters/`): judged as a whole.
    KubernetesCluster,
}

impl WorkloadKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Vm => "vm",
            WorkloadKind::ContainerImage => "container-image",
            WorkloadKind::Kubernetes => "kubernetes",
            WorkloadKind::Compose => "compose",
            WorkloadKind::Vnf => "vnf",
            WorkloadKind::KubernetesCluster => "kubernetes-cluster",
        }
    }
}

/// Which rule pack applies to a workload: the shape of its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Vm,
    Dockerfile,
    Kubernetes,
    Compose,
    Vnf,
    /// A Kubernetes cluster built from its node VMs (`rules/cluster/`).
    Cluster,
}

impl Target {
    pub const ALL: [Target; 6] = [
        Target::Vm,
        Target::Dockerfile,
        Target::Kubernetes,
        Target::Compose,
        Target::Vnf,
        Target::Cluster,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Vm => "vm",
            Target::Dockerfile => "dockerfile",
            Target::Kubernetes => "kubernetes",
            Target::Compose => "compose",
            Target::Vnf => "vnf",
            Target::Cluster => "cluster",
        }
    }
    /// Rule id prefix for this target's default rules.
    pub fn id_prefix(self) -> &'static str {
        match self {
            Target::Vm => "VM",
            Target::Dockerfile => "DF",
            Target::Kubernetes => "K8S",
            Target::Compose => "CMP",
            Target::Vnf => "VNF",
            Target::Cluster => "KC",
        }
    }
}

impl FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Target::ALL
            .into_iter()
            .find(|t| t.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown target `{s}` (expected vm, dockerfile, kubernetes, compose or vnf)"
                )
            })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The recommended treatment (7R vocabulary): what to do with a workload, not where it
/// stands. Rules use only `rehost`, `replatform` and `refactor`, meaning what fixing them
/// needs (platform or configuration work, or code); `retire`, `retain` and `none` come from
/// facts and the phase (see `classify`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Disposition {
    Retire,
    Retain,
    Rehost,
    Replatform,
    Refactor,
    None,
}

impl Disposition {
    /// Every disposition, in the order a plan reads them.
    pub const ALL: [Disposition; 6] = [
        Disposition::Retire,
        Disposition::Retain,
        Disposition::Rehost,
        Disposition::Replatform,
        Disposition::Refactor,
        Disposition::None,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Retire => "retire",
            Disposition::Retain => "retain",
            Disposition::Rehost => "rehost",
            Disposition::Replatform => "replatform",
            Disposition::Refactor => "refactor",
            Disposition::None => "none",
        }
    }
}

impl FromStr for Disposition {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Disposition::ALL
            .into_iter()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| {
                format!(
                    "unknown disposition `{s}` (expected retire, retain, rehost, replatform, refactor or none)"
                )
            })
    }
}

/// A place in an input file. `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: Arc<str>,
    pub line: u32,
}

/// A mistake in a configuration file (`.fitscan.yaml`, a policy, a cluster mapping): names
/// the file, line, column and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl ConfigError {
    pub fn at(location: Option<&Location>, message: impl Into<String>) -> Self {
        ConfigError {
            file: location.map_or_else(|| "configuration".to_string(), |l| l.file.to_string()),
            line: location.map_or(0, |l| l.line),
            column: 0,
            message: message.into(),
        }
    }

    fn render(&self) -> String {
        match (self.line, self.column) {
            (0, _) => format!("{}: {}", self.file, self.message),
            (l, 0) => format!("{}:{}: {}", self.file, l, self.message),
            (l, c) => format!("{}:{}:{}: {}", self.file, l, c, self.message),
        }
    }
}

/// CPU, memory and storage of a workload. Units: vCPU (or cores), GiB, GiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sizing {
    pub vcpu: Option<f64>,
    pub memory_gib: Option<f64>,
    pub storage_gib: Option<f64>,
}

impl Sizing {
    pub fn is_empty(&self) -> bool {
        self.vcpu.is_none() && self.memory_gib.is_none() && self.storage_gib.is_none()
    }
}

/// Observed demand, already reduced to the chosen percentile.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Demand {
    pub vcpu: Option<f64>,
    pub memory_gib: Option<f64>,
    pub storage_gib: Option<f64>,
    /// Data points present, and expected over the period (5-minute steps), when known.
    pub samples: Option<u64>,
    pub expected_samples: Option<u64>,
    pub period_days: Option<f64>,
    /// True when demand came from an average or a single figure rather than a percentile
    /// or peak over samples: the recommendation is then of low confidence.
    pub weak: bool,
    /// Where the figures came from (the file and line, or the metrics file).
    pub source: String,
    /// Which statistic stands for the demand of each dimension (`p95 (given)`, `peak (given;
    /// p95 not given)`, `p95 of 288 samples`), so that a reader sees what was sized on.
    pub statistic: Statistics,
    /// Throughput per vCPU, when measured (sizes a poll-mode data plane).
    pub throughput_per_vcpu: Option<f64>,
}

/// Per dimension, the statistic a demand figure is (see [`Demand::statistic`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Statistics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vcpu: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_gib: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_gib: Option<String>,
}

impl Statistics {
    pub fn is_empty(&self) -> bool {
        self.vcpu.is_none() && self.memory_gib.is_none() && self.storage_gib.is_none()
    }
    /// Every dimension's statistic in one line: `CPU p95 (given), memory peak (given; p95
    /// not given), storage used (given)`.
    pub fn describe(&self) -> String {
        [
            ("CPU", &self.vcpu),
            ("memory", &self.memory_gib),
            ("storage", &self.storage_gib),
        ]
        .into_iter()
        .filter_map(|(dim, s)| s.as_ref().map(|s| format!("{dim} {s}")))
        .collect::<Vec<_>>()
        .join(", ")
    }
    /// The dimensions whose figure stood in for the percentile asked for, as `CPU peak
    /// (given; p95 not given)`: a note on the workload and a line in the assumptions.
    pub fn stand_ins(&self) -> Vec<String> {
        [
            ("CPU", &self.vcpu),
            ("memory", &self.memory_gib),
            ("storage", &self.storage_gib),
        ]
        .into_iter()
        .filter_map(|(dim, s)| {
            s.as_ref()
                .filter(|s| s.contains("not given"))
                .map(|s| format!("{dim} {s}"))
        })
        .collect()
    }
}

impl Demand {
    pub fn is_empty(&self) -> bool {
        self.vcpu.is_none() && self.memory_gib.is_none() && self.storage_gib.is_none()
    }
}

/// A rule id suppressed for a workload, inline (comment, annotation, `ignore:` list).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suppression {
    pub rule: String,
    pub reason: Option<String>,
    pub file: Arc<str>,
    /// The line of the suppression itself.
    pub line: u32,
    /// Only findings on this line are suppressed; None suppresses the rule for the workload.
    #[serde(skip)]
    pub applies_to_line: Option<u32>,
}

/// One assessed unit: a VM, an image, a Kubernetes workload, a Compose service, a VNF.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Stable identity hint from the ingest module (made unique across the scan later).
    pub id: String,
    pub name: String,
    pub kind: WorkloadKind,
    pub target: Target,
    pub file: Arc<str>,
    pub line: u32,
    pub generation: Generation,
    /// The parsed document in the shape the rule pack of `target` reads.
    pub doc: Node,
    /// Facts derived by the ingest module (and later by sizing), reached as `facts.*`.
    pub facts: Node,
    pub current: Sizing,
    pub demand: Option<Demand>,
    /// What its utilisation cannot show (failover group, poll mode). Boxed, as are the
    /// readiness parts: an inventory of 50,000 VMs waits whole for its join, and most
    /// workloads have little or none of them.
    pub traits: Box<Traits>,
    pub suppressions: Vec<Suppression>,
    /// Short remarks a reader should see (e.g. "powered off").
    pub notes: Vec<String>,
    /// Parts sized on their own (a pod's containers, a VNF's VDUs). When present and
    /// `current` is empty, the workload's size is the sum over its components.
    pub components: Vec<Component>,
    /// Other files the workload was assembled from (a VNF package's imports). Empty for a
    /// workload read from one file. See [`SourceSpan`].
    pub sources: Vec<SourceSpan>,
    /// Where the workload lives and in what state, as its inventory names it (`datacenter`,
    /// `cluster`, `host`, `power_state`, ...): the estate summary groups by these.
    pub labels: Labels,
    /// Fields one or two edits from a field fitscan reads (`memmory`, `ap`): almost surely
    /// typos that would silently drop evidence; each is reported as a finding of rule
    /// [`TYPO_RULE`], and the field is kept for user rules.
    pub typos: Vec<FieldTypo>,
    /// CNF readiness of a VM-based VNF, VDU by VDU (`None` for anything else).
    pub cnf_readiness: Option<Box<crate::model::cnf::CnfReadiness>>,
    /// Migration readiness for the scan's target (VMs; `src/readiness/`).
    pub readiness: Option<Box<crate::model::readiness::Readiness>>,
}

/// Rule id of the warning reported for a field that is almost surely a typo.
pub const TYPO_RULE: &str = "unknown-field";

/// A field written where fitscan expects another of a similar spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldTypo {
    /// Line of the field (in the workload's numbering).
    pub line: u32,
    /// The field as written, with its path: `spec.app.ap`.
    pub field: String,
    /// The known field it is close to: `spec.app`.
    pub known: String,
}

/// A file whose lines follow the workload's own file in one numbering, as a compiler's
/// source map does: the file's line `n` is line `offset + n` in the workload's `doc` and
/// `facts`. A `Node` then needs no file of its own, and [`Workload::locate`] turns any
/// line back into the file and line a reader looks at.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceSpan {
    pub file: Arc<str>,
    /// Lines up to and including `offset` belong to earlier files.
    pub offset: u32,
}

impl SourceSpan {
    /// The file and line that `line` of a numbering starting with `own` and continuing with
    /// `spans` points at.
    pub fn locate(own: &Arc<str>, spans: &[SourceSpan], line: u32) -> (Arc<str>, u32) {
        spans
            .iter()
            .filter(|s| line > s.offset)
            .max_by_key(|s| s.offset)
            .map_or_else(
                || (Arc::clone(own), line),
                |s| (Arc::clone(&s.file), line - s.offset),
            )
    }
}

/// A part of a workload that is sized on its own: a container of a pod, a VDU of a VNF.
#[derive(Debug, Clone, Default)]
pub struct Component {
    pub name: String,
    pub line: u32,
    /// How many instances run (replicas, VDU instances); sizes below are per instance.
    pub count: f64,
    pub current: Sizing,
    pub demand: Option<Demand>,
    /// What its utilisation cannot show (poll mode, failover).
    pub traits: Traits,
}

impl Workload {
    pub fn new(
        kind: WorkloadKind,
        target: Target,
        name: impl Into<String>,
        file: Arc<str>,
        line: u32,
        generation: Generation,
        doc: Node,
    ) -> Self {
        let name = name.into();
        Workload {
            id: format!("{}:{}", kind.as_str(), name),
            name,
            kind,
            target,
            file,
            line,
            generation,
            doc,
            facts: Node::map(0),
            current: Sizing::default(),
            demand: None,
            traits: Box::default(),
            suppressions: Vec::new(),
            notes: Vec::new(),
            components: Vec::new(),
            sources: Vec::new(),
            labels: Labels::default(),
            typos: Vec::new(),
            cnf_readiness: None,
            readiness: None,
        }
    }

    /// The file and line that `line` of this workload's `doc` / `facts` points at
    /// (0 stays 0: a derived value without a position).
    pub fn locate(&self, line: u32) -> (Arc<str>, u32) {
        SourceSpan::locate(&self.file, &self.sources, line)
    }
}

/// A failed check at one place.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub level: Level,
    pub message: String,
    pub file: Arc<str>,
    pub line: u32,
    /// Shared between the workloads whose findings say the same (a rule's remediation is
    /// mostly the same words for every VM of an estate).
    pub remediation: Arc<str>,
    pub title: Arc<str>,
    /// The defining property the failed check is evidence for; absent for advice.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<Property>,
    /// Whether the check holds the workload below its level when it fails.
    pub gating: bool,
    /// Stable hash of the canonical rule id, file, workload and offending source text (never
    /// the line, never a computed figure), for baselines and SARIF.
    pub fingerprint: String,
    /// The offending source text the fingerprint hashes (the field the finding points at as
    /// written, or an occurrence's own value, with the list element it belongs to), so that
    /// a baseline can hash it with the file as seen from the baseline's folder.
    #[serde(skip)]
    pub offending: String,
}

/// A file that could not be read or parsed (rule `parse-error`), or an input error.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ScanError {
    pub file: String,
    pub line: Option<u32>,
    pub message: String,
    pub rule: &'static str,
}

impl ScanError {
    pub fn parse(file: &str, line: Option<u32>, message: impl Into<String>) -> Self {
        ScanError {
            file: file.to_string(),
            line: line.filter(|l| *l > 0),
            message: message.into(),
            rule: "parse-error",
        }
    }
    pub fn input(file: &str, message: impl Into<String>) -> Self {
        ScanError {
            file: file.to_string(),
            line: None,
            message: message.into(),
            rule: "input-error",
        }
    }
}

/// A file found and not assessed, with the reason: nothing a scan finds leaves it in
/// silence (every file is a workload, an error or one of these).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Skipped {
    pub file: String,
    pub reason: String,
}

impl Skipped {
    pub fn new(file: &str, reason: impl Into<String>) -> Self {
        Skipped {
            file: file.to_string(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.reason)
    }
}

impl fmt::Display for ScanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// What the utilisation figures cannot see about a workload or one of its parts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traits {
    /// Poll-mode data-plane features (DPDK, SR-IOV, CPU pinning, huge pages): CPU shows
    /// 100 % by design and is not sized on utilisation.
    pub poll_mode: Vec<String>,
    /// Huge pages: memory shows full by design and is not sized on utilisation either.
    pub hugepages: bool,
    /// Its instances are a redundancy group (a VDU under an anti-affinity rule): N+1, so
    /// each instance is sized to carry the load with one instance down.
    pub redundant: bool,
    /// A member of a failover group sized for the group: the demand it must carry with one
    /// member down (CPU, memory), and the sentence that says how it was found.
    pub failover: Option<(Sizing, String)>,
    /// CPU and memory are never sized below the current size, and why (a standby whose
    /// peers are not in the scan).
    pub keep_size: Option<String>,
}

/// Inventory attributes of a workload (`datacenter`, `cluster`, `host`, `power_state`,
/// ...), kept sorted by key and serialised as a JSON object. A short sorted list rather
/// than a map: an estate holds one per workload, and a map's node costs three times more.
/// The keys are fitscan's own words; the values are shared (`Labels::share`) between the
/// workloads of one host or cluster, which are many.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Labels(Vec<(&'static str, Arc<str>)>);

impl Labels {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| &**v)
    }
    /// Every value replaced by what `change` makes of it (keys, and so the order, stay); a
    /// value it leaves as it was stays shared.
    pub fn change_values(&mut self, mut change: impl FnMut(&str) -> String) {
        for (_, v) in &mut self.0 {
            let changed = change(v);
            if *changed != **v {
                *v = Arc::from(changed);
            }
        }
    }
    /// Sets `key`, replacing its value if present; keys stay sorted.
    pub fn insert(&mut self, key: &'static str, value: impl Into<Arc<str>>) {
        match self.0.binary_search_by(|(k, _)| (*k).cmp(key)) {
            Ok(i) => self.0[i].1 = value.into(),
            Err(i) => self.0.insert(i, (key, value.into())),
        }
    }
    /// Each value taken from `share` (one copy of each host's name for all its VMs), in a
    /// list of its exact size: a report holds its labels until the scan ends.
    pub fn share(&mut self, share: impl Fn(&str) -> Arc<str>) {
        for (_, v) in &mut self.0 {
            *v = share(v);
        }
        shrink_exact(&mut self.0);
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (*k, &**v))
    }
}

impl Serialize for Labels {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// `shrink_to_fit` that gives the room back: the allocator keeps a block shrunk by less
/// than half where it is, whole, so the items are moved to a block of their size instead.
pub fn shrink_exact<T>(items: &mut Vec<T>) {
    if items.capacity() > items.len() {
        let mut exact = Vec::with_capacity(items.len());
        exact.append(items);
        *items = exact;
    }
}

/// [`shrink_exact`] for a string.
pub fn shrink_string(text: &mut String) {
    if text.capacity() > text.len() {
        *text = text.as_str().to_owned();
    }
}

/// FNV-1a over the parts: stable across runs, platforms and versions. A finding's parts
/// are its canonical rule id, file, workload and offending source text.
pub fn fingerprint(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_a_multi_file_workload_locate_in_their_own_file() {
        let mut w = Workload::new(
            WorkloadKind::Vnf,
            Target::Vnf,
            "v",
            Arc::from("top.yaml"),
            3,
            Generation::CloudNative,
            Node::map(0),
        );
        w.sources = vec![
            SourceSpan {
                file: Arc::from("df.yaml"),
                offset: 20,
            },
            SourceSpan {
                file: Arc::from("types.yaml"),
                offset: 120,
            },
        ];
        let at = |line| {
            let (f, l) = w.locate(line);
            (f.to_string(), l)
        };
        assert_eq!(at(20), ("top.yaml".into(), 20));
        assert_eq!(at(21), ("df.yaml".into(), 1));
        assert_eq!(at(120), ("df.yaml".into(), 100));
        assert_eq!(at(125), ("types.yaml".into(), 5));
        assert_eq!(at(0), ("top.yaml".into(), 0));
    }
}
