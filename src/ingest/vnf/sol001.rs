//! ETSI NFV-SOL 001 VNF packages (TOSCA YAML).
//!
//! A package is a top-level VNFD that `imports` the VNF's type file and one or more
//! deployment-flavour files (each a `topology_template` with `substitution_mappings`,
//! VDUs and policies). Every TOSCA file is pushed as an object while files are read; `link`
//! then groups them into packages by their imports and makes one workload per VNF and
//! deployment flavour. A `TOSCA-Metadata/TOSCA.meta` names the entry definitions.
//!
//! Imports resolve relative to the importing file. The standard
//! `etsi_nfv_sol001_*_types.yaml` imports (by name or URL) are built into fitscan's
//! understanding of the node types and never read. A file named on the command line alone
//! has its imports read from disk (size-capped); a file found by walking has them read
//! only when they lie outside its folder (the walk reads the rest).
//!
//! The workload's own file is the top-level VNFD; the flavour, type and other imported
//! files follow it in the workload's line numbering (`model::SourceSpan`), so that every
//! finding points at the file and line where the offending node is defined.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use rayon::prelude::*;
use regex::Regex;

use super::OBJECT_INPUT;
use super::detect::{self, tosca_size_gib, whole_number};
use super::model::{
    Aspect, Format, Image, Item, LcmOperation, Num, Placement, Storage, Vdu, VnfModel,
};
use crate::ingest::{
    FileOutput, IngestContext, Object, line_count, normalise, read_from_disk, shift,
};
use crate::model::{ScanError, SourceSpan, Suppression, Workload};
use crate::node::{Node, Value};
use crate::source::SourceFile;
use crate::yaml;

/// Files read per package at most, so that an import loop or a huge tree cannot run away.
const MAX_PACKAGE_FILES: usize = 256;
/// `derived_from` hops followed at most.
const MAX_DERIVATION: usize = 32;

static STANDARD_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(^|[/\\])etsi_nfv_sol00[16]_[a-z0-9_]*\.ya?ml$")
        .unwrap_or_else(|e| panic!("static regex: {e}"))
});

pub fn is_tosca(doc: &Node) -> bool {
    doc.get("tosca_definitions_version").is_some()
}

// ---------------------------------------------------------------------------------------
// Objects: what each file contributes before the package is known.

/// A TOSCA file as pushed by ingest and read back by `link`.
struct ToscaFile {
    key: String,
    display: Arc<str>,
    path: PathBuf,
    lines: u32,
    explicit: bool,
    doc: Node,
    suppressions: Vec<Suppression>,
    /// Resolved while files are read (in parallel), so that `link` touches no disk.
    imports: Vec<Import>,
}

/// A `TOSCA-Metadata/TOSCA.meta` naming the package's entry definitions.
struct Meta {
    display: Arc<str>,
    line: u32,
    entry: String,
    entry_key: String,
    entry_display: String,
}

/// The object for `link`; the document moves into it (parsed once, never copied).
fn envelope_tosca(file: ToscaFile) -> Object {
    let mut env = Node::map(0);
    env.insert("kind", Node::str("tosca", 0));
    env.insert("key", Node::str(file.key.clone(), 0));
    env.insert("path", Node::str(file.path.to_string_lossy(), 0));
    env.insert("lines", Node::int(i64::from(file.lines), 0));
    env.insert("explicit", Node::bool(file.explicit, 0));
    let ignores = file
        .suppressions
        .iter()
        .map(|s| {
            let mut n = Node::map(s.line);
            n.insert("rule", Node::str(s.rule.clone(), s.line));
            if let Some(r) = &s.reason {
                n.insert("reason", Node::str(r.clone(), s.line));
            }
            if let Some(l) = s.applies_to_line {
                n.insert("applies_to_line", Node::int(i64::from(l), s.line));
            }
            n
        })
        .collect();
    env.insert("ignores", Node::seq(ignores, 0));
    let imports = file.imports.iter().map(import_to_node).collect();
    env.insert("imports", Node::seq(imports, 0));
    env.insert("doc", file.doc);
    Object {
        input: OBJECT_INPUT,
        file: file.display,
        doc: env,
    }
}

fn envelope_meta(meta: &Meta) -> Object {
    let mut env = Node::map(0);
    env.insert("kind", Node::str("meta", 0));
    env.insert("line", Node::int(i64::from(meta.line), 0));
    env.insert("entry", Node::str(meta.entry.clone(), 0));
    env.insert("entry_key", Node::str(meta.entry_key.clone(), 0));
    env.insert("entry_display", Node::str(meta.entry_display.clone(), 0));
    Object {
        input: OBJECT_INPUT,
        file: Arc::clone(&meta.display),
        doc: env,
    }
}

fn import_to_node(import: &Import) -> Node {
    let mut n = Node::map(import.line);
    n.insert("text", Node::str(import.text.clone(), 0));
    let kind = match &import.target {
        ImportTarget::Standard => "standard",
        ImportTarget::Remote => "remote",
        ImportTarget::Absolute => "absolute",
        ImportTarget::OutsideArchive => "outside_archive",
        ImportTarget::Local { key, path, display } => {
            n.insert("key", Node::str(key.clone(), 0));
            n.insert("path", Node::str(path.to_string_lossy(), 0));
            n.insert("display", Node::str(display.clone(), 0));
            "local"
        }
    };
    n.insert("kind", Node::str(kind, 0));
    n
}

fn import_from_node(n: &Node) -> Import {
    let text = |k: &str| n.get(k).and_then(Node::scalar_text).unwrap_or_default();
    let target = match text("kind").as_str() {
        "standard" => ImportTarget::Standard,
        "remote" => ImportTarget::Remote,
        "absolute" => ImportTarget::Absolute,
        "outside_archive" => ImportTarget::OutsideArchive,
        _ => ImportTarget::Local {
            key: text("key"),
            path: PathBuf::from(text("path")),
            display: text("display"),
        },
    };
    Import {
        text: text("text"),
        line: n.line,
        target,
    }
}

enum Unpacked {
    Tosca(ToscaFile),
    Meta(Meta),
}

fn unpack(object: Object) -> Option<Unpacked> {
    let mut env = object.doc;
    let doc = match &mut env.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|e| e.key == "doc")
            .map(|e| std::mem::replace(&mut e.value, Node::null())),
        _ => None,
    };
    let text = |k: &str| env.get(k).and_then(Node::scalar_text).unwrap_or_default();
    let number = |k: &str| {
        env.get(k)
            .and_then(Node::as_f64)
            .map_or(0, |f| u32::try_from(f as i64).unwrap_or(0))
    };
    match text("kind").as_str() {
        "tosca" => {
            let suppressions = env
                .get("ignores")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .map(|n| Suppression {
                    rule: n
                        .get("rule")
                        .and_then(Node::scalar_text)
                        .unwrap_or_default(),
                    reason: n.get("reason").and_then(Node::scalar_text),
                    file: Arc::clone(&object.file),
                    line: n.line,
                    applies_to_line: n
                        .get("applies_to_line")
                        .and_then(Node::as_f64)
                        .map(|f| u32::try_from(f as i64).unwrap_or(0)),
                })
                .collect();
            Some(Unpacked::Tosca(ToscaFile {
                key: text("key"),
                path: PathBuf::from(text("path")),
                lines: number("lines"),
                explicit: env.get("explicit").and_then(Node::as_bool).unwrap_or(false),
                doc: doc.unwrap_or_else(Node::null),
                imports: env
                    .get("imports")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .map(import_from_node)
                    .collect(),
                display: object.file,
                suppressions,
            }))
        }
        "meta" => Some(Unpacked::Meta(Meta {
            line: number("line"),
            entry: text("entry"),
            entry_key: text("entry_key"),
            entry_display: text("entry_display"),
            display: object.file,
        })),
        _ => None,
    }
}

