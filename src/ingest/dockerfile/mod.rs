//! Dockerfiles and Containerfiles: one workload (kind `container-image`, target
//! `dockerfile`, generation 3) per file, the image its final stage produces.
//!
//! Parsing is `parse-dockerfile`'s (BOM, CRLF, `# escape=`, heredocs for COPY/ADD, exec and
//! shell forms, lowercase keywords); `text::prepare` first takes out `RUN` here-documents
//! that do not open the command, which that parser does not read. Every instruction becomes
//! a located node (its keyword's line), so findings point at the offending instruction and
//! `# fitscan ignore=RULE` on the line above suppresses exactly there.
//!
//! The document (see docs/writing-rules.md, "Dockerfile"): `stages` (every stage as written),
//! `final` (the image: the last stage with what it inherits from stages it is built FROM)
//! and `build_stages` (the others), plus facts derived from the final image.

mod convert;
mod doc;
mod facts;
mod image;
mod shell;
mod text;

use std::collections::HashMap;
use std::path::Path as FsPath;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use self::convert::{Detail, FileText, Inst, ShellKind};
use self::doc::{final_node, from_nodes, stage_node};
use super::{FileOutput, IngestContext, Input};
use crate::ingest::image_ref::ImageRef;
use crate::model::{Generation, ScanError, Suppression, Target, Workload, WorkloadKind};
use crate::node::Node;
use crate::source::SourceFile;

pub struct Dockerfile;

/// Names that are never Dockerfiles even when they start with `Dockerfile.` (templates,
/// ignore files, docs, scripts, and source code: a parser's `dockerfile.rs` or
/// `dockerfile.go` is common in the repositories a CI gate walks).
const NOT_DOCKERFILE_SUFFIXES: &[&str] = &[
    ".dockerignore",
    ".md",
    ".markdown",
    ".txt",
    ".rst",
    ".adoc",
    ".html",
    ".j2",
    ".jinja",
    ".jinja2",
    ".tmpl",
    ".tpl",
    ".template",
    ".erb",
    ".mustache",
    ".hbs",
    ".in",
    ".orig",
    ".rej",
    ".bak",
    ".swp",
    ".sh",
    ".bash",
    ".ps1",
    ".py",
    ".rs",
    ".go",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".jsx",
    ".tsx",
    ".java",
    ".kt",
    ".kts",
    ".scala",
    ".groovy",
    ".rb",
    ".php",
    ".pl",
    ".pm",
    ".c",
    ".h",
    ".cc",
    ".cpp",
    ".hpp",
    ".cs",
    ".swift",
    ".lua",
    ".ex",
    ".exs",
    ".hs",
    ".json",
    ".yaml",
    ".yml",
    ".toml",
    ".patch",
    ".diff",
    ".lock",
    ".sig",
    ".asc",
    ".sha256",
    ".gz",
    ".tgz",
    ".zip",
    ".tar",
];

/// `Dockerfile`, `Containerfile`, `*.Dockerfile`, `*.dockerfile`, `Dockerfile.*`,
/// `Dockerfile_*`, `Dockerfile-*` (any case), but not templates and ignore files.
pub fn is_dockerfile_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "dockerfile" || lower == "containerfile" {
        return true;
    }
    if NOT_DOCKERFILE_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|stem| {
        lower.ends_with(&format!(".{stem}"))
            || [".", "_", "-"].iter().any(|sep| {
                let prefix = format!("{stem}{sep}");
                lower.starts_with(&prefix) && lower.len() > prefix.len()
            })
    })
}

