//! Dockerfile text the way BuildKit reads it, for what `parse-dockerfile` leaves to us:
//! the escape directive, logical lines (continuations joined, comment lines inside a
//! continuation dropped), here-documents after `RUN` anywhere on its line, shell words
//! and shell comments.

use std::borrow::Cow;

/// One physical line: `start..end` is its content without the line break.
#[derive(Debug, Clone, Copy)]
pub struct PhysLine {
    pub start: usize,
    pub end: usize,
}

pub fn physical_lines(text: &str) -> Vec<PhysLine> {
    let mut lines = Vec::with_capacity(text.len() / 32 + 1);
    let mut start = 0;
    let bytes = text.as_bytes();
    while start < bytes.len() {
        let nl = text[start..].find('\n');
        let (end, next) = match nl {
            Some(p) => (start + p, start + p + 1),
            None => (bytes.len(), bytes.len()),
        };
        let end = if end > start && bytes[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        lines.push(PhysLine { start, end });
        start = next;
    }
    lines
}

/// The 1-based line that holds byte `offset`, counted as `source::LineIndex` counts it (a
/// line starts after every line break, also after the last one).
pub fn line_at(text: &str, lines: &[PhysLine], offset: usize) -> u32 {
    let mut line = lines.partition_point(|l| l.start <= offset).max(1);
    if offset >= text.len() && text.ends_with('\n') {
        line += 1;
    }
    u32::try_from(line).unwrap_or(u32::MAX)
}

/// The escape character from a `# escape=` parser directive (backslash by default).
/// Directives are only read at the very top, before any blank line, comment or instruction.
pub fn escape_directive(text: &str) -> char {
    let mut escape = '\\';
    let mut seen = false;
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = rest.split_once('=') else {
            break;
        };
        let key = key.trim();
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric()) {
            break;
        }
        if key.eq_ignore_ascii_case("escape") && !seen {
            seen = true;
            match value.trim() {
                "`" => escape = '`',
                "\\" => escape = '\\',
                _ => {}
            }
        }
    }
    escape
}

/// Content before a trailing escape character (a continuation), if the line has one.
fn continuation_body(content: &str, escape: char) -> Option<&str> {
    let trimmed = content.trim_end_matches([' ', '\t']);
    trimmed.strip_suffix(escape)
}

fn is_comment_or_blank(content: &str) -> bool {
    let t = content.trim_start();
    t.is_empty() || t.starts_with('#')
}

/// An instruction's logical line.
#[derive(Debug, Clone)]
pub struct Logical<'t> {
    /// Index of the last physical line.
    pub last: usize,
    /// Continuations joined as BuildKit does (escape and line break removed), comment and
    /// empty lines inside the continuation dropped. Borrowed when the instruction fits on
    /// one line, as most do.
    pub joined: Cow<'t, str>,
}

/// Walks the logical line that starts at physical line `first`: `part` gets each physical
/// line that carries text (not dropped comments) with its content before the continuation
/// escape. Returns the index of the last physical line.
fn walk_logical<'t>(
    text: &'t str,
    lines: &[PhysLine],
    first: usize,
    escape: char,
    mut part: impl FnMut(usize, &'t str),
) -> usize {
    let mut i = first;
    loop {
        let Some(line) = lines.get(i) else {
            return i.saturating_sub(1).max(first);
        };
        let content = &text[line.start..line.end];
        match continuation_body(content, escape) {
            Some(body) => {
                part(i, body);
                i += 1;
                while lines
                    .get(i)
                    .is_some_and(|l| is_comment_or_blank(&text[l.start..l.end]))
                {
                    i += 1;
                }
            }
            None => {
                part(i, content);
                return i;
            }
        }
    }
}

/// The logical line that starts at physical line `first`.
pub fn logical_line<'t>(
    text: &'t str,
    lines: &[PhysLine],
    first: usize,
    escape: char,
) -> Logical<'t> {
    let mut joined: Cow<'t, str> = Cow::Borrowed("");
    let last = walk_logical(text, lines, first, escape, |_, piece| {
        if joined.is_empty() {
            joined = Cow::Borrowed(piece);
        } else {
            joined.to_mut().push_str(piece);
        }
    });
    Logical { last, joined }
}

/// Indices of the physical lines of the logical line at `first` that carry text (not
/// dropped comments).
pub fn logical_parts(text: &str, lines: &[PhysLine], first: usize, escape: char) -> Vec<usize> {
    let mut parts = Vec::new();
    walk_logical(text, lines, first, escape, |i, _| parts.push(i));
    parts
}