/// The identity of a file for matching imports: its canonical path when it exists on disk,
/// else the path with `.` and `..` resolved (in-memory fixtures).
fn file_key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| normalise(path))
        .to_string_lossy()
        .into_owned()
}

/// One `imports:` entry.
#[derive(Debug, Clone)]
struct Import {
    text: String,
    line: u32,
    target: ImportTarget,
}

#[derive(Debug, Clone)]
enum ImportTarget {
    /// An ETSI SOL001 types file: known, never read.
    Standard,
    /// A URL or repository import: fitscan never uses the network.
    Remote,
    Local {
        key: String,
        path: PathBuf,
        display: String,
    },
    /// An absolute path: not followed (a package is self-contained).
    Absolute,
    /// A relative path that climbs out of the CSAR archive holding the importing file: never
    /// looked up, on disk or anywhere else.
    OutsideArchive,
}

/// The imports of a TOSCA document, resolved against the importing file's path; for a file
/// inside an archive, `archive` is the archive's path, which its imports may not leave.
fn imports(doc: &Node, path: &Path, display: &str, archive: Option<&Path>) -> Vec<Import> {
    let Some(list) = doc.get("imports") else {
        return Vec::new();
    };
    let entries: Vec<&Node> = match &list.value {
        Value::Seq(items) => items.iter().collect(),
        Value::Map(entries) => entries.iter().map(|e| &e.value).collect(),
        _ => vec![list],
    };
    let mut out = Vec::new();
    for entry in entries {
        // `- file.yaml`, `- { file: f.yaml, repository: r }`, `- name: f.yaml`,
        // `- name: { file: f.yaml }`
        let (text, repository) = match &entry.value {
            Value::Str(s) => (s.clone(), false),
            Value::Map(fields) => {
                if let Some(f) = entry.get("file").and_then(Node::scalar_text) {
                    (f, entry.get("repository").is_some())
                } else if let [only] = fields.as_slice() {
                    match &only.value.value {
                        Value::Str(s) => (s.clone(), false),
                        Value::Map(_) => match only.value.get("file").and_then(Node::scalar_text) {
                            Some(f) => (f, only.value.get("repository").is_some()),
                            None => continue,
                        },
                        _ => continue,
                    }
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let target = if STANDARD_IMPORT.is_match(trimmed) {
            ImportTarget::Standard
        } else if repository || trimmed.contains("://") {
            ImportTarget::Remote
        } else if Path::new(trimmed).is_absolute() {
            ImportTarget::Absolute
        } else {
            let base = path.parent().unwrap_or(Path::new(""));
            let joined = normalise(&base.join(trimmed));
            if archive.is_some_and(|root| !joined.starts_with(normalise(root))) {
                out.push(Import {
                    text: trimmed.to_string(),
                    line: entry.line,
                    target: ImportTarget::OutsideArchive,
                });
                continue;
            }
            let display_base = Path::new(display).parent().unwrap_or(Path::new(""));
            ImportTarget::Local {
                key: file_key(&joined),
                display: normalise(&display_base.join(trimmed))
                    .to_string_lossy()
                    .into_owned(),
                path: joined,
            }
        };
        out.push(Import {
            text: trimmed.to_string(),
            line: entry.line,
            target,
        });
    }
    out
}

/// A TOSCA document of a file being read: push it, and read the imports the walk will not.
pub fn ingest_document(doc: Node, file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
    let text = file.text().unwrap_or_default();
    let pending = imports(&doc, &file.path, &file.display, file.archive.as_deref());
    let tosca = ToscaFile {
        key: file_key(&file.path),
        display: Arc::clone(&file.display),
        path: file.path.clone(),
        lines: line_count(text),
        explicit: file.explicit,
        suppressions: detect::ignore_comments(text, &file.display),
        imports: pending.clone(),
        doc,
    };
    let mut seen = BTreeSet::from([tosca.key.clone()]);
    out.objects.push(envelope_tosca(tosca));
    let own_dir = normalise(file.path.parent().unwrap_or(Path::new("")));
    for import in pending {
        let ImportTarget::Local { path, .. } = &import.target else {
            continue;
        };
        // A walk reads the importing file's folder itself; anything outside it only
        // arrives if fitscan reads it here. An archive's entries are all read by the
        // archive's reader, and nothing is ever read from disk on their behalf.
        if file.archive.is_none() && (file.explicit || !normalise(path).starts_with(&own_dir)) {
            read_import_tree(&import, ctx, out, &mut seen);
        }
    }
}

/// Reads an import and, recursively, everything it imports (each file once).
fn read_import_tree(
    import: &Import,
    ctx: &IngestContext,
    out: &mut FileOutput,
    seen: &mut BTreeSet<String>,
) {
    let mut stack = vec![import.clone()];
    while let Some(import) = stack.pop() {
        let ImportTarget::Local { key, path, display } = import.target else {
            continue;
        };
        if seen.len() >= MAX_PACKAGE_FILES || !seen.insert(key.clone()) {
            continue;
        }
        let file = match read_from_disk(&path, &display, ctx) {
            Ok(Some(file)) => file,
            Ok(None) => continue,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        let text = match file.text() {
            Ok(t) => t,
            Err(e) => {
                out.errors.push(e);
                continue;
            }
        };
        let doc = match yaml::parse_documents(text) {
            Ok(docs) => docs.into_iter().find(is_tosca),
            Err(e) => {
                out.errors
                    .push(ScanError::parse(&file.display, e.line, e.message));
                continue;
            }
        };
        let Some(doc) = doc else {
            out.errors.push(ScanError::parse(
                &file.display,
                Some(1),
                "imported as TOSCA definitions, but has no `tosca_definitions_version`",
            ));
            continue;
        };
        let nested = imports(&doc, &path, &file.display, None);
        stack.extend(nested.iter().cloned());
        let tosca = ToscaFile {
            key,
            display: Arc::clone(&file.display),
            path: path.clone(),
            lines: line_count(text),
            explicit: false,
            suppressions: detect::ignore_comments(text, &file.display),
            imports: nested,
            doc,
        };
        out.objects.push(envelope_tosca(tosca));
    }
}

/// `TOSCA-Metadata/TOSCA.meta`: `Entry-Definitions: Definitions/top.yaml`, relative to the
/// package root (the folder that holds `TOSCA-Metadata/`).
pub fn ingest_meta(file: &SourceFile, ctx: &IngestContext, out: &mut FileOutput) {
    let text = match file.text() {
        Ok(t) => t,
        Err(e) => {
            out.errors.push(e);
            return;
        }
    };
    let entry = text.lines().enumerate().find_map(|(i, line)| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case("Entry-Definitions")
            .then(|| (i + 1, value.trim().to_string()))
    });
    let Some((line, entry)) = entry.filter(|(_, e)| !e.is_empty()) else {
        out.errors.push(ScanError::parse(
            &file.display,
            Some(1),
            "TOSCA.meta names no `Entry-Definitions` (the package's top-level VNFD)",
        ));
        return;
    };
    let root_of = |p: &Path| {
        p.parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    };
    let path = normalise(&root_of(&file.path).join(&entry));
    if let Some(archive) = file.archive.as_deref()
        && !path.starts_with(normalise(archive))
    {
        out.errors.push(ScanError::parse(
            &file.display,
            u32::try_from(line).ok(),
            format!(
                "Entry-Definitions `{entry}` leaves the CSAR archive; it must name a file inside it"
            ),
        ));
        return;
    }
    let display = normalise(&root_of(Path::new(&*file.display)).join(&entry))
        .to_string_lossy()
        .into_owned();
    let meta = Meta {
        display: Arc::clone(&file.display),
        line: u32::try_from(line).unwrap_or(u32::MAX),
        entry: entry.clone(),
        entry_key: file_key(&path),
        entry_display: display.clone(),
    };
    out.objects.push(envelope_meta(&meta));
    if file.explicit {
        let import = Import {
            text: entry,
            line: meta.line,
            target: ImportTarget::Local {
                key: meta.entry_key.clone(),
                path,
                display,
            },
        };
        read_import_tree(&import, ctx, out, &mut BTreeSet::new());
    }
}

// ---------------------------------------------------------------------------------------
// Linking: packages, flavours, workloads.

pub fn link(
    workloads: &mut Vec<Workload>,
    objects: Vec<crate::ingest::Object>,
    errors: &mut Vec<ScanError>,
) {
    let mut files: Vec<ToscaFile> = Vec::new();
    let mut metas: Vec<Meta> = Vec::new();
    for o in objects {
        match unpack(o) {
            Some(Unpacked::Tosca(f)) => files.push(f),
            Some(Unpacked::Meta(m)) => metas.push(m),
            None => {}
        }
    }
    // The same file may arrive twice (walked, and read as someone's import): keep the one
    // named by the user, else the first by path.
    files.sort_by(|a, b| {
        (a.key.as_str(), !a.explicit, a.display.as_ref()).cmp(&(
            b.key.as_str(),
            !b.explicit,
            b.display.as_ref(),
        ))
    });
    files.dedup_by(|later, first| later.key == first.key);
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_str(), i))
        .collect();
    let reported: BTreeSet<String> = errors.iter().map(|e| e.file.clone()).collect();

    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    let mut imported = vec![false; files.len()];
    let mut remote: Vec<Vec<String>> = vec![Vec::new(); files.len()];
    for (i, f) in files.iter().enumerate() {
        for import in &f.imports {
            match &import.target {
                ImportTarget::Standard => {}
                ImportTarget::Remote => remote[i].push(import.text.clone()),
                ImportTarget::Absolute => errors.push(ScanError::parse(
                    &f.display,
                    Some(import.line),
                    format!(
                        "import `{}` is an absolute path; fitscan follows only imports relative to the importing file",
                        import.text
                    ),
                )),
                ImportTarget::OutsideArchive => errors.push(ScanError::parse(
                    &f.display,
                    Some(import.line),
                    format!(
                        "import `{}` leaves the CSAR archive; fitscan follows only imports inside it",
                        import.text
                    ),
                )),
                ImportTarget::Local { key, display, path } => match index.get(key.as_str()) {
                    Some(&j) => {
                        if j != i && !edges[i].contains(&j) {
                            edges[i].push(j);
                            imported[j] = true;
                        }
                    }
                    // The file itself has an error entry already (too large, bad YAML).
                    None if reported.contains(display.as_str()) => {}
                    None => {
                        let why = if path.exists() {
                            "was not scanned (hidden, or ignored by .gitignore: scan the package folder or name the file)"
                        } else {
                            "does not exist"
                        };
                        // The resolved path only helps when the import leaves the folder.
                        let target = if import.text.contains(['/', '\\']) {
                            format!("`{}` ({display})", import.text)
                        } else {
                            format!("`{}`", import.text)
                        };
                        errors.push(ScanError::parse(
                            &f.display,
                            Some(import.line),
                            format!("imports {target}, which {why}"),
                        ));
                    }
                },
            }
        }
    }

    let mut roots: Vec<usize> = Vec::new();
    for m in &metas {
        match index.get(m.entry_key.as_str()) {
            Some(&i) => roots.push(i),
            None if reported.contains(&m.entry_display) => {}
            None => errors.push(ScanError::parse(
                &m.display,
                Some(m.line),
                format!(
                    "Entry-Definitions names `{}` ({}), which does not exist",
                    m.entry, m.entry_display
                ),
            )),
        }
    }
    roots.extend((0..files.len()).filter(|i| !imported[*i]));
    roots.sort_unstable();
    roots.dedup();
    // Files in an import cycle that no root reaches still get assessed.
    let mut covered = vec![false; files.len()];
    for &r in &roots {
        for i in closure(r, &edges) {
            covered[i] = true;
        }
    }
    for i in 0..files.len() {
        if !covered[i] && files[i].doc.get("topology_template").is_some() {
            roots.push(i);
            for j in closure(i, &edges) {
                covered[j] = true;
            }
        }
    }

    // Packages are independent: assemble them on the worker threads.
    let assembled: Vec<(Vec<Workload>, Vec<ScanError>)> = roots
        .par_iter()
        .map(|&root| assemble_package(&files, &edges, &remote, root))
        .collect();
    for (w, e) in assembled {
        workloads.extend(w);
        errors.extend(e);
    }
}

/// The workloads of the package whose top-level file is `root`: one per flavour.
fn assemble_package(
    files: &[ToscaFile],
    edges: &[Vec<usize>],
    remote: &[Vec<String>],
    root: usize,
) -> (Vec<Workload>, Vec<ScanError>) {
    let mut workloads = Vec::new();
    let mut errors = Vec::new();
    let members = closure(root, edges);
    let types = TypeIndex::new(members.iter().map(|&i| &files[i].doc));
    let flavours: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| is_flavour(&files[i].doc, &types))
        .collect();
    if flavours.is_empty() {
        if files[root].explicit {
            let message = if files[root].doc.get("topology_template").is_none() {
                "defines TOSCA types only: scan the package's top-level VNFD or its Definitions/ folder"
            } else {
                "no VNF deployment flavour here: no tosca.nodes.nfv.Vdu.Compute node templates in this file or its imports"
            };
            errors.push(ScanError::input(&files[root].display, message));
        }
        return (workloads, errors);
    }
    let remote_imports: Vec<&String> = members.iter().flat_map(|&i| remote[i].iter()).collect();
    for &flavour in &flavours {
        let order: Vec<usize> = std::iter::once(root)
            .chain((flavour != root).then_some(flavour))
            .chain(
                members
                    .iter()
                    .copied()
                    .filter(|&i| i != root && i != flavour && !flavours.contains(&i)),
            )
            .collect();
        let package = Package::new(files, &order, flavour, &types);
        let mut model = package.read(&mut errors);
        for r in &remote_imports {
            model.notes.push(format!(
                "import `{r}` was not fetched (fitscan never uses the network)"
            ));
        }
        workloads.push(model.into_workload());
    }
    (workloads, errors)
}