/// Whether a file named on the command line under another name reads as a Dockerfile:
/// its first instruction (after comments and parser directives) is FROM or ARG.
fn looks_like_dockerfile(file: &SourceFile) -> bool {
    if file.looks_binary() {
        return false;
    }
    let Ok(text) = file.text() else { return false };
    let Some(first) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
    else {
        return false;
    };
    let mut words = first.split_whitespace();
    let keyword = words.next().unwrap_or("");
    let rest: Vec<&str> = words.filter(|w| !w.starts_with("--")).collect();
    if keyword.eq_ignore_ascii_case("FROM") {
        // FROM image [AS name]
        match rest.as_slice() {
            [_image] => true,
            [_image, as_, _name] => as_.eq_ignore_ascii_case("AS"),
            _ => false,
        }
    } else if keyword.eq_ignore_ascii_case("ARG") {
        !rest.is_empty()
            && rest.iter().all(|w| {
                let name = w.split('=').next().unwrap_or("");
                name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
    } else {
        false
    }
}

impl Input for Dockerfile {
    fn name(&self) -> &'static str {
        "dockerfile"
    }

    fn facts(&self) -> &'static [crate::model::FactGroup] {
        facts::FACTS
    }

    fn wants_file_name(&self, name: &str) -> bool {
        is_dockerfile_name(name)
    }

    fn claims_file(&self, file: &SourceFile) -> bool {
        !file.looks_binary()
    }

    fn claims_unnamed_file(&self, file: &SourceFile) -> bool {
        looks_like_dockerfile(file)
    }

    fn ingest_file(&self, file: &SourceFile, _ctx: &IngestContext, out: &mut FileOutput) {
        match read(file) {
            Ok(w) => out.workloads.push(w),
            Err(e) => out.errors.push(e),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The model: stages as written.

struct Stage {
    index: usize,
    name: Option<String>,
    line: u32,
    /// The FROM image as written and with global ARG defaults filled in.
    image_raw: String,
    image: String,
    unresolved: bool,
    platform: Option<String>,
    /// The stage of this file it is built FROM, and the first stage of that chain.
    parent: Option<usize>,
    root: usize,
    insts: Vec<Inst>,
}

struct GlobalArg {
    name: String,
    value: Option<String>,
}

struct Model {
    stages: Vec<Stage>,
    global_args: Vec<(GlobalArg, u32)>,
    escape: char,
    syntax: Option<String>,
}

impl Model {
    /// The stages an image is made of: the root of its FROM chain first, `stage` last.
    fn chain(&self, stage: usize) -> Vec<usize> {
        let mut chain = vec![stage];
        let mut cur = stage;
        // A parent is always an earlier stage, so the walk ends.
        while let Some(p) = self.stages[cur].parent.filter(|p| *p < cur) {
            chain.push(p);
            cur = p;
        }
        chain.reverse();
        chain
    }

    fn global(&self, name: &str) -> Option<String> {
        self.global_args
            .iter()
            .rev()
            .find(|(a, _)| a.name == name)
            .and_then(|(a, _)| a.value.clone())
    }
}

/// The longest value a variable expansion may produce (paths, images and users are short).
const MAX_EXPANDED: usize = 1024;

/// Expands `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}` as
/// Dockerfile instructions do. Returns the text and whether every variable was known.
fn expand_vars(s: &str, escape: char, lookup: &dyn Fn(&str) -> Option<String>) -> (String, bool) {
    if !s.contains('$') {
        return (s.to_string(), true);
    }
    let mut out = String::with_capacity(s.len());
    let mut resolved = true;
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        // Variables built from variables can grow without bound (`ENV A=$A$A`): an
        // expansion past the limit is cut and counts as unknown.
        if out.len() > MAX_EXPANDED {
            let mut cut = MAX_EXPANDED;
            while !out.is_char_boundary(cut) {
                cut -= 1;
            }
            out.truncate(cut);
            return (out, false);
        }
        let c = chars[i];
        if c == escape && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' {
            out.push(c);
            i += 1;
            continue;
        }
        if chars.get(i + 1) == Some(&'{') {
            let Some(close) = chars[i + 2..].iter().position(|c| *c == '}') else {
                out.extend(&chars[i..]);
                resolved = false;
                break;
            };
            let expr: String = chars[i + 2..i + 2 + close].iter().collect();
            let name_len = expr
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(expr.len());
            let (name, op) = expr.split_at(name_len);
            let value = lookup(name);
            let piece = match op {
                "" => value,
                _ if op.starts_with(":-") => value
                    .filter(|v| !v.is_empty())
                    .or_else(|| Some(op[2..].to_string())),
                _ if op.starts_with('-') => value.or_else(|| Some(op[1..].to_string())),
                _ if op.starts_with(":+") => Some(if value.is_some_and(|v| !v.is_empty()) {
                    op[2..].to_string()
                } else {
                    String::new()
                }),
                _ if op.starts_with('+') => Some(if value.is_some() {
                    op[1..].to_string()
                } else {
                    String::new()
                }),
                _ => None,
            };
            match piece {
                Some(p) => out.push_str(&p),
                None => {
                    resolved = false;
                    out.push_str("${");
                    out.push_str(&expr);
                    out.push('}');
                }
            }
            i += close + 3;
        } else {
            let rest: String = chars[i + 1..].iter().collect();
            let len = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            if len == 0 {
                out.push('$');
                i += 1;
                continue;
            }
            let name = &rest[..len];
            match lookup(name) {
                Some(v) => out.push_str(&v),
                None => {
                    resolved = false;
                    out.push('$');
                    out.push_str(name);
                }
            }
            i += 1 + rest[..len].chars().count();
        }
    }
    (out, resolved)
}

fn build_model(parsed: &parse_dockerfile::Dockerfile<'_>, ft: &FileText<'_>) -> Model {
    let escape = ft.escape;
    let mut model = Model {
        stages: Vec::new(),
        global_args: Vec::new(),
        escape,
        syntax: parsed
            .parser_directives
            .syntax
            .as_ref()
            .map(|d| d.value.value.to_string()),
    };
    for arg in parsed.global_args() {
        let line = ft.line(arg.arg.span.start);
        for w in text::words(&arg.arguments.value, escape) {
            let (name, value) = match w.text.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (w.text.into_owned(), None),
            };
            model.global_args.push((GlobalArg { name, value }, line));
        }
    }
    let mut shells: Vec<ShellKind> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (index, stage) in parsed.stages().enumerate() {
        let from_inst = convert::convert_from(ft, stage.from);
        let image_raw = stage.from.image.value.to_string();
        let (image, resolved) = expand_vars(&image_raw, escape, &|n| model.global(n));
        let unresolved = !resolved;
        let name = stage.from.as_.as_ref().map(|(_, n)| n.value.to_string());
        // Stage names are case-insensitive; only an earlier stage can be a parent.
        let parent = by_name.get(&image.to_ascii_lowercase()).copied();
        let root = parent.map_or(index, |p| model.stages[p].root);
        let platform = from_inst.flag("platform").map(str::to_string);
        let mut shell_kind = match parent {
            Some(p) => shells[p],
            None if image::describe(&ImageRef::parse(&image)).windows => ShellKind::Cmd,
            None => ShellKind::Posix,
        };
        let mut insts = vec![from_inst];
        for instr in stage.instructions {
            let inst = convert::convert(ft, instr, shell_kind);
            if let Detail::Shell(words) = &inst.detail {
                shell_kind = ShellKind::from_exec(words);
            }
            insts.push(inst);
        }
        shells.push(shell_kind);
        if let Some(n) = &name {
            by_name.insert(n.to_ascii_lowercase(), index);
        }
        let line = insts[0].line;
        model.stages.push(Stage {
            index,
            name,
            line,
            image_raw,
            image,
            unresolved,
            platform,
            parent,
            root,
            insts,
        });
    }
    model
}