/// Runs of spaces, tabs and carriage returns as one space; ends trimmed.
pub fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // Copied a run of other text at a time. Once `out` holds text, a space separated it
    // from the run that follows: it stays one unless a line break is on either side.
    let mut push_run = |run: &str| {
        if run.is_empty() {
            return;
        }
        if !out.is_empty() && !out.ends_with('\n') && !run.starts_with('\n') {
            out.push(' ');
        }
        out.push_str(run);
    };
    let mut run_start = 0;
    for (i, b) in s.bytes().enumerate() {
        // ASCII bytes, so `i` is a character boundary.
        if matches!(b, b' ' | b'\t' | b'\r') {
            push_run(&s[run_start..i]);
            run_start = i + 1;
        }
    }
    push_run(&s[run_start..]);
    out
}

/// The first word of a logical line (the instruction keyword) as written; compare it with
/// `eq_ignore_ascii_case`.
pub fn keyword(joined: &str) -> &str {
    joined.split_whitespace().next().unwrap_or("")
}

/// Whether the arguments are an empty exec form: `[]` (`[ ]`).
pub fn is_empty_exec(args: &str) -> bool {
    args.trim()
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .is_some_and(|inner| inner.trim().is_empty())
}

/// Whether a logical line is `CMD []`, `ENTRYPOINT []` or `RUN [--flags] []` (also as an
/// `ONBUILD` trigger): an empty exec form, which resets the command.
pub fn resets_command(joined: &str) -> bool {
    let mut line = joined;
    let mut kw = keyword(line);
    if kw.eq_ignore_ascii_case("ONBUILD") {
        line = after_keyword(line, false);
        kw = keyword(line);
    }
    let is_run = kw.eq_ignore_ascii_case("RUN");
    (is_run || kw.eq_ignore_ascii_case("CMD") || kw.eq_ignore_ascii_case("ENTRYPOINT"))
        && is_empty_exec(after_keyword(line, is_run))
}

/// The arguments after the keyword and any leading `--flag[=value]` options.
pub fn after_keyword(joined: &str, skip_flags: bool) -> &str {
    let mut rest = joined.trim_start();
    let kw_end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    rest = rest[kw_end..].trim_start();
    if skip_flags {
        while rest.starts_with("--") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            rest = rest[end..].trim_start();
        }
    }
    rest.trim_end()
}

/// A word of a shell-like line with where it starts (byte offset in the line).
#[derive(Debug, Clone, PartialEq)]
pub struct Word<'a> {
    pub start: usize,
    /// The word as written (quotes kept).
    pub raw: &'a str,
    /// The word with quotes removed and escapes resolved (borrowed when there were none).
    pub text: Cow<'a, str>,
}

/// A word being read: where it starts, where the run of its text not yet copied starts,
/// and its text so far once a quote or escape has been dropped from it.
struct PartWord {
    start: usize,
    run: usize,
    text: Option<String>,
}

impl PartWord {
    fn finish(self, s: &str, end: usize) -> Word<'_> {
        let text = match self.text {
            None => Cow::Borrowed(&s[self.start..end]),
            Some(mut t) => {
                t.push_str(&s[self.run..end]);
                Cow::Owned(t)
            }
        };
        Word {
            start: self.start,
            raw: &s[self.start..end],
            text,
        }
    }
}

/// Splits on unquoted whitespace, honouring '...', "..." and the escape character.
pub fn words(s: &str, escape: char) -> Vec<Word<'_>> {
    let mut out = Vec::new();
    let mut cur: Option<PartWord> = None;
    let mut quote: Option<char> = None;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(w) = cur.take() {
                out.push(w.finish(s, i));
            }
            continue;
        }
        let w = cur.get_or_insert(PartWord {
            start: i,
            run: i,
            text: None,
        });
        // A word is its raw text less the quotes and escape characters dropped here.
        let dropped = match quote {
            Some(q) if c == q => {
                quote = None;
                true
            }
            Some('"') if c == escape => match chars.next() {
                Some((_, n)) => matches!(n, '"' | '$' | '`') || n == escape,
                None => false,
            },
            Some(_) => false,
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                true
            }
            None if c == escape => chars.next().is_some(),
            None => false,
        };
        if dropped {
            w.text
                .get_or_insert_with(String::new)
                .push_str(&s[w.run..i]);
            w.run = i + c.len_utf8();
        }
    }
    if let Some(w) = cur {
        out.push(w.finish(s, s.len()));
    }
    out
}