/// Files reachable from `start` through imports, `start` first, depth-first.
fn closure(start: usize, edges: &[Vec<usize>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        if out.len() >= MAX_PACKAGE_FILES || !seen.insert(i) {
            continue;
        }
        out.push(i);
        stack.extend(edges[i].iter().rev().copied());
    }
    out
}

fn node_templates(doc: &Node) -> &[crate::node::Entry] {
    doc.at("topology_template.node_templates")
        .and_then(Node::as_map)
        .unwrap_or_default()
}

/// A deployment flavour: a topology with `substitution_mappings` or with VDUs.
fn is_flavour(doc: &Node, types: &TypeIndex) -> bool {
    doc.at("topology_template.substitution_mappings").is_some()
        || node_templates(doc)
            .iter()
            .any(|e| types.kind(type_of(&e.value)).is_vdu())
}

fn type_of(node: &Node) -> &str {
    node.get("type").and_then(Node::as_str).unwrap_or("")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Vnf,
    Vdu,
    /// SOL001 v4 `Vdu.OsContainerDeployableUnit`: a VDU made of OS containers (a CNF).
    ContainerVdu,
    Container,
    Storage(&'static str),
    Cp,
    ExtCp,
    VirtualLink,
    Other,
}

impl NodeKind {
    fn is_vdu(self) -> bool {
        matches!(self, NodeKind::Vdu | NodeKind::ContainerVdu)
    }
}

/// `derived_from` of the node, policy and group types a package defines.
struct TypeIndex {
    parents: HashMap<String, String>,
}

impl TypeIndex {
    fn new<'a>(docs: impl Iterator<Item = &'a Node>) -> Self {
        let mut parents = HashMap::new();
        for doc in docs {
            for section in ["node_types", "policy_types", "group_types"] {
                for e in doc.get(section).and_then(Node::as_map).unwrap_or_default() {
                    if let Some(parent) = e.value.get("derived_from").and_then(Node::as_str) {
                        parents
                            .entry(e.key.clone())
                            .or_insert_with(|| parent.to_string());
                    }
                }
            }
        }
        TypeIndex { parents }
    }

    /// The type and its ancestors, nearest first.
    fn lineage<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        let mut out = vec![name];
        let mut cur = name;
        while let Some(parent) = self.parents.get(cur) {
            if out.len() > MAX_DERIVATION || out.contains(&parent.as_str()) {
                break;
            }
            out.push(parent);
            cur = parent;
        }
        out
    }

    fn derives(&self, name: &str, base: &str) -> bool {
        self.lineage(name)
            .iter()
            .any(|t| t.eq_ignore_ascii_case(base))
    }

    fn kind(&self, name: &str) -> NodeKind {
        for t in self.lineage(name) {
            let kind = match t {
                "tosca.nodes.nfv.VNF" => NodeKind::Vnf,
                "tosca.nodes.nfv.Vdu.Compute" => NodeKind::Vdu,
                "tosca.nodes.nfv.Vdu.OsContainerDeployableUnit" => NodeKind::ContainerVdu,
                "tosca.nodes.nfv.Vdu.OsContainer" => NodeKind::Container,
                "tosca.nodes.nfv.Vdu.VirtualBlockStorage" => NodeKind::Storage("block"),
                "tosca.nodes.nfv.Vdu.VirtualObjectStorage" => NodeKind::Storage("object"),
                "tosca.nodes.nfv.Vdu.VirtualFileStorage" => NodeKind::Storage("file"),
                "tosca.nodes.nfv.VduCp" => NodeKind::Cp,
                "tosca.nodes.nfv.VnfExtCp" => NodeKind::ExtCp,
                "tosca.nodes.nfv.VnfVirtualLink" => NodeKind::VirtualLink,
                _ => continue,
            };
            return kind;
        }
        NodeKind::Other
    }
}

