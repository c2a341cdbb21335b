//! A team's central policy over rules and suppressions, usually written in `.fitscan.yaml`:
//! which rules run (`select`, `ignore`), at which severity, which findings are accepted for
//! whole paths (per-path ignores), and whether inline suppressions count at all.
//!
//! It also keeps the books on suppressions during a scan: every suppression that matched
//! nothing is reported (rule `unused-suppression`, severity info), because a suppression
//! that hides nothing today would silently hide a future finding.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::model::{Finding, Location, Severity, Suppression, Workload};

use crate::assessment::{
    SuppressionOrigin, SuppressionRef, UNUSED_SUPPRESSION_RULE, UnusedSuppression,
};
use crate::rules::{Rule, RuleSet};
use crate::source::ENTRY_SEPARATOR;

pub use crate::model::ConfigError;

/// A rule id or id prefix (`VM012`, `VM`, `K8S0`), with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Selector {
    pub text: String,
    pub at: Option<Location>,
}

impl Selector {
    pub fn new(text: impl Into<String>, at: Option<Location>) -> Self {
        Selector {
            text: text.into(),
            at,
        }
    }

    /// An exact id or former id, or a prefix of the id (ASCII case ignored).
    pub fn matches(&self, rule: &Rule) -> bool {
        let t = self.text.as_str();
        rule.id.eq_ignore_ascii_case(t)
            || rule.aliases.iter().any(|a| a.eq_ignore_ascii_case(t))
            || (rule.id.len() > t.len()
                && rule.id.is_char_boundary(t.len())
                && rule.id[..t.len()].eq_ignore_ascii_case(t))
    }

    /// Exact ids beat prefixes, longer prefixes beat shorter ones.
    fn specificity(&self, rule: &Rule) -> usize {
        if rule.id.eq_ignore_ascii_case(&self.text) {
            usize::MAX
        } else {
            self.text.len()
        }
    }
}

/// Findings of `rules` in files matching `patterns` are accepted (suppressed).
#[derive(Debug, Clone)]
pub struct PathIgnore {
    /// The globs as written, relative to `base`.
    pub patterns: Vec<String>,
    /// Rule ids (or `all`), each with the line it was written on.
    pub rules: Vec<(String, Location)>,
    pub reason: Option<String>,
    /// Where the entry starts.
    pub at: Location,
    /// The folder the globs are relative to (the config file's folder), absolute.
    pub base: PathBuf,
    matcher: GlobSet,
}

impl PathIgnore {
    /// Compiles the globs. A pattern without `/` matches a file name at any depth; a
    /// pattern that names a folder also matches everything under it (as in `.gitignore`).
    pub fn new(
        patterns: Vec<(String, Location)>,
        rules: Vec<(String, Location)>,
        reason: Option<String>,
        at: Location,
        base: PathBuf,
    ) -> Result<Self, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for (pattern, loc) in &patterns {
            let trimmed = pattern.trim().trim_start_matches("./");
            let body = trimmed.trim_start_matches('/').trim_end_matches('/');
            if body.is_empty() {
                return Err(ConfigError::at(Some(loc), "empty path pattern"));
            }
            let rooted = if trimmed.starts_with('/') || body.contains('/') {
                body.to_string()
            } else {
                format!("**/{body}")
            };
            for glob in [rooted.clone(), format!("{rooted}/**")] {
                let compiled = GlobBuilder::new(&glob)
                    .literal_separator(true)
                    .backslash_escape(true)
                    .build()
                    .map_err(|e| {
                        ConfigError::at(Some(loc), format!("bad glob `{pattern}`: {}", e.kind()))
                    })?;
                builder.add(compiled);
            }
        }
        let matcher = builder.build().map_err(|e| {
            ConfigError::at(Some(&at), format!("cannot compile the path patterns: {e}"))
        })?;
        Ok(PathIgnore {
            patterns: patterns.into_iter().map(|(p, _)| p).collect(),
            rules,
            reason,
            at,
            base,
            matcher,
        })
    }

    /// Whether a scanned file (absolute, normalised) is under one of the patterns.
    fn covers(&self, file: &Path) -> bool {
        let Ok(relative) = file.strip_prefix(&self.base) else {
            return false;
        };
        let text = relative.to_string_lossy().replace('\\', "/");
        !text.is_empty() && self.matcher.is_match(&text)
    }
}

