//! Assessing one workload: sizing, every rule of its target evaluated, the policy applied,
//! the checks classified into a phase and a disposition.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::assessment::{CheckRecord, SuppressedFinding, UnusedSuppression, WorkloadReport};
use crate::classify::{self, Check, CheckState, classify};
use crate::ingest::FileOutput;
use crate::model::{Disposition, Finding, Generation, ScanError, Severity, Workload};
use crate::node::Node;
use crate::rules::RuleSet;
use crate::rules::eval::{Outcome, evaluate};
use crate::rules::path::Roots;
use crate::sizing::catalog;

use super::*;

/// What the scan keeps of one file once it is read: the workloads already assessed (they
/// need nothing from other files, so their documents are dropped at once and memory follows
/// the results, not the inputs), and what waits for the cross-file joins.
#[derive(Default)]
pub(super) struct FileResult {
    pub(super) assessed: Vec<Assessed>,
    pub(super) output: FileOutput,
    /// Inline suppressions disregarded under `--no-inline-ignores`.
    pub(super) disregarded: usize,
}

/// What [`Assessor::now`] made of some workloads.
#[derive(Default)]
pub(super) struct Taken {
    pub(super) assessed: Vec<Assessed>,
    /// Those that wait for a join or their failover group.
    pub(super) later: Vec<Workload>,
    pub(super) errors: Vec<ScanError>,
    pub(super) disregarded: usize,
}

impl Taken {
    /// The batches of one file as one, its reports in one list of their exact size. Joined
    /// once, at the end: a list grown batch by batch doubles, and while it does holds the
    /// old list and one twice as large (for 50,000 VMs, 44 MB where 18 are needed).
    fn concat(batches: Vec<Taken>) -> Taken {
        let mut all = Taken {
            assessed: Vec::with_capacity(batches.iter().map(|t| t.assessed.len()).sum()),
            ..Taken::default()
        };
        for mut t in batches {
            all.assessed.append(&mut t.assessed);
            all.later.append(&mut t.later);
            all.errors.append(&mut t.errors);
            all.disregarded += t.disregarded;
        }
        all
    }

    /// Adds what was taken from a file while it was read to what its output gave.
    pub(super) fn into_result(mut self, result: &mut FileResult) {
        self.assessed.append(&mut result.assessed);
        result.assessed = self.assessed;
        result.output.workloads.append(&mut self.later);
        result.output.errors.append(&mut self.errors);
        result.disregarded += self.disregarded;
    }
}

/// The scan's side of [`ingest::Early`]: each batch an inventory hands over is assessed at
/// once, on the pool, and kept by file until the file's output is in.
pub(super) struct EarlyAssessor<'a> {
    pub(super) assessor: &'a Assessor<'a>,
    /// The scan's CSV and TSV files per folder (see `only_table_in_folder`).
    pub(super) tables: std::collections::HashMap<std::path::PathBuf, usize>,
    /// Per file, each batch as it was assessed (joined when the file is done).
    pub(super) taken: std::sync::Mutex<std::collections::HashMap<Arc<str>, Vec<Taken>>>,
}

impl std::fmt::Debug for EarlyAssessor<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EarlyAssessor")
            .field("folders with tables", &self.tables.len())
            .finish_non_exhaustive()
    }
}

impl<'a> EarlyAssessor<'a> {
    pub(super) fn new(
        assessor: &'a Assessor<'a>,
        files: &[crate::ingest::read::Candidate],
    ) -> Self {
        let mut tables = std::collections::HashMap::new();
        for c in files.iter().filter(|c| is_table(&c.path)) {
            let folder = c
                .path
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            *tables.entry(folder).or_insert(0) += 1;
        }
        EarlyAssessor {
            assessor,
            tables,
            taken: Default::default(),
        }
    }

    /// What was taken from `file` (nothing if it handed nothing over).
    pub(super) fn remove(&self, file: &str) -> Option<Taken> {
        self.taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(file)
            .map(Taken::concat)
    }
}

impl ingest::Early for EarlyAssessor<'_> {
    fn only_table_in_folder(&self, path: &std::path::Path) -> bool {
        let folder = path
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        is_table(path) && self.tables.get(&folder) == Some(&1)
    }

    fn take(&self, file: &Arc<str>, batch: Vec<Workload>) {
        let now = self.assessor.now(batch);
        // A poisoned lock only means another worker panicked (its own error entry).
        let mut taken = self
            .taken
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match taken.get_mut(file) {
            Some(batches) => batches.push(now),
            None => {
                taken.insert(Arc::clone(file), vec![now]);
            }
        }
    }
}

