//! For the build script: the literals a pattern cannot match without. For each embedded
//! pattern, a set of strings such that every ASCII text the pattern matches contains one of
//! them, compared without regard to ASCII case; `fitscan::pattern` looks in the text for them
//! before it compiles (or runs) the pattern, and a text without any of them is no match.
//!
//! Read from the pattern's ASCII reading (Unicode off, case folding ASCII only): on an ASCII
//! text it matches what the Unicode reading matches, and the prefilter is used on ASCII
//! texts only. A set is given up (no prefilter) where the analysis cannot say: an optional
//! or repeated-from-zero part, a class other than one letter in both cases, an empty
//! alternative, a literal with a non-ASCII byte (`(?i)K` with a Kelvin sign matches `k`).

use regex_syntax::hir::{Class, Hir, HirKind};

/// At most this many literals in a set: more says little about a text.
const MAX_LITERALS: usize = 64;

/// The set of lowercase literals, one of which every ASCII match contains; None when the
/// analysis cannot say.
pub fn required(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::ParserBuilder::new()
        .unicode(false)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let set = requirement(&hir)?;
    let usable = !set.is_empty()
        && set.len() <= MAX_LITERALS
        && set.iter().all(|l| !l.is_empty() && l.is_ascii());
    usable.then(|| {
        let mut v: Vec<String> = set
            .into_iter()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .collect();
        v.sort();
        v.dedup();
        v
    })
}

/// The one text `hir` matches, lowercased, where it matches exactly one (ASCII case aside).
fn exact(hir: &Hir) -> Option<Vec<u8>> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(Vec::new()),
        HirKind::Literal(lit) => Some(lit.0.to_ascii_lowercase()),
        HirKind::Class(Class::Bytes(class)) => {
            let bytes: Vec<u8> = class
                .ranges()
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .collect();
            match bytes.as_slice() {
                [b] => Some(vec![b.to_ascii_lowercase()]),
                [a, b] if a.is_ascii_alphabetic() && a.eq_ignore_ascii_case(b) && a != b => {
                    Some(vec![a.to_ascii_lowercase()])
                }
                _ => None,
            }
        }
        HirKind::Capture(c) => exact(&c.sub),
        HirKind::Concat(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(exact(p)?);
            }
            Some(out)
        }
        _ => None,
    }
}

/// How much a set narrows: its shortest literal, then fewer literals.
fn score(set: &[Vec<u8>]) -> (usize, std::cmp::Reverse<usize>) {
    let shortest = set.iter().map(Vec::len).min().unwrap_or(0);
    (shortest, std::cmp::Reverse(set.len()))
}

fn requirement(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    if let Some(lit) = exact(hir) {
        return (!lit.is_empty()).then(|| vec![lit]);
    }
    match hir.kind() {
        HirKind::Capture(c) => requirement(&c.sub),
        HirKind::Repetition(r) if r.min >= 1 => requirement(&r.sub),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(requirement(a)?);
                if all.len() > MAX_LITERALS {
                    return None;
                }
            }
            Some(all)
        }
        HirKind::Concat(parts) => {
            // Each run of exactly-known parts is a literal the match contains (a zero-width
            // assertion inside a run consumes nothing); each other part may require a set of
            // its own. Any one of these is a requirement: keep the one that narrows most.
            let mut candidates: Vec<Vec<Vec<u8>>> = Vec::new();
            let mut run: Vec<u8> = Vec::new();
            for p in parts {
                match exact(p) {
                    Some(lit) => run.extend(lit),
                    None => {
                        if !run.is_empty() {
                            candidates.push(vec![std::mem::take(&mut run)]);
                        }
                        if let Some(set) = requirement(p) {
                            candidates.push(set);
                        }
                    }
                }
            }
            if !run.is_empty() {
                candidates.push(vec![run]);
            }
            candidates.into_iter().max_by_key(|s| score(s))
        }
        _ => None,
    }
}