/// Removes shell comments (`#` at the start of a word, outside quotes, to the end of the
/// line). `escape` is the shell's own escape character (backslash for POSIX shells, the
/// backtick for PowerShell).
pub fn strip_shell_comments(s: &str, escape: char) -> String {
    // Without a `#` there is no comment: only the line ends are tidied.
    if !s.contains('#') {
        return trim_lines(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut quote: Option<char> = None;
    let mut word_start = true;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                } else if c == escape
                    && q == '"'
                    && let Some(n) = chars.next()
                {
                    out.push(n);
                }
                word_start = false;
            }
            None => {
                if c == '#' && word_start {
                    for n in chars.by_ref() {
                        if n == '\n' {
                            out.push('\n');
                            break;
                        }
                    }
                    word_start = true;
                    continue;
                }
                out.push(c);
                if c == escape {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                    word_start = false;
                } else if c == '"' || c == '\'' {
                    quote = Some(c);
                    word_start = false;
                } else {
                    word_start = c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')');
                }
            }
        }
    }
    // A comment leaves trailing spaces behind on its line.
    trim_lines(&out)
}

/// Every line without its trailing whitespace, the whole without leading and trailing
/// whitespace.
fn trim_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, line) in s.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(line.trim_end());
    }
    out.truncate(out.trim_end().len());
    let lead = out.len() - out.trim_start().len();
    out.drain(..lead);
    out
}

/// A here-document read from the text rather than by the parser (see [`prepare`]).
#[derive(Debug, Clone, PartialEq)]
pub struct HereDoc {
    /// 1-based line of the instruction keyword the here-document belongs to.
    pub instruction_line: u32,
    pub delimiter: String,
    pub body: String,
    /// 1-based line of the first body line.
    pub body_line: u32,
    /// False when the delimiter was quoted (no variable expansion in the body).
    pub expand: bool,
}

/// A here-document that never ends: its opening line and delimiter.
#[derive(Debug, Clone, PartialEq)]
pub struct Unclosed {
    pub line: u32,
    pub delimiter: String,
}

struct Marker {
    /// Byte offset of `<<` in the text.
    offset: usize,
    delimiter: String,
    strip_tabs: bool,
    expand: bool,
}

