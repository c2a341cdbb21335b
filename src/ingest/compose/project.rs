//! Compose projects as `docker compose` sees them, assembled in `link` once every file is
//! read: the base file of a folder with its override file, services completed by `extends`
//! (in the same file or another), the services of `include`d files, and the project's
//! `.env` for interpolation.
//!
//! Every file a project uses numbers its lines after the project's own file (a source map,
//! [`SourceSpan`]): nodes keep their lines through interpolation and merging, so a finding
//! about a value written in the override, extended or included file names that file and line.
//!
//! A file that is only included belongs to the project that includes it and is not assessed
//! on its own. A file named by `include` or `extends` that the scan did not read (any name
//! other than Compose's own) is read from disk relative to the file that names it, with the
//! scan's size limit, provided it lies in the scanned folders: a report must not depend on
//! files outside what was scanned.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use super::dotenv;
use super::interpolate::{Env, Provenance, interpolate_with};
use super::merge::{self, Tag, Tags};
use super::projects::*;
use crate::ingest::{IngestContext, Object};
use crate::ingest::{line_count, normalise, read_from_disk, shift};
use crate::model::{ScanError, SourceSpan};
use crate::node::{Node, Value};
use crate::yaml::{self, LocalTag};

pub const OBJECT_INPUT: &str = "compose";

/// The file names `docker compose` looks for, in its order of preference.
pub(super) const BASE_NAMES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
];
/// The override file merged onto the base of the same folder.
pub(super) const OVERRIDE_NAMES: &[&str] = &[
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
];

/// Longer `extends` chains are refused: each link copies the service, and real chains are
/// two or three long.
pub(super) const MAX_EXTENDS: usize = 64;
/// Deeper `include` nesting is refused.
pub(super) const MAX_INCLUDE_DEPTH: usize = 32;
/// Includes one project may follow in all: files including the same files over and over (a
/// diamond at every level) would otherwise take exponential time.
pub(super) const MAX_INCLUDES: usize = 1_000;

/// Values (YAML nodes) a project's `extends` and `include` may copy beyond the values written
/// in its files. A base service of 20,000 environment entries extended by 200 services would
/// otherwise be 4 million values from a 400 KB file; a service past the budget is an error
/// and is not assessed.
use crate::ingest::MAX_COPIED_NODES;

/// A Compose file as written: documents before interpolation, and its `!reset` /
/// `!override` tags by position.
#[derive(Debug)]
pub struct ComposeFile {
    pub path: PathBuf,
    pub display: Arc<str>,
    pub lines: u32,
    pub doc: Node,
    pub tags: Vec<LocalTag>,
}

/// The object for `link`: the document moves into it (parsed once, never copied).
pub fn envelope(file: ComposeFile) -> Object {
    let mut env = Node::map(0);
    env.insert("path", Node::str(file.path.to_string_lossy(), 0));
    env.insert("lines", Node::int(i64::from(file.lines), 0));
    let tags = file
        .tags
        .iter()
        .map(|t| {
            let mut n = Node::map(0);
            n.insert("line", Node::int(i64::from(t.line), 0));
            n.insert("column", Node::int(i64::from(t.column), 0));
            n.insert("name", Node::str(t.name.clone(), 0));
            n
        })
        .collect();
    env.insert("tags", Node::seq(tags, 0));
    env.insert("doc", file.doc);
    Object {
        input: OBJECT_INPUT,
        file: file.display,
        doc: env,
    }
}

pub(super) fn from_envelope(o: Object) -> Option<ComposeFile> {
    let mut env = o.doc;
    let path = PathBuf::from(env.get("path")?.as_str()?);
    let lines = env
        .get("lines")
        .and_then(Node::as_f64)
        .map_or(0, |l| l as u32);
    let number = |n: &Node, k: &str| n.get(k).and_then(Node::as_f64).map_or(0, |v| v as u32);
    let tags = env
        .get("tags")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .map(|t| LocalTag {
            line: number(t, "line"),
            column: number(t, "column"),
            name: t
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default(),
        })
        .collect();
    let doc = match &mut env.value {
        Value::Map(entries) => entries
            .iter_mut()
            .find(|e| e.key == "doc")
            .map(|e| std::mem::replace(&mut e.value, Node::map(0)))?,
        _ => return None,
    };
    Some(ComposeFile {
        path: normalise(&path),
        display: o.file,
        lines,
        doc,
        tags,
    })
}

