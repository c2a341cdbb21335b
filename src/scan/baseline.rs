//! Baselines: `--write-baseline FILE` records today's findings, `--baseline FILE` reports and
//! gates only on findings that are not in it.
//!
//! A finding is matched by rule, file and fingerprint (a hash of rule, file, workload and
//! the offending source text, never the line nor a computed figure), so that moving lines
//! or new utilisation figures do not resurrect it; a renamed rule's entries, recorded under
//! its former id, match through the rule's `aliases`; each
//! baseline entry absorbs one finding, so a second copy of a baselined problem is new. Files
//! are recorded (and hashed) relative to the baseline's own folder, so the same baseline
//! works whatever folder fitscan runs in and whichever paths it is given. File errors are
//! never baselined: a broken file must be fixed.

use crate::source::AuxiliaryError;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::assessment::{Report, SeverityCounts};
use crate::model::Severity;
use crate::scan::policy::normalise;

pub const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    /// The format version (1).
    pub fitscan_baseline: u32,
    /// The fitscan version that wrote it (for people; not checked).
    #[serde(default)]
    pub tool: String,
    pub findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    /// Relative to the baseline file's folder, with `/` separators.
    pub file: String,
    /// Hash of rule, file (as recorded here), workload and offending text.
    pub fingerprint: String,
    /// For people reviewing the baseline; not used for matching.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A loaded baseline, with the folder its paths are relative to.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub path: PathBuf,
    base: PathBuf,
    pub entries: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings left out because the baseline holds them.
    pub baselined: usize,
    /// Baseline entries no current finding matched (fixed since, or changed).
    pub stale: usize,
}

fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    normalise(&cwd.join(path))
}

/// A scanned file's path as recorded: relative to `base` where it lies under it.
fn key_path(file: &str, base: &Path, cwd: &Path) -> String {
    let abs = absolute(Path::new(file), cwd);
    let shown = abs.strip_prefix(base).map_or(abs.as_path(), |p| p);
    shown.to_string_lossy().replace('\\', "/")
}

/// A finding's identity as a baseline records it. Unused suppressions are identified by the
/// rule they name.
fn key(rule: &str, file: &str, workload: &str, offending: &str) -> (String, String, String) {
    (
        rule.to_ascii_uppercase(),
        file.to_string(),
        crate::model::fingerprint(&[rule, file, workload, offending]),
    )
}

impl Baseline {
    /// The baseline that `report` would write at `path`.
    pub fn of(report: &Report, path: &Path, cwd: &Path) -> Baseline {
        let path_abs = absolute(path, cwd);
        let base = path_abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut entries = Vec::new();
        for w in &report.workloads {
            for f in &w.findings {
                let file = key_path(&f.file, &base, cwd);
                let (_, _, fingerprint) = key(&f.rule, &file, &w.name, &f.offending);
                entries.push(Entry {
                    rule: f.rule.clone(),
                    file,
                    fingerprint,
                    workload: Some(w.name.clone()),
                    message: Some(f.message.clone()),
                });
            }
        }
        for u in &report.unused_suppressions {
            let file = key_path(&u.file, &base, cwd);
            let workload = u.workload.as_deref().unwrap_or("");
            let (_, _, fingerprint) = key(u.rule, &file, workload, &u.suppressed_rule);
            entries.push(Entry {
                rule: u.rule.to_string(),
                file,
                fingerprint,
                workload: u.workload.clone(),
                message: Some(u.message.clone()),
            });
        }
        // By file first, so that a baseline reads (and diffs) like the report.
        entries.sort_by(|a, b| {
            (&a.file, &a.rule, &a.fingerprint, &a.workload).cmp(&(
                &b.file,
                &b.rule,
                &b.fingerprint,
                &b.workload,
            ))
        });
        Baseline {
            path: path.to_path_buf(),
            base,
            entries,
        }
    }

    pub fn to_json(&self) -> String {
        let file = BaselineFile {
            fitscan_baseline: BASELINE_VERSION,
            tool: format!("fitscan {}", env!("CARGO_PKG_VERSION")),
            findings: self.entries.clone(),
        };
        let mut out = serde_json::to_string_pretty(&file).unwrap_or_default();
        out.push('\n');
        out
    }

    pub fn write(&self) -> Result<(), Error> {
        std::fs::write(&self.path, self.to_json()).map_err(|e| Error::Path {
            path: self.path.display().to_string(),
            message: format!("cannot write the baseline: {e}"),
        })
    }

