//! Which files form a Compose project: a base file and its override in one folder, the
//! files each `include` names (folders, `project_directory`, `env_file`), the scanned
//! folders bounding what may be read.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use std::sync::Arc;

use super::interpolate::{Env, Provenance, interpolate_with};
use super::project::*;
use crate::ingest::normalise;
use crate::node::{Node, Value};

/// Whether an ignore file (`.gitignore`, `.ignore`) of the file's folder or of a folder above
/// it, up to the repository's root, excludes the file (the nearest file that decides wins).
pub(super) fn ignored_by_repository(path: &Path) -> bool {
    let Ok(real) = std::fs::canonicalize(path) else {
        return false;
    };
    for dir in real.ancestors().skip(1) {
        for name in [".ignore", ".gitignore"] {
            let file = dir.join(name);
            if !file.is_file() {
                continue;
            }
            let (matcher, _) = ignore::gitignore::Gitignore::new(&file);
            match matcher.matched_path_or_any_parents(&real, false) {
                ignore::Match::Ignore(_) => return true,
                ignore::Match::Whitelist(_) => return false,
                ignore::Match::None => {}
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    false
}

pub(super) fn parent(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}

pub(super) fn file_name(path: &Path) -> &str {
    path.file_name().and_then(|n| n.to_str()).unwrap_or("")
}

/// A path written in `file` (an include, an extended file), as a path and for display.
pub(super) fn relative(file: &ComposeFile, written: &str) -> (PathBuf, String) {
    let path = normalise(&parent(&file.path).join(written));
    let display = normalise(&parent(Path::new(&*file.display)).join(written));
    (path, display.to_string_lossy().into_owned())
}

/// The paths of a file's top-level `include`, interpolated with its folder's `.env` (to
/// tell which files are included; the project resolves them again with its own variables).
pub(super) fn include_paths(file: &ComposeFile, store: &Store<'_>) -> Vec<PathBuf> {
    let Some(entries) = file.doc.get("include").and_then(Node::as_seq) else {
        return Vec::new();
    };
    let mut env: Option<Arc<Env>> = None;
    let mut out = Vec::new();
    for entry in entries {
        for (written, _) in include_entry(entry).paths {
            let written = if written.contains('$') {
                let env = env.get_or_insert_with(|| {
                    store.dotenv(&parent(&file.path), &parent(Path::new(&*file.display)))
                });
                interpolate_with(&written, env, &mut Provenance::default()).0
            } else {
                written
            };
            out.push(relative(file, &written).0);
        }
    }
    out
}

pub(super) struct IncludeEntry {
    pub(super) paths: Vec<(String, u32)>,
    pub(super) project_directory: Option<String>,
    pub(super) env_files: Vec<String>,
}

/// `include: [a.yaml]` or `include: [{path: [a.yaml, b.yaml], project_directory, env_file}]`.
pub(super) fn include_entry(entry: &Node) -> IncludeEntry {
    let texts = |n: Option<&Node>| -> Vec<(String, u32)> {
        match n.map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .filter_map(|i| Some((i.scalar_text()?, i.line)))
                .collect(),
            Some(_) => n
                .and_then(|n| Some((n.scalar_text()?, n.line)))
                .into_iter()
                .collect(),
            None => Vec::new(),
        }
    };
    match &entry.value {
        Value::Map(_) => IncludeEntry {
            paths: texts(entry.get("path")),
            project_directory: entry.get("project_directory").and_then(Node::scalar_text),
            env_files: texts(entry.get("env_file"))
                .into_iter()
                .map(|t| t.0)
                .collect(),
        },
        _ => IncludeEntry {
            paths: texts(Some(entry)),
            project_directory: None,
            env_files: Vec::new(),
        },
    }
}

/// A project: its files merged in order (the base, then its override).
pub(super) struct ProjectSpec {
    pub(super) files: Vec<PathBuf>,
}

/// The projects of the scan, in path order: each folder's base file with its override
/// file, every other Compose file on its own, less the files another includes.
pub(super) fn projects(scanned: &[PathBuf], store: &Store<'_>) -> Vec<ProjectSpec> {
    // Every file an include reaches, from the scan's files (following files read from disk).
    let mut includers: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
    let mut queue: Vec<PathBuf> = scanned.to_vec();
    let mut visited: HashSet<PathBuf> = scanned.iter().cloned().collect();
    while let Some(path) = queue.pop() {
        let Some(file) = store.known(&path) else {
            continue;
        };
        for target in include_paths(&file, store) {
            includers
                .entry(target.clone())
                .or_default()
                .push(path.clone());
            if visited.insert(target.clone()) {
                let display = target.to_string_lossy().into_owned();
                // Errors are reported where the include is resolved.
                let _ = store.file(&target, &display);
                queue.push(target);
            }
        }
    }
    let mut by_dir: BTreeMap<PathBuf, Vec<&PathBuf>> = BTreeMap::new();
    for p in scanned {
        by_dir.entry(parent(p)).or_default().push(p);
    }
    let mut specs: Vec<ProjectSpec> = Vec::new();
    for files in by_dir.values() {
        let named = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| files.iter().find(|f| file_name(f) == *n))
                .map(|f| (*f).clone())
        };
        let base = named(BASE_NAMES).filter(|b| !includers.contains_key(b));
        let over = base
            .as_ref()
            .and(named(OVERRIDE_NAMES))
            .filter(|o| !includers.contains_key(o));
        for f in files {
            if Some(*f) == over.as_ref() {
                continue;
            }
            let mut spec = vec![(*f).clone()];
            if Some(*f) == base.as_ref()
                && let Some(o) = &over
            {
                spec.push(o.clone());
            }
            specs.push(ProjectSpec { files: spec });
        }
    }
    // A file another includes is part of that project, unless only its own include cycle
    // reaches it: then the first file of the cycle (in path order) stands for it.
    let mut reached: HashSet<PathBuf> = HashSet::new();
    let reach = |from: &Path, reached: &mut HashSet<PathBuf>| {
        let mut stack = vec![from.to_path_buf()];
        while let Some(p) = stack.pop() {
            if let Some(file) = store.known(&p) {
                for t in include_paths(&file, store) {
                    if reached.insert(t.clone()) {
                        stack.push(t);
                    }
                }
            }
        }
    };
    let mut roots: Vec<ProjectSpec> = Vec::new();
    let mut cyclic: Vec<ProjectSpec> = Vec::new();
    for spec in specs {
        if includers.contains_key(&spec.files[0]) {
            cyclic.push(spec);
        } else {
            for f in &spec.files {
                reach(f, &mut reached);
            }
            roots.push(spec);
        }
    }
    for spec in cyclic {
        if !reached.contains(&spec.files[0]) {
            for f in &spec.files {
                reach(f, &mut reached);
            }
            roots.push(spec);
        }
    }
    roots.sort_by(|a, b| a.files[0].cmp(&b.files[0]));
    roots
}
