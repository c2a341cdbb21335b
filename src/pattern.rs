//! A regular expression compiled when it is first used. The default rules and the lifecycle
//! table hold a few hundred patterns, and compiling them all took two thirds of a one-file
//! scan's start-up; most scans use a fraction of them. Patterns a user wrote are compiled as
//! they are read, so that a bad one is an error naming its file and line; the embedded ones
//! are compiled by a test (`every_embedded_pattern_compiles` in the rules and the lifecycle
//! table), so that their first use cannot fail.
//!
//! An embedded pattern also knows, from the build (`build/required_literals.rs`), literals
//! one of which every ASCII text it matches contains: a text with none of them is no match,
//! found without compiling the pattern. Most texts a rule looks at are such texts, so most
//! patterns of a small scan are never compiled.

use std::cell::RefCell;
use std::sync::OnceLock;

use regex::{Captures, Regex, RegexBuilder};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/pattern_literals.rs"));
}

/// The literals the build found for an embedded pattern.
fn required_literals(text: &str) -> Option<&'static [&'static str]> {
    embedded::PATTERN_LITERALS
        .binary_search_by(|(p, _)| (*p).cmp(text))
        .ok()
        .map(|i| embedded::PATTERN_LITERALS[i].1)
}

/// Whether `text` holds one of `words` (lower case), ASCII case aside: a text without any
/// cannot match a pattern every match of which holds one (the literals the build found for an
/// embedded pattern, or those listed beside a built-in one), and the pattern need not be
/// compiled or run. Non-ASCII text is always "maybe": Unicode case folding reads `ſ` as `s`
/// and the Kelvin sign as `k`.
pub fn may_hold_any(text: &str, words: &[&str]) -> bool {
    if !text.is_ascii() {
        return true;
    }
    // The texts are short (an instruction, a path, an image): lowercasing once and a
    // substring search per word costs less than building an automaton per pattern.
    thread_local! {
        static LOWER: RefCell<String> = const { RefCell::new(String::new()) };
    }
    LOWER.with_borrow_mut(|lower| {
        lower.clear();
        lower.push_str(text);
        lower.make_ascii_lowercase();
        words.iter().any(|w| lower.contains(w))
    })
}

/// The compiled program's limit: a pattern is data a workshop writes, and one that compiles to
/// more than 4 MiB is refused instead of taking the memory.
pub const SIZE_LIMIT: usize = 1 << 22;

pub struct Pattern {
    text: Box<str>,
    compiled: OnceLock<Option<Regex>>,
    /// Literals one of which every ASCII match contains (ASCII case aside).
    literals: Option<&'static [&'static str]>,
}

impl Pattern {
    /// Compiles `text` now: the error says what is wrong with it.
    pub fn compile(text: &str) -> Result<Pattern, regex::Error> {
        let re = build(text)?;
        let compiled = OnceLock::new();
        let _ = compiled.set(Some(re));
        Ok(Pattern {
            text: text.into(),
            compiled,
            literals: None,
        })
    }

    /// A pattern compiled on first use: for text a test has compiled (the embedded rules).
    pub fn deferred(text: &str) -> Pattern {
        Pattern {
            text: text.into(),
            compiled: OnceLock::new(),
            literals: required_literals(text),
        }
    }

    /// False when `haystack` cannot match: an ASCII text without any of the literals.
    fn may_match(&self, haystack: &str) -> bool {
        let Some(literals) = self.literals else {
            return true;
        };
        // Once compiled, the expression's own search (which has literal prefilters of its
        // own) costs less than lowercasing the text and a substring search per literal.
        if self.compiled.get().is_some() {
            return true;
        }
        may_hold_any(haystack, literals)
    }

    /// The compiled expression; `None` only for a deferred pattern that does not compile,
    /// which the embedded data's tests rule out.
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| build(&self.text).ok())
            .as_ref()
    }

    /// Whether `haystack` matches (a pattern that does not compile matches nothing).
    pub fn is_match(&self, haystack: &str) -> bool {
        self.may_match(haystack) && self.regex().is_some_and(|re| re.is_match(haystack))
    }

    /// The groups of the first match, as [`Regex::captures`].
    pub fn captures<'h>(&self, haystack: &'h str) -> Option<Captures<'h>> {
        if !self.may_match(haystack) {
            return None;
        }
        self.regex()?.captures(haystack)
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

