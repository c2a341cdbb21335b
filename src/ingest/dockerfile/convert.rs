//! From `parse-dockerfile`'s syntax tree to fitscan's own instruction records: keyword,
//! line, arguments as one line (and as written), form, flags, here-documents and the
//! details rules and facts need. Values are kept as written (`${VAR}` unexpanded); the
//! image view expands them with the stage's variables.

use parse_dockerfile::{
    Command, Flag, FromInstruction, HealthcheckArguments, Instruction, JsonOrStringArray, Source,
};

use std::borrow::Cow;

use super::text::{self, HereDoc, Logical, PhysLine};

/// How shell-form commands are run in a stage, which decides what a comment looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShellKind {
    /// sh, bash, ash: `#` comments, backslash escapes.
    Posix,
    /// PowerShell: `#` comments, backtick escapes.
    PowerShell,
    /// cmd.exe (the Windows default): no comment syntax fitscan strips.
    Cmd,
}

impl ShellKind {
    pub fn from_exec(words: &[String]) -> ShellKind {
        let first = words
            .first()
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default();
        let program = first.rsplit(['/', '\\']).next().unwrap_or("");
        if program.starts_with("powershell") || program.starts_with("pwsh") {
            ShellKind::PowerShell
        } else if program.starts_with("cmd") {
            ShellKind::Cmd
        } else {
            ShellKind::Posix
        }
    }

    /// The code a shell runs, without its comments.
    pub fn strip_comments(self, s: &str) -> String {
        match self {
            ShellKind::Posix => text::strip_shell_comments(s, '\\'),
            ShellKind::PowerShell => text::strip_shell_comments(s, '`'),
            ShellKind::Cmd => s.trim().to_string(),
        }
    }
}

/// A file a here-document writes into the image (`COPY <<EOF /start.sh`, `RUN cat <<EOF >
/// /etc/app.conf`).
#[derive(Debug, Clone, PartialEq)]
pub struct WrittenFile {
    pub dest: String,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    None,
    From {
        image: String,
        alias: Option<String>,
    },
    Run {
        /// The shell script the RUN executes (comments stripped, here-document scripts
        /// included), for package analysis; None when it is not a shell script.
        script: Option<String>,
        files: Vec<WrittenFile>,
    },
    Env(Vec<(String, String)>),
    Arg(Vec<(String, Option<String>)>),
    Label(Vec<(String, String)>),
    Expose(Vec<String>),
    User(String),
    Volume(Vec<String>),
    Copy {
        from: Option<String>,
        sources: Vec<String>,
        dest: String,
        files: Vec<WrittenFile>,
    },
    Startup,
    Healthcheck {
        none: bool,
    },
    Shell(Vec<String>),
    Workdir(String),
    Onbuild(Box<Inst>),
}

/// One instruction as fitscan reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inst {
    pub keyword: &'static str,
    pub line: u32,
    /// The last line of the instruction (continuations, here-document bodies).
    pub last_line: u32,
    /// Arguments after the keyword and its `--flags`, as one line; for shell-form commands
    /// without their comments, with here-document bodies after a line break.
    pub args: String,
    /// Arguments as written (continuations joined, comment lines dropped).
    pub text: String,
    pub form: Option<&'static str>,
    pub exec: Option<Vec<String>>,
    pub flags: Vec<(String, String)>,
    pub heredocs: Vec<HereDoc>,
    pub detail: Detail,
}

impl Inst {
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What conversion needs from the file.
pub struct FileText<'t> {
    pub text: &'t str,
    pub lines: &'t [PhysLine],
    pub escape: char,
    pub heredocs: &'t [HereDoc],
    /// [`text::Prepared::instructions`].
    pub logicals: &'t [(usize, Logical<'t>)],
}

