//! Several outputs in one run: `--format sarif=out.sarif --format junit=out.xml --format
//! table`. A format without `=PATH` goes to standard output; at most one may.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use super::Format;

/// One requested output: a format, and the file it goes to (None: standard output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    pub format: Format,
    pub path: Option<PathBuf>,
}

impl FromStr for OutputSpec {
    type Err = String;
    /// `FORMAT` or `FORMAT=PATH`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (name, path) = match s.split_once('=') {
            Some((name, path)) => {
                if path.trim().is_empty() {
                    return Err(format!("`{s}`: a path is needed after `=`"));
                }
                (name.trim(), Some(PathBuf::from(path)))
            }
            None => (s.trim(), None),
        };
        Ok(OutputSpec {
            format: name.parse()?,
            path,
        })
    }
}

impl fmt::Display for OutputSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Format::ALL
            .iter()
            .find(|(_, format)| *format == self.format)
            .map_or("?", |(name, _)| name);
        match &self.path {
            Some(p) => write!(f, "{name}={}", p.display()),
            None => f.write_str(name),
        }
    }
}

/// The outputs to write: the formats asked for (the table when none), with `--output FILE`
/// taking the place of standard output for the one format that has no path of its own.
pub fn plan(specs: Vec<OutputSpec>, output: Option<PathBuf>) -> Result<Vec<OutputSpec>, String> {
    let mut specs = if specs.is_empty() {
        vec![OutputSpec {
            format: Format::Table,
            path: None,
        }]
    } else {
        specs
    };
    let to_stdout: Vec<usize> = (0..specs.len())
        .filter(|i| specs[*i].path.is_none())
        .collect();
    if to_stdout.len() > 1 {
        let names: Vec<String> = to_stdout.iter().map(|i| specs[*i].to_string()).collect();
        return Err(format!(
            "at most one format may go to standard output, but {} do ({}); write the others to files with FORMAT=PATH",
            names.len(),
            names.join(", ")
        ));
    }
    if let Some(file) = output {
        match to_stdout.first() {
            Some(i) => specs[*i].path = Some(file),
            None => {
                return Err(format!(
                    "--output {}: every --format already names its own file",
                    file.display()
                ));
            }
        }
    }
    let mut seen: Vec<&PathBuf> = Vec::new();
    for spec in &specs {
        if let Some(p) = &spec.path {
            if seen.contains(&p) {
                return Err(format!(
                    "{} is the destination of more than one format",
                    p.display()
                ));
            }
            seen.push(p);
        }
    }
    Ok(specs)
}

/// The line that says a report was written: `wrote report.html (html, 123 KB)`.
pub fn written(path: &std::path::Path, format: Format, bytes: u64) -> String {
    let name = Format::ALL
        .iter()
        .find(|(_, f)| *f == format)
        .map_or("?", |(n, _)| n);
    let size = if bytes < 1024 {
        format!("{bytes} bytes")
    } else if bytes < 1024 * 1024 {
        format!("{} KB", bytes.div_ceil(1024))
    } else {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0))
    };
    format!("wrote {} ({name}, {size})", path.display())
}

/// A binary format (xlsx) written to a terminal would fill it with bytes: refuse, and say
/// how to write it to a file instead.
pub fn refuse_binary_on_terminal(
    specs: &[OutputSpec],
    stdout_is_terminal: bool,
) -> Result<(), String> {
    match specs
        .iter()
        .find(|s| s.path.is_none() && s.format.is_binary())
    {
        Some(spec) if stdout_is_terminal => Err(format!(
            "--format {spec} is a binary format and standard output is a terminal: write it to a file with --format {spec}=PATH or --output PATH (or redirect standard output)"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(s: &str) -> OutputSpec {
        s.parse().unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn parses_format_and_path() {
        assert_eq!(spec("sarif").path, None);
        let s = spec("sarif=out/x.sarif");
        assert_eq!(s.format, Format::Sarif);
        assert_eq!(s.path, Some(PathBuf::from("out/x.sarif")));
        assert_eq!(s.to_string(), "sarif=out/x.sarif");
        assert!("yaml=x".parse::<OutputSpec>().is_err());
        assert!("json=".parse::<OutputSpec>().is_err());
    }

    #[test]
    fn one_format_on_stdout_and_output_takes_its_place() {
        let plan_of = |specs: &[&str], out: Option<&str>| {
            plan(
                specs.iter().map(|s| spec(s)).collect(),
                out.map(PathBuf::from),
            )
        };
        assert_eq!(
            plan_of(&[], None).map(|p| p.len()),
            Ok(1),
            "the table by default"
        );
        let p = plan_of(&["sarif=a.sarif", "json"], Some("r.json")).unwrap_or_default();
        assert_eq!(p[1].path, Some(PathBuf::from("r.json")));
        assert!(
            plan_of(&["json", "table"], None)
                .is_err_and(|e| e.contains("at most one format may go to standard output"))
        );
        assert!(plan_of(&["json=a", "sarif=a"], None).is_err_and(|e| e.contains("more than one")));
        assert!(plan_of(&["json=a"], Some("b")).is_err());
    }

    #[test]
    fn a_written_file_is_named_with_its_format_and_size() {
        let p = std::path::Path::new("report.html");
        assert_eq!(
            written(p, Format::Html, 125_000),
            "wrote report.html (html, 123 KB)"
        );
        assert_eq!(
            written(p, Format::Json, 12),
            "wrote report.html (json, 12 bytes)"
        );
        assert_eq!(
            written(p, Format::Xlsx, 3 * 1024 * 1024),
            "wrote report.html (xlsx, 3.0 MB)"
        );
    }

    #[test]
    fn binary_formats_never_go_to_a_terminal() {
        let to_stdout = [spec("xlsx")];
        let err = refuse_binary_on_terminal(&to_stdout, true)
            .err()
            .unwrap_or_default();
        assert!(err.contains("--format xlsx=PATH"), "{err}");
        assert!(
            refuse_binary_on_terminal(&to_stdout, false).is_ok(),
            "a pipe or a file is fine"
        );
        assert!(refuse_binary_on_terminal(&[spec("xlsx=a.xlsx"), spec("html")], true).is_ok());
    }
}