fn build(text: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(text).size_limit(SIZE_LIMIT).build()
}

impl Clone for Pattern {
    fn clone(&self) -> Self {
        let compiled = OnceLock::new();
        if let Some(done) = self.compiled.get() {
            let _ = compiled.set(done.clone());
        }
        Pattern {
            text: self.text.clone(),
            compiled,
            literals: self.literals,
        }
    }
}

impl std::fmt::Debug for Pattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pattern({:?})", self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deferred_compiles_on_first_use_and_matches_like_a_regex() {
        let p = Pattern::deferred("(?i)^supervisord$");
        assert!(p.compiled.get().is_none());
        assert!(p.is_match("SupervisorD"));
        assert!(p.compiled.get().is_some());
        assert!(!p.is_match("tini"));
        assert_eq!(p.as_str(), "(?i)^supervisord$");
    }

    #[test]
    fn compile_reports_the_error_and_a_broken_deferred_pattern_matches_nothing() {
        assert!(Pattern::compile("(unclosed").is_err());
        let p = Pattern::deferred("(unclosed");
        assert!(p.regex().is_none());
        assert!(!p.is_match("(unclosed"));
    }

    /// Every embedded pattern with literals, on every line of the rules' fixtures and test
    /// cases and on made-up texts: where the literals say "no match", the pattern agrees.
    #[test]
    fn the_literals_of_an_embedded_pattern_never_refuse_a_match() {
        let mut texts: Vec<String> = Vec::new();
        for (_, content) in crate::rules::loader::embedded_test_files() {
            let text = String::from_utf8_lossy(content);
            texts.extend(text.lines().map(str::to_string));
        }
        for (_, text) in crate::rules::loader::embedded_files() {
            texts.extend(text.lines().map(|l| l.trim().to_string()));
        }
        let mut refused = 0;
        for (text, literals) in embedded::PATTERN_LITERALS {
            assert!(!literals.is_empty(), "{text}");
            let p = Pattern::deferred(text);
            let re = build(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            // Each literal alone, and inside words, upper-cased: matches are not refused.
            let mut own: Vec<String> = literals.iter().map(|l| l.to_string()).collect();
            own.extend(
                literals
                    .iter()
                    .map(|l| format!("x {} y", l.to_ascii_uppercase())),
            );
            for t in texts.iter().chain(&own) {
                if !p.may_match(t) {
                    refused += 1;
                    assert!(
                        !re.is_match(t),
                        "`{text}` matches `{t}`, its literals {literals:?} said no"
                    );
                }
            }
        }
        assert!(
            refused > 10_000,
            "the literals refused only {refused} texts"
        );
    }

    #[test]
    fn a_deferred_pattern_with_literals_refuses_without_compiling() {
        let Some((text, _)) = embedded::PATTERN_LITERALS.first() else {
            panic!("no embedded pattern has literals");
        };
        let p = Pattern::deferred(text);
        assert!(p.literals.is_some());
        assert!(!p.is_match("0"));
        assert!(p.compiled.get().is_none());
        // A non-ASCII text is always given to the pattern.
        assert!(p.may_match("é"));
    }

    #[test]
    fn may_hold_any_ignores_ascii_case_and_passes_other_text_on() {
        assert!(may_hold_any("IBM z/OS 2.5", &["os"]));
        assert!(may_hold_any("Talos Linux", &["coreos", "talos"]));
        assert!(!may_hold_any("Red Hat Enterprise Linux 9", &["os", "vm"]));
        // `(?i)os` matches the long s: never refused.
        assert!(may_hold_any("z/Oſ", &["os"]));
    }

    #[test]
    fn a_pattern_over_the_size_limit_is_refused() {
        assert!(Pattern::compile(r"\w{1000}\w{1000}\w{1000}").is_err());
    }
}