/// Parses a Compose file's text: its first document, with the tags Compose gives meaning.
pub fn parse(path: &Path, display: Arc<str>, text: &str) -> Result<ComposeFile, ScanError> {
    let (docs, tags) = if text.contains("!reset") || text.contains("!override") {
        yaml::parse_documents_tagged(text)
    } else {
        yaml::parse_documents(text).map(|d| (d, Vec::new()))
    }
    .map_err(|e| ScanError::parse(&display, e.line, e.message))?;
    let doc = docs.into_iter().next().unwrap_or_else(|| Node::map(1));
    if doc.as_map().is_none() {
        return Err(ScanError::parse(
            &display,
            Some(doc.line.max(1)),
            "a Compose file must be a mapping (services, include, ...)",
        ));
    }
    Ok(ComposeFile {
        path: normalise(path),
        display,
        lines: line_count(text),
        doc,
        tags,
    })
}

/// Read once, by whichever project needs it first (projects are assembled in parallel).
type Once<T> = Arc<OnceLock<T>>;
type FileRead = Result<Arc<ComposeFile>, String>;

/// The files of the scan, and those read because another names them (each read once).
pub(super) struct Store<'c> {
    pub(super) ctx: &'c IngestContext<'c>,
    pub(super) files: Mutex<HashMap<PathBuf, Once<FileRead>>>,
    pub(super) envs: Mutex<HashMap<PathBuf, Once<Arc<Env>>>>,
    /// Errors about files themselves (a `.env` that is not UTF-8), once each.
    pub(super) errors: Mutex<Vec<ScanError>>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere is reported by the join's guard; the maps stay usable.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Store<'_> {
    /// A file of the scan.
    pub(super) fn add(&mut self, file: ComposeFile) {
        let files = self
            .files
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A second document of the same file: Compose reads the first here.
        files
            .entry(file.path.clone())
            .or_insert_with(|| Arc::new(OnceLock::from(Ok(Arc::new(file)))));
    }

    /// A file already read (a file of the scan, or one another named).
    pub(super) fn known(&self, path: &Path) -> Option<Arc<ComposeFile>> {
        let cell = lock(&self.files).get(path).cloned()?;
        cell.get().and_then(|f| f.clone().ok())
    }

    pub(super) fn file(&self, path: &Path, display: &str) -> FileRead {
        let cell = Arc::clone(lock(&self.files).entry(path.to_path_buf()).or_default());
        cell.get_or_init(|| self.read(path, display)).clone()
    }

    pub(super) fn read(&self, path: &Path, display: &str) -> FileRead {
        if !self.in_scope(path) {
            return Err(
                "outside the scanned folders, not read (scan a folder that holds both files)"
                    .into(),
            );
        }
        let file = match read_from_disk(path, display, self.ctx) {
            Ok(Some(f)) => f,
            Ok(None) => return Err("no such file".into()),
            Err(e) => return Err(e.message),
        };
        let text = file.text().map_err(|e| match e.line {
            Some(l) => format!("line {l}: {}", e.message),
            None => e.message,
        })?;
        parse(path, Arc::from(display), text)
            .map(Arc::new)
            .map_err(|e| match e.line {
                Some(l) => format!("line {l}: {}", e.message),
                None => e.message,
            })
    }

    pub(super) fn in_scope(&self, path: &Path) -> bool {
        let Some(roots) = &self.ctx.roots else {
            return true;
        };
        let Ok(real) = std::fs::canonicalize(path) else {
            // Missing: reported as such.
            return true;
        };
        roots.iter().any(|r| real.starts_with(r))
    }

    /// The `.env` of a project folder (empty when there is none).
    pub(super) fn dotenv(&self, dir: &Path, display_dir: &Path) -> Arc<Env> {
        let display = display_dir.join(".env").to_string_lossy().into_owned();
        self.env(&dir.join(".env"), &display)
    }

    /// The variables of an environment file (none when it does not exist: Compose reads a
    /// project's `.env` only when there is one).
    pub(super) fn env(&self, path: &Path, display: &str) -> Arc<Env> {
        let cell = Arc::clone(lock(&self.envs).entry(path.to_path_buf()).or_default());
        Arc::clone(cell.get_or_init(|| Arc::new(self.read_env(path, display))))
    }

    pub(super) fn read_env(&self, path: &Path, display: &str) -> Env {
        // A `.env` the repository ignores is one machine's (often its secrets): reading it
        // would make the report depend on where it was produced, as the shell would.
        if !self.ctx.no_ignore && ignored_by_repository(path) {
            return Env::default();
        }
        let read = if self.in_scope(path) {
            read_from_disk(path, display, self.ctx)
        } else {
            Err(ScanError::input(
                display,
                "outside the scanned folders, not read (its project's variables are taken as unset)",
            ))
        };
        let error = match read {
            Ok(Some(file)) => match file.text() {
                Ok(text) => match dotenv::parse(text, display) {
                    Ok(env) => return env,
                    Err(e) => ScanError::parse(
                        display,
                        Some(e.line),
                        format!("{} (the project's variables are taken as unset)", e.message),
                    ),
                },
                Err(e) => e,
            },
            Ok(None) => return Env::default(),
            Err(e) => e,
        };
        lock(&self.errors).push(error);
        Env::default()
    }
}