/// Rule selection, severity overrides and suppression policy. The default runs every rule
/// at its own severity and honours every inline suppression.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Only rules matching one of these run (empty: all).
    pub select: Vec<Selector>,
    /// Rules matching one of these do not run.
    pub ignore: Vec<Selector>,
    /// Per-rule (or prefix) severity overrides; the most specific wins.
    pub severity: Vec<(Selector, Severity)>,
    pub path_ignores: Vec<PathIgnore>,
    /// Disregard every inline suppression (comments, annotations, `ignore:` lists).
    pub no_inline_ignores: bool,
    /// The folder relative paths of scanned files are taken from (the working directory).
    pub cwd: PathBuf,
}

/// The rules a policy switched off, for messages about suppressions of them.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub disabled: BTreeSet<String>,
}

impl Policy {
    /// Keeps the selected rules and sets overridden severities. A selector that matches no
    /// loaded rule is an error: a typo in `select` would otherwise switch every check off.
    /// Severity overrides change how findings are reported and gated, not the phase ladder.
    pub fn apply(&self, rules: RuleSet) -> Result<(RuleSet, Applied), ConfigError> {
        let all = rules.rules;
        let lists = [
            ("select", self.select.iter().collect::<Vec<_>>()),
            ("ignore", self.ignore.iter().collect()),
            ("severity", self.severity.iter().map(|(s, _)| s).collect()),
        ];
        for (key, selectors) in lists {
            for s in selectors {
                if !all.iter().any(|r| s.matches(r)) {
                    return Err(ConfigError::at(
                        s.at.as_ref(),
                        format!(
                            "`{key}`: `{}` matches no loaded rule (see `fitscan rules list`)",
                            s.text
                        ),
                    ));
                }
            }
        }
        let mut applied = Applied::default();
        let mut kept = Vec::with_capacity(all.len());
        for mut rule in all {
            let selected = self.select.is_empty() || self.select.iter().any(|s| s.matches(&rule));
            if !selected || self.ignore.iter().any(|s| s.matches(&rule)) {
                applied.disabled.insert(rule.id.to_ascii_uppercase());
                // A suppression may still name it by a former id.
                applied
                    .disabled
                    .extend(rule.aliases.iter().map(|a| a.to_ascii_uppercase()));
                continue;
            }
            if let Some((_, severity)) = self
                .severity
                .iter()
                .filter(|(s, _)| s.matches(&rule))
                .max_by_key(|(s, _)| s.specificity(&rule))
            {
                rule.severity = *severity;
                // The configured severity is the user's word: no escalation above it.
                rule.escalate = None;
            }
            kept.push(rule);
        }
        Ok((RuleSet::new(kept), applied))
    }

    /// The per-path ignores whose patterns cover `file` (a path as displayed). A file inside
    /// an archive (`pkg.csar!/Definitions/df.yaml`) is also matched as if the archive were
    /// its folder, so that a pattern naming the archive covers everything in it.
    fn path_ignores_for(&self, file: &str) -> Vec<usize> {
        if self.path_ignores.is_empty() {
            return Vec::new();
        }
        let absolute = normalise(&self.cwd.join(file));
        let as_folder = file
            .contains(ENTRY_SEPARATOR)
            .then(|| normalise(&self.cwd.join(file.replacen(ENTRY_SEPARATOR, "/", 1))));
        self.path_ignores
            .iter()
            .enumerate()
            .filter(|(_, p)| p.covers(&absolute) || as_folder.as_ref().is_some_and(|f| p.covers(f)))
            .map(|(i, _)| i)
            .collect()
    }
}

/// `a/./b/../c` -> `a/c`, without touching the file system (the file may be a symlink or
/// gone; only the text matters for matching).
pub fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Which suppression removed a finding, and its reason.
pub struct Hit {
    pub reason: Option<String>,
    pub by: SuppressionRef,
}

impl Hit {
    fn new(reason: &Option<String>, origin: SuppressionOrigin, file: &Arc<str>, line: u32) -> Self {
        Hit {
            reason: reason.clone(),
            by: SuppressionRef {
                origin,
                file: Arc::clone(file),
                line,
            },
        }
    }
}