/// The files of one workload (top-level VNFD, its flavour, the rest of the package), their
/// documents already numbered in the workload's line numbering.
struct Package<'a> {
    /// Index of the flavour in `files`: 0 when the top-level file is the flavour, else 1.
    flavour: usize,
    files: Vec<&'a ToscaFile>,
    docs: Vec<Node>,
    sources: Vec<SourceSpan>,
    types: &'a TypeIndex,
}

impl<'a> Package<'a> {
    fn new(all: &'a [ToscaFile], order: &[usize], flavour: usize, types: &'a TypeIndex) -> Self {
        let mut files = Vec::new();
        let mut docs = Vec::new();
        let mut sources = Vec::new();
        let mut offset: u32 = 0;
        for (n, &i) in order.iter().enumerate() {
            let f = &all[i];
            let mut doc = f.doc.clone();
            if n > 0 {
                sources.push(SourceSpan {
                    file: Arc::clone(&f.display),
                    offset,
                });
                shift(&mut doc, offset);
            }
            offset = offset.saturating_add(f.lines.max(max_line(&doc).saturating_sub(offset)));
            files.push(f);
            docs.push(doc);
        }
        Package {
            flavour: usize::from(order.first() != Some(&flavour)),
            files,
            docs,
            sources,
            types,
        }
    }

    fn top(&self) -> &Node {
        &self.docs[0]
    }

    fn flavour(&self) -> &Node {
        &self.docs[self.flavour]
    }

    fn flavour_file(&self) -> &ToscaFile {
        self.files[self.flavour]
    }

    /// The file and line a workload line points at, for errors found while reading.
    fn locate(&self, line: u32) -> (Arc<str>, u32) {
        SourceSpan::locate(&self.files[0].display, &self.sources, line)
    }

    fn error(&self, errors: &mut Vec<ScanError>, line: u32, message: String) {
        let (file, line) = self.locate(line);
        errors.push(ScanError::parse(&file, Some(line), message));
    }

    fn read(&self, errors: &mut Vec<ScanError>) -> VnfModel {
        let top = self.top();
        let flavour = self.flavour();
        let flavour_file = self.flavour_file();
        let tt = flavour.get("topology_template");
        let substitution = tt.and_then(|t| t.get("substitution_mappings"));

        // The VNF node type, from the flavour's substitution or any VNF node template.
        let vnf_type: Option<String> = substitution
            .and_then(|s| s.get("node_type"))
            .and_then(Node::as_str)
            .map(str::to_string)
            .or_else(|| {
                [flavour, top].into_iter().find_map(|d| {
                    node_templates(d)
                        .iter()
                        .find(|e| self.types.kind(type_of(&e.value)) == NodeKind::Vnf)
                        .map(|e| type_of(&e.value).to_string())
                })
            });
        let top_vnf = node_templates(top).iter().find(|e| {
            let t = type_of(&e.value);
            self.types.kind(t) == NodeKind::Vnf || vnf_type.as_deref() == Some(t)
        });
        let flavour_vnf = node_templates(flavour).iter().find(|e| {
            let t = type_of(&e.value);
            self.types.kind(t) == NodeKind::Vnf || vnf_type.as_deref() == Some(t)
        });

        // Properties: type defaults, then the top-level template, then the flavour's.
        let mut props: BTreeMap<String, Node> = BTreeMap::new();
        if let Some(t) = &vnf_type {
            let lineage = self.types.lineage(t);
            for ty in lineage.iter().rev() {
                for doc in &self.docs {
                    let Some(def) = doc.get("node_types").and_then(|n| n.get(ty)) else {
                        continue;
                    };
                    for e in def
                        .get("properties")
                        .and_then(Node::as_map)
                        .unwrap_or_default()
                    {
                        if let Some(d) = e.value.get("default") {
                            props.insert(e.key.clone(), d.clone());
                        }
                    }
                    break;
                }
            }
        }
        for node in [top_vnf, flavour_vnf].into_iter().flatten() {
            for e in node
                .value
                .get("properties")
                .and_then(Node::as_map)
                .unwrap_or_default()
            {
                // `flavour_id: { get_input: selected_flavour }` is decided at instantiation:
                // it says nothing, and must not hide the type's default.
                if !is_intrinsic_function(&e.value) {
                    props.insert(e.key.clone(), e.value.clone());
                }
            }
        }
        let prop_text = |k: &str| -> Option<(String, u32)> {
            let n = props.get(k)?;
            match &n.value {
                Value::Seq(items) => {
                    let parts: Vec<String> = items.iter().filter_map(Node::scalar_text).collect();
                    (!parts.is_empty()).then(|| (parts.join(", "), n.line))
                }
                Value::Map(_) | Value::Null => None,
                _ => n
                    .scalar_text()
                    .filter(|s| !s.trim().is_empty())
                    .map(|s| (s, n.line)),
            }
        };

        let mut model = VnfModel::new(
            Format::Sol001,
            Arc::clone(&self.files[0].display),
            Node::map(0),
        );
        model.sources = self.sources.clone();
        for key in [
            "product_name",
            "provider",
            "software_version",
            "descriptor_id",
            "descriptor_version",
            "vnfm_info",
        ] {
            if let Some((v, line)) = prop_text(key) {
                model.identity.push((key_name(key), v, line));
            }
        }
        let stem = |f: &ToscaFile| {
            Path::new(&*f.display)
                .file_stem()
                .map(|s| s.to_string_lossy().trim_end_matches(".vnfd").to_string())
                .unwrap_or_else(|| f.display.to_string())
        };
        model.vnf_name = prop_text("product_name")
            .or_else(|| prop_text("descriptor_id"))
            .map_or_else(|| stem(self.files[0]), |(v, _)| v);
        let flavour_id = substitution
            .and_then(|s| s.at("properties.flavour_id"))
            .and_then(|n| match &n.value {
                Value::Seq(items) => items.first().and_then(Node::scalar_text),
                _ => n.scalar_text(),
            })
            .filter(|s| !s.trim().is_empty())
            .or_else(|| prop_text("flavour_id").map(|(v, _)| v))
            .unwrap_or_else(|| stem(flavour_file));
        model.flavour = flavour_id;
        model.flavour_description = prop_text("flavour_description").map(|(v, _)| v);

        let flavour_line = flavour_vnf
            .map(|e| e.value.line)
            .or(substitution.map(|s| s.line))
            .or(tt.map(|t| t.line))
            .unwrap_or(0);
        model.flavour_line = flavour_line;
        model.vnf_line = top_vnf.map_or(flavour_line, |e| e.value.line);
        // The workload sits in the top-level file (numbered first): its VNF node, or the
        // flavour when the top is the flavour, or its topology.
        model.line = if let Some(v) = top_vnf {
            v.value.line
        } else if self.flavour == 0 {
            flavour_line.max(1)
        } else {
            top.get("topology_template").map_or(1, |t| t.line.max(1))
        };
        model.doc = {
            let mut doc = Node::map(0);
            if let Some(d) = top.get("description") {
                doc.insert("description", d.clone());
            }
            let mut vnf = Node::map(model.vnf_line);
            for (k, v) in &props {
                vnf.insert(k.clone(), v.clone());
            }
            doc.insert("vnf", vnf);
            if let Some(t) = tt {
                doc.insert("topology_template", t.clone());
            }
            doc
        };

        // Suppressions: `# fitscan ignore=` comments of every file, and
        // `metadata: { fitscan.io/ignore: ... }` on the templates and the VNF node.
        for f in &self.files {
            model.suppressions.extend(f.suppressions.iter().cloned());
        }
        let metadata_sources = [
            top.get("metadata"),
            flavour.get("metadata"),
            top_vnf.and_then(|e| e.value.get("metadata")),
            flavour_vnf.and_then(|e| e.value.get("metadata")),
        ];
        for meta in metadata_sources.into_iter().flatten() {
            if let Some(v) = meta.get("fitscan.io/ignore") {
                let (file, line) = self.locate(v.line);
                model
                    .suppressions
                    .extend(detect::ignore_value(v, &file, line));
            }
        }

        self.read_vnf_interfaces(
            &mut model,
            vnf_type.as_deref(),
            [top_vnf, flavour_vnf],
            &props,
        );
        self.read_topology(&mut model, errors);
        if self.files.len() > 1 {
            let names: Vec<&str> = self.files.iter().map(|f| short_name(&f.display)).collect();
            model.notes.push(format!(
                "SOL001 package read from {} files: {}",
                names.len(),
                names.join(", ")
            ));
        }
        model
    }

