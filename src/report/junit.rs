//! JUnit XML for CI test views (GitLab, Jenkins, Azure DevOps, GitHub test reporters): a
//! `<testsuite>` per input file, a `<testcase>` per workload (classname = kind, name =
//! workload). A workload fails when it has findings at or above `--fail-on` or is below
//! `--min-phase`, exactly as the gate decides; the `<failure>` lists those findings with
//! file:line and fix. Findings below the threshold and suppressed ones (with reasons) go to
//! `<system-out>`. A file that cannot be read or parsed is a testcase with an `<error>`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use quick_xml::Writer;
use quick_xml::escape::partial_escape;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::RenderOptions;
use crate::assessment::{Report, UnusedSuppression, WorkloadReport};
use crate::model::{ScanError, Severity, Skipped};

/// Characters XML 1.0 cannot hold, even escaped, become U+FFFD: input-derived text (a
/// workload name, a message quoting a value) must never make the report unreadable.
fn xml_safe(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

/// Element text: only `<`, `>` and `&` need escaping there, so messages stay readable.
fn text(s: &str) -> BytesText<'static> {
    BytesText::from_escaped(partial_escape(xml_safe(s)).into_owned())
}

#[derive(Default)]
struct Case {
    classname: String,
    name: String,
    file: String,
    line: Option<u32>,
    /// (message, type, body)
    failure: Option<(String, String, String)>,
    error: Option<(String, String, String)>,
    /// Why the file was not assessed (a skipped file).
    skipped: Option<String>,
    system_out: String,
}

fn finding_line(
    out: &mut String,
    file: &str,
    line: u32,
    rule: &str,
    sev: Severity,
    msg: &str,
    fix: &str,
) {
    let _ = writeln!(out, "{file}:{line}: {rule} {sev}: {msg}");
    let _ = writeln!(out, "    fix: {fix}");
}

fn unused_line(out: &mut String, u: &UnusedSuppression) {
    finding_line(
        out,
        &u.file,
        u.line,
        u.rule,
        u.severity,
        &u.message,
        &u.remediation,
    );
}

