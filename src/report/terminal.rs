//! Text bound for a terminal (the table, messages on standard error) with its control
//! characters escaped: a workload name, a path or a message read from an input must not set
//! the window title (OSC), clear the screen or move the cursor (CSI), nor reorder what is
//! shown (bidirectional overrides).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` is escaped: C0 and C1 controls, DEL, and the bidirectional embeddings,
/// overrides and isolates.
fn is_escaped(c: char, keep_newlines: bool) -> bool {
    match c {
        '\n' => !keep_newlines,
        '\t' => false,
        c if c.is_control() => true,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => true,
        _ => false,
    }
}

fn escape(s: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !s.chars().any(|c| is_escaped(c, keep_newlines)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_escaped(c, keep_newlines) {
            out.push(c);
        } else if (c as u32) < 0x100 {
            let _ = write!(out, "\\x{:02x}", c as u32);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// One value (a name, a path, a message) with every control character escaped, line
/// breaks included: `\x1b`, `\x07`, `\u{202e}`.
pub fn escape_value(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Text of several lines with every control character but the line break and the tab
/// escaped.
pub fn escape_text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_plain_text_borrowed() {
        assert!(matches!(escape_value("db-01 ü 世界"), Cow::Borrowed(_)));
        assert_eq!(
            escape_value("\u{1b}]0;pwned\u{7}x\u{1b}[2J"),
            "\\x1b]0;pwned\\x07x\\x1b[2J"
        );
        assert_eq!(escape_value("a\nb\u{9b}c"), "a\\x0ab\\x9bc");
        assert_eq!(escape_text("a\nb\u{202e}c\td"), "a\nb\\u{202e}c\td");
    }
}