    /// LCM operations, hooks, healing and day-0 sources declared on the VNF.
    fn read_vnf_interfaces(
        &self,
        model: &mut VnfModel,
        vnf_type: Option<&str>,
        nodes: [Option<&crate::node::Entry>; 2],
        props: &BTreeMap<String, Node>,
    ) {
        let mut ops: BTreeMap<String, LcmOperation> = BTreeMap::new();
        let mut interface_sets: Vec<&Node> = Vec::new();
        if let Some(t) = vnf_type {
            for ty in self.types.lineage(t).iter().rev() {
                if let Some(i) = self
                    .docs
                    .iter()
                    .find_map(|d| d.get("node_types").and_then(|n| n.get(ty)))
                    .and_then(|def| def.get("interfaces"))
                {
                    interface_sets.push(i);
                }
            }
        }
        interface_sets.extend(
            nodes
                .iter()
                .flatten()
                .filter_map(|e| e.value.get("interfaces")),
        );
        for interfaces in interface_sets {
            for iface in interfaces.as_map().unwrap_or_default() {
                let is_lcm = iface.key.eq_ignore_ascii_case("Vnflcm")
                    || type_of(&iface.value).ends_with("Vnflcm");
                if !is_lcm {
                    continue;
                }
                let operations = iface.value.get("operations").unwrap_or(&iface.value);
                for op in operations.as_map().unwrap_or_default() {
                    if matches!(
                        op.key.as_str(),
                        "type"
                            | "inputs"
                            | "description"
                            | "operations"
                            | "notifications"
                            | "derived_from"
                    ) {
                        continue;
                    }
                    ops.insert(
                        op.key.clone(),
                        LcmOperation {
                            name: op.key.clone(),
                            line: op.value.line,
                            hook: has_implementation(&op.value),
                        },
                    );
                }
            }
        }
        let mut ops: Vec<LcmOperation> = ops.into_values().collect();
        ops.sort_by_key(|o| o.line);
        if let Some(heal) = ops.iter().find(|o| o.name.starts_with("heal")) {
            model
                .healing
                .push(Item::new(heal.name.clone(), "heal operation", heal.line));
        }
        for op in ops
            .iter()
            .filter(|o| o.hook && o.name.starts_with("instantiate"))
        {
            model
                .day0
                .push(Item::new(op.name.clone(), "instantiate hook", op.line));
        }
        model.lcm_operations = ops;

        if let Some(cfg) = props
            .get("lcm_operations_configuration")
            .filter(|n| !is_empty(n))
        {
            model.lcm_configuration = Some(cfg.line);
            if let Some(heal) = cfg.get("heal") {
                model
                    .healing
                    .push(Item::new("heal", "heal operation configuration", heal.line));
            }
        }
        if let Some(cfg) = props
            .get("configurable_properties")
            .filter(|n| !is_empty(n))
        {
            model.day0.push(Item::new(
                "configurable_properties",
                "configurable properties",
                cfg.line,
            ));
            if let Some(auto) = cfg
                .get("is_autoheal_enabled")
                .filter(|n| n.as_bool() != Some(false))
            {
                model
                    .healing
                    .push(Item::new("is_autoheal_enabled", "auto-heal", auto.line));
            }
        }
        if let Some(mp) = props.get("monitoring_parameters") {
            push_monitoring(mp, "vnf", &mut model.monitoring);
        }
    }

