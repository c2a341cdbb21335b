//! What each file contributes before its package is known: the TOSCA files and
//! `TOSCA.meta` as objects for `link`, their imports resolved, and the imports a walk
//! will not read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{MAX_PACKAGE_FILES, STANDARD_IMPORT, is_tosca};
use crate::ingest::vnf::OBJECT_INPUT;
use crate::ingest::vnf::detect;
use crate::ingest::{FileOutput, IngestContext, Object, line_count, normalise, read_from_disk};
use crate::model::{ScanError, Suppression};
use crate::node::{Node, Value};
use crate::source::SourceFile;
use crate::yaml;

// ---------------------------------------------------------------------------------------
// Objects: what each file contributes before the package is known.

/// A TOSCA file as pushed by ingest and read back by `link`.
pub(super) struct ToscaFile {
    pub(super) key: String,
    pub(super) display: Arc<str>,
    pub(super) path: PathBuf,
    pub(super) lines: u32,
    pub(super) explicit: bool,
    pub(super) doc: Node,
    pub(super) suppressions: Vec<Suppression>,
    /// Resolved while files are read (in parallel), so that `link` touches no disk.
    pub(super) imports: Vec<Import>,
}

/// A `TOSCA-Metadata/TOSCA.meta` naming the package's entry definitions.
pub(super) struct Meta {
    pub(super) display: Arc<str>,
    pub(super) line: u32,
    pub(super) entry: String,
    pub(super) entry_key: String,
    pub(super) entry_display: String,
    /// It lists Kubernetes manifests or Helm charts (`Name: Files/kubernetes/...`).
    pub(super) kubernetes: Option<String>,
}

/// The object for `link`; the document moves into it (parsed once, never copied).
pub(super) fn envelope_tosca(file: ToscaFile) -> Object {
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

pub(super) fn envelope_meta(meta: &Meta) -> Object {
    let mut env = Node::map(0);
    env.insert("kind", Node::str("meta", 0));
    env.insert("line", Node::int(i64::from(meta.line), 0));
    env.insert("entry", Node::str(meta.entry.clone(), 0));
    env.insert("entry_key", Node::str(meta.entry_key.clone(), 0));
    env.insert("entry_display", Node::str(meta.entry_display.clone(), 0));
    if let Some(k) = &meta.kubernetes {
        env.insert("kubernetes", Node::str(k.clone(), 0));
    }
    Object {
        input: OBJECT_INPUT,
        file: Arc::clone(&meta.display),
        doc: env,
    }
}

pub(super) fn import_to_node(import: &Import) -> Node {
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

pub(super) fn import_from_node(n: &Node) -> Import {
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

pub(super) enum Unpacked {
    Tosca(ToscaFile),
    Meta(Meta),
}

pub(super) fn unpack(object: Object) -> Option<Unpacked> {
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
            kubernetes: env.get("kubernetes").and_then(Node::scalar_text),
            display: object.file,
        })),
        _ => None,
    }
}

/// The identity of a file for matching imports: its canonical path when it exists on disk,
/// else the path with `.` and `..` resolved (in-memory fixtures).
pub(super) fn file_key(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| normalise(path))
        .to_string_lossy()
        .into_owned()
}

/// One `imports:` entry.
#[derive(Debug, Clone)]
pub(super) struct Import {
    pub(super) text: String,
    pub(super) line: u32,
    pub(super) target: ImportTarget,
}

#[derive(Debug, Clone)]
pub(super) enum ImportTarget {
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
pub(super) fn imports(
    doc: &Node,
    path: &Path,
    display: &str,
    archive: Option<&Path>,
) -> Vec<Import> {
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
pub(super) fn read_import_tree(
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
        kubernetes: text
            .lines()
            .map(str::trim)
            .find(|l| {
                let l = l.to_ascii_lowercase().replace('\\', "/");
                l.contains("files/kubernetes/") || (l.contains("helm") && l.ends_with(".tgz"))
            })
            .map(|l| format!("TOSCA.meta lists {l}")),
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