impl<'t> FileText<'t> {
    /// The 1-based line that holds byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        text::line_at(self.text, self.lines, offset)
    }

    /// The logical line of the instruction whose keyword is at `offset`: the one `prepare`
    /// joined, else joined now.
    fn logical(&self, offset: usize) -> Cow<'_, Logical<'t>> {
        let first = (self.line(offset) as usize).saturating_sub(1);
        match self.logicals.binary_search_by_key(&first, |(i, _)| *i) {
            Ok(k) => Cow::Borrowed(&self.logicals[k].1),
            Err(_) => Cow::Owned(text::logical_line(
                self.text,
                self.lines,
                first,
                self.escape,
            )),
        }
    }
}

fn keyword_of(i: &Instruction<'_>) -> (&'static str, usize) {
    match i {
        Instruction::Add(x) => ("ADD", x.add.span.start),
        Instruction::Arg(x) => ("ARG", x.arg.span.start),
        Instruction::Cmd(x) => ("CMD", x.cmd.span.start),
        Instruction::Copy(x) => ("COPY", x.copy.span.start),
        Instruction::Entrypoint(x) => ("ENTRYPOINT", x.entrypoint.span.start),
        Instruction::Env(x) => ("ENV", x.env.span.start),
        Instruction::Expose(x) => ("EXPOSE", x.expose.span.start),
        Instruction::From(x) => ("FROM", x.from.span.start),
        Instruction::Healthcheck(x) => ("HEALTHCHECK", x.healthcheck.span.start),
        Instruction::Label(x) => ("LABEL", x.label.span.start),
        Instruction::Maintainer(x) => ("MAINTAINER", x.maintainer.span.start),
        Instruction::Onbuild(x) => ("ONBUILD", x.onbuild.span.start),
        Instruction::Run(x) => ("RUN", x.run.span.start),
        Instruction::Shell(x) => ("SHELL", x.shell.span.start),
        Instruction::Stopsignal(x) => ("STOPSIGNAL", x.stopsignal.span.start),
        Instruction::User(x) => ("USER", x.user.span.start),
        Instruction::Volume(x) => ("VOLUME", x.volume.span.start),
        Instruction::Workdir(x) => ("WORKDIR", x.workdir.span.start),
        _ => ("UNKNOWN", 0),
    }
}

