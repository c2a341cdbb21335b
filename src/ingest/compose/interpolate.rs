//! Compose's variable interpolation, with the values a project's `.env` sets.
//!
//! The shell environment is never read: a report must not depend on the machine that
//! produced it. So a variable `.env` does not set is unknown, and an expression that needs
//! it stays as written (a rule reading it is unknown, not failed), except the defaults the
//! file itself writes (`${VAR:-default}`, `${VAR-default}`), which are taken.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Nested `${A:-${B:-...}}` deeper than this stays as written: real files nest two or three
/// levels, and each level rescans the text.
const MAX_NESTING: usize = 32;

/// The variables a project's `.env` sets. A value of None is set to something fitscan
/// cannot know (it refers to a variable of the shell).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Env {
    vars: HashMap<String, (Option<String>, Arc<str>)>,
    /// The file the variables set from now on come from.
    source: Arc<str>,
}

enum Lookup<'a> {
    Unset,
    Unknown,
    Set(&'a str),
}

impl Env {
    /// An empty set of variables read from `source`.
    pub fn from_file(source: &str) -> Env {
        Env {
            vars: HashMap::new(),
            source: Arc::from(source),
        }
    }

    pub fn set(&mut self, name: &str, value: Option<String>) {
        self.vars
            .insert(name.to_string(), (value, Arc::clone(&self.source)));
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).and_then(|v| v.0.as_deref())
    }

    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// `self`, with the variables of `other` that `self` does not set (an included
    /// project's `.env` under its includer's, which wins as Compose has it).
    pub fn under(&self, other: &Env) -> Env {
        let mut out = self.clone();
        for (k, v) in &other.vars {
            out.vars.entry(k.clone()).or_insert_with(|| v.clone());
        }
        out
    }

    fn lookup(&self, name: &str) -> Lookup<'_> {
        match self.vars.get(name) {
            None => Lookup::Unset,
            Some((None, _)) => Lookup::Unknown,
            Some((Some(v), _)) => Lookup::Set(v),
        }
    }

    fn source(&self, name: &str) -> Arc<str> {
        self.vars
            .get(name)
            .map_or_else(|| Arc::clone(&self.source), |v| Arc::clone(&v.1))
    }
}

/// Bytes of variable values one `.env` or one project may copy in all: `A=$A$A` on every
/// line of a `.env` doubles a value each time, and `${A}` written a million times copies it
/// a million times.
pub const MAX_SUBSTITUTED: usize = 16 * 1024 * 1024;

/// Where the values of an interpolation came from, for the workload's notes, and how much it
/// may still copy.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// Variables read from a `.env`, with the file.
    pub from_env: BTreeMap<String, Arc<str>>,
    /// Variables `.env` does not set whose default, written in the file, was taken.
    pub defaulted: BTreeSet<String>,
    /// Bytes of values it may still copy; past them, variables stay as written.
    pub budget: usize,
    /// A variable was left as written because the budget ran out.
    pub exhausted: bool,
}

impl Default for Provenance {
    fn default() -> Self {
        Provenance::with_budget(MAX_SUBSTITUTED)
    }
}

impl Provenance {
    pub fn with_budget(budget: usize) -> Self {
        Provenance {
            from_env: BTreeMap::new(),
            defaulted: BTreeSet::new(),
            budget,
            exhausted: false,
        }
    }

    /// Whether a value of `len` bytes may still be copied (and counts it).
    fn take(&mut self, len: usize) -> bool {
        if len > self.budget {
            self.exhausted = true;
            return false;
        }
        self.budget -= len;
        true
    }
}

/// The text with every variable `env` or a written default decides replaced, and whether a
/// variable was left unresolved (kept as written).
pub fn interpolate(text: &str) -> (String, bool) {
    interpolate_with(text, &Env::default(), &mut Provenance::default())
}