// ---------------------------------------------------------------------------------------
// The image view: what an image built from a stage holds, following its FROM chain inside
// the file (ENV, USER, ENTRYPOINT, CMD, LABEL, EXPOSE, VOLUME, HEALTHCHECK and files carry
// over to a stage built FROM another; ARG does not).

struct Var {
    keyword: &'static str,
    name: String,
    value: Option<String>,
    line: u32,
}

struct CopyRef<'m> {
    inst: &'m Inst,
    from: Option<String>,
    sources: Vec<String>,
    dest: String,
}

struct Written {
    dest: String,
    body: String,
    line: u32,
}

#[derive(Default)]
struct View<'m> {
    /// (instruction, stage index, inherited from an earlier stage of the chain)
    insts: Vec<(&'m Inst, usize, bool)>,
    user: Option<(String, bool, u32)>,
    entrypoint: Option<&'m Inst>,
    cmd: Option<(&'m Inst, usize)>,
    healthcheck: Option<&'m Inst>,
    env: Keyed,
    variables: Vec<Var>,
    labels: Keyed,
    exposed: Vec<(String, u32)>,
    volumes: Vec<(String, u32)>,
    workdir: Option<(String, u32)>,
    shell: Option<&'m Inst>,
    copies: Vec<CopyRef<'m>>,
    files: Vec<Written>,
    packages: Installed,
    caches: Vec<(String, u32)>,
    upgrades: Vec<(String, u32)>,
}

/// Name -> (value, line) in first-set order; setting a name again replaces its value in
/// place. Indexed, so that thousands of ENV or LABEL lines stay linear.
#[derive(Default)]
struct Keyed {
    items: Vec<(String, String, u32)>,
    index: HashMap<String, usize>,
}

impl Keyed {
    fn set(&mut self, name: &str, value: String, line: u32) {
        match self.index.get(name) {
            Some(&i) => self.items[i] = (name.to_string(), value, line),
            None => {
                self.index.insert(name.to_string(), self.items.len());
                self.items.push((name.to_string(), value, line));
            }
        }
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.index.get(name).map(|&i| self.items[i].1.as_str())
    }
}

/// Packages installed so far, with removal by name or apk virtual group in constant time.
#[derive(Default)]
struct Installed {
    slots: Vec<Option<(shell::Package, u32)>>,
    by_name: HashMap<String, Vec<usize>>,
    by_group: HashMap<String, Vec<usize>>,
}

impl Installed {
    fn add(&mut self, p: shell::Package, line: u32) {
        let i = self.slots.len();
        self.by_name.entry(p.name.clone()).or_default().push(i);
        if let Some(g) = &p.group {
            self.by_group.entry(g.clone()).or_default().push(i);
        }
        self.slots.push(Some((p, line)));
    }
    fn remove(&mut self, name: &str) {
        let slots = self
            .by_name
            .remove(name)
            .into_iter()
            .chain(self.by_group.remove(name))
            .flatten();
        for i in slots {
            if let Some(slot) = self.slots.get_mut(i) {
                *slot = None;
            }
        }
    }
    fn live(&self) -> impl Iterator<Item = &(shell::Package, u32)> {
        self.slots.iter().flatten()
    }
}

fn lookup_var(env: &Keyed, args: &HashMap<String, Option<String>>, name: &str) -> Option<String> {
    env.get(name)
        .map(str::to_string)
        .or_else(|| args.get(name).cloned().flatten())
}

fn view<'m>(model: &'m Model, stage: usize, analyse: bool, inherit: bool) -> View<'m> {
    let mut v = View::default();
    let escape = model.escape;
    let chain = if inherit {
        model.chain(stage)
    } else {
        vec![stage]
    };
    for si in chain {
        let st = &model.stages[si];
        let inherited = si != stage;
        let mut args: HashMap<String, Option<String>> = HashMap::new();
        for inst in &st.insts {
            v.insts.push((inst, si, inherited));
            let exp = |v: &View<'_>, args: &HashMap<String, Option<String>>, s: &str| {
                expand_vars(s, escape, &|n| lookup_var(&v.env, args, n))
            };
            match &inst.detail {
                Detail::Arg(list) => {
                    for (name, default) in list {
                        let value = match default {
                            Some(d) => Some(exp(&v, &args, d).0),
                            None => model.global(name),
                        };
                        v.variables.push(Var {
                            keyword: "ARG",
                            name: name.clone(),
                            value: value.clone(),
                            line: inst.line,
                        });
                        args.insert(name.clone(), value);
                    }
                }
                Detail::Env(list) => {
                    for (name, value) in list {
                        let value = exp(&v, &args, value).0;
                        v.variables.push(Var {
                            keyword: "ENV",
                            name: name.clone(),
                            value: Some(value.clone()),
                            line: inst.line,
                        });
                        v.env.set(name, value, inst.line);
                    }
                }
                Detail::User(u) => {
                    let (user, resolved) = exp(&v, &args, u);
                    // Docker takes quotes and escapes out of the user name.
                    let user: String = text::words(&user, escape)
                        .into_iter()
                        .map(|w| w.text)
                        .collect::<Vec<_>>()
                        .join(" ");
                    v.user = Some((user, resolved, inst.line));
                }
                Detail::Startup if inst.keyword == "ENTRYPOINT" => {
                    v.entrypoint = Some(inst);
                    // Setting ENTRYPOINT resets a CMD inherited from the base image.
                    if v.cmd.is_some_and(|(_, s)| s != si) {
                        v.cmd = None;
                    }
                }
                Detail::Startup => v.cmd = Some((inst, si)),
                Detail::Healthcheck { .. } => v.healthcheck = Some(inst),
                Detail::Label(list) => {
                    for (k, val) in list {
                        let value = exp(&v, &args, val).0;
                        v.labels.set(k, value, inst.line);
                    }
                }
                Detail::Expose(ports) => {
                    for p in ports {
                        let port = exp(&v, &args, p).0;
                        v.exposed.push((port, inst.line));
                    }
                }
                Detail::Volume(paths) => {
                    for p in paths {
                        let path = exp(&v, &args, p).0;
                        v.volumes.push((path, inst.line));
                    }
                }
                Detail::Workdir(w) => v.workdir = Some((exp(&v, &args, w).0, inst.line)),
                Detail::Shell(_) => v.shell = Some(inst),
                Detail::Copy {
                    from,
                    sources,
                    dest,
                    files,
                } => {
                    let dest = exp(&v, &args, dest).0;
                    for f in files {
                        v.files.push(Written {
                            dest: dest.clone(),
                            body: f.body.clone(),
                            line: inst.line,
                        });
                    }
                    v.copies.push(CopyRef {
                        inst,
                        from: from.clone(),
                        sources: sources.iter().map(|s| exp(&v, &args, s).0).collect(),
                        dest,
                    });
                }
                Detail::Run { script, files } => {
                    for f in files {
                        let dest = exp(&v, &args, &f.dest).0;
                        v.files.push(Written {
                            dest,
                            body: f.body.clone(),
                            line: inst.line,
                        });
                    }
                    if analyse && let Some(script) = script {
                        let fx = shell::analyse(script, &|n| lookup_var(&v.env, &args, n));
                        apply_run(&mut v, inst, fx);
                    }
                }
                _ => {}
            }
        }
    }
    v
}