/// A CSV or TSV file, by its name.
fn is_table(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("tsv"))
}

/// Everything assessing a workload needs, shared by the workers.
pub(super) struct Assessor<'a> {
    pub(super) rules: &'a RuleSet,
    pub(super) applied: &'a policy::Applied,
    pub(super) opts: &'a ScanOptions,
    pub(super) catalog: Option<&'a catalog::Catalog>,
    pub(super) lifecycle: &'a crate::lifecycle::Judge,
    /// Assess a workload as soon as its file is read when no join concerns it.
    pub(super) early: bool,
    /// The texts and lists the workloads' reports share.
    pub(super) shared: super::shared::Shared,
}

impl Assessor<'_> {
    pub(super) fn file(&self, mut output: FileOutput) -> FileResult {
        // A file that left objects for a join (RVTools tabs, Kubernetes companions, VNF
        // definitions) is part of something larger: all of its workloads wait for `link`.
        if !self.early || !output.objects.is_empty() {
            return FileResult {
                output,
                ..FileResult::default()
            };
        }
        let mut now = self.now(std::mem::take(&mut output.workloads));
        output.workloads = now.later;
        output.errors.append(&mut now.errors);
        FileResult {
            assessed: now.assessed,
            output,
            disregarded: now.disregarded,
        }
    }

    /// Assesses the workloads no join or failover group concerns; the others are returned
    /// to wait (`later`).
    pub(super) fn now(&self, workloads: Vec<Workload>) -> Taken {
        let (later, now): (Vec<Workload>, Vec<Workload>) = workloads
            .into_iter()
            .partition(|w| ingest::joined_later(w) || in_failover_group(w));
        let disregarded = self.disregarded(&now);
        // In parallel: one file may hold the whole estate (a workbook of 50,000 VMs), and
        // its workloads would otherwise be assessed on the one worker that read it.
        let assessed: Vec<Result<Assessed, ScanError>> =
            now.into_par_iter().map(|w| self.assess(w, false)).collect();
        // Collected in place: the reports keep the list they came in, rather than a second
        // list of every report being filled while the first is still held.
        let mut errors = Vec::new();
        let assessed = assessed
            .into_iter()
            .filter_map(|r| r.map_err(|e| errors.push(e)).ok())
            .collect();
        Taken {
            assessed,
            later,
            errors,
            disregarded,
        }
    }

    pub(super) fn disregarded(&self, workloads: &[Workload]) -> usize {
        if self.opts.policy.no_inline_ignores {
            workloads.iter().map(|w| w.suppressions.len()).sum()
        } else {
            0
        }
    }

    /// Assesses one workload; a panic becomes an error entry naming the workload and its
    /// file, and the scan goes on.
    pub(super) fn assess(&self, w: Workload, keep_checks: bool) -> Result<Assessed, ScanError> {
        assess_guarded(w, |mut w| {
            crate::lifecycle::insert(&mut w, self.lifecycle);
            let node = crate::clusters::recognise(&w, &self.opts.kubernetes_clusters);
            let mut r = assess_with(
                w,
                self.rules,
                self.opts,
                self.applied,
                self.catalog,
                &self.shared,
            );
            if !keep_checks {
                r.report.checks = Vec::new();
            }
            r.node = node.map(|mut n| {
                let state = r.report.properties.state(model::Property::RightSized);
                n.right_sized = serde_json::to_value(state)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string));
                Box::new(n)
            });
            r
        })
    }
}

/// Runs `assess` on the workload; a panic becomes an error entry naming the workload, its
/// file and line, and the scan goes on.
pub(super) fn assess_guarded(
    w: Workload,
    assess: impl FnOnce(Workload) -> Assessed,
) -> Result<Assessed, ScanError> {
    let file = Arc::clone(&w.file);
    let name = w.name.clone();
    let line = w.line;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| assess(w))).map_err(|_| ScanError {
        line: (line > 0).then_some(line),
        ..ScanError::input(
            &file,
            format!(
                "internal error while assessing `{name}` (a bug in fitscan, please report it with the file)"
            ),
        )
    })
}

/// One assessed workload, and the book-keeping on its suppressions.
pub(crate) struct Assessed {
    pub(crate) report: WorkloadReport,
    /// Boxed and absent when there is nothing to say, as for most workloads: the list of
    /// every workload's results would otherwise hold room for three lists in each.
    pub(crate) policy: Option<Box<PolicyUse>>,
    /// What the Kubernetes cluster stage keeps of a node VM. Boxed: few workloads are nodes,
    /// and the list of every workload's results would otherwise hold room for one each.
    pub(crate) node: Option<Box<crate::clusters::NodeRecord>>,
}