    /// VDUs, storage, connection points, links, groups and policies of the flavour.
    fn read_topology(&self, model: &mut VnfModel, errors: &mut Vec<ScanError>) {
        let flavour = self.flavour();
        let templates = node_templates(flavour);
        let mut vdu_index: BTreeMap<String, usize> = BTreeMap::new();
        let containers: BTreeMap<&str, &Node> = templates
            .iter()
            .filter(|e| self.types.kind(type_of(&e.value)) == NodeKind::Container)
            .map(|e| (e.key.as_str(), &e.value))
            .collect();
        for e in templates {
            let kind = self.types.kind(type_of(&e.value));
            match kind {
                NodeKind::Vdu => {
                    let vdu = self.read_vdu(&e.key, &e.value, model, errors);
                    vdu_index.insert(e.key.clone(), model.vdus.len());
                    model.vdus.push(vdu);
                }
                NodeKind::ContainerVdu => {
                    let mut vdu = self.read_vdu(&e.key, &e.value, model, errors);
                    self.read_containers(&mut vdu, &e.value, &containers, model, errors);
                    vdu_index.insert(e.key.clone(), model.vdus.len());
                    model.vdus.push(vdu);
                }
                NodeKind::Storage(storage_kind) => {
                    let storage = self.read_storage(&e.key, &e.value, storage_kind, model, errors);
                    model.storages.push(storage);
                }
                _ => {}
            }
        }
        for e in templates {
            let kind = self.types.kind(type_of(&e.value));
            let props = e.value.get("properties");
            match kind {
                NodeKind::Cp | NodeKind::ExtCp => {
                    let bound = requirement_targets(&e.value, "virtual_binding");
                    if kind == NodeKind::ExtCp {
                        model
                            .ext_cps
                            .push(Item::new(e.key.clone(), "external cp", e.value.line));
                    }
                    if let Some(p) = props {
                        detect::fixed_addresses(&e.key, p, &mut model.fixed_addresses);
                        detect::encryption(&e.key, p, &mut model.encryption);
                    }
                    for vdu in bound {
                        if let Some(&i) = vdu_index.get(&vdu) {
                            model.vdus[i].cps += 1;
                            if let Some(p) = props {
                                detect::acceleration(&vdu, p, &mut model.acceleration);
                            }
                        }
                    }
                }
                NodeKind::VirtualLink => {
                    model.virtual_links.push(Item::new(
                        e.key.clone(),
                        "internal virtual link",
                        e.value.line,
                    ));
                    if let Some(p) = props {
                        detect::encryption(&e.key, p, &mut model.encryption);
                        if let Some(mp) = p.get("monitoring_parameters") {
                            push_monitoring(
                                mp,
                                &format!("virtual link {}", e.key),
                                &mut model.monitoring,
                            );
                        }
                    }
                }
                NodeKind::Vdu | NodeKind::ContainerVdu => {
                    for target in requirement_targets(&e.value, "virtual_storage") {
                        if let Some(&i) = vdu_index.get(&e.key) {
                            model.vdus[i].storages.push(target);
                        }
                    }
                }
                _ => {}
            }
        }
        let tt = flavour.get("topology_template");
        let groups: BTreeMap<String, Vec<String>> = tt
            .and_then(|t| t.get("groups"))
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .map(|g| {
                let members = g
                    .value
                    .get("members")
                    .and_then(Node::as_seq)
                    .unwrap_or_default()
                    .iter()
                    .filter_map(Node::scalar_text)
                    .collect();
                (g.key.clone(), members)
            })
            .collect();
        self.read_policies(model, tt, &groups, &vdu_index, errors);
    }

    fn read_vdu(
        &self,
        id: &str,
        node: &Node,
        model: &mut VnfModel,
        errors: &mut Vec<ScanError>,
    ) -> Vdu {
        let mut vdu = Vdu {
            id: id.to_string(),
            line: node.line,
            ..Vdu::default()
        };
        let props = node.get("properties");
        let field = |path: &str| props.and_then(|p| p.at(path));
        if let Some(name) = field("name")
            .and_then(Node::scalar_text)
            .filter(|n| n != id)
        {
            vdu.display_name = Some(name);
        }
        let number = |path: &str, min: f64, errors: &mut Vec<ScanError>| -> Option<Num> {
            let n = field(path)?;
            match whole_number(n, min) {
                Ok(v) => Some(v),
                Err(e) => {
                    self.error(errors, n.line, format!("VDU `{id}`: {path}: {e}"));
                    None
                }
            }
        };
        vdu.min_instances = number("vdu_profile.min_number_of_instances", 0.0, errors);
        vdu.max_instances = number("vdu_profile.max_number_of_instances", 0.0, errors);
        if let (Some(min), Some(max)) = (vdu.min_instances, vdu.max_instances)
            && min.value > max.value
        {
            self.error(
                errors,
                max.line,
                format!(
                    "VDU `{id}`: max_number_of_instances {} is below min_number_of_instances {}",
                    max.value, min.value
                ),
            );
        }

        let compute = node
            .at("capabilities.virtual_compute")
            .map(|c| c.get("properties").unwrap_or(c));
        if let Some(c) = compute {
            if let Some(n) = c.at("virtual_cpu.num_virtual_cpu") {
                match whole_number(n, 1.0) {
                    Ok(v) => vdu.vcpu = Some(v),
                    Err(e) => {
                        self.error(errors, n.line, format!("VDU `{id}`: num_virtual_cpu: {e}"))
                    }
                }
            }
            if let Some(n) = c.at("virtual_memory.virtual_mem_size") {
                match tosca_size_gib(n) {
                    Ok(v) => vdu.memory_gib = Some(v),
                    Err(e) => {
                        self.error(errors, n.line, format!("VDU `{id}`: virtual_mem_size: {e}"))
                    }
                }
            }
            if let Some(local) = c.get("virtual_local_storage") {
                let items: Vec<&Node> = match &local.value {
                    Value::Seq(items) => items.iter().collect(),
                    _ => vec![local],
                };
                let mut total: Option<Num> = None;
                for item in items {
                    let Some(n) = item.get("size_of_storage") else {
                        continue;
                    };
                    match tosca_size_gib(n) {
                        Ok(v) => {
                            let t = total.get_or_insert(Num {
                                value: 0.0,
                                line: v.line,
                            });
                            t.value += v.value;
                        }
                        Err(e) => {
                            self.error(errors, n.line, format!("VDU `{id}`: size_of_storage: {e}"))
                        }
                    }
                }
                vdu.local_storage_gib = total;
            }
            if let Some(rac) = c.get("requested_additional_capabilities") {
                collect_named(
                    rac,
                    "requested_additional_capability_name",
                    &mut vdu.flavours,
                );
            }
            detect::acceleration(id, c, &mut model.acceleration);
        }
        if let Some(p) = props {
            for key in ["nfvi_constraints", "boot_order"] {
                if let Some(n) = p.get(key) {
                    detect::acceleration(id, n, &mut model.acceleration);
                }
            }
            if let Some(boot) = p.get("boot_data").filter(|n| !is_empty(n)) {
                vdu.boot_data = true;
                model.day0.push(Item::new(id, "boot data", boot.line));
            }
            if let Some(mp) = p.get("monitoring_parameters").filter(|n| !is_empty(n)) {
                vdu.monitoring = true;
                push_monitoring(mp, &format!("vdu {id}"), &mut model.monitoring);
            }
        }
        if let Some(image) = self.read_image(id, node, errors) {
            vdu.has_image = true;
            model.images.push(image);
        }
        vdu
    }

    /// An OS container deployable unit is sized by the resources its containers request:
    /// `requested_cpu_resources` in milli-CPU, `requested_memory_resources` and
    /// `requested_ephemeral_storage_resources` as TOSCA sizes.
    fn read_containers(
        &self,
        vdu: &mut Vdu,
        node: &Node,
        containers: &BTreeMap<&str, &Node>,
        model: &mut VnfModel,
        errors: &mut Vec<ScanError>,
    ) {
        vdu.container = true;
        let add = |slot: &mut Option<Num>, n: Num| {
            let t = slot.get_or_insert(Num {
                value: 0.0,
                line: n.line,
            });
            t.value += n.value;
        };
        for name in requirement_targets(node, "container") {
            let Some(c) = containers.get(name.as_str()) else {
                continue;
            };
            let props = c.get("properties");
            let field = |k: &str| props.and_then(|p| p.get(k));
            if let Some(n) = field("requested_cpu_resources") {
                match whole_number(n, 0.0) {
                    Ok(m) => add(
                        &mut vdu.vcpu,
                        Num {
                            value: m.value / 1000.0,
                            line: m.line,
                        },
                    ),
                    Err(e) => self.error(
                        errors,
                        n.line,
                        format!("container `{name}`: requested_cpu_resources (milli-CPU): {e}"),
                    ),
                }
            }
            for (key, slot) in [
                ("requested_memory_resources", &mut vdu.memory_gib),
                (
                    "requested_ephemeral_storage_resources",
                    &mut vdu.local_storage_gib,
                ),
            ] {
                if let Some(n) = field(key) {
                    match tosca_size_gib(n) {
                        Ok(v) => add(slot, v),
                        Err(e) => {
                            self.error(errors, n.line, format!("container `{name}`: {key}: {e}"))
                        }
                    }
                }
            }
            if let Some(image) = self.read_image(&name, c, errors) {
                vdu.has_image = true;
                model.images.push(image);
            }
        }
    }