/// A cache a `--mount=type=cache` or `--mount=type=tmpfs` keeps out of the layer: one whose
/// folder lies at or under the mount's target. `cache` is `shell::RunEffects::caches`'s
/// text (`dnf cache (/var/cache/dnf)`); the manager is its first word.
fn cache_mounted(inst: &Inst, cache: &str) -> bool {
    let manager = match cache.split_whitespace().next() {
        Some("apt") => "apt",
        Some(m) => m,
        None => return false,
    };
    let dirs = shell::cache_dirs(manager);
    inst.flags
        .iter()
        .filter(|(n, _)| n == "mount")
        .filter(|(_, m)| {
            m.split(',')
                .any(|kv| matches!(kv.trim(), "type=cache" | "type=tmpfs"))
        })
        .filter_map(|(_, m)| {
            m.split(',').find_map(|kv| {
                let (k, v) = kv.trim().split_once('=')?;
                matches!(k, "target" | "dst" | "destination").then_some(v)
            })
        })
        .any(|target| dirs.iter().any(|dir| shell::covers(target, dir)))
}

fn apply_run(v: &mut View<'_>, inst: &Inst, fx: shell::RunEffects) {
    let before = v.packages.slots.len();
    for p in fx.installs {
        v.packages.add(p, inst.line);
    }
    if fx.apt_auto_all && fx.autoremove {
        // Everything this RUN installed with apt goes again, except what it marked manual.
        for i in before..v.packages.slots.len() {
            let goes = v.packages.slots[i]
                .as_ref()
                .is_some_and(|(p, _)| p.manager == "apt" && !fx.apt_manual.contains(&p.name));
            if goes {
                v.packages.slots[i] = None;
            }
        }
    }
    for r in &fx.removes {
        v.packages.remove(r);
    }
    for c in fx.caches {
        if !cache_mounted(inst, &c) {
            v.caches.push((c, inst.line));
        }
    }
    for u in fx.upgrades {
        v.upgrades.push((u, inst.line));
    }
}

