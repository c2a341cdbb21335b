//! Input kinds. Each module turns one format into [`Workload`]s; adding a kind is one
//! module and one line in [`inputs`].
//!
//! A kind either claims whole files by name and content (Dockerfiles, CSV, XLSX, OVF) or,
//! for YAML/JSON, claims documents: every YAML file is parsed once here and each document
//! goes to the first kind that claims it. Pieces that need other files (Kubernetes
//! companions, imported VNF definitions) are returned as [`Object`]s and joined in `link`.

pub mod azure_migrate;
pub mod common_facts;
pub mod compose;
pub mod dockerfile;
pub mod image_ref;
pub mod kubernetes;
pub mod ovf;
pub mod read;
pub mod rvtools;
pub mod tabular;
pub mod vm_features;
pub mod vmspec;
pub mod vnf;

use std::path::{Component as PathPart, Path, PathBuf};
use std::sync::Arc;

use crate::ingest::read::Candidate;
use crate::model::{ScanError, Skipped, Workload};
use crate::node::{Node, Value};
use crate::source::SourceFile;
use crate::yaml;

/// Options an input may need while parsing.
#[derive(Debug, Clone)]
pub struct IngestContext<'a> {
    /// The percentile of utilisation samples taken as demand (`--percentile`).
    pub percentile: f64,
    /// Limits for files an input reads on its own (a VNF package's imports).
    pub max_file_size: u64,
    pub follow_links: bool,
    /// The scanned folders (a named file's folder), resolved: a file another names
    /// (a Compose include) is read only inside them. None: anywhere (`rules test`).
    pub roots: Option<Vec<std::path::PathBuf>>,
    /// `--no-ignore`: ignore files do not keep a Compose project's `.env` from being read.
    pub no_ignore: bool,
    /// Where an inventory hands over, as it reads them, the workloads no other file joins;
    /// `None`: every workload goes in the file's output.
    pub early: Option<&'a dyn Early>,
}

impl Default for IngestContext<'_> {
    fn default() -> Self {
        IngestContext {
            percentile: crate::units::DEFAULT_PERCENTILE,
            max_file_size: read::DEFAULT_MAX_FILE_SIZE,
            follow_links: false,
            roots: None,
            no_ignore: false,
            early: None,
        }
    }
}

/// Takes an inventory's workloads a batch at a time while the file is still being read: one
/// file can hold a whole estate (an RVTools export of 50,000 VMs), and the batch is assessed
/// and its documents dropped before the next is built, instead of all 50,000 waiting.
pub trait Early: Sync + std::fmt::Debug {
    /// Whether `path` is the only CSV or TSV file of the scan in its folder: a CSV export's
    /// other tabs are files of their own beside it, so only a lone one is early.
    fn only_table_in_folder(&self, path: &Path) -> bool;
    /// Takes a batch of `file`'s workloads, in the file's order.
    fn take(&self, file: &Arc<str>, batch: Vec<Workload>);
}

/// A parsed document kept for cross-file joining.
#[derive(Debug, Clone)]
pub struct Object {
    pub input: &'static str,
    pub file: Arc<str>,
    pub doc: Node,
}

/// What one file produced.
#[derive(Debug, Default)]
pub struct FileOutput {
    pub workloads: Vec<Workload>,
    pub objects: Vec<Object>,
    pub errors: Vec<ScanError>,
    /// Whether any input kind recognised the file.
    pub recognised: bool,
    /// Inventory rows that are not workloads (templates, SRM placeholders), by reason.
    pub skipped: std::collections::BTreeMap<String, usize>,
    /// Files (or parts of files) found and not assessed, with the reason.
    pub skips: Vec<Skipped>,
    /// vSphere clusters (RVTools vCluster tab), for the Kubernetes cluster stage.
    pub vsphere_clusters: Vec<crate::clusters::VsphereCluster>,
    /// Workloads handed over to [`IngestContext::early`] while the file was read (they are
    /// the file's, though not in `workloads`).
    pub handed_over: usize,
}