fn flags(options: &[Flag<'_>]) -> Vec<(String, String)> {
    options
        .iter()
        .map(|f| {
            (
                f.name.value.to_ascii_lowercase(),
                f.value
                    .as_ref()
                    .map(|v| v.value.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

fn exec_words(cmd: &Command<'_>) -> Option<Vec<String>> {
    match cmd {
        Command::Exec(list) => Some(list.value.iter().map(|s| s.value.to_string()).collect()),
        _ => None,
    }
}

/// The script a POSIX `sh -c` exec form runs, if it is one.
fn exec_script(exec: &[String]) -> Option<&str> {
    let program = exec.first()?.rsplit('/').next()?.to_ascii_lowercase();
    if !matches!(program.as_str(), "sh" | "bash" | "ash" | "dash" | "zsh") {
        return None;
    }
    let c = exec
        .iter()
        .position(|w| w == "-c" || w.starts_with('-') && w.ends_with('c'))?;
    exec.get(c + 1).map(String::as_str)
}

/// Exec-form words as one shell command line (words with spaces single-quoted).
fn join_words(words: &[String]) -> String {
    words
        .iter()
        .map(|w| {
            if w.chars().any(char::is_whitespace) {
                format!("'{}'", w.replace('\'', ""))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Splits `KEY=value KEY2="two words"` (or the legacy `KEY value with spaces`).
pub fn key_values(raw: &str, escape: char) -> Vec<(String, String)> {
    let words = text::words(raw, escape);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if !first.raw.contains('=') {
        let value = raw.trim_start().get(first.raw.len()..).unwrap_or("").trim();
        let value = text::words(value, escape)
            .iter()
            .map(|w| &*w.text)
            .collect::<Vec<_>>()
            .join(" ");
        return vec![(first.text.to_string(), value)];
    }
    words
        .into_iter()
        .filter_map(|w| {
            let (k, v) = w.text.split_once('=')?;
            Some((k.to_string(), v.to_string()))
        })
        .collect()
}

fn arg_list(raw: &str, escape: char) -> Vec<(String, Option<String>)> {
    text::words(raw, escape)
        .into_iter()
        .map(|w| match w.text.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w.text.into_owned(), None),
        })
        .collect()
}

/// Where a RUN here-document goes: run as the script, written to a file, or fed to a
/// program.
fn heredoc_role(command: &str, escape: char) -> (bool, Option<String>) {
    let words: Vec<_> = text::words(command, escape)
        .into_iter()
        .map(|w| w.text)
        .filter(|w| !w.contains("<<"))
        .collect();
    let program = words
        .first()
        .map(|w| w.rsplit('/').next().unwrap_or(w).to_ascii_lowercase());
    let is_shell = match program.as_deref() {
        None => true,
        Some(p) => matches!(p, "sh" | "bash" | "ash" | "dash" | "zsh"),
    };
    // `cat <<EOF > /path` and `tee /path <<EOF`
    let dest = command
        .split_once('>')
        .map(|(_, rest)| rest.trim_start_matches('>'))
        .and_then(|rest| text::words(rest, escape).into_iter().next())
        .map(|w| w.text.into_owned())
        .or_else(|| {
            (program.as_deref() == Some("tee"))
                .then(|| {
                    words
                        .iter()
                        .skip(1)
                        .find(|w| !w.starts_with('-'))
                        .map(|w| w.to_string())
                })
                .flatten()
        });
    (is_shell && dest.is_none(), dest)
}

/// The record every instruction starts from: keyword and lines; with the arguments as
/// written (one line, spaces collapsed), which become its `text` (and its `args` unless the
/// instruction says otherwise).
fn base(src: &FileText<'_>, keyword: &'static str, start: usize) -> (Inst, String) {
    let logical = src.logical(start);
    let line = src.line(start);
    let last_line = u32::try_from(logical.last + 1).unwrap_or(u32::MAX);
    let joined: &str = &logical.joined;
    let skip_flags = matches!(keyword, "RUN" | "COPY" | "ADD" | "FROM" | "HEALTHCHECK");
    // For a trigger inside ONBUILD, the arguments start after "ONBUILD <KEYWORD>".
    let head = if text::keyword(joined).eq_ignore_ascii_case("ONBUILD") && keyword != "ONBUILD" {
        text::after_keyword(joined, false)
    } else {
        joined
    };
    let written = text::collapse_spaces(text::after_keyword(head, skip_flags));
    let inst = Inst {
        keyword,
        line,
        last_line,
        args: String::new(),
        text: String::new(),
        form: None,
        exec: None,
        flags: Vec::new(),
        heredocs: Vec::new(),
        detail: Detail::None,
    };
    (inst, written)
}

pub fn convert_from(src: &FileText<'_>, x: &FromInstruction<'_>) -> Inst {
    let (mut inst, written) = base(src, "FROM", x.from.span.start);
    inst.args = written.clone();
    inst.text = written;
    inst.flags = flags(&x.options);
    inst.detail = Detail::From {
        image: x.image.value.to_string(),
        alias: x.as_.as_ref().map(|(_, n)| n.value.to_string()),
    };
    inst
}

pub fn convert(src: &FileText<'_>, instr: &Instruction<'_>, shell: ShellKind) -> Inst {
    if let Instruction::From(x) = instr {
        return convert_from(src, x);
    }
    let (keyword, start) = keyword_of(instr);
    let (mut inst, written) = base(src, keyword, start);
    // The arguments as written, unless the instruction sets them.
    let mut args: Option<String> = None;
    let line = inst.line;
    let mut last_line = inst.last_line;
    let escape = src.escape;
    match instr {
        Instruction::Run(x) => {
            inst.flags = flags(&x.options);
            let exec = if text::is_empty_exec(&written) {
                Some(Vec::new())
            } else {
                exec_words(&x.arguments)
            };
            // `prepare` lists here-documents in file order: find this RUN's by bisection.
            let first = src.heredocs.partition_point(|h| h.instruction_line < line);
            let mut heredocs: Vec<HereDoc> = src.heredocs[first..]
                .iter()
                .take_while(|h| h.instruction_line == line)
                .cloned()
                .collect();
            // A here-document the parser read itself (none, since `prepare` takes them all
            // out; kept for robustness).
            for h in &x.here_docs {
                heredocs.push(HereDoc {
                    instruction_line: line,
                    delimiter: String::new(),
                    body: h.value.to_string(),
                    body_line: src.line(h.span.start),
                    expand: h.expand,
                });
            }
            match exec {
                Some(words) => {
                    inst.form = Some("exec");
                    args = Some(text::collapse_spaces(&words.join(" ")));
                    // `["sh", "-c", "..."]` runs its script; any other exec form runs one
                    // command, read as if it were written in shell form.
                    let script = exec_script(&words)
                        .map(|s| shell.strip_comments(s))
                        .unwrap_or_else(|| join_words(&words));
                    inst.detail = Detail::Run {
                        script: Some(script),
                        files: Vec::new(),
                    };
                    inst.exec = Some(words);
                }
                None if heredocs.is_empty() => {
                    inst.form = Some("shell");
                    let command = shell.strip_comments(&written);
                    args = Some(command.clone());
                    inst.detail = Detail::Run {
                        script: Some(command),
                        files: Vec::new(),
                    };
                }
                None => {
                    inst.form = Some("shell");
                    let command = shell.strip_comments(&written);
                    let mut run_args = command.clone();
                    let mut files = Vec::new();
                    let (runs_script, dest) = heredoc_role(&command, escape);
                    let mut scripts = Vec::new();
                    for h in &heredocs {
                        let body = shell.strip_comments(&h.body);
                        run_args.push('\n');
                        run_args.push_str(&body);
                        if runs_script {
                            scripts.push(body);
                        } else if let Some(d) = &dest {
                            files.push(WrittenFile {
                                dest: d.clone(),
                                body: h.body.clone(),
                            });
                        }
                        let body_lines = h.body.lines().count() as u32;
                        last_line = last_line.max(h.body_line + body_lines);
                    }
                    let script = if runs_script {
                        Some(scripts.join("\n"))
                    } else if dest.is_some() {
                        // `cat <<EOF > file` runs no script of its own.
                        None
                    } else {
                        Some(command)
                    };
                    args = Some(run_args);
                    inst.detail = Detail::Run { script, files };
                }
            }
            inst.heredocs = heredocs;
        }
        Instruction::Cmd(x) => args = Some(startup(&mut inst, &x.arguments, shell, &written)),
        Instruction::Entrypoint(x) => {
            args = Some(startup(&mut inst, &x.arguments, shell, &written));
        }
        Instruction::Copy(x) => {
            inst.flags = flags(&x.options);
            copy(
                &mut inst,
                &x.src,
                &x.dest.value,
                src,
                &written,
                &mut args,
                &mut last_line,
            );
        }
        Instruction::Add(x) => {
            inst.flags = flags(&x.options);
            copy(
                &mut inst,
                &x.src,
                &x.dest.value,
                src,
                &written,
                &mut args,
                &mut last_line,
            );
        }
        Instruction::Env(x) => inst.detail = Detail::Env(key_values(&x.arguments.value, escape)),
        Instruction::Label(x) => {
            inst.detail = Detail::Label(key_values(&x.arguments.value, escape));
        }
        Instruction::Arg(x) => inst.detail = Detail::Arg(arg_list(&x.arguments.value, escape)),
        Instruction::Expose(x) => {
            inst.detail = Detail::Expose(x.arguments.iter().map(|a| a.value.to_string()).collect());
        }
        Instruction::User(x) => inst.detail = Detail::User(x.arguments.value.trim().to_string()),
        Instruction::Workdir(x) => {
            inst.detail = Detail::Workdir(x.arguments.value.trim().to_string());
        }
        Instruction::Volume(x) => {
            let paths = match &x.arguments {
                JsonOrStringArray::Json(list) => {
                    inst.form = Some("exec");
                    list.value.iter().map(|s| s.value.to_string()).collect()
                }
                JsonOrStringArray::String(list) => {
                    list.iter().map(|s| s.value.to_string()).collect()
                }
            };
            inst.detail = Detail::Volume(paths);
        }
        Instruction::Shell(x) => {
            let words: Vec<String> = x.arguments.iter().map(|s| s.value.to_string()).collect();
            inst.form = Some("exec");
            args = Some(words.join(" "));
            inst.exec = Some(words.clone());
            inst.detail = Detail::Shell(words);
        }
        Instruction::Healthcheck(x) => {
            inst.flags = flags(&x.options);
            match &x.arguments {
                HealthcheckArguments::Cmd { arguments, .. } => {
                    let command = text::after_keyword(&written, false);
                    let cmd_args = startup(&mut inst, arguments, shell, command);
                    args = Some(format!("CMD {cmd_args}"));
                    inst.detail = Detail::Healthcheck { none: false };
                }
                _ => inst.detail = Detail::Healthcheck { none: true },
            }
        }
        Instruction::Onbuild(x) => {
            let trigger = convert(src, &x.instruction, shell);
            inst.detail = Detail::Onbuild(Box::new(trigger));
        }
        _ => {}
    }
    inst.args = args.unwrap_or_else(|| written.clone());
    inst.text = written;
    inst.last_line = last_line;
    inst
}

/// CMD, ENTRYPOINT and HEALTHCHECK's command: form, exec words and detail; returns the
/// arguments.
fn startup(inst: &mut Inst, cmd: &Command<'_>, shell: ShellKind, written: &str) -> String {
    // `CMD []` / `ENTRYPOINT []` (read by the parser as a placeholder: see `text::prepare`).
    let exec = if text::is_empty_exec(written) {
        Some(Vec::new())
    } else {
        exec_words(cmd)
    };
    inst.detail = Detail::Startup;
    match exec {
        Some(words) => {
            inst.form = Some("exec");
            let args = text::collapse_spaces(&words.join(" "));
            inst.exec = Some(words);
            args
        }
        None => {
            inst.form = Some("shell");
            shell.strip_comments(written)
        }
    }
}

/// COPY and ADD: sources, destination and the files here-documents write; their bodies
/// go after the arguments as written.
fn copy(
    inst: &mut Inst,
    sources: &[Source<'_>],
    dest: &str,
    src: &FileText<'_>,
    written: &str,
    args: &mut Option<String>,
    last_line: &mut u32,
) {
    let mut names = Vec::new();
    let mut files = Vec::new();
    for s in sources {
        match s {
            Source::Path(p) => names.push(p.value.to_string()),
            Source::HereDoc(h) => {
                names.push("<<heredoc".to_string());
                files.push(WrittenFile {
                    dest: dest.to_string(),
                    body: h.value.to_string(),
                });
                let args = args.get_or_insert_with(|| written.to_string());
                args.push('\n');
                args.push_str(h.value.trim_end());
                *last_line = (*last_line).max(src.line(h.span.end.saturating_sub(1)) + 1);
            }
            _ => {}
        }
    }
    inst.detail = Detail::Copy {
        from: inst.flag("from").map(str::to_string),
        sources: names,
        dest: dest.to_string(),
        files,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_values_in_both_forms() {
        assert_eq!(
            key_values(r#"A=1 B="two words" C='x y'"#, '\\'),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two words".into()),
                ("C".into(), "x y".into())
            ]
        );
        assert_eq!(
            key_values("JAVA_HOME /opt/java with space", '\\'),
            vec![("JAVA_HOME".into(), "/opt/java with space".into())]
        );
    }

    #[test]
    fn heredoc_roles() {
        assert_eq!(heredoc_role("<<EOF", '\\'), (true, None));
        assert_eq!(heredoc_role("bash -ex <<EOF", '\\'), (true, None));
        assert_eq!(
            heredoc_role("cat <<EOF > /etc/app.conf", '\\'),
            (false, Some("/etc/app.conf".into()))
        );
        assert_eq!(
            heredoc_role("tee -a /start.sh <<EOF", '\\'),
            (false, Some("/start.sh".into()))
        );
        assert_eq!(heredoc_role("python3 <<EOF", '\\'), (false, None));
    }
}