// ---------------------------------------------------------------------------------------
// Suppressions, naming, and the workload.

static IGNORE_COMMENT: LazyLock<Regex> =
    LazyLock::new(|| facts::static_regex(r"(?i)^#\s*fitscan[\s:]+ignore\s*=\s*(.*)$"));

struct IgnoreComment {
    line: u32,
    rules: Vec<String>,
    reason: Option<String>,
}

fn ignore_comments(
    text: &str,
    lines: &[text::PhysLine],
    notes: &mut Vec<String>,
) -> Vec<IgnoreComment> {
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        // The pattern starts with `#`: most lines are not worth trimming and a regex search.
        let content = text[l.start..l.end].trim_start();
        if !content.starts_with('#') {
            continue;
        }
        let content = content.trim_end();
        let Some(c) = IGNORE_COMMENT.captures(content) else {
            continue;
        };
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let value = c.get(1).map_or("", |m| m.as_str());
        let (ids, reason) = match value.split_once(':') {
            Some((ids, reason)) => (
                ids,
                Some(reason.trim().to_string()).filter(|r| !r.is_empty()),
            ),
            None => (value, None),
        };
        let mut rules = Vec::new();
        for id in ids.split(',').map(str::trim) {
            if id.is_empty() {
                continue;
            }
            if id.chars().any(char::is_whitespace) {
                notes.push(format!(
                    "line {line}: `# fitscan ignore=` lists `{id}`, which is not a rule id (separate ids with commas, put a reason after a colon)"
                ));
                continue;
            }
            rules.push(id.to_string());
        }
        if rules.is_empty() {
            notes.push(format!("line {line}: `# fitscan ignore=` names no rule"));
            continue;
        }
        out.push(IgnoreComment {
            line,
            rules,
            reason,
        });
    }
    out
}