fn workload_case(w: &WorkloadReport, unused: &[&UnusedSuppression], opts: &RenderOptions) -> Case {
    let fails = |s: Severity| opts.fail_on.is_some_and(|t| s >= t);
    let mut failing = String::new();
    let mut passing = String::new();
    let mut n_failing = 0;
    let mut worst: Option<Severity> = None;
    for f in &w.findings {
        let out = if fails(f.severity) {
            n_failing += 1;
            worst = worst.max(Some(f.severity));
            &mut failing
        } else {
            &mut passing
        };
        finding_line(
            out,
            &f.file,
            f.line,
            &f.rule,
            f.severity,
            &f.message,
            &f.remediation,
        );
    }
    for u in unused {
        let out = if fails(u.severity) {
            n_failing += 1;
            worst = worst.max(Some(u.severity));
            &mut failing
        } else {
            &mut passing
        };
        unused_line(out, u);
    }
    let mut reasons = Vec::new();
    let mut kind = worst.map(|s| s.as_str().to_string());
    if let Some(t) = opts.fail_on.filter(|_| n_failing > 0) {
        reasons.push(format!("{n_failing} finding(s) at or above {t}"));
    }
    if let Some(min) = opts.min_phase.filter(|m| w.phase < *m) {
        reasons.push(format!("phase {} is below --min-phase {min}", w.phase));
        kind.get_or_insert_with(|| "min-phase".to_string());
        let _ = writeln!(
            failing,
            "{}:{}: {} is {} (score {}); the roadmap to the next phase: {}",
            w.file,
            w.line,
            w.name,
            w.phase,
            w.score,
            if w.roadmap.is_empty() {
                "evidence needed".to_string()
            } else {
                w.roadmap
                    .iter()
                    .map(|r| &*r.rule)
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    let mut system_out = format!(
        "{} ({}, generation {}): {}, score {}, {}\n",
        w.name,
        w.kind.as_str(),
        w.generation.number(),
        w.phase,
        w.score,
        w.disposition.as_str()
    );
    if !passing.is_empty() {
        system_out.push_str("Below the gate's threshold:\n");
        system_out.push_str(&passing);
    }
    for s in &w.suppressed {
        let _ = writeln!(
            system_out,
            "suppressed {} at {}:{} by {} {}:{}{}",
            s.rule,
            s.file,
            s.line,
            s.by.origin.as_str(),
            s.by.file,
            s.by.line,
            s.reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    Case {
        classname: w.kind.as_str().to_string(),
        name: w.name.clone(),
        file: w.file.to_string(),
        line: Some(w.line),
        failure: (!reasons.is_empty()).then(|| {
            (
                reasons.join("; "),
                kind.unwrap_or_else(|| "fitscan".to_string()),
                failing,
            )
        }),
        error: None,
        skipped: None,
        system_out,
    }
}

fn error_case(e: &ScanError) -> Case {
    Case {
        classname: e.rule.to_string(),
        name: e.file.clone(),
        file: e.file.clone(),
        line: e.line,
        failure: None,
        error: Some((e.message.clone(), e.rule.to_string(), format!("{e}\n"))),
        skipped: None,
        system_out: String::new(),
    }
}

fn skipped_case(s: &Skipped) -> Case {
    Case {
        classname: "skipped".to_string(),
        name: s.file.clone(),
        file: s.file.clone(),
        line: None,
        failure: None,
        error: None,
        skipped: Some(s.reason.clone()),
        system_out: String::new(),
    }
}

fn config_unused_case(u: &UnusedSuppression, opts: &RenderOptions) -> Case {
    let mut body = String::new();
    unused_line(&mut body, u);
    let fails = opts.fail_on.is_some_and(|t| u.severity >= t);
    Case {
        classname: u.rule.to_string(),
        name: format!("{} at line {}", u.suppressed_rule, u.line),
        file: u.file.to_string(),
        line: Some(u.line),
        failure: fails.then(|| {
            (
                u.message.clone(),
                u.severity.as_str().to_string(),
                body.clone(),
            )
        }),
        error: None,
        skipped: None,
        system_out: if fails { String::new() } else { body },
    }
}

fn counts(cases: &[Case]) -> (usize, usize, usize, usize) {
    (
        cases.len(),
        cases.iter().filter(|c| c.failure.is_some()).count(),
        cases.iter().filter(|c| c.error.is_some()).count(),
        cases.iter().filter(|c| c.skipped.is_some()).count(),
    )
}

pub fn render(report: &Report, opts: &RenderOptions) -> String {
    let mut suites: BTreeMap<String, Vec<Case>> = BTreeMap::new();
    let mut unused_of: HashMap<(&str, &str), Vec<&UnusedSuppression>> = HashMap::new();
    for u in &report.unused_suppressions {
        if let Some(w) = &u.workload {
            unused_of.entry((&u.file, w)).or_default().push(u);
        }
    }
    for w in &report.workloads {
        let unused = unused_of
            .get(&(&*w.file, w.name.as_str()))
            .map_or(&[][..], Vec::as_slice);
        suites
            .entry(w.file.to_string())
            .or_default()
            .push(workload_case(w, unused, opts));
    }
    for e in &report.errors {
        suites
            .entry(e.file.clone())
            .or_default()
            .push(error_case(e));
    }
    for s in &report.skipped {
        suites
            .entry(s.file.clone())
            .or_default()
            .push(skipped_case(s));
    }
    for u in report
        .unused_suppressions
        .iter()
        .filter(|u| u.workload.is_none())
    {
        suites
            .entry(u.file.to_string())
            .or_default()
            .push(config_unused_case(u, opts));
    }

    let mut buffer = Vec::new();
    let mut writer = Writer::new_with_indent(&mut buffer, b' ', 2);
    // Writing to a Vec cannot fail; an error here would be a bug in the writer.
    let _ = write_document(&mut writer, &suites);
    let mut out = String::from_utf8_lossy(&buffer).into_owned();
    out.push('\n');
    out
}

fn write_document(
    writer: &mut Writer<&mut Vec<u8>>,
    suites: &BTreeMap<String, Vec<Case>>,
) -> std::io::Result<()> {
    writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let all: Vec<(usize, usize, usize, usize)> = suites.values().map(|c| counts(c)).collect();
    let total = |i: usize| {
        all.iter()
            .map(|c| [c.0, c.1, c.2, c.3][i])
            .sum::<usize>()
            .to_string()
    };
    writer
        .create_element("testsuites")
        .with_attribute(("name", "fitscan"))
        .with_attribute(("tests", total(0).as_str()))
        .with_attribute(("failures", total(1).as_str()))
        .with_attribute(("errors", total(2).as_str()))
        .with_attribute(("skipped", total(3).as_str()))
        .with_attribute(("time", "0"))
        .write_inner_content(|w| {
            for (file, cases) in suites {
                let (tests, failures, errors, skipped) = counts(cases);
                w.create_element("testsuite")
                    .with_attribute(("name", xml_safe(file).as_str()))
                    .with_attribute(("tests", tests.to_string().as_str()))
                    .with_attribute(("failures", failures.to_string().as_str()))
                    .with_attribute(("errors", errors.to_string().as_str()))
                    .with_attribute(("skipped", skipped.to_string().as_str()))
                    .with_attribute(("time", "0"))
                    .write_inner_content(|w| {
                        for case in cases {
                            write_case(w, case)?;
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        })?;
    Ok(())
}

fn write_case(w: &mut Writer<&mut Vec<u8>>, case: &Case) -> std::io::Result<()> {
    let line = case.line.map(|l| l.to_string());
    let name = xml_safe(&case.name);
    let classname = xml_safe(&case.classname);
    let file = xml_safe(&case.file);
    let mut element = w
        .create_element("testcase")
        .with_attribute(("name", name.as_str()))
        .with_attribute(("classname", classname.as_str()))
        .with_attribute(("file", file.as_str()));
    if let Some(l) = &line {
        element = element.with_attribute(("line", l.as_str()));
    }
    element
        .with_attribute(("time", "0"))
        .write_inner_content(|w| {
            for (tag, detail) in [("failure", &case.failure), ("error", &case.error)] {
                if let Some((message, kind, body)) = detail {
                    let message = xml_safe(message);
                    let kind = xml_safe(kind);
                    w.create_element(tag)
                        .with_attribute(("message", message.as_str()))
                        .with_attribute(("type", kind.as_str()))
                        .write_text_content(text(body))?;
                }
            }
            if let Some(reason) = &case.skipped {
                let reason = xml_safe(reason);
                w.create_element("skipped")
                    .with_attribute(("message", reason.as_str()))
                    .write_empty()?;
            }
            if !case.system_out.is_empty() {
                w.create_element("system-out")
                    .write_text_content(text(&case.system_out))?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_the_xml() {
        assert_eq!(xml_safe("a\u{1}b\tc\n"), "a\u{FFFD}b\tc\n");
        assert_eq!(xml_safe("\u{FFFF}"), "\u{FFFD}");
    }
}