impl FileOutput {
    /// Hands a batch of the file's workloads over to `early` when given, else keeps them.
    pub fn hand_over(
        &mut self,
        early: Option<&dyn Early>,
        file: &Arc<str>,
        mut workloads: Vec<Workload>,
    ) {
        match early {
            Some(e) if !workloads.is_empty() => {
                self.handed_over += workloads.len();
                e.take(file, workloads);
            }
            _ => self.workloads.append(&mut workloads),
        }
    }

    /// Whether the file gave anything: a workload, an object for the joins, an error, a
    /// counted inventory row or a skip.
    pub fn is_empty(&self) -> bool {
        self.workloads.is_empty()
            && self.handed_over == 0
            && self.objects.is_empty()
            && self.errors.is_empty()
            && self.skipped.is_empty()
            && self.skips.is_empty()
            && self.vsphere_clusters.is_empty()
    }

    fn skip(&mut self, file: &SourceFile, reason: impl Into<String>) {
        self.skips.push(Skipped::new(&file.display, reason));
    }
}

/// Why a file no input kind reads is not assessed.
pub const NOT_RECOGNISED: &str = "not a recognised input (no VM spec, inventory, OVF, Dockerfile, Kubernetes manifest, Compose file or VNF descriptor in it)";

/// Why a Go template that is not YAML is not assessed.
pub const TEMPLATE: &str =
    "Helm/Go template, render it first (helm template ...) and scan the output";

pub trait Input: Sync + Send {
    fn name(&self) -> &'static str;

    /// Whether a file with this name is worth reading for this kind (cheap, name only).
    fn wants_file_name(&self, _name: &str) -> bool {
        false
    }
    /// For a file found by walking whose name this kind wants: whether it is worth reading,
    /// from a cheap look at the file on disk (a `.zip` is read only when it holds a VNF
    /// package). Files named on the command line are always read.
    fn worth_reading_walked(&self, _path: &Path) -> bool {
        true
    }
    /// Whether this kind reads a file with this name (one it wants) from disk itself, in
    /// place, instead of from bytes read beforehand: an archive, of which only the directory
    /// and the entries needed are read, whatever its size.
    fn reads_in_place(&self, _name: &str) -> bool {
        false
    }
    /// Whether this kind reads the whole file (called for files whose name it wants).
    fn claims_file(&self, _file: &SourceFile) -> bool {
        false
    }
    fn ingest_file(&self, _file: &SourceFile, _ctx: &IngestContext, _out: &mut FileOutput) {}
    /// Whether this kind reads a file named on the command line that no kind wants by name
    /// and that is not YAML/JSON (a content check, e.g. `build/app.docker`).
    fn claims_unnamed_file(&self, _file: &SourceFile) -> bool {
        false
    }

    /// Words one of which a YAML document of this kind must contain (a cheap pre-filter
    /// for files found by walking).
    fn yaml_markers(&self) -> &'static [&'static str] {
        &[]
    }
    fn claims_document(&self, _doc: &Node, _file: &SourceFile) -> bool {
        false
    }
    fn ingest_document(
        &self,
        _doc: Node,
        _file: &SourceFile,
        _ctx: &IngestContext,
        _out: &mut FileOutput,
    ) {
    }

    /// The facts (`facts.*`) this kind gives its workloads, every key that `ingest_*` and
    /// `link` insert: the rule loader refuses a `facts.` path no input provides, and
    /// `fitscan rules facts` and the rule-writing guide list them.
    fn facts(&self) -> &'static [crate::model::FactGroup] {
        &[]
    }

    /// Whether `link` may change this workload (it is then assessed after the joins; any
    /// other workload is assessed as soon as its file is read, and its document dropped).
    fn joins(&self, _workload: &Workload) -> bool {
        false
    }

    /// After every file is read: join this kind's objects across files. Returns the files
    /// none of whose objects joined anything, each with the reason: skips, unless the file
    /// gave a workload or an error (the caller, who sees every file's output, decides).
    fn link(
        &self,
        _workloads: &mut Vec<Workload>,
        _objects: Vec<Object>,
        _errors: &mut Vec<ScanError>,
        _ctx: &IngestContext,
    ) -> Vec<Skipped> {
        Vec::new()
    }
}

