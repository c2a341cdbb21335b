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
//!
//! An ASCII text (nearly every text a rule looks at) is matched by the pattern compiled with
//! Unicode off, which matches the same there and compiles two to four times faster; a
//! non-ASCII text by the pattern as written.

use std::sync::OnceLock;

use regex::{Captures, Regex, RegexBuilder, bytes};

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
    let text = text.as_bytes();
    words
        .iter()
        .any(|w| holds_ignoring_case(text, w.as_bytes()))
}

/// Whether `text` holds `word` (lower case), ASCII case aside. The texts are short (an
/// instruction, a path, an image) and looked at by many patterns: finding the word's first
/// letter in either case with `memchr` and comparing the rest costs a fraction of lowercasing
/// the text and a general substring search.
fn holds_ignoring_case(text: &[u8], word: &[u8]) -> bool {
    let Some((&first, rest)) = word.split_first() else {
        return true;
    };
    let Some(last_start) = text.len().checked_sub(word.len()) else {
        return false;
    };
    memchr::memchr2_iter(first, first.to_ascii_uppercase(), &text[..=last_start])
        .any(|at| text[at + 1..at + word.len()].eq_ignore_ascii_case(rest))
}

/// The compiled program's limit: a pattern is data a workshop writes, and one that compiles to
/// more than 4 MiB is refused instead of taking the memory.
pub const SIZE_LIMIT: usize = 1 << 22;

pub struct Pattern {
    text: Box<str>,
    compiled: OnceLock<Option<Regex>>,
    /// The same expression with Unicode off, for ASCII texts (see [`Pattern::is_match`]);
    /// `None` when the pattern is not ASCII or needs Unicode (`\p{..}`).
    ascii: OnceLock<Option<bytes::Regex>>,
    /// Literals one of which every ASCII match contains (ASCII case aside).
    literals: Option<&'static [&'static str]>,
    /// The literals indexed by their first letter, made on first use.
    finder: OnceLock<Option<Finder>>,
}

/// Finds any of up to 64 lower-case literals in an ASCII text, ASCII case aside, in one pass:
/// for each byte, the literals that start with it (either case) are compared with what
/// follows. Rules' texts are short (an instruction, a path: 47 bytes on average) and a
/// pattern has up to 17 literals here: one pass costs a quarter of a search per literal.
struct Finder {
    words: &'static [&'static str],
    /// For each byte, a bit for each literal whose first letter it is.
    starting_with: Box<[u64; 256]>,
}

