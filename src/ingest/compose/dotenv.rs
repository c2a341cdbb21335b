//! `.env` as Compose reads it: `KEY=value` (or `KEY: value`) lines, `export` prefixes,
//! `#` comments (inline ones after a blank in an unquoted value), single quotes literal,
//! double quotes with escapes, both spanning lines, `KEY=` empty, and `${VAR}` referring
//! to the variables above. A bare `KEY` takes the shell's value in Compose: never read here,
//! so it stays unset.

use super::interpolate::{Env, Provenance, interpolate_with};

/// Why a `.env` could not be read, at its line.
#[derive(Debug, Clone, PartialEq)]
pub struct DotenvError {
    pub line: u32,
    pub message: String,
}

/// The variables of `text`, read from the file shown as `source`.
pub fn parse(text: &str, source: &str) -> Result<Env, DotenvError> {
    let mut env = Env::from_file(source);
    // One budget for the whole file: values that refer to each other cannot blow up.
    let mut seen = Provenance::default();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let line = lines[i].trim_start();
        i += 1;
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let split = line.find(['=', ':']);
        let (key, rest) = match split {
            Some(at) => (line[..at].trim(), Some(&line[at + 1..])),
            None => (line.trim(), None),
        };
        if key.is_empty()
            || !key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-')
        {
            return Err(DotenvError {
                line: line_no,
                message: format!(
                    "`{}` is not a variable name (expected KEY=value)",
                    key.trim()
                ),
            });
        }
        let Some(rest) = rest else {
            // `KEY` alone: the shell's value, which a scan never reads.
            continue;
        };
        let value = rest.trim_start();
        let (value, literal) = match value.chars().next() {
            Some(q @ ('\'' | '"')) => {
                let (body, used) =
                    quoted(&value[1..], q, &lines[i..]).ok_or_else(|| DotenvError {
                        line: line_no,
                        message: format!("`{key}`: the value's {q} quote is never closed"),
                    })?;
                i += used;
                if q == '"' {
                    (unescape(&body), false)
                } else {
                    (body, true)
                }
            }
            _ => (unquoted(value).to_string(), false),
        };
        if literal {
            env.set(key, Some(value));
        } else {
            let (text, unresolved) = interpolate_with(&value, &env, &mut seen);
            if seen.exhausted {
                return Err(DotenvError {
                    line: line_no,
                    message: format!(
                        "`{key}`: the variables expand beyond {} MiB (a value that refers to itself over and over?)",
                        super::interpolate::MAX_SUBSTITUTED / (1024 * 1024)
                    ),
                });
            }
            env.set(key, (!unresolved).then_some(text));
        }
    }
    Ok(env)
}

/// The text up to the closing quote `q` (not escaped by `\` in double quotes), reading on
/// into the following lines; with the number of extra lines used.
fn quoted(first: &str, q: char, more: &[&str]) -> Option<(String, usize)> {
    let mut body = String::new();
    for (used, part) in std::iter::once(first)
        .chain(more.iter().copied())
        .enumerate()
    {
        if used > 0 {
            body.push('\n');
        }
        let mut escaped = false;
        for (at, c) in part.char_indices() {
            if c == q && !escaped {
                body.push_str(&part[..at]);
                return Some((body, used));
            }
            escaped = q == '"' && c == '\\' && !escaped;
        }
        body.push_str(part);
    }
    None
}

/// An unquoted value: up to an inline comment (`#` after a blank), trimmed.
fn unquoted(value: &str) -> &str {
    let mut end = value.len();
    let bytes = value.as_bytes();
    for (at, b) in bytes.iter().enumerate() {
        if *b == b'#' && (at == 0 || bytes[at - 1].is_ascii_whitespace()) {
            end = at;
            break;
        }
    }
    value[..end].trim()
}

fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other @ ('"' | '\\')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_text_gives_variables_or_an_error_on_a_line(
            text in "([A-Z_]{1,3}|export |[=:'\"#$ {}\\\n]|\\PC)*"
        ) {
            if let Err(e) = parse(&text, ".env") {
                let lines = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
                prop_assert!(e.line >= 1 && e.line <= lines.max(1), "{e:?}");
            }
        }
    }

    #[test]
    fn compose_dotenv_syntax() {
        let text = "\
# a comment
TAG=1.4.2
export REGISTRY=ghcr.io/acme   # inline comment
EMPTY=
SPACED = padded value
HASH=a#b
SINGLE='${TAG} stays # literal'
DOUBLE=\"v${TAG}\\n# kept\"
MULTI=\"line one
line two\"
COLON: yes
REF=${REGISTRY}/web:${TAG}
SHELL=${HOME}
BARE
";
        let env = parse(text, ".env").unwrap_or_else(|e| panic!("{e:?}"));
        let get = |k: &str| env.get(k).map(str::to_string);
        assert_eq!(get("TAG").as_deref(), Some("1.4.2"));
        assert_eq!(get("REGISTRY").as_deref(), Some("ghcr.io/acme"));
        assert_eq!(get("EMPTY").as_deref(), Some(""));
        assert_eq!(get("SPACED").as_deref(), Some("padded value"));
        assert_eq!(get("HASH").as_deref(), Some("a#b"));
        assert_eq!(get("SINGLE").as_deref(), Some("${TAG} stays # literal"));
        assert_eq!(get("DOUBLE").as_deref(), Some("v1.4.2\n# kept"));
        assert_eq!(get("MULTI").as_deref(), Some("line one\nline two"));
        assert_eq!(get("COLON").as_deref(), Some("yes"));
        assert_eq!(get("REF").as_deref(), Some("ghcr.io/acme/web:1.4.2"));
        assert_eq!(get("SHELL"), None, "refers to the shell: unknown");
        assert_eq!(get("BARE"), None, "the shell's value: never read");
    }

    #[test]
    fn a_value_doubling_itself_is_an_error_not_a_blowup() {
        let text = format!("A=x\n{}", "A=$A$A\n".repeat(64));
        let e = parse(&text, ".env").err();
        assert_eq!(e.as_ref().map(|e| e.line), Some(25), "{e:?}");
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("A=1\nB=\"open\nC=2\n", ".env").err();
        assert_eq!(e.map(|e| e.line), Some(2));
        let e = parse("A=1\n=x\n", ".env").err();
        assert_eq!(e.map(|e| e.line), Some(2));
    }
}