/// What the policy made of one workload's suppressions.
#[derive(Default)]
pub(crate) struct PolicyUse {
    pub(crate) unused: Vec<UnusedSuppression>,
    /// Per-path ignore entries (entry, rule) of the policy that suppressed something here.
    pub(crate) config_used: Vec<(usize, usize)>,
    /// Per-path ignore entries covering a file of the workload.
    pub(crate) config_covering: BTreeSet<usize>,
}

impl super::clusters::Assessment for Assessed {
    fn take_node(&mut self) -> Option<crate::clusters::NodeRecord> {
        self.node.take().map(|n| *n)
    }
    fn report_mut(&mut self) -> &mut WorkloadReport {
        &mut self.report
    }
}

/// Rules, ladder and sizing for one workload, sharing nothing with other workloads (the
/// tests of other stages assess one workload at a time).
#[cfg(test)]
pub(crate) fn assess(
    w: Workload,
    rules: &RuleSet,
    opts: &ScanOptions,
    applied: &policy::Applied,
    catalog: Option<&catalog::Catalog>,
) -> Assessed {
    assess_with(
        w,
        rules,
        opts,
        applied,
        catalog,
        &super::shared::Shared::default(),
    )
}

/// Rules, ladder and sizing for one workload, with the texts its report repeats taken from
/// (and given to) `shared`.
pub(crate) fn assess_with(
    mut w: Workload,
    rules: &RuleSet,
    opts: &ScanOptions,
    applied: &policy::Applied,
    catalog: Option<&catalog::Catalog>,
    shared: &super::shared::Shared,
) -> Assessed {
    let sizing = &opts.sizing;
    ingest::common_facts::insert(&mut w);
    let sizing::Sized {
        components,
        rightsizing: rs,
        catalog: fit,
    } = sizing::size(&mut w, sizing, catalog);
    // The target was checked when the options were made; an unknown one judges nothing.
    if let Ok(target) = crate::readiness::destination(opts.readiness_target()) {
        crate::readiness::insert(&mut w, target);
    }
    let roots = Roots {
        doc: &w.doc,
        facts: &w.facts,
    };
    let mut checks = Vec::new();
    let mut findings = Vec::new();
    let mut suppressed = Vec::new();
    let mut tracker = policy::Tracker::new(&w, &opts.policy, rules);
    for (rule, texts) in rules.for_target_with_texts(w.target) {
        let outcome = evaluate(rule, roots);
        let mut missing = Vec::new();
        let state = match outcome {
            Outcome::Pass | Outcome::Unknown(_) if tracker.ignores_wholesale(rules, &rule.id) => {
                CheckState::Suppressed
            }
            Outcome::Pass => CheckState::Pass,
            Outcome::NotApplicable => CheckState::NotApplicable,
            Outcome::Unknown(m) => {
                missing = m;
                CheckState::Unknown
            }
            Outcome::Fail(hits) => {
                let mut kept = 0;
                for f in findings_for(rule, &w, opts, roots, &hits, shared) {
                    match tracker.check(rules, &f) {
                        Some(hit) => suppressed.push(SuppressedFinding {
                            rule: f.rule,
                            file: f.file,
                            line: f.line,
                            reason: hit.reason,
                            severity: f.severity,
                            message: f.message,
                            fingerprint: f.fingerprint,
                            by: hit.by,
                        }),
                        None => {
                            kept += 1;
                            findings.push(f);
                        }
                    }
                }
                if kept > 0 {
                    CheckState::Fail
                } else {
                    CheckState::Suppressed
                }
            }
        };
        checks.push(Check {
            rule: Arc::clone(&texts.id),
            title: Arc::clone(&texts.title),
            level: rule.level,
            severity: rule.severity,
            property: rule.property,
            weight: rule.weight,
            effort: rule.effort,
            disposition: rule.disposition,
            treatment: rule_treatment(rule),
            state,
            missing,
            evidence: texts.evidence.clone(),
        });
    }
    findings.extend(typo_findings(&w, opts, shared));
    let (unused, config_used, config_covering) = tracker.finish(&w, rules, applied);
    let circumstances = classify::Circumstances {
        no_target: (w.generation == Generation::Mainframe && w.facts.get("target").is_none()).then(
            || {
                w.facts
                    .get("os")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| "mainframe".into())
            },
        ),
    };
    let c = classify(&checks, w.generation, &circumstances);
    // Component lines were numbered across the workload's files (facts use them); report
    // each in its own file.
    let components = components
        .into_iter()
        .map(|mut c| {
            let (file, line) = w.locate(c.line);
            c.line = line;
            c.file = (file != w.file).then_some(file);
            c
        })
        .collect();
    findings.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.rule.as_str()).cmp(&(b.file.as_ref(), b.line, b.rule.as_str()))
    });
    suppressed.sort_by(|a, b| {
        (a.file.as_ref(), a.line, a.rule.as_str()).cmp(&(b.file.as_ref(), b.line, b.rule.as_str()))
    });
    // A report is held until the end of the scan, and most have one or two findings: the
    // room for four that the first push gives would be most of a report's memory.
    model::shrink_exact(&mut findings);
    // A workload declared in another file of its numbering (a Compose service only an
    // override or included file defines) is reported there.
    let (file, line) = w.locate(w.line);
    let report = WorkloadReport {
        id: w.id,
        name: w.name,
        kind: w.kind,
        file,
        line,
        generation: w.generation,
        phase: c.phase,
        held_by: c.held_by,
        properties: classify::PropertyVerdicts(shared.properties(c.properties)),
        score: c.score,
        confidence: c.confidence,
        disconnect: c.disconnect,
        disposition: c.disposition,
        disposition_reason: shared.text(&c.disposition_reason),
        effort: c.effort,
        effort_to_purpose_built: c.effort_to_purpose_built,
        assessment_effort: c.assessment_effort,
        roadmap: shared.roadmap(c.roadmap),
        evidence_needed: shared.evidence(c.evidence_needed),
        findings,
        rightsizing: rs.map(Box::new),
        target: w.target,
        notes: w.notes,
        suppressed,
        components,
        // Collected into a fresh vector: an in-place collect would keep the allocation of
        // the (five times larger) `Check`s for the life of the report.
        checks: {
            let mut records = Vec::with_capacity(checks.len());
            records.extend(checks.into_iter().map(|c| CheckRecord {
                rule: c.rule,
                state: c.state,
            }));
            records
        },
        labels: {
            let mut labels = w.labels;
            labels.share(|v| shared.text(v));
            labels
        },
        catalog: fit.map(Box::new),
        cnf_readiness: w.cnf_readiness,
        readiness: w.readiness.map(|mut r| {
            r.not_checked = shared.not_checked(&r.not_checked);
            r
        }),
    };
    let policy = (!unused.is_empty() || !config_used.is_empty() || !config_covering.is_empty())
        .then(|| {
            Box::new(PolicyUse {
                unused,
                config_used,
                config_covering,
            })
        });
    Assessed {
        report,
        policy,
        node: None,
    }
}