/// Every input kind, in the order they are asked.
pub fn inputs() -> &'static [&'static dyn Input] {
    // VNF descriptors before Kubernetes, which claims any document with `apiVersion`/`kind`.
    &[
        &vmspec::VmSpec,
        &rvtools::RvTools,
        &azure_migrate::AzureMigrate,
        &ovf::Ovf,
        &dockerfile::Dockerfile,
        &vnf::Vnf,
        &vnf::csar::Csar,
        &kubernetes::Kubernetes,
        &compose::Compose,
    ]
}

const YAML_EXTENSIONS: &[&str] = &[".yaml", ".yml", ".json"];

/// Values (nodes) that joining and extending may copy beyond the values written in the
/// files concerned, per Compose project (`extends`, `include`) and per VNFD (its flavours,
/// each a copy of the VNFD with its VDUs): as YAML aliases may (`yaml::LIMITS`). Past it,
/// what would be copied is an error entry and is not assessed.
pub const MAX_COPIED_NODES: usize = 200_000;

pub(crate) fn is_yaml_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    YAML_EXTENSIONS.iter().any(|e| lower.ends_with(e))
}

/// Whether a file with this name is worth reading at all (by name alone).
pub fn is_candidate(name: &str) -> bool {
    is_yaml_name(name) || inputs().iter().any(|i| i.wants_file_name(name))
}

/// Whether the kind that wants this file reads it in place (see [`Input::reads_in_place`]).
pub fn reads_in_place(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    inputs()
        .iter()
        .any(|i| i.wants_file_name(&name) && i.reads_in_place(&name))
}

/// Whether a file found by walking is worth reading: by name, then by the cheap look at the
/// file of a kind that wants the name.
pub fn is_walked_candidate(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    is_yaml_name(&name)
        || inputs()
            .iter()
            .any(|i| i.wants_file_name(&name) && i.worth_reading_walked(path))
}

/// What an unrecognised file's name suggests it is for: utilisation figures and size
/// catalogs sit beside the inventories they belong to, and are read only when named.
fn auxiliary_hint(display: &str) -> &'static str {
    let name = display
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(display)
        .to_ascii_lowercase();
    let named = |words: &[&str]| words.iter().any(|w| name.contains(w));
    if name.ends_with(".csv") && named(&["metric", "utilis", "utiliz", "perf"]) {
        "; named like utilisation figures: pass it with --metrics"
    } else if named(&["sizes", "catalog", "flavour", "flavor"]) {
        "; named like a size catalog: pass it with --catalog"
    } else {
        ""
    }
}