/// Each ignore comment applies to the instruction right below it (a block of comment
/// lines may sit between them) or to the instruction whose continuation lines it sits in.
fn suppressions(
    file: &Arc<str>,
    text: &str,
    lines: &[text::PhysLine],
    model: &Model,
    notes: &mut Vec<String>,
) -> Vec<Suppression> {
    let comments = ignore_comments(text, lines, notes);
    if comments.is_empty() {
        return Vec::new();
    }
    // For every line, the first line at or after it that is not a comment: an ignore
    // comment is "above" an instruction when only comments separate them.
    let mut next_code = vec![u32::MAX; lines.len() + 2];
    for (i, l) in lines.iter().enumerate().rev() {
        let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
        next_code[i + 1] = if text[l.start..l.end].trim_start().starts_with('#') {
            next_code[i + 2]
        } else {
            line
        };
    }
    let next_code_after = |line: u32| {
        next_code
            .get(line as usize + 1)
            .copied()
            .unwrap_or(u32::MAX)
    };
    let mut spans: Vec<(u32, u32)> = model
        .stages
        .iter()
        .flat_map(|s| s.insts.iter().map(|i| (i.line, i.last_line)))
        .chain(model.global_args.iter().map(|(_, l)| (*l, *l)))
        .collect();
    spans.sort_unstable();
    spans.dedup();
    let mut out = Vec::new();
    for c in comments {
        // The instruction right below, or the one whose continuation lines hold the comment.
        let after = spans.partition_point(|(start, _)| *start <= c.line);
        let below = spans
            .get(after)
            .filter(|(start, _)| next_code_after(c.line) == *start)
            .map(|(start, _)| *start);
        let around = after
            .checked_sub(1)
            .and_then(|i| spans.get(i))
            .filter(|(start, end)| c.line > *start && c.line <= *end)
            .map(|(start, _)| *start);
        let target = around.or(below);
        let Some(target) = target else {
            notes.push(format!(
                "line {}: `# fitscan ignore=` is not on the line above an instruction, so it suppresses nothing",
                c.line
            ));
            continue;
        };
        for rule in c.rules {
            out.push(Suppression {
                rule,
                reason: c.reason.clone(),
                file: Arc::clone(file),
                line: c.line,
                applies_to_line: Some(target),
            });
        }
    }
    out
}

/// A label that names the image, else the directory (and the file name when it is not a
/// plain `Dockerfile`/`Containerfile`), else the file name.
fn workload_name(display: &str, labels: &[(String, String, u32)]) -> String {
    for key in ["org.opencontainers.image.title", "name"] {
        if let Some((_, value, _)) = labels.iter().rev().find(|(k, _, _)| k == key) {
            let value = value.trim();
            if !value.is_empty() && !value.contains('$') {
                return value.to_string();
            }
        }
    }
    let display = display.strip_prefix("./").unwrap_or(display);
    let path = FsPath::new(display);
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| display.to_string());
    let dir = path
        .parent()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let dir = dir.trim_end_matches('/');
    if dir.is_empty() || dir == "." {
        return file_name;
    }
    let plain = file_name.eq_ignore_ascii_case("dockerfile")
        || file_name.eq_ignore_ascii_case("containerfile");
    if plain {
        dir.to_string()
    } else {
        format!("{dir}/{file_name}")
    }
}