/// A service of the effective model, with where its values came from.
#[derive(Clone)]
pub(super) struct Service {
    pub(super) name: String,
    pub(super) node: Node,
    pub(super) seen: Provenance,
}

#[derive(Default)]
pub(super) struct Model {
    pub(super) services: Vec<Service>,
    pub(super) index: HashMap<String, usize>,
    pub(super) name: Option<Node>,
}

impl Model {
    /// Adds a service as written (its tags apply when a later file merges it).
    fn add(&mut self, service: Service) {
        match self.index.get(&service.name) {
            Some(&i) => self.services[i] = service,
            None => {
                self.index.insert(service.name.clone(), self.services.len());
                self.services.push(service);
            }
        }
    }

    /// Adds a service, or merges it onto the one of the same name (a later file).
    fn merge(&mut self, service: Service, tags: &Tags) {
        match self.index.get(&service.name) {
            Some(&i) => {
                let base = &mut self.services[i];
                base.node = merge::merge_service(&base.node, &service.node, tags);
                base.seen.from_env.extend(service.seen.from_env);
                base.seen.defaulted.extend(service.seen.defaulted);
            }
            None => {
                self.index.insert(service.name.clone(), self.services.len());
                self.services.push(Service {
                    node: merge::strip(&service.node, tags),
                    ..service
                });
            }
        }
    }
}

type ServiceKey = (PathBuf, String);

/// A document in a project's numbering, with its services by name (an `extends` chain
/// looks services up one by one).
pub(super) struct Doc {
    pub(super) node: Node,
    pub(super) services: HashMap<String, usize>,
}

impl Doc {
    fn service(&self, name: &str) -> Option<&Node> {
        let i = *self.services.get(name)?;
        match &self.node.get("services")?.value {
            Value::Map(entries) => entries.get(i).map(|e| &e.value),
            _ => None,
        }
    }
}