/// Reads one file into workloads, objects and errors; a file that gives none of these is a
/// skip with its reason, never dropped in silence.
pub fn ingest(file: &SourceFile, ctx: &IngestContext) -> FileOutput {
    let mut read = Vec::new();
    let mut out = read_file(file, ctx, &mut read);
    if out.is_empty() {
        let reason = if !out.recognised {
            format!("{NOT_RECOGNISED}{}", auxiliary_hint(&file.display))
        } else if read.is_empty() {
            "no workload in it".to_string()
        } else {
            const SHOWN: usize = 5;
            let more = read.len().saturating_sub(SHOWN);
            let more = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(
                "no workload in it ({}{more}: not workloads, and not joined to one)",
                read.iter()
                    .take(SHOWN)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        out.skip(file, reason);
    }
    out
}

/// Reads the file; `read` gets what its YAML documents were (`kubernetes StorageClass`).
fn read_file(file: &SourceFile, ctx: &IngestContext, read: &mut Vec<String>) -> FileOutput {
    let mut out = FileOutput::default();
    let name = file.file_name();
    for input in inputs() {
        if input.wants_file_name(&name) && input.claims_file(file) {
            out.recognised = true;
            input.ingest_file(file, ctx, &mut out);
            return out;
        }
    }
    if !is_yaml_name(&name) && !file.explicit {
        return out;
    }
    if file.explicit
        && !is_yaml_name(&name)
        && let Some(input) = inputs().iter().find(|i| i.claims_unnamed_file(file))
    {
        out.recognised = true;
        input.ingest_file(file, ctx, &mut out);
        return out;
    }
    ingest_yaml(file, ctx, &mut out, read);
    if file.explicit && !out.recognised && out.errors.is_empty() && out.skips.is_empty() {
        out.errors.push(ScanError::input(
            &file.display,
            "not a recognised input (expected a VM spec, inventory, Dockerfile, Kubernetes manifest, Compose file or VNF descriptor)",
        ));
    }
    out
}

fn ingest_yaml(
    file: &SourceFile,
    ctx: &IngestContext,
    out: &mut FileOutput,
    read: &mut Vec<String>,
) {
    if file.looks_binary() {
        if file.explicit {
            out.errors.push(ScanError::input(
                &file.display,
                "binary file, not a recognised input",
            ));
        } else {
            out.skip(file, "binary file, not a recognised input");
        }
        return;
    }
    let text = match file.text() {
        Ok(t) => t,
        Err(e) => {
            out.errors.push(e);
            return;
        }
    };
    let has_marker = inputs()
        .iter()
        .flat_map(|i| i.yaml_markers())
        .any(|m| text.contains(m));
    if !has_marker && !file.explicit {
        return;
    }
    if text.trim().is_empty() {
        if file.explicit {
            out.errors
                .push(ScanError::parse(&file.display, Some(1), "empty file"));
        }
        return;
    }
    let docs = match yaml::parse_documents(text) {
        Ok(d) => d,
        Err(e) => {
            // A Go template's documents are independent: those that parse on their own are
            // still read, and those that do not are skips (errors when named).
            let templated = is_go_template(text);
            if !templated {
                if has_marker || file.explicit {
                    out.errors
                        .push(ScanError::parse(&file.display, e.line, e.message));
                }
                return;
            }
            let (docs, failed) = parse_each_document(text);
            if docs.is_empty() || failed.is_empty() {
                report_template(file, out, None);
                if docs.is_empty() {
                    return;
                }
            } else {
                for line in failed {
                    report_template(file, out, Some(line));
                }
            }
            docs
        }
    };
    for doc in docs {
        if let Some(input) = inputs().iter().find(|i| i.claims_document(&doc, file)) {
            out.recognised = true;
            let what = match doc.get("kind").and_then(Node::as_str) {
                Some(kind) => format!("{} {}", input.name(), kind.trim()),
                None => input.name().to_string(),
            };
            // Bounded: a bundle of 200,000 documents of as many kinds is described by 100.
            if read.len() < 100 && !read.contains(&what) {
                read.push(what);
            }
            input.ingest_document(doc, file, ctx, out);
        }
    }
}

/// `{{ ... }}` somewhere: a Go template (a Helm chart's `templates/`), not YAML until it is
/// rendered.
fn is_go_template(text: &str) -> bool {
    text.find("{{").is_some_and(|i| text[i..].contains("}}"))
}

/// A Go template that does not parse as YAML (from `line`: one of its documents).
fn report_template(file: &SourceFile, out: &mut FileOutput, line: Option<u32>) {
    let from = line
        .map(|l| format!("the document from line {l}: "))
        .unwrap_or_default();
    if file.explicit {
        out.errors.push(ScanError {
            line,
            ..ScanError::input(
                &file.display,
                format!(
                    "{from}a Go template (a Helm chart's template?), not YAML: render it with `helm template` and scan the output"
                ),
            )
        });
    } else {
        out.skip(file, format!("{from}{TEMPLATE}"));
    }
}

/// Each `---`-separated document of a stream parsed on its own, its lines those of the
/// file: the documents that parse, and the first line of each that does not. The
/// documents share the budgets of one stream.
fn parse_each_document(text: &str) -> (Vec<Node>, Vec<u32>) {
    let mut pieces = Vec::new();
    let (mut start, mut start_line, mut offset) = (0usize, 0u32, 0usize);
    for (line_no, line) in (0u32..).zip(text.split_inclusive('\n')) {
        let separator = line
            .strip_prefix("---")
            .is_some_and(|rest| rest.chars().next().is_none_or(char::is_whitespace));
        if separator && offset > start {
            pieces.push((start, offset, start_line));
            start = offset;
            start_line = line_no;
        }
        offset += line.len();
    }
    pieces.push((start, text.len(), start_line));
    pieces.retain(|(from, to, _)| !text[*from..*to].trim().is_empty());
    let mut docs = Vec::new();
    let mut failed = Vec::new();
    if pieces.len() > yaml::LIMITS.max_documents {
        return (docs, vec![1]);
    }
    let n = pieces.len().max(1);
    let limits = yaml::Limits {
        max_nodes: yaml::LIMITS.max_nodes / n,
        max_alias_nodes: yaml::LIMITS.max_alias_nodes / n,
        ..yaml::LIMITS
    };
    for (from, to, first_line) in pieces {
        match yaml::parse_documents_with(&text[from..to], limits) {
            Ok(parsed) => {
                for mut doc in parsed {
                    shift(&mut doc, first_line);
                    docs.push(doc);
                }
            }
            Err(_) => failed.push(first_line + 1),
        }
    }
    (docs, failed)
}

/// Whether a cross-file join may still change the workload.
pub fn joined_later(workload: &Workload) -> bool {
    inputs().iter().any(|i| i.joins(workload))
}

/// Joins every kind's objects across files. Each kind's join is guarded: a panic in one
/// becomes an error entry naming the files it was joining (a bug to report), and the
/// workloads are still assessed, unjoined.
/// Joins every kind's objects across files; returns the files whose objects joined nothing
/// (see [`Input::link`]).
pub fn link(
    workloads: &mut Vec<Workload>,
    objects: Vec<Object>,
    errors: &mut Vec<ScanError>,
    ctx: &IngestContext,
) -> Vec<Skipped> {
    link_with(inputs(), workloads, objects, errors, ctx)
}

fn link_with(
    inputs: &[&dyn Input],
    workloads: &mut Vec<Workload>,
    objects: Vec<Object>,
    errors: &mut Vec<ScanError>,
    ctx: &IngestContext,
) -> Vec<Skipped> {
    let mut objects = objects;
    let mut unjoined = Vec::new();
    for input in inputs {
        let (mine, rest): (Vec<Object>, Vec<Object>) =
            objects.into_iter().partition(|o| o.input == input.name());
        objects = rest;
        let mut files: Vec<Arc<str>> = mine.iter().map(|o| Arc::clone(&o.file)).collect();
        files.extend(
            workloads
                .iter()
                .filter(|w| input.joins(w))
                .map(|w| Arc::clone(&w.file)),
        );
        let before = errors.len();
        let joined = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            input.link(workloads, mine, errors, ctx)
        }));
        match joined {
            Ok(skips) => unjoined.extend(skips),
            Err(_) => {
                files.sort();
                files.dedup();
                errors.truncate(before);
                errors.push(link_panic(input.name(), &files));
            }
        }
    }
    unjoined
}