/// A warning for every field that is almost surely a typo of a known one (never gating,
/// never in the score: the checks that needed the field are unknown or use a default).
pub(super) fn typo_findings(
    w: &Workload,
    opts: &ScanOptions,
    shared: &super::shared::Shared,
) -> Vec<Finding> {
    let shown = match &opts.anonymise {
        Some(key) => anonymise::name_token(key, w.kind, &w.name),
        None => w.name.clone(),
    };
    w.typos
        .iter()
        .map(|t| {
            let (file, line) = w.locate(t.line);
            let key = t.field.rsplit('.').next().unwrap_or(&t.field);
            let known = t.known.rsplit('.').next().unwrap_or(&t.known);
            Finding {
                rule: model::TYPO_RULE.to_string(),
                severity: Severity::Warning,
                level: model::Level::Optimised,
                message: format!(
                    "{shown}: `{}` is not a field fitscan reads: did you mean `{}`? (kept for user rules; the checks that need `{}` do not see it)",
                    t.field, t.known, t.known
                ),
                fingerprint: model::fingerprint(&[model::TYPO_RULE, &file, &w.name, &t.field]),
                file,
                line: line.max(1),
                remediation: shared.text(&format!("Rename `{key}` to `{known}`, or give a field of your own a name further from fitscan's.")),
                title: shared.text("Unknown field close to a known one"),
                property: None,
                gating: false,
                offending: t.field.clone(),
            }
        })
        .collect()
}

/// The treatment a rule's failure recommends whatever the roadmap says: its `retire` or
/// `retain` tag.
pub(super) fn rule_treatment(rule: &rules::Rule) -> Option<Disposition> {
    if rule.tags.iter().any(|t| t == "retire") {
        Some(Disposition::Retire)
    } else if rule.tags.iter().any(|t| t == "retain") {
        Some(Disposition::Retain)
    } else {
        None
    }
}