    pub fn load(path: &Path, cwd: &Path) -> Result<Baseline, Error> {
        let shown = path.display().to_string();
        let text = crate::source::read_auxiliary_text(path).map_err(|e| Error::Path {
            path: shown.clone(),
            message: match e {
                AuxiliaryError::NotFound => {
                    "no such baseline (create it with --write-baseline)".to_string()
                }
                AuxiliaryError::Other(m) => format!("baseline: {m}"),
            },
        })?;
        let file: BaselineFile = serde_json::from_str(&text).map_err(|e| Error::Path {
            path: format!("{shown}:{}:{}", e.line(), e.column()),
            message: format!("not a fitscan baseline: {e}"),
        })?;
        if file.fitscan_baseline != BASELINE_VERSION {
            return Err(Error::Path {
                path: shown,
                message: format!(
                    "baseline format {} is not supported (this fitscan reads format {BASELINE_VERSION})",
                    file.fitscan_baseline
                ),
            });
        }
        let base = absolute(path, cwd)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Baseline {
            path: path.to_path_buf(),
            base,
            entries: file.findings,
        })
    }

    /// Leaves out of the report every finding the baseline holds, and recounts the summary.
    /// Phases, scores and roadmaps are untouched: a baseline changes what the gate sees, not
    /// the assessment.
    pub fn apply(&self, report: &mut Report, cwd: &Path) -> Applied {
        // Former ids (aliases) of each rule, and the rule each former id now is.
        let mut former: HashMap<String, Vec<&str>> = HashMap::new();
        let mut canonical: HashMap<String, &str> = HashMap::new();
        for r in &report.rules {
            for a in &r.aliases {
                former.entry(r.id.to_ascii_uppercase()).or_default().push(a);
                canonical.insert(a.to_ascii_uppercase(), &r.id);
            }
        }
        let canonical_upper = |rule: &str| {
            let upper = rule.to_ascii_uppercase();
            canonical
                .get(&upper)
                .map_or(upper, |id| id.to_ascii_uppercase())
        };
        let mut budget: HashMap<(String, String, String), usize> = HashMap::new();
        for e in &self.entries {
            *budget
                .entry((
                    canonical_upper(&e.rule),
                    e.file.clone(),
                    e.fingerprint.clone(),
                ))
                .or_default() += 1;
        }
        let mut baselined = 0;
        let base = &self.base;
        let mut take = |rule: &str, file: &str, workload: &str, offending: &str| {
            let file = key_path(file, base, cwd);
            let rule_key = canonical_upper(rule);
            // An entry written before the rule was renamed hashed its former id.
            let written_as =
                std::iter::once(rule).chain(former.get(&rule_key).into_iter().flatten().copied());
            for id in written_as {
                let (_, _, fingerprint) = key(id, &file, workload, offending);
                if let Some(n) = budget.get_mut(&(rule_key.clone(), file.clone(), fingerprint))
                    && *n > 0
                {
                    *n -= 1;
                    baselined += 1;
                    return true;
                }
            }
            false
        };
        for w in &mut report.workloads {
            let name = w.name.clone();
            w.findings
                .retain(|f| !take(&f.rule, &f.file, &name, &f.offending));
        }
        report.unused_suppressions.retain(|u| {
            !take(
                u.rule,
                &u.file,
                u.workload.as_deref().unwrap_or(""),
                &u.suppressed_rule,
            )
        });
        let stale = budget.values().sum();

        let mut counts = SeverityCounts::default();
        let severities = report
            .workloads
            .iter()
            .flat_map(|w| w.findings.iter().map(|f| f.severity))
            .chain(report.unused_suppressions.iter().map(|u| u.severity));
        for s in severities {
            match s {
                Severity::Error => counts.error += 1,
                Severity::Warning => counts.warning += 1,
                Severity::Info => counts.info += 1,
            }
        }
        report.summary.findings = counts;
        report.summary.unused_suppressions = report.unused_suppressions.len();
        report.summary.baselined += baselined;
        report.assumptions.baseline = Some(self.path.display().to_string());
        Applied { baselined, stale }
    }
}

/// What the baseline settings did to a report, for the command line to say.
#[derive(Debug, Default)]
pub struct Settled {
    /// Findings written to `--write-baseline`.
    pub written: Option<usize>,
    /// Baseline entries no current finding matched.
    pub stale: usize,
}

/// Applies `--write-baseline` (written from this report, then compared with it) or
/// `--baseline` to the report.
pub fn settle(
    report: &mut Report,
    write: Option<&Path>,
    read: Option<&Path>,
    cwd: &Path,
) -> Result<Settled, Error> {
    let mut settled = Settled::default();
    let baseline = match (write, read) {
        (Some(path), _) => {
            let b = Baseline::of(report, path, cwd);
            b.write()?;
            settled.written = Some(b.entries.len());
            Some(b)
        }
        (None, Some(path)) => Some(Baseline::load(path, cwd)?),
        (None, None) => None,
    };
    if let Some(b) = &baseline {
        settled.stale = b.apply(report, cwd).stale;
    }
    Ok(settled)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_recorded_relative_to_the_baseline() {
        let cwd = Path::new("/repo/sub");
        let base = Path::new("/repo");
        assert_eq!(key_path("vms/a.yaml", base, cwd), "sub/vms/a.yaml");
        assert_eq!(key_path("./vms/../b.yaml", base, cwd), "sub/b.yaml");
        assert_eq!(
            key_path("/elsewhere/c.yaml", base, cwd),
            "/elsewhere/c.yaml"
        );
    }
}