fn link_panic(input: &str, files: &[Arc<str>]) -> ScanError {
    const SHOWN: usize = 5;
    let first = files.first().map_or("(scan)", |f| f);
    let mut names: Vec<&str> = files.iter().take(SHOWN).map(|f| &**f).collect();
    let more = files.len().saturating_sub(SHOWN);
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    names.sort_unstable();
    ScanError::input(
        first,
        format!(
            "internal error while joining {input} objects across files (a bug in fitscan, please report it with these files: {}{more}); their workloads are assessed without the joins",
            names.join(", ")
        ),
    )
}

/// An ignore written on a workload (`fitscan.io/ignore: "RULE,RULE: reason"`, a Kubernetes
/// annotation or a Compose label) as workload-wide suppressions at its line; None when it
/// names no rule (the input says so in its own words).
pub fn ignore_list(node: &Node, file: &Arc<str>) -> Option<Vec<crate::model::Suppression>> {
    let text = node.scalar_text().unwrap_or_default();
    let (list, reason) = match text.split_once(':') {
        Some((l, r)) => (l, Some(r.trim().to_string()).filter(|r| !r.is_empty())),
        None => (text.as_str(), None),
    };
    let rules: Vec<crate::model::Suppression> = list
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|r| !r.is_empty())
        .map(|rule| crate::model::Suppression {
            rule: rule.to_string(),
            reason: reason.clone(),
            file: Arc::clone(file),
            line: node.line,
            applies_to_line: None,
        })
        .collect();
    (!rules.is_empty()).then_some(rules)
}

// ---------------------------------------------------------------------------------------
// What inputs that read files named by other files share (VNF imports, Compose includes)