/// Per workload: which of its suppressions (inline, and the per-path entries covering its
/// files) matched a finding.
///
/// A per-path entry covers a finding when one of its patterns matches the finding's own file
/// or the file the workload is reported at. The finding's file lets a team accept what an
/// override, an imported or an included file brings in; the workload's file lets a pattern
/// naming where a workload lives (`legacy/**`, a package) accept all of it, including what
/// it draws from shared files elsewhere.
pub struct Tracker<'a> {
    policy: &'a Policy,
    inline: Vec<(&'a Suppression, bool)>,
    /// Inline suppressions by canonical rule id in upper case (`ALL` for every rule), and
    /// line-scoped ones by id and line: a Dockerfile with thousands of ignore comments and
    /// findings stays linear. Indexes into `inline`, in the order written.
    anywhere: HashMap<String, Vec<usize>>,
    at_line: HashMap<(String, u32), Vec<usize>>,
    /// The per-path entries covering the workload's reported file, in the order written.
    workload_entries: Vec<usize>,
    /// The per-path entries covering each file the workload spans, computed once per file:
    /// matching globs per finding would make a large inventory slow.
    by_file: HashMap<Arc<str>, Vec<usize>>,
    /// (entry index, rule index within the entry) that matched a finding here.
    used: BTreeSet<(usize, usize)>,
}

impl<'a> Tracker<'a> {
    pub fn new(w: &'a Workload, policy: &'a Policy, rules: &RuleSet) -> Self {
        let inline: Vec<(&Suppression, bool)> = if policy.no_inline_ignores {
            Vec::new()
        } else {
            w.suppressions.iter().map(|s| (s, false)).collect()
        };
        let mut anywhere: HashMap<String, Vec<usize>> = HashMap::new();
        let mut at_line: HashMap<(String, u32), Vec<usize>> = HashMap::new();
        for (i, (s, _)) in inline.iter().enumerate() {
            let key = suppression_key(&s.rule, rules);
            match s.applies_to_line {
                Some(line) => at_line.entry((key, line)).or_default().push(i),
                None => anywhere.entry(key).or_default().push(i),
            }
        }
        let (reported, _) = w.locate(w.line);
        let mut by_file: HashMap<Arc<str>, Vec<usize>> = HashMap::new();
        if !policy.path_ignores.is_empty() {
            for file in [&w.file, &reported]
                .into_iter()
                .chain(w.sources.iter().map(|s| &s.file))
            {
                if !by_file.contains_key(file) {
                    by_file.insert(Arc::clone(file), policy.path_ignores_for(file));
                }
            }
        }
        let workload_entries = by_file.get(&reported).cloned().unwrap_or_default();
        Tracker {
            policy,
            inline,
            anywhere,
            at_line,
            workload_entries,
            by_file,
            used: BTreeSet::new(),
        }
    }

    /// Whether the rule is ignored for the whole workload: an inline suppression that is
    /// not tied to a line (an annotation, an `ignore:` list), or a per-path entry covering
    /// the workload's file, names it or `all`. Such a check takes no part in the phase
    /// whatever its outcome: ignoring every rule leaves a workload not assessed, never
    /// purpose-built.
    pub fn ignores_wholesale(&self, rules: &RuleSet, rule: &str) -> bool {
        let names = |id: &str| {
            id.eq_ignore_ascii_case("all") || rules.canonical_id(id).eq_ignore_ascii_case(rule)
        };
        let upper = rule.to_ascii_uppercase();
        if self.anywhere.contains_key(&upper) || self.anywhere.contains_key(ALL) {
            return true;
        }
        self.workload_entries.iter().any(|&entry| {
            self.policy.path_ignores[entry]
                .rules
                .iter()
                .any(|(id, _)| names(id))
        })
    }