    fn read_storage(
        &self,
        name: &str,
        node: &Node,
        kind: &'static str,
        model: &mut VnfModel,
        errors: &mut Vec<ScanError>,
    ) -> Storage {
        let props = node.get("properties");
        let size_node = props.and_then(|p| {
            p.at("virtual_block_storage_data.size_of_storage")
                .or_else(|| p.at("virtual_file_storage_data.size_of_storage"))
                .or_else(|| p.at("virtual_object_storage_data.max_size_of_storage"))
        });
        let size_gib = size_node.and_then(|n| match tosca_size_gib(n) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(
                    errors,
                    n.line,
                    format!("storage `{name}`: size_of_storage: {e}"),
                );
                None
            }
        });
        let image = self.read_image(name, node, errors);
        let boot = image.is_some();
        if let Some(i) = image {
            model.images.push(i);
        }
        Storage {
            name: name.to_string(),
            line: node.line,
            kind,
            size_gib,
            boot,
        }
    }

    /// `sw_image_data` (SOL001 2.x) or a `tosca.artifacts.nfv.SwImage` artifact (3.x).
    fn read_image(&self, owner: &str, node: &Node, errors: &mut Vec<ScanError>) -> Option<Image> {
        let from_props = node.at("properties.sw_image_data");
        let artifact = node
            .get("artifacts")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .find(|a| type_of(&a.value).ends_with("SwImage"))
            .map(|a| &a.value);
        let data = from_props.or_else(|| artifact.map(|a| a.get("properties").unwrap_or(a)))?;
        let checksum = data.get("checksum").is_some_and(|c| match &c.value {
            Value::Map(_) => c
                .get("hash")
                .and_then(Node::scalar_text)
                .is_some_and(|h| !h.trim().is_empty()),
            _ => c.scalar_text().is_some_and(|h| !h.trim().is_empty()),
        });
        let size_gib = data.get("size").and_then(|n| match tosca_size_gib(n) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error(errors, n.line, format!("image of `{owner}`: size: {e}"));
                None
            }
        });
        let name = data
            .get("name")
            .and_then(Node::scalar_text)
            .or_else(|| {
                artifact
                    .and_then(|a| a.get("file"))
                    .and_then(Node::scalar_text)
            })
            .unwrap_or_else(|| owner.to_string());
        Some(Image {
            name,
            owner: owner.to_string(),
            line: data.line,
            checksum,
            size_gib,
        })
    }

    fn read_policies(
        &self,
        model: &mut VnfModel,
        tt: Option<&Node>,
        groups: &BTreeMap<String, Vec<String>>,
        vdu_index: &BTreeMap<String, usize>,
        errors: &mut Vec<ScanError>,
    ) {
        let Some(policies) = tt.and_then(|t| t.get("policies")) else {
            return;
        };
        // `policies:` is a list of single-entry maps (TOSCA 1.2+) or one map.
        let entries: Vec<&crate::node::Entry> = match &policies.value {
            Value::Seq(items) => items
                .iter()
                .flat_map(|i| i.as_map().unwrap_or_default())
                .collect(),
            Value::Map(entries) => entries.iter().collect(),
            _ => Vec::new(),
        };
        let expand = |targets: Vec<String>| -> Vec<String> {
            targets
                .into_iter()
                .flat_map(|t| groups.get(&t).cloned().unwrap_or_else(|| vec![t]))
                .collect()
        };
        let mut deltas: Vec<(String, Vec<String>)> = Vec::new();
        let mut initial: BTreeMap<String, Num> = BTreeMap::new();
        let mut vdu_levels: BTreeMap<String, BTreeMap<String, Num>> = BTreeMap::new();
        for p in entries {
            let ty = type_of(&p.value);
            let props = p.value.get("properties");
            let targets: Vec<String> = p
                .value
                .get("targets")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar_text)
                .collect();
            let is = |base: &str| self.types.derives(ty, base);
            if is("tosca.policies.nfv.ScalingAspects") {
                for a in props
                    .and_then(|n| n.get("aspects"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    let max_scale_level = a.value.get("max_scale_level").and_then(|n| {
                        whole_number(n, 0.0)
                            .map_err(|e| {
                                self.error(
                                    errors,
                                    n.line,
                                    format!("scaling aspect `{}`: max_scale_level: {e}", a.key),
                                )
                            })
                            .ok()
                    });
                    model.scaling_aspects.push(Aspect {
                        id: a.key.clone(),
                        line: a.value.line,
                        max_scale_level,
                        vdus: Vec::new(),
                    });
                }
            } else if is("tosca.policies.nfv.VduScalingAspectDeltas") {
                if let Some(aspect) = props
                    .and_then(|n| n.get("aspect"))
                    .and_then(Node::scalar_text)
                {
                    deltas.push((aspect, expand(targets)));
                }
            } else if is("tosca.policies.nfv.VduInitialDelta") {
                if let Some(n) = props.and_then(|n| n.at("initial_delta.number_of_instances"))
                    && let Ok(v) = whole_number(n, 0.0)
                {
                    for t in expand(targets) {
                        initial.insert(t, v);
                    }
                }
            } else if is("tosca.policies.nfv.InstantiationLevels") {
                for level in props
                    .and_then(|n| n.get("levels"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    model.instantiation_levels.push(Item::new(
                        level.key.clone(),
                        "instantiation level",
                        level.value.line,
                    ));
                }
                if let Some(d) = props.and_then(|n| n.get("default_level")) {
                    model.default_level = d
                        .scalar_text()
                        .map(|name| Item::new(name, "default instantiation level", d.line));
                }
            } else if is("tosca.policies.nfv.VduInstantiationLevels") {
                for level in props
                    .and_then(|n| n.get("levels"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    let Some(n) = level.value.get("number_of_instances") else {
                        continue;
                    };
                    match whole_number(n, 0.0) {
                        Ok(v) => {
                            for t in expand(targets.clone()) {
                                vdu_levels
                                    .entry(t)
                                    .or_default()
                                    .insert(level.key.clone(), v);
                            }
                        }
                        Err(e) => self.error(
                            errors,
                            n.line,
                            format!(
                                "instantiation level `{}`: number_of_instances: {e}",
                                level.key
                            ),
                        ),
                    }
                }
            } else if is("tosca.policies.nfv.AntiAffinityRule")
                || is("tosca.policies.nfv.AffinityRule")
            {
                let anti = is("tosca.policies.nfv.AntiAffinityRule");
                let vdus: Vec<String> = expand(targets)
                    .into_iter()
                    .filter(|t| vdu_index.contains_key(t))
                    .collect();
                for v in &vdus {
                    if let Some(&i) = vdu_index.get(v) {
                        if anti {
                            model.vdus[i].anti_affinity = true;
                        } else {
                            model.vdus[i].affinity = true;
                        }
                    }
                }
                let placement = Placement {
                    name: p.key.clone(),
                    line: p.value.line,
                    scope: props
                        .and_then(|n| n.get("scope"))
                        .and_then(Node::scalar_text),
                    vdus,
                };
                if anti {
                    model.anti_affinity.push(placement);
                } else {
                    model.affinity.push(placement);
                }
            } else if is("tosca.policies.nfv.VnfIndicator") {
                model
                    .indicators
                    .push(Item::new(p.key.clone(), "vnf indicator", p.value.line));
            } else if is("tosca.policies.nfv.SecurityGroupRule") {
                model.security_group_rules.push(Item::new(
                    p.key.clone(),
                    "security group rule",
                    p.value.line,
                ));
            } else if is("tosca.policies.nfv.SupportedVnfInterface") {
                let name = props
                    .and_then(|n| n.get("interface_name"))
                    .and_then(Node::scalar_text)
                    .unwrap_or_default();
                match name.as_str() {
                    "vnf_indicator" => model.indicators.push(Item::new(
                        p.key.clone(),
                        "vnf indicator interface",
                        p.value.line,
                    )),
                    "vnf_configuration" => model.day0.push(Item::new(
                        p.key.clone(),
                        "vnf configuration interface",
                        p.value.line,
                    )),
                    _ => {}
                }
            }
        }
        for (aspect, targets) in deltas {
            for t in targets {
                if let Some(&i) = vdu_index.get(&t)
                    && !model.vdus[i].scaling_aspects.contains(&aspect)
                {
                    model.vdus[i].scaling_aspects.push(aspect.clone());
                }
                if let Some(a) = model.scaling_aspects.iter_mut().find(|a| a.id == aspect)
                    && !a.vdus.contains(&t)
                {
                    a.vdus.push(t.clone());
                }
            }
        }
        let default = model
            .default_level
            .as_ref()
            .map(|d| d.name.clone())
            .or_else(|| {
                (model.instantiation_levels.len() == 1)
                    .then(|| model.instantiation_levels[0].name.clone())
            });
        for vdu in &mut model.vdus {
            let at_level = default
                .as_ref()
                .and_then(|d| vdu_levels.get(&vdu.id).and_then(|l| l.get(d)));
            if let Some(n) = at_level {
                vdu.instances = Some(*n);
                vdu.instances_basis = "default instantiation level";
            } else if let Some(n) = initial.get(&vdu.id) {
                vdu.instances = Some(*n);
                vdu.instances_basis = "initial delta";
            }
        }
    }
}

fn key_name(key: &str) -> &'static str {
    match key {
        "product_name" => "product_name",
        "provider" => "provider",
        "software_version" => "software_version",
        "descriptor_id" => "descriptor_id",
        "descriptor_version" => "descriptor_version",
        _ => "vnfm_info",
    }
}