/// A heredoc word as BuildKit recognises it: `[fd]<<[-]DELIM`, DELIM optionally quoted
/// and containing no `<`.
fn heredoc_word(w: &Word) -> Option<(usize, String, bool, bool)> {
    let digits = w.raw.bytes().take_while(u8::is_ascii_digit).count();
    let rest = w.raw[digits..].strip_prefix("<<")?;
    let (strip_tabs, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    // Quoted in any way (`'EOF'`, `"EOF"`, `\EOF`): the body is not expanded. The delimiter
    // is the word as the shell reads it (`eo\'f` and `'e'o\'f` are both `eo'f`).
    let quoted = rest.contains(['"', '\'', '\\']);
    let unquoted = w.text.get(digits..)?.strip_prefix("<<")?;
    let unquoted = if strip_tabs {
        unquoted.strip_prefix('-')?
    } else {
        unquoted
    };
    let delimiter = unquoted.to_string();
    if delimiter.is_empty() || delimiter.chars().any(char::is_whitespace) {
        return None;
    }
    Some((digits, delimiter, strip_tabs, !quoted))
}

fn line_no(i: usize) -> u32 {
    u32::try_from(i + 1).unwrap_or(u32::MAX)
}

/// What [`prepare`] makes of a file.
pub struct Prepared<'t> {
    /// The text for the parser; borrowed when nothing needed changing, as in most files.
    pub text: Cow<'t, str>,
    pub heredocs: Vec<HereDoc>,
    /// Every instruction's logical line by its first physical line, in file order, for the
    /// conversion to look up rather than join again.
    pub instructions: Vec<(usize, Logical<'t>)>,
}

/// Prepares a Dockerfile for `parse-dockerfile`, which reads a `RUN` here-document only when
/// it is the first word of the command. Every `RUN` here-document (e.g. `RUN cat <<EOF >
/// /etc/app.conf`, `RUN python3 <<EOF`) is taken out here: its body lines are blanked and its
/// `<<` is replaced by spaces, so byte offsets and line numbers stay those of the original
/// text. `COPY`/`ADD` here-documents are left to the parser (it reads them anywhere), but
/// their bodies are skipped so that body text is never mistaken for an instruction.
/// `lines` are the text's [`physical_lines`].
pub fn prepare<'t>(
    text: &'t str,
    lines: &[PhysLine],
    escape: char,
) -> Result<Prepared<'t>, Unclosed> {
    // Copied on the first change only.
    let mut edited: Option<Vec<u8>> = None;
    let mut heredocs = Vec::new();
    let mut instructions = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let content = &text[lines[i].start..lines[i].end];
        if is_comment_or_blank(content) {
            i += 1;
            continue;
        }
        let logical = logical_line(text, lines, i, escape);
        let kw = keyword(&logical.joined);
        let mut next = logical.last + 1;
        if resets_command(&logical.joined) {
            // `CMD []`, `ENTRYPOINT []`, `RUN []`: BuildKit reads the empty exec form (it
            // resets the command); the parser refuses it. Its brackets become a shell form
            // of the same length (`: `) that the parser reads, and the conversion, which
            // reads the original text, records an empty exec form.
            let bytes = edited.get_or_insert_with(|| text.as_bytes().to_vec());
            let span = &mut bytes[lines[i].start..lines[logical.last].end];
            if let (Some(open), Some(close)) = (
                span.iter().rposition(|b| *b == b'['),
                span.iter().rposition(|b| *b == b']'),
            ) {
                span[open] = b':';
                span[close] = b' ';
            }
        }
        let runs = kw.eq_ignore_ascii_case("RUN")
            || (kw.eq_ignore_ascii_case("ONBUILD")
                && logical
                    .joined
                    .split_whitespace()
                    .nth(1)
                    .is_some_and(|w| w.eq_ignore_ascii_case("RUN")));
        let target = if runs {
            Some(true)
        } else if kw.eq_ignore_ascii_case("COPY") || kw.eq_ignore_ascii_case("ADD") {
            Some(false)
        } else {
            None
        };
        if let Some(is_run) = target {
            let markers = find_markers(text, lines, i, &logical, escape, is_run);
            for m in markers {
                let mut body = Vec::new();
                let mut closed = false;
                let body_start = next;
                while next < lines.len() {
                    let l = lines[next];
                    let raw = &text[l.start..l.end];
                    let line = if m.strip_tabs {
                        raw.trim_start_matches('\t')
                    } else {
                        raw
                    };
                    next += 1;
                    if line == m.delimiter {
                        closed = true;
                        if is_run {
                            blank(&mut edited, text, l.start, l.end);
                        }
                        break;
                    }
                    if is_run {
                        blank(&mut edited, text, l.start, l.end);
                    }
                    body.push(line);
                }
                if !closed {
                    if is_run {
                        return Err(Unclosed {
                            line: line_no(i),
                            delimiter: m.delimiter,
                        });
                    }
                    // The parser reports an unclosed COPY/ADD here-document itself.
                    break;
                }
                if is_run {
                    blank(&mut edited, text, m.offset, m.offset + 2);
                    let mut text_body = body.join("\n");
                    if !text_body.is_empty() {
                        text_body.push('\n');
                    }
                    heredocs.push(HereDoc {
                        instruction_line: line_no(i),
                        delimiter: m.delimiter,
                        body: text_body,
                        body_line: line_no(body_start),
                        expand: m.expand,
                    });
                }
            }
        }
        instructions.push((i, logical));
        i = next;
    }
    let prepared = match edited {
        None => Cow::Borrowed(text),
        // Only ASCII bytes were replaced by spaces, so the text is still UTF-8.
        Some(bytes) => Cow::Owned(String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())),
    };
    Ok(Prepared {
        text: prepared,
        heredocs,
        instructions,
    })
}