    /// Whether a suppression covers the finding. Every suppression that covers it counts
    /// as used; the first inline one (else the first config entry) is reported as the cause.
    pub fn check(&mut self, rules: &RuleSet, f: &Finding) -> Option<Hit> {
        // A line-scoped suppression covers that line of its own file only: a workload can
        // span several files (a VNF package and its imports).
        let covers = |id: &str, at: Option<(&str, u32)>| {
            (id.eq_ignore_ascii_case("all") || rules.canonical_id(id).eq_ignore_ascii_case(&f.rule))
                && at.is_none_or(|(file, l)| l == f.line && file == &*f.file)
        };
        let mut hit: Option<Hit> = None;
        let rule = f.rule.to_ascii_uppercase();
        let mut covering: Vec<usize> = Vec::new();
        for key in [rule, ALL.to_string()] {
            covering.extend(self.anywhere.get(&key).into_iter().flatten());
            covering.extend(
                self.at_line
                    .get(&(key, f.line))
                    .into_iter()
                    .flatten()
                    .filter(|&&i| *self.inline[i].0.file == *f.file),
            );
        }
        // Every covering suppression is used; the first one written is the cause.
        covering.sort_unstable();
        for i in covering {
            let (s, used) = &mut self.inline[i];
            debug_assert!(covers(&s.rule, s.applies_to_line.map(|l| (&*s.file, l))));
            *used = true;
            hit.get_or_insert_with(|| {
                Hit::new(&s.reason, SuppressionOrigin::Inline, &s.file, s.line)
            });
        }
        if self.policy.path_ignores.is_empty() {
            return hit;
        }
        let policy = self.policy;
        let for_file = self
            .by_file
            .entry(Arc::clone(&f.file))
            .or_insert_with(|| policy.path_ignores_for(&f.file));
        if self.workload_entries.is_empty() && for_file.is_empty() {
            return hit;
        }
        // In the order written: the first entry written is the cause.
        let mut entries: Vec<usize> = self
            .workload_entries
            .iter()
            .chain(for_file.iter())
            .copied()
            .collect();
        entries.sort_unstable();
        entries.dedup();
        for entry in entries {
            let e = &policy.path_ignores[entry];
            for (rule, (id, loc)) in e.rules.iter().enumerate() {
                if covers(id, None) {
                    self.used.insert((entry, rule));
                    hit.get_or_insert_with(|| {
                        Hit::new(&e.reason, SuppressionOrigin::Config, &loc.file, loc.line)
                    });
                }
            }
        }
        hit
    }

    /// The inline suppressions that matched nothing (as findings), the config entries
    /// (entry, rule) that matched something here, and the entries covering any file of the
    /// workload (to tell "no file matched" from "nothing found").
    pub fn finish(
        self,
        w: &Workload,
        rules: &RuleSet,
        applied: &Applied,
    ) -> (Vec<UnusedSuppression>, Vec<(usize, usize)>, BTreeSet<usize>) {
        let unused = self
            .inline
            .iter()
            .filter(|(_, used)| !used)
            .map(|(s, _)| unused_inline(s, w, rules, applied))
            .collect();
        let covering = self.by_file.into_values().flatten().collect();
        (unused, self.used.into_iter().collect(), covering)
    }
}

const ALL: &str = "ALL";

/// The index key of a suppression's rule: its canonical id (a former id is an alias) in
/// upper case, or `ALL`.
fn suppression_key(id: &str, rules: &RuleSet) -> String {
    if id.eq_ignore_ascii_case("all") {
        ALL.to_string()
    } else {
        rules.canonical_id(id).to_ascii_uppercase()
    }
}

fn unused_inline(
    s: &Suppression,
    w: &Workload,
    rules: &RuleSet,
    applied: &Applied,
) -> UnusedSuppression {
    let rule = rules.get(&s.rule);
    let why = if s.rule.eq_ignore_ascii_case("all") {
        "no finding was left to suppress".to_string()
    } else if applied.disabled.contains(&s.rule.to_ascii_uppercase()) {
        format!(
            "{} is switched off by the config (`select` / `ignore`)",
            s.rule
        )
    } else {
        match rule {
            None => format!(
                "{} is not a rule fitscan knows (see `fitscan rules list`)",
                s.rule
            ),
            Some(r) if r.target != w.target => format!(
                "{} is a rule for {} inputs and never applies to {}",
                r.id, r.target, w.name
            ),
            Some(r) => match s.applies_to_line {
                Some(line) => format!("{} found nothing on line {line}", r.id),
                None => format!("{} found nothing in {}", r.id, w.name),
            },
        }
    };
    UnusedSuppression {
        file: Arc::clone(&s.file),
        line: s.line.max(1),
        suppressed_rule: s.rule.clone(),
        rule: UNUSED_SUPPRESSION_RULE,
        severity: Severity::Info,
        origin: SuppressionOrigin::Inline,
        workload: Some(w.name.clone()),
        message: format!("unused suppression of {}: {why}", s.rule),
        remediation: remove_advice(&s.rule, &s.file, s.line),
        fingerprint: crate::model::fingerprint(&[
            UNUSED_SUPPRESSION_RULE,
            &s.file,
            &w.name,
            &s.rule,
        ]),
    }
}