/// `path` with `.` and `..` resolved lexically.
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            PathPart::CurDir => {}
            PathPart::ParentDir => {
                let popped =
                    matches!(out.components().next_back(), Some(PathPart::Normal(_))) && out.pop();
                if !popped {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// A command as one line of text (`command` then `args`, each a string or a list, joined by
/// spaces), at the line of the first part, so that a rule can match flags with their values
/// (`--appendonly yes`).
pub fn command_line(parts: &[Option<&Node>]) -> Option<Node> {
    let mut words: Vec<String> = Vec::new();
    let mut line = 0;
    for part in parts.iter().flatten() {
        if line == 0 {
            line = part.line;
        }
        match &part.value {
            Value::Seq(items) => words.extend(items.iter().filter_map(Node::scalar_text)),
            _ => words.extend(part.scalar_text()),
        }
    }
    (!words.is_empty()).then(|| Node::str(words.join(" "), line))
}

pub fn line_count(text: &str) -> u32 {
    u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX)
}

/// A file another names (an import, a Compose include), read from disk with the scan's
/// limits; None when it does not exist (the caller reports it where it is named).
pub fn read_from_disk(
    path: &Path,
    display: &str,
    ctx: &IngestContext,
) -> Result<Option<SourceFile>, ScanError> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if meta.file_type().is_symlink() && !ctx.follow_links {
        return Err(ScanError::input(
            display,
            "a file named by another (an import, an include) that is a symbolic link is not followed (use --follow-links)",
        ));
    }
    let candidate = Candidate {
        path: path.to_path_buf(),
        display: display.to_string(),
        explicit: true,
    };
    read::read(&candidate, ctx.max_file_size)
}

/// Adds `offset` to every located line under `node`.
pub fn shift(node: &mut Node, offset: u32) {
    if offset == 0 {
        return;
    }
    if node.line > 0 {
        node.line = node.line.saturating_add(offset);
    }
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift(n, offset)),
        Value::Map(entries) => entries.iter_mut().for_each(|e| shift(&mut e.value, offset)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unrecognised_metrics_and_catalogs_say_which_flag_reads_them() {
        assert!(auxiliary_hint("estate/metrics.csv").contains("--metrics"));
        assert!(auxiliary_hint("estate\\VM-Utilisation.CSV").contains("--metrics"));
        assert!(auxiliary_hint("inventories/sizes.yaml").contains("--catalog"));
        assert!(auxiliary_hint("nfvi/flavours.json").contains("--catalog"));
        assert_eq!(auxiliary_hint("notes/readme.txt"), "");
        assert_eq!(auxiliary_hint("data/metrics.json"), "");
    }

    /// An input whose join has a bug.
    struct Broken;

    impl Input for Broken {
        fn name(&self) -> &'static str {
            "broken"
        }
        fn link(
            &self,
            _: &mut Vec<Workload>,
            _: Vec<Object>,
            errors: &mut Vec<ScanError>,
            _: &IngestContext,
        ) -> Vec<Skipped> {
            errors.push(ScanError::input(
                "half-done",
                "an error from before the panic",
            ));
            panic!("a bug in a join");
        }
    }

    #[test]
    fn a_panic_in_a_join_names_the_files_and_spares_the_workloads() {
        let objects: Vec<Object> = (0..7)
            .map(|i| Object {
                input: "broken",
                file: Arc::from(format!("k8s/{i}.yaml").as_str()),
                doc: Node::map(1),
            })
            .collect();
        let mut workloads = vec![vmspec::VmSpec::workload_from_doc(
            Node::map(1),
            "vm".into(),
            &Arc::from("vm.yaml"),
            &IngestContext::default(),
            &mut Vec::new(),
        )];
        let mut errors = vec![ScanError::input("earlier.yaml", "kept")];
        link_with(
            &[&Broken],
            &mut workloads,
            objects,
            &mut errors,
            &IngestContext::default(),
        );
        assert_eq!(workloads.len(), 1);
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].message, "kept");
        assert_eq!(errors[1].file, "k8s/0.yaml");
        assert_eq!(
            errors[1].message,
            "internal error while joining broken objects across files (a bug in fitscan, please report it with these files: k8s/0.yaml, k8s/1.yaml, k8s/2.yaml, k8s/3.yaml, k8s/4.yaml and 2 more); their workloads are assessed without the joins"
        );
    }
}