/// Blanks `start..end` (line breaks kept) in the edited copy of `text`, made now if need be.
fn blank(edited: &mut Option<Vec<u8>>, text: &str, start: usize, end: usize) {
    let bytes = edited.get_or_insert_with(|| text.as_bytes().to_vec());
    let end = end.min(bytes.len());
    for b in &mut bytes[start..end] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

fn find_markers(
    text: &str,
    lines: &[PhysLine],
    first: usize,
    logical: &Logical<'_>,
    escape: char,
    is_run: bool,
) -> Vec<Marker> {
    // Every marker word holds `<<` as written, and the joined line holds every word.
    if !logical.joined.contains("<<") {
        return Vec::new();
    }
    let args = after_keyword(&logical.joined, true);
    // Exec form has no here-documents.
    if is_run && args.starts_with('[') {
        return Vec::new();
    }
    let mut markers = Vec::new();
    let mut all_words = Vec::new();
    for (n, idx) in logical_parts(text, lines, first, escape)
        .into_iter()
        .enumerate()
    {
        let l = lines[idx];
        let content = &text[l.start..l.end];
        let body = continuation_body(content, escape).unwrap_or(content);
        for (k, w) in words(body, escape).into_iter().enumerate() {
            // Skip the keyword itself (and ONBUILD's RUN).
            if n == 0 && k == 0 {
                continue;
            }
            all_words.push((l.start + w.start, w));
        }
    }
    let count = all_words.len();
    for (k, (offset, w)) in all_words.into_iter().enumerate() {
        if !is_run && (k + 1 == count || !w.raw.starts_with("<<")) {
            // COPY/ADD: sources only (the last word is the destination).
            continue;
        }
        if let Some((digits, delimiter, strip_tabs, expand)) = heredoc_word(&w) {
            markers.push(Marker {
                offset: offset + digits,
                delimiter,
                strip_tabs,
                expand,
            });
        }
    }
    markers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_directive_only_at_the_top() {
        assert_eq!(escape_directive("# escape=`\nFROM x\n"), '`');
        assert_eq!(
            escape_directive("# syntax=docker/dockerfile:1\n#escape = `\n"),
            '`'
        );
        assert_eq!(escape_directive("FROM x\n# escape=`\n"), '\\');
        assert_eq!(escape_directive("# a comment\n# escape=`\n"), '\\');
        assert_eq!(escape_directive("\n# escape=`\n"), '\\');
    }

    #[test]
    fn logical_lines_join_continuations_and_drop_comments() {
        let text = "RUN a \\\n  # comment \\\n\n  && b \\\r\n  c\nRUN d\n";
        let lines = physical_lines(text);
        let l = logical_line(text, &lines, 0, '\\');
        assert_eq!(l.last, 4);
        assert_eq!(collapse_spaces(&l.joined), "RUN a && b c");
        assert_eq!(logical_parts(text, &lines, 0, '\\'), vec![0, 3, 4]);
        let l = logical_line(text, &lines, 5, '\\');
        assert_eq!(l.joined, "RUN d");
    }

    #[test]
    fn words_respect_quotes_and_escapes() {
        let w: Vec<String> = words(r#"a "b c" 'd e' f\ g "h\"i""#, '\\')
            .into_iter()
            .map(|w| w.text.into_owned())
            .collect();
        assert_eq!(w, vec!["a", "b c", "d e", "f g", "h\"i"]);
    }

    #[test]
    fn shell_comments_are_stripped_outside_quotes_only() {
        assert_eq!(strip_shell_comments("foo # nohup bar &", '\\'), "foo");
        assert_eq!(
            strip_shell_comments("echo '# not' \"#x\" a#b", '\\'),
            "echo '# not' \"#x\" a#b"
        );
        assert_eq!(strip_shell_comments("echo ${x#y}", '\\'), "echo ${x#y}");
        assert_eq!(strip_shell_comments("# c\nrun it\n", '\\'), "run it");
    }

    #[test]
    fn run_heredocs_anywhere_are_taken_out_keeping_offsets() {
        let text = "FROM a\nRUN cat <<EOF > /etc/x.conf\nkey=1\nEOF\nRUN <<-'END' bash\n\techo $HOME\n\tEND\nCOPY <<EOF /start.sh\nRUN not an instruction\nEOF\n";
        let (prepared, docs) = match prepare(text, &physical_lines(text), '\\') {
            Ok(r) => (r.text, r.heredocs),
            Err(e) => panic!("{e:?}"),
        };
        assert_eq!(prepared.len(), text.len());
        assert_eq!(prepared.lines().nth(1), Some("RUN cat   EOF > /etc/x.conf"));
        assert_eq!(prepared.lines().nth(2).map(str::trim), Some(""));
        assert!(prepared.contains("COPY <<EOF /start.sh\nRUN not an instruction\nEOF"));
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].instruction_line, 2);
        assert_eq!(docs[0].body, "key=1\n");
        assert_eq!(docs[0].body_line, 3);
        assert_eq!(docs[1].delimiter, "END");
        assert_eq!(docs[1].body, "echo $HOME\n");
        assert!(!docs[1].expand);
    }

    #[test]
    fn arithmetic_and_here_strings_are_not_heredocs() {
        let text =
            "FROM a\nRUN echo $((1 << 2)) && cat <<< x\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\n";
        let (prepared, docs) = prepare(text, &physical_lines(text), '\\')
            .map(|r| (r.text, r.heredocs))
            .unwrap_or_default();
        assert!(docs.is_empty());
        assert_eq!(prepared, text);
    }

    #[test]
    fn an_unclosed_run_heredoc_names_its_line() {
        let text = "FROM a\nRUN python3 <<EOF\nprint(1)\n";
        let err = prepare(text, &physical_lines(text), '\\').err();
        assert_eq!(
            err,
            Some(Unclosed {
                line: 2,
                delimiter: "EOF".into()
            })
        );
    }
}