/// [`interpolate`] with `.env` values; records where values came from in `seen`.
pub fn interpolate_with(text: &str, env: &Env, seen: &mut Provenance) -> (String, bool) {
    expand(text, env, seen, 0)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn expand(text: &str, env: &Env, seen: &mut Provenance, depth: usize) -> (String, bool) {
    if !text.contains('$') {
        return (text.to_string(), false);
    }
    let mut out = String::with_capacity(text.len());
    let mut unresolved = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < text.len() {
        // `$` is ASCII: the text between two of them is copied whole, on char boundaries.
        let Some(next) = text[i..].find('$') else {
            out.push_str(&text[i..]);
            break;
        };
        out.push_str(&text[i..i + next]);
        i += next;
        match bytes.get(i + 1) {
            Some(b'$') => {
                out.push('$');
                i += 2;
            }
            Some(b'{') => {
                let close = if depth < MAX_NESTING {
                    matching_brace(text, i + 1)
                } else {
                    None
                };
                let Some(close) = close else {
                    // An unclosed (or too deeply nested) `${` is kept as written.
                    out.push_str(&text[i..]);
                    unresolved = true;
                    break;
                };
                let written = &text[i..=close];
                match braced(&text[i + 2..close], env, seen, depth) {
                    Some((value, inner_unresolved)) => {
                        out.push_str(&value);
                        unresolved |= inner_unresolved;
                    }
                    None => {
                        out.push_str(written);
                        unresolved = true;
                    }
                }
                i = close + 1;
            }
            Some(b) if b.is_ascii_alphabetic() || *b == b'_' => {
                let len = bytes[i + 1..]
                    .iter()
                    .take_while(|b| is_name_byte(**b))
                    .count();
                let name = &text[i + 1..i + 1 + len];
                if let Lookup::Set(v) = env.lookup(name)
                    && seen.take(v.len())
                {
                    out.push_str(v);
                    seen.from_env.insert(name.to_string(), env.source(name));
                } else {
                    out.push_str(&text[i..i + 1 + len]);
                    unresolved = true;
                }
                i += 1 + len;
            }
            _ => {
                out.push('$');
                i += 1;
            }
        }
    }
    (out, unresolved)
}

/// The value of `${inner}`, or None to keep it as written (unresolved).
fn braced(inner: &str, env: &Env, seen: &mut Provenance, depth: usize) -> Option<(String, bool)> {
    let name_len = inner.bytes().take_while(|b| is_name_byte(*b)).count();
    if name_len == 0 {
        return None;
    }
    let (name, rest) = inner.split_at(name_len);
    let value = env.lookup(name);
    let source = env.source(name);
    let mut from_env = |v: &str| {
        if !seen.take(v.len()) {
            return None;
        }
        seen.from_env.insert(name.to_string(), Arc::clone(&source));
        Some((v.to_string(), false))
    };
    if rest.is_empty() {
        return match value {
            Lookup::Set(v) => from_env(v),
            _ => None,
        };
    }
    // Two-character operators first: `:-` before `-`. Operators are ASCII: anything else
    // (`${VAR/x}`, `${VARé}`) is no operator and stays as written.
    let op_len = if rest.starts_with(':') { 2 } else { 1 };
    if !rest.is_char_boundary(op_len) {
        return None;
    }
    let (op, arg) = rest.split_at(op_len);
    let nested = |seen: &mut Provenance| Some(expand(arg, env, seen, depth + 1));
    match (op, value) {
        (":-", Lookup::Set(v)) if !v.is_empty() => from_env(v),
        ("-", Lookup::Set(v)) => from_env(v),
        (":-", Lookup::Set(_)) => {
            seen.from_env.insert(name.to_string(), source);
            nested(seen)
        }
        (":-" | "-", Lookup::Unset) => {
            seen.defaulted.insert(name.to_string());
            nested(seen)
        }
        (":?", Lookup::Set(v)) if !v.is_empty() => from_env(v),
        ("?", Lookup::Set(v)) => from_env(v),
        (":+", Lookup::Set("")) => from_env(""),
        (":+" | "+", Lookup::Set(_)) => {
            seen.from_env.insert(name.to_string(), source);
            nested(seen)
        }
        // Unset here may be set by the shell at deploy time; unknown values stay unknown.
        _ => None,
    }
}

/// The `}` closing the `{` at `open`, counting nested braces.
fn matching_brace(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate().skip(open) {
        match b {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn env(pairs: &[(&str, Option<&str>)]) -> Env {
        let mut e = Env::default();
        for (k, v) in pairs {
            e.set(k, v.map(str::to_string));
        }
        e
    }

    fn with(text: &str, e: &Env) -> (String, bool) {
        interpolate_with(text, e, &mut Provenance::default())
    }

    #[test]
    fn without_env_defaults_are_taken_and_the_rest_kept() {
        assert_eq!(interpolate("${TAG:-1.2}"), ("1.2".into(), false));
        assert_eq!(interpolate("${TAG-1.2}"), ("1.2".into(), false));
        assert_eq!(interpolate("a$$b"), ("a$b".into(), false));
        assert_eq!(interpolate("${TAG}"), ("${TAG}".into(), true));
        assert_eq!(interpolate("$TAG-x"), ("$TAG-x".into(), true));
        assert_eq!(
            interpolate("${TAG:?set TAG}"),
            ("${TAG:?set TAG}".into(), true)
        );
        assert_eq!(interpolate("${TAG:+x}"), ("${TAG:+x}".into(), true));
        assert_eq!(
            interpolate("${REG:-${MIRROR:-docker.io}}/app"),
            ("docker.io/app".into(), false)
        );
        assert_eq!(interpolate("${A:-${B}}"), ("${B}".into(), true));
        assert_eq!(interpolate("${unclosed"), ("${unclosed".into(), true));
        assert_eq!(interpolate("price: 5$"), ("price: 5$".into(), false));
        assert_eq!(interpolate("é${X:-ü}é"), ("éüé".into(), false));
        assert_eq!(interpolate("${}"), ("${}".into(), true));
        assert_eq!(interpolate("${Aé}"), ("${Aé}".into(), true));
        assert_eq!(interpolate("${A:é}"), ("${A:é}".into(), true));
        assert_eq!(interpolate("${A:}"), ("${A:}".into(), true));
    }

    #[test]
    fn env_values_follow_the_operators() {
        let e = env(&[
            ("TAG", Some("2.0")),
            ("EMPTY", Some("")),
            ("SHELL_ONLY", None),
        ]);
        let cases = [
            ("${TAG}", "2.0", false),
            ("$TAG.1", "2.0.1", false),
            ("${TAG:-1}", "2.0", false),
            ("${TAG-1}", "2.0", false),
            ("${EMPTY:-d}", "d", false),
            ("${EMPTY-d}", "", false),
            ("${TAG:?need it}", "2.0", false),
            ("${EMPTY:?need it}", "${EMPTY:?need it}", true),
            ("${EMPTY?need it}", "", false),
            ("${TAG:+alt}", "alt", false),
            ("${EMPTY:+alt}", "", false),
            ("${EMPTY+alt}", "alt", false),
            ("${MISSING+alt}", "${MISSING+alt}", true),
            ("${TAG:+${EMPTY:-x}}", "x", false),
            ("${SHELL_ONLY:-d}", "${SHELL_ONLY:-d}", true),
            ("${SHELL_ONLY}", "${SHELL_ONLY}", true),
            ("${MISSING:-${TAG}}", "2.0", false),
            ("$$TAG", "$TAG", false),
        ];
        for (text, want, unresolved) in cases {
            assert_eq!(with(text, &e), (want.to_string(), unresolved), "{text}");
        }
        let mut seen = Provenance::default();
        interpolate_with("${TAG}:${PORT:-80}", &e, &mut seen);
        assert_eq!(seen.from_env.keys().collect::<Vec<_>>(), vec!["TAG"]);
        assert_eq!(seen.defaulted.iter().collect::<Vec<_>>(), vec!["PORT"]);
    }

    #[test]
    fn copies_stop_at_the_budget() {
        let e = env(&[("A", Some("0123456789"))]);
        let mut seen = Provenance::with_budget(25);
        let (text, unresolved) = interpolate_with("$A ${A} ${A:-x}", &e, &mut seen);
        assert_eq!(text, "0123456789 0123456789 ${A:-x}");
        assert!(unresolved && seen.exhausted);
    }

    #[test]
    fn deep_nesting_stops_without_recursing_further() {
        let deep = format!("{}x{}", "${A:-".repeat(10_000), "}".repeat(10_000));
        let (text, unresolved) = interpolate(&deep);
        assert!(unresolved);
        assert!(text.ends_with('}'));
    }

    proptest! {
        #[test]
        fn never_panics(text in "(\\PC|[${}:?+-]|\\$\\{[A-Z]{1,2}[:?+-]{0,2}\\PC?)*") {
            let e = env(&[("A", Some("1")), ("B", None), ("E", Some(""))]);
            let _ = with(&text, &e);
        }

        #[test]
        fn escaped_dollars_round_trip(text in "\\PC*") {
            let escaped = text.replace('$', "$$");
            prop_assert_eq!(interpolate(&escaped), (text, false));
        }
    }
}