impl Finder {
    /// `None` for more literals than a mask holds (the build makes at most 64).
    fn new(words: &'static [&'static str]) -> Option<Finder> {
        if words.len() > 64 {
            return None;
        }
        let mut starting_with = Box::new([0u64; 256]);
        for (i, word) in words.iter().enumerate() {
            let first = *word.as_bytes().first()?;
            starting_with[usize::from(first)] |= 1 << i;
            starting_with[usize::from(first.to_ascii_uppercase())] |= 1 << i;
        }
        Some(Finder {
            words,
            starting_with,
        })
    }

    fn holds_any(&self, text: &[u8]) -> bool {
        for (at, &byte) in text.iter().enumerate() {
            let mut starting = self.starting_with[usize::from(byte)];
            while starting != 0 {
                let word = self.words[starting.trailing_zeros() as usize].as_bytes();
                starting &= starting - 1;
                if text
                    .get(at + 1..at + word.len())
                    .is_some_and(|rest| rest.eq_ignore_ascii_case(&word[1..]))
                {
                    return true;
                }
            }
        }
        false
    }
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
            ascii: OnceLock::new(),
            literals: None,
            finder: OnceLock::new(),
        })
    }

    /// A pattern compiled on first use: for text a test has compiled (the embedded rules).
    pub fn deferred(text: &str) -> Pattern {
        Pattern {
            text: text.into(),
            compiled: OnceLock::new(),
            ascii: OnceLock::new(),
            literals: required_literals(text),
            finder: OnceLock::new(),
        }
    }

    /// False when `haystack` cannot match: an ASCII text without any of the literals.
    fn may_match(&self, haystack: &str) -> bool {
        let Some(literals) = self.literals else {
            return true;
        };
        // Once compiled, the expression's own search (which has literal prefilters of its
        // own) costs less than lowercasing the text and a substring search per literal.
        if self.ascii.get().is_some_and(Option::is_some) || self.compiled.get().is_some() {
            return true;
        }
        if !haystack.is_ascii() {
            return true;
        }
        match self.finder.get_or_init(|| Finder::new(literals)) {
            Some(finder) => finder.holds_any(haystack.as_bytes()),
            None => may_hold_any(haystack, literals),
        }
    }

    /// The compiled expression; `None` only for a deferred pattern that does not compile,
    /// which the embedded data's tests rule out.
    pub fn regex(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| build(&self.text).ok())
            .as_ref()
    }

    /// The expression with Unicode off, when it has one. On an ASCII text it matches
    /// exactly what the Unicode one does: Perl classes (`\w`, `\s`, `\d`, `\b`) and case
    /// folding differ only on non-ASCII characters, so long as the pattern itself names none:
    /// `(?i)\x{17F}` (`ſ`) matches `s` only with Unicode. A pattern with a non-ASCII character
    /// or an escape that could name one (`\x`, `\u`, `\U`, `\p`, `\P`; octal is off) keeps
    /// the Unicode expression. Without the Unicode tables an expression compiles two to four
    /// times faster: they were most of an estate's compiling.
    fn ascii_regex(&self) -> Option<&bytes::Regex> {
        self.ascii
            .get_or_init(|| {
                let may_name_non_ascii = ["\\x", "\\u", "\\U", "\\p", "\\P"]
                    .iter()
                    .any(|escape| self.text.contains(escape));
                if !self.text.is_ascii() || may_name_non_ascii {
                    return None;
                }
                bytes::RegexBuilder::new(&self.text)
                    .unicode(false)
                    .size_limit(SIZE_LIMIT)
                    .build()
                    .ok()
            })
            .as_ref()
    }

    /// Whether `haystack` matches (a pattern that does not compile matches nothing).
    pub fn is_match(&self, haystack: &str) -> bool {
        if !self.may_match(haystack) {
            return false;
        }
        if haystack.is_ascii()
            && let Some(re) = self.ascii_regex()
        {
            return re.is_match(haystack.as_bytes());
        }
        self.regex().is_some_and(|re| re.is_match(haystack))
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
        fn copied<T: Clone>(done: &OnceLock<T>) -> OnceLock<T> {
            let copy = OnceLock::new();
            if let Some(done) = done.get() {
                let _ = copy.set(done.clone());
            }
            copy
        }
        Pattern {
            text: self.text.clone(),
            compiled: copied(&self.compiled),
            ascii: copied(&self.ascii),
            literals: self.literals,
            finder: OnceLock::new(),
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
        assert!(p.compiled.get().is_none() && p.ascii.get().is_none());
        assert!(p.is_match("SupervisorD"));
        // An ASCII text needs only the expression without Unicode.
        assert!(p.ascii.get().is_some_and(Option::is_some));
        assert!(p.compiled.get().is_none());
        assert!(!p.is_match("tini"));
        assert!(p.is_match("SUPERVISORD"));
        assert!(!p.is_match("supervisordé"));
        assert!(p.compiled.get().is_some());
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

    /// What only Unicode matches in an ASCII text: a pattern written with such characters
    /// (or escapes) or classes keeps the Unicode expression for every text.
    #[test]
    fn a_pattern_that_needs_unicode_on_ascii_text_keeps_it() {
        for (pattern, text) in [
            (r"(?i)\x{17F}", "s"),
            (r"(?i)\x{212A}", "K"),
            ("(?i)\u{17F}", "S"),
            ("(?i)^\u{212A}ube$", "kube"),
            (r"^\pL+$", "abc"),
            (r"^\p{Greek}|x", "x"),
            (r"^\x61$", "a"),
        ] {
            let p = Pattern::deferred(pattern);
            assert!(p.is_match(text), "`{pattern}` on `{text}`");
            assert!(p.ascii_regex().is_none(), "`{pattern}`");
        }
        // Unicode classes and folding on ASCII texts: the same either way.
        for (pattern, text, matches) in [
            (r"(?i)\bk\w+\s\d", "x KUBE 1", true),
            (r"(?i)\bk\w+\s\d", "xkube 1", false),
            (r"^[^a]\W.$", "b-c", true),
        ] {
            let p = Pattern::deferred(pattern);
            assert_eq!(p.is_match(text), matches, "`{pattern}` on `{text}`");
            assert!(p.ascii_regex().is_some(), "`{pattern}`");
        }
    }

    /// A pattern's literals found in one pass refuse exactly what a search per literal
    /// refuses, on every line of the rules' tests and fixtures and on each literal itself.
    #[test]
    fn the_one_pass_finder_refuses_what_a_search_per_literal_refuses() {
        let mut texts: Vec<String> = Vec::new();
        for (_, content) in crate::rules::loader::embedded_test_files() {
            texts.extend(String::from_utf8_lossy(content).lines().map(str::to_string));
        }
        let (mut asked, mut refused) = (0, 0);
        for (text, literals) in embedded::PATTERN_LITERALS {
            let finder = Finder::new(literals).unwrap_or_else(|| panic!("`{text}`"));
            let own = literals.iter().flat_map(|l| {
                let upper = l.to_ascii_uppercase();
                let cut = &l[..l.len() - 1];
                [
                    l.to_string(),
                    format!("x{upper}"),
                    cut.to_string(),
                    format!("{cut} {l}"),
                ]
            });
            for t in texts.iter().cloned().chain(own).filter(|t| t.is_ascii()) {
                let found = finder.holds_any(t.as_bytes());
                assert_eq!(found, may_hold_any(&t, literals), "`{text}` on `{t}`");
                asked += 1;
                refused += usize::from(!found);
            }
        }
        assert!(
            asked > 100_000 && refused > asked / 2,
            "{refused} of {asked}"
        );
    }

    #[test]
    fn may_hold_any_ignores_ascii_case_and_passes_other_text_on() {
        assert!(may_hold_any("IBM z/OS 2.5", &["os"]));
        assert!(may_hold_any("OS", &["os"]) && may_hold_any("xoS", &["os"]));
        assert!(!may_hold_any("O", &["os"]) && !may_hold_any("oo s", &["os"]));
        assert!(may_hold_any("anything", &[""]) && !may_hold_any("", &["a"]));
        assert!(may_hold_any("run apt-get -y", &["yum", "apt-get"]));
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