/// One finding per occurrence; otherwise one finding at the rule's `at` path, or at the
/// first located evidence, or at the workload.
pub(super) fn findings_for(
    rule: &rules::Rule,
    w: &Workload,
    opts: &ScanOptions,
    roots: Roots<'_>,
    hits: &[rules::eval::Hit],
    shared: &super::shared::Shared,
) -> Vec<Finding> {
    // `anchor` is the offending source text the fingerprint hashes: never a line number
    // (moving lines must not make a finding new) and never a computed figure (a sizing
    // finding must not become new when utilisation changes).
    // Under --anonymise a message names the workload by its token from the start: a name
    // that is also a word or a figure (`RHEL`, `8`) cannot be told from them afterwards.
    let shown = match &opts.anonymise {
        Some(key) => anonymise::name_token(key, w.kind, &w.name),
        None => w.name.clone(),
    };
    let severity = rule.severity_on(roots);
    let make = |line: u32, value: Option<&str>, item: Option<&str>, anchor: &str| {
        let mut message = rule.message.render_item(&shown, value, item, roots);
        // Held until the report is written: without the room rendering left over.
        model::shrink_string(&mut message);
        // The element (a VDU, a container) tells apart findings with the same text.
        let offending = match item {
            Some(item) => format!("{anchor}\u{1f}{item}"),
            None => anchor.to_string(),
        };
        let (file, line) = w.locate(line);
        Finding {
            rule: rule.id.clone(),
            severity,
            level: rule.level,
            message,
            fingerprint: model::fingerprint(&[&rule.id, &file, &w.name, &offending]),
            file,
            line: line.max(1),
            remediation: shared.text(&rule.remediation.render_item(&shown, value, item, roots)),
            title: shared.text(&rule.title),
            property: rule.property,
            gating: rule.gating,
            offending,
        }
    };
    let occurrences: Vec<&rules::eval::Hit> =
        hits.iter().filter(|h| h.occurrence && h.line > 0).collect();
    if !occurrences.is_empty() {
        // Each occurrence is an element's own value (a container's name, an instruction, a
        // package): its source text.
        return occurrences
            .iter()
            .map(|h| {
                let value = h.value.as_deref();
                make(h.line, value, h.item.as_deref(), value.unwrap_or(&w.name))
            })
            .collect();
    }
    let at = rule.at.as_ref().and_then(|p| {
        p.resolve(roots, None)
            .into_iter()
            .find(|n| !n.is_null() && n.line > 0)
    });
    let evidence = hits.iter().filter(|h| h.line > 0).min_by_key(|h| h.line);
    let line = at
        .map(|n| n.line)
        .or(evidence.map(|h| h.line))
        .unwrap_or(w.line);
    let value = hits
        .iter()
        .find_map(|h| h.value.clone())
        .or_else(|| at.map(|n| n.display_text()));
    // The field the finding points at, as written: the `at` node, else the document's node
    // on the finding's line (the evidence may be a derived fact, such as a reclaimable size).
    let anchor = at
        .map(node_source_text)
        .or_else(|| node_on_line(&w.doc, line).map(node_source_text))
        .unwrap_or_else(|| w.name.clone());
    vec![make(line, value.as_deref(), None, &anchor)]
}

/// A node's content as canonical text (collections as compact JSON), without its lines.
pub(super) fn node_source_text(node: &Node) -> String {
    match node.scalar_text() {
        Some(text) => text,
        None => node.to_json_string(),
    }
}

/// The document's node for what is written on `line`: the first node that starts there and
/// lies wholly on it (a field, a flow mapping, an instruction), else the first that starts
/// there (a block mapping whose content follows).
pub(super) fn node_on_line(doc: &Node, line: u32) -> Option<&Node> {
    pub(super) fn on_line_only(n: &Node, line: u32) -> bool {
        (n.line == line || n.line == 0)
            && match &n.value {
                node::Value::Seq(items) => items.iter().all(|i| on_line_only(i, line)),
                node::Value::Map(entries) => entries.iter().all(|e| on_line_only(&e.value, line)),
                _ => true,
            }
    }
    pub(super) fn walk<'a>(
        n: &'a Node,
        line: u32,
        first: &mut Option<&'a Node>,
    ) -> Option<&'a Node> {
        if n.line == line {
            if on_line_only(n, line) {
                return Some(n);
            }
            first.get_or_insert(n);
        }
        match &n.value {
            node::Value::Seq(items) => items.iter().find_map(|i| walk(i, line, first)),
            node::Value::Map(entries) => entries.iter().find_map(|e| walk(&e.value, line, first)),
            _ => None,
        }
    }
    if line == 0 {
        return None;
    }
    let mut first = None;
    walk(doc, line, &mut first).or(first)
}