fn remove_advice(rule: &str, file: &str, line: u32) -> String {
    format!(
        "Remove {rule} from the suppression at {file}:{line}, or correct the rule id. A \
         suppression that matches nothing hides no problem today and would silently hide \
         a new one tomorrow."
    )
}

/// The per-path ignore entries (and rules within them) that matched nothing in the scan.
pub fn unused_config(
    policy: &Policy,
    used: &BTreeSet<(usize, usize)>,
    any_file: &BTreeSet<usize>,
    rules: &RuleSet,
    applied: &Applied,
) -> Vec<UnusedSuppression> {
    let mut out = Vec::new();
    for (e, entry) in policy.path_ignores.iter().enumerate() {
        let patterns = entry.patterns.join("`, `");
        for (r, (rule, loc)) in entry.rules.iter().enumerate() {
            if used.contains(&(e, r)) {
                continue;
            }
            let why = if !rule.eq_ignore_ascii_case("all") && rules.get(rule).is_none() {
                if applied.disabled.contains(&rule.to_ascii_uppercase()) {
                    format!("{rule} is switched off by the config (`select` / `ignore`)")
                } else {
                    format!("{rule} is not a rule fitscan knows (see `fitscan rules list`)")
                }
            } else if any_file.contains(&e) {
                format!("{rule} found nothing in the files under `{patterns}`")
            } else {
                format!("no scanned file matches `{patterns}`")
            };
            out.push(UnusedSuppression {
                file: Arc::clone(&loc.file),
                line: loc.line.max(1),
                suppressed_rule: rule.clone(),
                rule: UNUSED_SUPPRESSION_RULE,
                severity: Severity::Info,
                origin: SuppressionOrigin::Config,
                workload: None,
                message: format!("unused per-path ignore of {rule}: {why}"),
                remediation: remove_advice(rule, &loc.file, loc.line),
                fingerprint: crate::model::fingerprint(&[
                    UNUSED_SUPPRESSION_RULE,
                    &loc.file,
                    &patterns,
                    rule,
                ]),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loc(line: u32) -> Location {
        Location {
            file: Arc::from(".fitscan.yaml"),
            line,
        }
    }

    fn entry(patterns: &[&str]) -> PathIgnore {
        PathIgnore::new(
            patterns.iter().map(|p| (p.to_string(), loc(2))).collect(),
            vec![("VM005".into(), loc(3))],
            None,
            loc(1),
            PathBuf::from("/repo"),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn globs_follow_gitignore_habits() {
        let covers = |patterns: &[&str], file: &str| entry(patterns).covers(Path::new(file));
        assert!(covers(&["legacy/**"], "/repo/legacy/a/b.yaml"));
        assert!(covers(&["legacy"], "/repo/legacy/b.yaml"));
        assert!(covers(&["legacy/"], "/repo/x/legacy/b.yaml"));
        assert!(covers(&["*.ovf"], "/repo/deep/down/vm.ovf"));
        assert!(covers(&["vms/*.yaml"], "/repo/vms/a.yaml"));
        assert!(!covers(&["vms/*.yaml"], "/repo/vms/sub/a.yaml"));
        assert!(!covers(&["vms/*.yaml"], "/repo/other/vms/a.yaml"));
        assert!(!covers(&["legacy/**"], "/elsewhere/legacy/a.yaml"));
        assert!(covers(&["/top.yaml"], "/repo/top.yaml"));
    }

    #[test]
    fn a_bad_glob_names_its_line() {
        let e = PathIgnore::new(
            vec![("a/[b".into(), loc(7))],
            vec![],
            None,
            loc(6),
            PathBuf::from("/repo"),
        )
        .err();
        assert!(
            e.as_ref()
                .is_some_and(|e| e.to_string().starts_with(".fitscan.yaml:7: bad glob")),
            "{e:?}"
        );
    }

    #[test]
    fn paths_normalise_lexically() {
        assert_eq!(
            normalise(Path::new("/a/./b/../c/d")),
            PathBuf::from("/a/c/d")
        );
    }
}