/// One project being assembled: its line numbering, tags and resolved services.
pub(super) struct Build<'s, 'c> {
    pub(super) store: &'s Store<'c>,
    pub(super) home: Arc<ComposeFile>,
    pub(super) spans: Vec<SourceSpan>,
    pub(super) next: u32,
    pub(super) tags: Tags,
    /// Documents in the project's numbering.
    pub(super) docs: HashMap<PathBuf, Rc<Doc>>,
    /// Services with `extends` applied and the length of their chain (None: could not be).
    pub(super) resolved: HashMap<ServiceKey, Option<(Service, usize)>>,
    pub(super) errors: Vec<ScanError>,
    /// Services whose `extends` chain is too long, and those that extend a service with an
    /// error: one error each per project, however many.
    pub(super) too_deep: Vec<(u32, String)>,
    pub(super) blocked: Vec<(u32, String)>,
    /// Includes followed so far.
    pub(super) includes: usize,
    /// Bytes of variable values the project may still copy.
    pub(super) budget: usize,
    pub(super) budget_reported: bool,
    /// Values copied by `extends` and `include` so far, and how many may be: the fixed
    /// allowance plus one per value written in the project's files.
    pub(super) copied: usize,
    pub(super) allowance: usize,
    /// Services refused for the copy budget: one error per project, however many.
    pub(super) over_budget: Vec<(u32, String)>,
}

impl<'s, 'c> Build<'s, 'c> {
    fn new(store: &'s Store<'c>, home: Arc<ComposeFile>) -> Self {
        let next = home.lines.saturating_add(1);
        Build {
            store,
            home,
            spans: Vec::new(),
            next,
            tags: Tags::new(),
            docs: HashMap::new(),
            resolved: HashMap::new(),
            errors: Vec::new(),
            too_deep: Vec::new(),
            blocked: Vec::new(),
            includes: 0,
            budget: super::interpolate::MAX_SUBSTITUTED,
            budget_reported: false,
            copied: 0,
            allowance: MAX_COPIED_NODES,
            over_budget: Vec::new(),
        }
    }

    /// Counts `n` copied values against the budget; false (and nothing counted) when they
    /// do not fit.
    fn charge(&mut self, n: usize) -> bool {
        match self.copied.checked_add(n) {
            Some(total) if total <= self.allowance => {
                self.copied = total;
                true
            }
            _ => false,
        }
    }

    /// A copy of a resolved service for a model, counted against the budget.
    fn copy_out(&mut self, service: &Service) -> Option<Service> {
        if self.charge(service.node.count()) {
            Some(service.clone())
        } else {
            self.over_budget
                .push((service.node.line, service.name.clone()));
            None
        }
    }

    fn locate(&self, line: u32) -> (Arc<str>, u32) {
        SourceSpan::locate(&self.home.display, &self.spans, line)
    }

    /// An error at a line of the project's numbering, in the file and line it is written.
    fn error(&mut self, line: u32, message: String) {
        let (file, line) = self.locate(line);
        self.errors
            .push(ScanError::parse(&file, (line > 0).then_some(line), message));
    }

    /// The file's document in the project's numbering (shifted after the files before it).
    fn doc(&mut self, file: &Arc<ComposeFile>) -> Rc<Doc> {
        if let Some(d) = self.docs.get(&file.path) {
            return Rc::clone(d);
        }
        let offset = if file.path == self.home.path {
            0
        } else {
            let offset = self.next;
            // One spare line: a value the parser places past the last line (an empty value
            // at the end of the file) still belongs to this file.
            self.next = self.next.saturating_add(file.lines).saturating_add(1);
            self.spans.push(SourceSpan {
                file: Arc::clone(&file.display),
                offset,
            });
            offset
        };
        let mut doc = file.doc.clone();
        // What is written may be copied once more: the budget grows with the files.
        self.allowance = self.allowance.saturating_add(doc.count());
        shift(&mut doc, offset);
        for t in &file.tags {
            let tag = match t.name.as_str() {
                "reset" => Tag::Reset,
                "override" => Tag::Override,
                _ => continue,
            };
            self.tags
                .insert((t.line.saturating_add(offset), t.column), tag);
        }
        let services = match doc.get("services").map(|n| &n.value) {
            Some(Value::Map(entries)) => entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect(),
            _ => HashMap::new(),
        };
        let doc = Rc::new(Doc {
            node: doc,
            services,
        });
        self.docs.insert(file.path.clone(), Rc::clone(&doc));
        doc
    }