fn read(file: &SourceFile) -> Result<Workload, ScanError> {
    let display = &file.display;
    let text = file.text()?;
    if text.trim().is_empty() {
        return Err(ScanError::parse(
            display,
            Some(1),
            "empty Dockerfile: there is no FROM instruction",
        ));
    }
    let escape = text::escape_directive(text);
    let lines = text::physical_lines(text);
    let text::Prepared {
        text: prepared,
        heredocs,
        instructions: logicals,
    } = text::prepare(text, &lines, escape).map_err(|u| {
        ScanError::parse(
            display,
            Some(u.line),
            format!(
                "here-document `{0}` is never closed: no line `{0}` follows it",
                u.delimiter
            ),
        )
    })?;
    let parsed = parse_dockerfile::parse(&prepared).map_err(|e| {
        let line = u32::try_from(e.line()).unwrap_or(u32::MAX);
        let message = if line == 0 {
            format!("not a Dockerfile: {e:#}")
        } else {
            format!("invalid Dockerfile: {e:#} (column {})", e.column())
        };
        ScanError::parse(display, Some(line.max(1)), message)
    })?;
    let ft = FileText {
        text,
        lines: &lines,
        escape,
        heredocs: &heredocs,
        logicals: &logicals,
    };
    let model = build_model(&parsed, &ft);
    // The model owns everything it needs: free the syntax tree and what prepare made now.
    drop(parsed);
    drop(prepared);
    drop(logicals);
    let Some(final_idx) = model.stages.len().checked_sub(1) else {
        return Err(ScanError::parse(
            display,
            Some(1),
            "not a Dockerfile: expected at least one FROM instruction",
        ));
    };
    let mut notes = Vec::new();
    let final_view = view(&model, final_idx, true, true);
    let mut doc = Node::map(1);
    doc.insert("escape", Node::str(model.escape.to_string(), 1));
    if let Some(s) = &model.syntax {
        doc.insert("syntax", Node::str(s.clone(), 1));
    }
    let globals = model
        .global_args
        .iter()
        .map(|(a, l)| {
            let mut m = Node::map(*l);
            m.insert("name", Node::str(a.name.clone(), *l));
            if let Some(v) = &a.value {
                m.insert("value", Node::str(v.clone(), *l));
            }
            m
        })
        .collect();
    doc.insert("global_args", Node::seq(globals, 1));
    let mut stages = Vec::with_capacity(model.stages.len());
    let mut build_stages = Vec::new();
    // Each build stage's view walks its own FROM chain; past this many stages (a generated
    // or hostile file) build stages show only their own instructions, so the work stays
    // linear in the size of the file. The final image is always complete.
    const INHERITANCE_LIMIT: usize = 256;
    let inherit = model.stages.len() <= INHERITANCE_LIMIT;
    if !inherit {
        notes.push(format!(
            "{} stages: build stages are described without what they inherit",
            model.stages.len()
        ));
    }
    let froms = from_nodes(&model);
    for si in 0..model.stages.len() {
        let node = if si == final_idx {
            stage_node(&model, &froms, si, &final_view, false)
        } else {
            stage_node(&model, &froms, si, &view(&model, si, false, inherit), false)
        };
        if si != final_idx {
            build_stages.push(node.clone());
        }
        stages.push(node);
    }
    let final_node = final_node(&model, &froms, final_idx, &final_view, stages.last());
    doc.insert("stages", Node::seq(stages, 1));
    doc.insert("final", final_node);
    doc.insert("build_stages", Node::seq(build_stages, 1));

    let facts = facts::facts(&model, final_idx, &final_view, &mut notes);
    let suppressions = suppressions(display, text, &lines, &model, &mut notes);
    let name = workload_name(display, &final_view.labels.items);
    let line = model.stages[final_idx].line;
    let mut w = Workload::new(
        WorkloadKind::ContainerImage,
        Target::Dockerfile,
        name,
        Arc::clone(display),
        line,
        Generation::CloudNative,
        doc,
    );
    w.facts = facts;
    w.suppressions = suppressions;
    w.notes = notes;
    Ok(w)
}

#[cfg(test)]
mod tests;