fn short_name(display: &str) -> &str {
    display.rsplit(['/', '\\']).next().unwrap_or(display)
}

/// The highest line in a document (a file's line count when its text is not at hand).
fn max_line(node: &Node) -> u32 {
    let inner = match &node.value {
        Value::Seq(items) => items.iter().map(max_line).max().unwrap_or(0),
        Value::Map(entries) => entries
            .iter()
            .map(|e| max_line(&e.value))
            .max()
            .unwrap_or(0),
        _ => 0,
    };
    inner.max(node.line)
}

/// A TOSCA intrinsic function (`{ get_input: x }`, `{ concat: [...] }`): a value only known
/// at deployment.
fn is_intrinsic_function(node: &Node) -> bool {
    const FUNCTIONS: &[&str] = &[
        "get_input",
        "get_property",
        "get_attribute",
        "get_operation_output",
        "get_artifact",
        "concat",
        "join",
        "token",
    ];
    matches!(node.as_map(), Some([only]) if FUNCTIONS.contains(&only.key.as_str()))
}

fn is_empty(node: &Node) -> bool {
    match &node.value {
        Value::Null => true,
        Value::Seq(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
        Value::Str(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// `instantiate_end: { implementation: mgmt-driver }` or `instantiate_end: script.sh` run
/// something of the VNF's own; `instantiate: []` declares support with the VNFM's default.
fn has_implementation(op: &Node) -> bool {
    match &op.value {
        Value::Str(s) => !s.trim().is_empty(),
        Value::Map(_) => op.get("implementation").is_some_and(|i| !is_empty(i)),
        _ => false,
    }
}

/// Targets of a requirement: `- virtual_binding: VDU1` or `- virtual_binding: { node: VDU1 }`.
fn requirement_targets(node: &Node, name: &str) -> Vec<String> {
    let Some(reqs) = node.get("requirements") else {
        return Vec::new();
    };
    let entries: Vec<&crate::node::Entry> = match &reqs.value {
        Value::Seq(items) => items
            .iter()
            .flat_map(|i| i.as_map().unwrap_or_default())
            .collect(),
        Value::Map(entries) => entries.iter().collect(),
        _ => Vec::new(),
    };
    entries
        .into_iter()
        .filter(|e| e.key == name)
        .filter_map(|e| match &e.value.value {
            Value::Map(_) => e.value.get("node").and_then(Node::scalar_text),
            _ => e.value.scalar_text(),
        })
        .filter(|t| !t.trim().is_empty())
        .collect()
}

/// Every scalar under a key named `key`, with its line.
fn collect_named(node: &Node, key: &str, out: &mut Vec<(String, u32)>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                if e.key == key
                    && let Some(v) = e.value.scalar_text().filter(|v| !v.trim().is_empty())
                {
                    out.push((v, e.value.line));
                } else {
                    collect_named(&e.value, key, out);
                }
            }
        }
        Value::Seq(items) => items.iter().for_each(|n| collect_named(n, key, out)),
        _ => {}
    }
}

/// `monitoring_parameters`: a map of name -> parameter, or a list.
fn push_monitoring(node: &Node, scope: &str, out: &mut Vec<Item>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                out.push(Item::new(e.key.clone(), scope, e.value.line));
            }
        }
        Value::Seq(items) => {
            for i in items {
                let name = i
                    .get("name")
                    .and_then(Node::scalar_text)
                    .unwrap_or_else(|| i.display_text());
                out.push(Item::new(name, scope, i.line));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Node {
        yaml::parse_documents(text)
            .unwrap_or_default()
            .pop()
            .unwrap_or_else(Node::null)
    }

    #[test]
    fn every_import_form_resolves_relative_to_the_importing_file() {
        let d = doc("imports:
  - etsi_nfv_sol001_common_types.yaml
  - https://forge.etsi.org/rep/nfv/SOL001/raw/v4.3.1/etsi_nfv_sol001_vnfd_types.yaml
  - types.yaml
  - { file: ../common/df.yaml }
  - named: flavours/big.yaml
  - other: { file: x.yaml, repository: vendor_repo }
  - https://example.com/extra.yaml
  - /etc/hosts
");
        let got = imports(
            &d,
            Path::new("pkg/Definitions/top.yaml"),
            "pkg/Definitions/top.yaml",
            None,
        );
        let kinds: Vec<String> = got
            .iter()
            .map(|i| match &i.target {
                ImportTarget::Standard => "standard".to_string(),
                ImportTarget::Remote => "remote".to_string(),
                ImportTarget::Absolute => "absolute".to_string(),
                ImportTarget::OutsideArchive => "outside".to_string(),
                ImportTarget::Local { display, .. } => display.clone(),
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                "standard",
                "standard",
                "pkg/Definitions/types.yaml",
                "pkg/common/df.yaml",
                "pkg/Definitions/flavours/big.yaml",
                "remote",
                "remote",
                "absolute"
            ]
        );
        assert_eq!(got[3].line, 5);
    }

    #[test]
    fn paths_normalise_without_touching_the_disk() {
        assert_eq!(
            normalise(Path::new("a/./b/../c.yaml")),
            PathBuf::from("a/c.yaml")
        );
        assert_eq!(
            normalise(Path::new("../x/../../y")),
            PathBuf::from("../../y")
        );
    }

    #[test]
    fn shifted_lines_keep_derived_values_unlocated() {
        let mut d = doc("a:\n  b: 1\n");
        d.insert("derived", Node::int(1, 0));
        shift(&mut d, 10);
        assert_eq!(d.at("a.b").map(|n| n.line), Some(12));
        assert_eq!(d.get("derived").map(|n| n.line), Some(0));
    }

    #[test]
    fn derived_types_are_followed_and_loops_stop() {
        let d = doc("node_types:
  my.Vdu: { derived_from: vendor.Vdu }
  vendor.Vdu: { derived_from: tosca.nodes.nfv.Vdu.Compute }
  loop.A: { derived_from: loop.B }
  loop.B: { derived_from: loop.A }
");
        let types = TypeIndex::new(std::iter::once(&d));
        assert_eq!(types.kind("my.Vdu"), NodeKind::Vdu);
        assert_eq!(types.kind("loop.A"), NodeKind::Other);
        assert!(types.derives("my.Vdu", "tosca.nodes.nfv.Vdu.Compute"));
    }
}