    /// One error for many services (a 10,000-long `extends` chain is one mistake), at the
    /// first of them.
    fn summary(&mut self, mut services: Vec<(u32, String)>, what: &str) {
        services.sort();
        let Some((line, first)) = services.first().cloned() else {
            return;
        };
        let more = match services.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more service)".to_string(),
            n => format!(" (and {n} more services)"),
        };
        self.error(line, format!("Compose service `{first}`: {what}{more}"));
    }

    /// How the report shows a file of the project.
    fn shown(&self, path: &Path) -> String {
        match self.store.known(path) {
            Some(f) => f.display.to_string(),
            None => path.to_string_lossy().into_owned(),
        }
    }

    /// A file named at `line` of another, or an error there.
    fn named_file(
        &mut self,
        path: &Path,
        display: &str,
        what: &str,
        line: u32,
    ) -> Option<Arc<ComposeFile>> {
        match self.store.file(path, display) {
            Ok(f) => Some(f),
            Err(message) => {
                self.error(line, format!("{what} `{display}`: {message}"));
                None
            }
        }
    }

    /// The effective model of `files` merged in order.
    fn model(&mut self, files: &[Arc<ComposeFile>], env: &Env, stack: &mut Vec<PathBuf>) -> Model {
        let mut model = Model::default();
        for file in files {
            let m = self.file_model(file, env, stack);
            if m.name.is_some() {
                model.name = m.name;
            }
            for s in m.services {
                model.merge(s, &self.tags);
            }
        }
        model
    }

    /// One file: its included services, then its own with `extends` applied.
    fn file_model(
        &mut self,
        file: &Arc<ComposeFile>,
        env: &Env,
        stack: &mut Vec<PathBuf>,
    ) -> Model {
        let doc = self.doc(file);
        stack.push(file.path.clone());
        let mut model = Model::default();
        let mut imported_from: HashMap<String, String> = HashMap::new();
        for entry in doc
            .node
            .get("include")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            let include = include_entry(entry);
            if include.paths.is_empty() {
                self.error(
                    entry.line,
                    "include: expected a path, a list of paths or {path: ...}".into(),
                );
                continue;
            }
            let mut included = Vec::new();
            for (written, line) in &include.paths {
                let (written, _) = interpolate_with(written, env, &mut Provenance::default());
                let (path, display) = relative(file, &written);
                if let Some(at) = stack.iter().position(|p| *p == path) {
                    let mut cycle: Vec<String> =
                        stack[at..].iter().map(|p| self.shown(p)).collect();
                    cycle.push(display.clone());
                    self.error(*line, format!("include cycle: {}", cycle.join(" -> ")));
                    continue;
                }
                if stack.len() >= MAX_INCLUDE_DEPTH {
                    self.error(
                        *line,
                        format!("include nested more than {MAX_INCLUDE_DEPTH} deep: not followed"),
                    );
                    continue;
                }
                self.includes += 1;
                if self.includes > MAX_INCLUDES {
                    if self.includes == MAX_INCLUDES + 1 {
                        self.error(
                            *line,
                            format!("more than {MAX_INCLUDES} includes in one project: the rest are not followed"),
                        );
                    }
                    continue;
                }
                if let Some(f) = self.named_file(&path, &display, "include", *line) {
                    included.push(f);
                }
            }
            let Some(first) = included.first() else {
                continue;
            };
            let (project_dir, display_dir) = match &include.project_directory {
                Some(d) => {
                    let (path, display) = relative(file, d);
                    (path, PathBuf::from(display))
                }
                None => (parent(&first.path), parent(Path::new(&*first.display))),
            };
            // The includer's variables win over the included project's `.env`.
            let own = if include.env_files.is_empty() {
                (*self.store.dotenv(&project_dir, &display_dir)).clone()
            } else {
                let mut merged = Env::default();
                for e in &include.env_files {
                    let (path, display) = relative(file, e);
                    let env = self.store.env(&path, &display);
                    merged = env.under(&merged);
                }
                merged
            };
            let sub_env = env.under(&own);
            let name_of = included
                .iter()
                .map(|f| f.display.to_string())
                .collect::<Vec<_>>()
                .join(", ");
            let sub = self.model(&included, &sub_env, stack);
            for s in sub.services {
                if let Some(&i) = model.index.get(&s.name) {
                    // The same file reached by two includes brings the same service: no
                    // conflict (Compose compares them too).
                    if model.services[i].node == s.node {
                        continue;
                    }
                    self.error(
                        s.node.line,
                        format!(
                            "Compose service `{}` is also defined by another include",
                            s.name
                        ),
                    );
                    continue;
                }
                imported_from.insert(s.name.clone(), name_of.clone());
                model.add(s);
            }
        }
        if let Some(n) = doc.node.get("name") {
            model.name = Some(n.clone());
        }
        if let Some(Value::Map(services)) = doc.node.get("services").map(|n| &n.value) {
            for e in services {
                if e.value.as_map().is_none() {
                    self.error(
                        e.value.line,
                        format!(
                            "Compose service `{}` must be a mapping (image, build, ...)",
                            e.key
                        ),
                    );
                    continue;
                }
                let Some(service) = self.service(file, &e.key, env) else {
                    continue;
                };
                if let Some(from) = imported_from.get(&e.key) {
                    // Compose refuses the project; the including file's own definition is
                    // what its authors read, so it is the one assessed.
                    self.error(
                        e.value.line,
                        format!("Compose service `{}` is also defined by the included {from}: the definition here is assessed", e.key),
                    );
                }
                model.add(service);
            }
        }
        stack.pop();
        model
    }

    /// The service `name` of `file` with its `extends` chain applied: iteratively (a chain
    /// never recurses), each service once, a chain longer than [`MAX_EXTENDS`] refused.
    fn service(&mut self, file: &Arc<ComposeFile>, name: &str, env: &Env) -> Option<Service> {
        let start: ServiceKey = (file.path.clone(), name.to_string());
        if let Some(r) = self.resolved.get(&start) {
            // An `include` reached twice copies the service again.
            let resolved = r.as_ref().map(|(s, _)| s.clone())?;
            return self.copy_out(&resolved);
        }
        // The services from `start` to the first already resolved or not extending another.
        let mut chain: Vec<(ServiceKey, Node, Provenance)> = Vec::new();
        let mut on_chain: HashSet<ServiceKey> = HashSet::new();
        let mut key = start.clone();
        let mut current = Arc::clone(file);
        let mut base: Option<(Service, usize)> = None;
        let failed = loop {
            if let Some(r) = self.resolved.get(&key) {
                match r {
                    Some(b) => base = Some(b.clone()),
                    None => {
                        // Its own error is reported: say what it takes with it.
                        if let Some((k, n, _)) = chain.last() {
                            let line = n.get("extends").map_or(n.line, |e| e.line);
                            self.blocked.push((line, k.1.clone()));
                        }
                    }
                }
                break base.is_none();
            }
            let (extends_line, extending) = chain
                .last()
                .map(|(k, n, _)| (n.get("extends").map_or(0, |e| e.line), k.1.clone()))
                .unwrap_or_default();
            if !on_chain.insert(key.clone()) {
                let mut names: Vec<&str> = chain.iter().map(|(k, _, _)| k.1.as_str()).collect();
                let at = chain.iter().position(|(k, _, _)| *k == key).unwrap_or(0);
                names.drain(..at);
                names.push(&key.1);
                let message = format!(
                    "Compose service `{extending}`: extends cycle: {}",
                    names.join(" -> ")
                );
                self.error(extends_line, message);
                break true;
            }
            let doc = self.doc(&current);
            let Some(node) = doc.service(&key.1).filter(|n| n.as_map().is_some()) else {
                let message = format!(
                    "Compose service `{extending}`: extends: no service `{}` in {}",
                    key.1, current.display
                );
                self.error(extends_line, message);
                break true;
            };
            let mut seen = Provenance::with_budget(self.budget);
            let node = interpolate_node(node, env, &mut seen);
            self.budget = seen.budget;
            if seen.exhausted && !self.budget_reported {
                self.budget_reported = true;
                let message = format!(
                    "Compose service `{}`: the project's variables expand beyond {} MiB: the rest stay as written",
                    key.1,
                    super::interpolate::MAX_SUBSTITUTED / (1024 * 1024)
                );
                self.error(node.line, message);
            }
            let next = node.get("extends").map(|e| match &e.value {
                Value::Map(_) => (
                    e.get("file").and_then(Node::scalar_text),
                    e.get("service").and_then(Node::scalar_text),
                    e.line,
                ),
                _ => (None, e.scalar_text(), e.line),
            });
            chain.push((key.clone(), node, seen));
            let Some((next_file, next_service, line)) = next else {
                break false;
            };
            let Some(next_service) = next_service else {
                let message = format!(
                    "Compose service `{}`: extends: expected a service name or {{service: ..., file: ...}}",
                    key.1
                );
                self.error(line, message);
                break true;
            };
            if let Some(written) = next_file {
                let (path, display) = relative(&current, &written);
                let what = format!("Compose service `{}`: extends: file", key.1);
                match self.named_file(&path, &display, &what, line) {
                    Some(f) => current = f,
                    None => break true,
                }
            }
            key = (current.path.clone(), next_service);
        };
        if failed {
            for (k, _, _) in chain {
                self.resolved.insert(k, None);
            }
            self.resolved.insert(start, None);
            return None;
        }
        let mut over_budget = false;
        for (i, (k, node, seen)) in chain.into_iter().rev().enumerate() {
            let node = without_extends(node);
            let resolved = match (base.take(), i == 0) {
                // Above a refused service: refused with it.
                (None, false) => {
                    if over_budget {
                        self.over_budget.push((node.line, k.1.clone()));
                    } else {
                        self.too_deep.push((node.line, k.1.clone()));
                    }
                    None
                }
                (Some((_, depth)), _) if depth >= MAX_EXTENDS => {
                    self.too_deep.push((node.line, k.1.clone()));
                    None
                }
                (Some((b, _)), _) if !self.charge(b.node.count() + node.count()) => {
                    over_budget = true;
                    self.over_budget.push((node.line, k.1.clone()));
                    None
                }
                (Some((b, depth)), _) => {
                    let base_node = merge::strip(&b.node, &self.tags);
                    let mut seen = seen;
                    seen.from_env.extend(b.seen.from_env);
                    seen.defaulted.extend(b.seen.defaulted);
                    let mut merged = merge::merge_service(&base_node, &node, &self.tags);
                    // The service is where it is declared, not where its base is.
                    merged.line = node.line;
                    merged.column = node.column;
                    Some((
                        Service {
                            name: k.1.clone(),
                            node: merged,
                            seen,
                        },
                        depth + 1,
                    ))
                }
                (None, true) => Some((
                    Service {
                        name: k.1.clone(),
                        node,
                        seen,
                    },
                    0,
                )),
            };
            self.resolved.insert(k, resolved.clone());
            base = resolved;
        }
        let resolved = self.resolved.get(&start).cloned().flatten()?;
        self.copy_out(&resolved.0)
    }
}

