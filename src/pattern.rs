//! A regular expression compiled when it is first used. The default rules and the lifecycle
//! table hold a few hundred patterns, and compiling them all took two thirds of a one-file
//! scan's start-up; most scans use a fraction of them. Patterns a user wrote are compiled as
//! they are read, so that a bad one is an error naming its file and line; the embedded ones
//! are compiled by a test (`every_embedded_pattern_compiles` in the rules and the lifecycle
//! table), so that their first use cannot fail.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};

/// The compiled program's limit: a pattern is data a workshop writes, and one that compiles to
/// more than 4 MiB is refused instead of taking the memory.
pub const SIZE_LIMIT: usize = 1 << 22;

pub struct Pattern {
    text: Box<str>,
    compiled: OnceLock<Option<Regex>>,
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
        })
    }

    /// A pattern compiled on first use: for text a test has compiled (the embedded rules).
    pub fn deferred(text: &str) -> Pattern {
        Pattern {
            text: text.into(),
            compiled: OnceLock::new(),
        }
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
        self.regex().is_some_and(|re| re.is_match(haystack))
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

    #[test]
    fn a_pattern_over_the_size_limit_is_refused() {
        assert!(Pattern::compile(r"\w{1000}\w{1000}\w{1000}").is_err());
    }
}