pub(super) fn without_extends(mut node: Node) -> Node {
    if let Value::Map(entries) = &mut node.value {
        entries.retain(|e| e.key != "extends");
    }
    node
}

/// A copy of the service with every text value interpolated (keys are not, as in Compose).
pub fn interpolate_node(node: &Node, env: &Env, seen: &mut Provenance) -> Node {
    let value = match &node.value {
        Value::Str(s) => Value::Str(interpolate_with(s, env, seen).0),
        Value::Seq(items) => Value::Seq(
            items
                .iter()
                .map(|i| interpolate_node(i, env, seen))
                .collect(),
        ),
        Value::Map(entries) => Value::Map(
            entries
                .iter()
                .map(|e| crate::node::Entry {
                    key: e.key.clone(),
                    value: interpolate_node(&e.value, env, seen),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        value,
        line: node.line,
        column: node.column,
    }
}

/// A project's services, ready to become workloads.
pub struct Assembled {
    pub home: Arc<ComposeFile>,
    pub name: String,
    pub spans: Vec<SourceSpan>,
    pub services: Vec<(String, Node, Provenance)>,
}

/// Every project of the scan's Compose files, assembled; errors on the way are pushed.
pub fn assemble(
    objects: Vec<Object>,
    ctx: &IngestContext,
    errors: &mut Vec<ScanError>,
) -> Vec<Assembled> {
    let mut store = Store {
        ctx,
        files: Mutex::new(HashMap::new()),
        envs: Mutex::new(HashMap::new()),
        errors: Mutex::new(Vec::new()),
    };
    let mut scanned: Vec<PathBuf> = Vec::new();
    for o in objects {
        let Some(f) = from_envelope(o) else { continue };
        scanned.push(f.path.clone());
        store.add(f);
    }
    scanned.sort();
    scanned.dedup();
    let specs = projects(&scanned, &store);
    // Projects are independent but for the files they share, which the store reads once.
    let built: Vec<(Option<Assembled>, Vec<ScanError>)> = specs
        .par_iter()
        .map(|spec| assemble_one(spec, &store))
        .collect();
    let mut out = Vec::with_capacity(built.len());
    for (project, mut errs) in built {
        errors.append(&mut errs);
        out.extend(project);
    }
    let mut store_errors = std::mem::take(&mut *lock(&store.errors));
    // Whichever project read a file first reported it: the order is the paths'.
    store_errors.sort();
    errors.append(&mut store_errors);
    out
}

pub(super) fn assemble_one(
    spec: &ProjectSpec,
    store: &Store<'_>,
) -> (Option<Assembled>, Vec<ScanError>) {
    let files: Vec<Arc<ComposeFile>> = spec.files.iter().filter_map(|p| store.known(p)).collect();
    let Some(home) = files.first().cloned() else {
        return (None, Vec::new());
    };
    let dir = parent(&home.path);
    let display_dir = parent(Path::new(&*home.display));
    let env = store.dotenv(&dir, &display_dir);
    let mut build = Build::new(store, Arc::clone(&home));
    let model = build.model(&files, &env, &mut Vec::new());
    let too_deep = std::mem::take(&mut build.too_deep);
    build.summary(
        too_deep,
        &format!("extends chain longer than {MAX_EXTENDS} services: not assessed"),
    );
    let blocked = std::mem::take(&mut build.blocked);
    build.summary(blocked, "not assessed: it extends a service with an error");
    let over_budget = std::mem::take(&mut build.over_budget);
    build.summary(
        over_budget,
        &format!(
            "extends and include copy more than {MAX_COPIED_NODES} values beyond those written in the project's files: not assessed"
        ),
    );
    let name = project_name(model.name.as_ref(), &env, &home);
    let project = Assembled {
        home,
        name,
        spans: build.spans,
        services: model
            .services
            .into_iter()
            .map(|s| (s.name, s.node, s.seen))
            .collect(),
    };
    (Some(project), build.errors)
}

/// `COMPOSE_PROJECT_NAME` from `.env`, else the top-level `name:`, else the folder, normalised
/// as Compose does (lower case; letters, digits, `-` and `_`).
pub(super) fn project_name(declared: Option<&Node>, env: &Env, home: &ComposeFile) -> String {
    let declared = env
        .get("COMPOSE_PROJECT_NAME")
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .or_else(|| {
            declared
                .and_then(Node::scalar_text)
                .map(|n| interpolate_with(&n, env, &mut Provenance::default()))
                .filter(|(_, unresolved)| !unresolved)
                .map(|(n, _)| n)
        });
    super::normalise_project(declared, &home.path)
}
