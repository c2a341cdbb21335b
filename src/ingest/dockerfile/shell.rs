//! Reads what a `RUN` command does to the image: packages installed and removed (apt, apk,
//! yum/dnf/microdnf, zypper, pip), whole-OS upgrades, and package-manager caches left in
//! the layer. A small shell lexer, not a shell: it follows `&&`, `;`, pipes, quotes,
//! variables set earlier in the same command or by ENV/ARG, and `$(...)` as opaque.

use std::borrow::Cow;
use std::collections::HashMap;

/// A package a RUN installed.
#[derive(Debug, Clone, PartialEq)]
pub struct Package {
    pub manager: &'static str,
    pub name: String,
    /// The virtual group it was installed under (`apk add --virtual .build-deps`).
    pub group: Option<String>,
}

/// What one RUN does, as far as packages and caches go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunEffects {
    pub installs: Vec<Package>,
    /// Packages (or apk virtual groups) removed.
    pub removes: Vec<String>,
    /// `apt-mark auto '.*'` followed by an autoremove: everything this RUN installed with
    /// apt goes again, except what `apt-mark manual` names.
    pub apt_auto_all: bool,
    pub apt_manual: Vec<String>,
    pub autoremove: bool,
    /// Whole-OS upgrades (`apt-get upgrade`, `yum update` without packages, ...).
    pub upgrades: Vec<String>,
    /// Package-manager caches this RUN leaves in its layer.
    pub caches: Vec<String>,
}

#[derive(Debug, Clone, Default)]
struct ShellWord {
    text: String,
    /// Some part was quoted: an expansion in it is not split on spaces.
    quoted: bool,
}

/// Splits a script into simple commands (word lists), dropping redirections.
fn commands(script: &str) -> Vec<Vec<ShellWord>> {
    let mut out = Vec::new();
    let mut cmd: Vec<ShellWord> = Vec::new();
    let mut word: Option<ShellWord> = None;
    let mut skip_next_word = false;
    let chars: Vec<char> = script.chars().collect();
    // Character indices are byte offsets in an ASCII script (nearly every one): runs of
    // text are then copied as slices.
    let ascii = script.is_ascii();
    let mut i = 0;
    let end_word = |word: &mut Option<ShellWord>, cmd: &mut Vec<ShellWord>, skip: &mut bool| {
        if let Some(w) = word.take() {
            if *skip {
                *skip = false;
            } else {
                cmd.push(w);
            }
        }
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if chars.get(i + 1) == Some(&'\n') => i += 2,
            '\\' => {
                if let Some(&n) = chars.get(i + 1) {
                    word.get_or_insert_with(ShellWord::default).text.push(n);
                }
                i += 2;
            }
            '\'' => {
                let w = word.get_or_insert_with(ShellWord::default);
                w.quoted = true;
                i += 1;
                let end = chars[i..]
                    .iter()
                    .position(|&c| c == '\'')
                    .map_or(chars.len(), |p| i + p);
                if ascii {
                    w.text.push_str(&script[i..end]);
                } else {
                    w.text.extend(&chars[i..end]);
                }
                i = end + 1;
            }
            '"' => {
                let w = word.get_or_insert_with(ShellWord::default);
                w.quoted = true;
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    w.text.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            '$' if chars.get(i + 1) == Some(&'(') => {
                // Command substitution: kept opaque in the word.
                let w = word.get_or_insert_with(ShellWord::default);
                let mut depth = 0;
                while i < chars.len() {
                    let ch = chars[i];
                    w.text.push(ch);
                    i += 1;
                    if ch == '(' {
                        depth += 1;
                    } else if ch == ')' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                }
            }
            '$' if chars.get(i + 1) == Some(&'{') => {
                let w = word.get_or_insert_with(ShellWord::default);
                while i < chars.len() {
                    let ch = chars[i];
                    w.text.push(ch);
                    i += 1;
                    if ch == '}' {
                        break;
                    }
                }
            }
            '`' => {
                let w = word.get_or_insert_with(ShellWord::default);
                w.text.push('$');
                w.text.push('(');
                i += 1;
                while i < chars.len() && chars[i] != '`' {
                    w.text.push(chars[i]);
                    i += 1;
                }
                w.text.push(')');
                i += 1;
            }
            '>' | '<' => {
                // A redirection: its fd digits and its target are not arguments.
                if word
                    .as_ref()
                    .is_some_and(|w| !w.quoted && w.text.chars().all(|c| c.is_ascii_digit()))
                {
                    word = None;
                } else {
                    end_word(&mut word, &mut cmd, &mut skip_next_word);
                }
                i += 1;
                while i < chars.len() && matches!(chars[i], '>' | '<' | '|') {
                    i += 1;
                }
                if chars.get(i) == Some(&'&') {
                    i += 1;
                    while i < chars.len() && (chars[i].is_ascii_digit() || chars[i] == '-') {
                        i += 1;
                    }
                } else {
                    skip_next_word = true;
                }
            }
            ';' | '&' | '|' | '\n' | '(' | ')' => {
                end_word(&mut word, &mut cmd, &mut skip_next_word);
                skip_next_word = false;
                if !cmd.is_empty() {
                    out.push(std::mem::take(&mut cmd));
                }
                i += 1;
            }
            c if c.is_whitespace() => {
                end_word(&mut word, &mut cmd, &mut skip_next_word);
                i += 1;
            }
            _ => {
                // This character and the plain ones after it, in one go.
                let end = chars[i + 1..]
                    .iter()
                    .position(|&c| !is_plain(c))
                    .map_or(chars.len(), |p| i + 1 + p);
                let w = word.get_or_insert_with(ShellWord::default);
                if ascii {
                    w.text.push_str(&script[i..end]);
                } else {
                    w.text.extend(&chars[i..end]);
                }
                i = end;
            }
        }
    }
    end_word(&mut word, &mut cmd, &mut skip_next_word);
    if !cmd.is_empty() {
        out.push(cmd);
    }
    out
}

/// A character that is part of a word whatever follows it: not whitespace, a quote, an
/// escape, an operator or a `$` (which may open a substitution).
fn is_plain(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '\\' | '\'' | '"' | '$' | '`' | '>' | '<' | ';' | '&' | '|' | '\n' | '(' | ')'
        ))
}

fn is_assignment(w: &str) -> Option<(&str, &str)> {
    let (name, value) = w.split_once('=')?;
    let mut chars = name.chars();
    let first = chars.next()?;
    ((first.is_ascii_alphabetic() || first == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_'))
    .then_some((name, value))
}

/// Expands `$NAME` and `${NAME}` (and `${NAME:-default}`); None when something stays
/// unknown (a command substitution, an unset variable).
fn expand<'w>(word: &'w str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<Cow<'w, str>> {
    if !word.contains('$') {
        return Some(Cow::Borrowed(word));
    }
    let mut out = String::new();
    let mut rest = word;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if after.starts_with('(') {
            return None;
        }
        if let Some(inner) = after.strip_prefix('{') {
            let close = inner.find('}')?;
            let expr = &inner[..close];
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match lookup(name).filter(|v| !v.is_empty()) {
                Some(v) => out.push_str(&v),
                None => out.push_str(default?),
            }
            rest = &inner[close + 1..];
            if out.len() > 4096 {
                return None;
            }
        } else {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            if len == 0 {
                out.push('$');
                rest = after;
                continue;
            }
            out.push_str(&lookup(&after[..len])?);
            rest = &after[len..];
            if out.len() > 4096 {
                return None;
            }
        }
    }
    out.push_str(rest);
    // `a=$a$a` doubles on every line: a value this long is no package list.
    (out.len() <= 4096).then_some(Cow::Owned(out))
}

const PREFIXES: &[&str] = &[
    "sudo", "env", "exec", "command", "nohup", "time", "nice", "then", "do", "else", "if", "while",
    "until", "!", "{", "}", "xargs", "eval",
];

/// Options of each package manager that take a separate value.
fn takes_value(manager: &str, opt: &str) -> bool {
    if opt.contains('=') {
        return false;
    }
    match manager {
        "apt" => matches!(
            opt,
            "-o" | "-c" | "-t" | "--option" | "--config-file" | "--target-release"
        ),
        "apk" => matches!(
            opt,
            "-X" | "--repository"
                | "-p"
                | "--root"
                | "--arch"
                | "--cache-dir"
                | "-t"
                | "--virtual"
                | "--keys-dir"
                | "--repositories-file"
        ),
        "yum" => matches!(
            opt,
            "-x" | "--exclude"
                | "--enablerepo"
                | "--disablerepo"
                | "--setopt"
                | "--installroot"
                | "--releasever"
                | "-c"
                | "--config"
                | "--repo"
                | "--repofrompath"
        ),
        "zypper" => matches!(opt, "--root" | "-R" | "--repo" | "-r" | "--from"),
        "pip" => matches!(
            opt,
            "-r" | "--requirement"
                | "-c"
                | "--constraint"
                | "-i"
                | "--index-url"
                | "--extra-index-url"
                | "-t"
                | "--target"
                | "-f"
                | "--find-links"
                | "--prefix"
                | "--root"
                | "-e"
                | "--editable"
                | "--trusted-host"
                | "--platform"
                | "--python-version"
                | "--implementation"
                | "--abi"
                | "--cache-dir"
                | "--src"
                | "--progress-bar"
                | "--only-binary"
                | "--no-binary"
        ),
        _ => false,
    }
}

/// Subcommand and its non-option arguments; options (with their values) in `opts`.
fn split_args<'a, S: AsRef<str>>(
    manager: &str,
    args: &'a [S],
) -> (Option<&'a str>, Vec<&'a str>, Vec<&'a str>) {
    let mut sub = None;
    let mut rest = Vec::new();
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_ref();
        if a.starts_with('-') && a.len() > 1 {
            opts.push(a);
            if takes_value(manager, a) {
                if let Some(v) = args.get(i + 1) {
                    opts.push(v.as_ref());
                }
                i += 1;
            }
        } else if sub.is_none() {
            sub = Some(a);
        } else {
            rest.push(a);
        }
        i += 1;
    }
    (sub, rest, opts)
}

fn package_name(manager: &str, word: &str) -> Option<String> {
    if word.is_empty() || word.contains('$') || word.starts_with('-') {
        return None;
    }
    let cut = match manager {
        "apt" => word.find(['=', '/']),
        "apk" => word.find(['=', '>', '<', '~', '@']),
        "pip" => word.find(['=', '>', '<', '~', '!', '[', ';', ' ']),
        _ => None,
    };
    let name = cut.map_or(word, |p| &word[..p]).trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Reads one RUN script. `lookup` resolves ENV/ARG variables of the stage.
pub fn analyse(script: &str, lookup: &dyn Fn(&str) -> Option<String>) -> RunEffects {
    let mut fx = RunEffects::default();
    let mut local: HashMap<String, String> = HashMap::new();
    // Per cache family (apt, apk, yum, zypper, pip): the manager that last filled it, and
    // whether a clean or an `rm` came after that (cleaning before installing cleans nothing).
    let mut filled: Vec<(&'static str, &'static str, bool)> = Vec::new();
    let fill = |filled: &mut Vec<(&'static str, &'static str, bool)>,
                family: &'static str,
                manager: &'static str| {
        filled.retain(|(f, _, _)| *f != family);
        filled.push((family, manager, false));
    };
    let clean = |filled: &mut Vec<(&'static str, &'static str, bool)>, family: &str| {
        for f in filled.iter_mut().filter(|f| f.0 == family) {
            f.2 = true;
        }
    };
    for cmd in commands(script) {
        let resolve = |name: &str| local.get(name).cloned().or_else(|| lookup(name));
        // Expand variables; unquoted expansions split into several words.
        let mut words: Vec<Cow<'_, str>> = Vec::new();
        for w in &cmd {
            match expand(&w.text, &resolve) {
                Some(v) if !w.quoted && w.text.contains('$') => {
                    words.extend(v.split_whitespace().map(|s| Cow::Owned(s.to_string())));
                }
                Some(v) => words.push(v),
                None => {}
            }
        }
        // A command of assignments only sets shell variables.
        let raw_all_assign = cmd.iter().all(|w| is_assignment(&w.text).is_some());
        if raw_all_assign || words.first().is_some_and(|w| w == "export") {
            let assigned: Vec<(String, String)> = cmd
                .iter()
                .filter_map(|w| {
                    let (name, value) = is_assignment(&w.text)?;
                    Some((name.to_string(), expand(value, &resolve)?.into_owned()))
                })
                .collect();
            local.extend(assigned);
            continue;
        }
        let mut start = 0;
        // `NAME=value command` and `env NAME=value command`: set for that command only.
        let mut inline: HashMap<String, String> = HashMap::new();
        while start < words.len() {
            let w: &str = &words[start];
            if PREFIXES.contains(&w) || is_assignment(w).is_some() {
                if let Some((name, value)) = is_assignment(w) {
                    inline.insert(name.to_string(), value.to_string());
                }
                start += 1;
                if w == "sudo" || w == "xargs" {
                    while words.get(start).is_some_and(|w| w.starts_with('-')) {
                        start += 1;
                    }
                }
            } else {
                break;
            }
        }
        let words = &words[start..];
        let Some(first) = words.first() else { continue };
        let program = first.rsplit('/').next().unwrap_or(first);
        let args = &words[1..];
        match program {
            "apt-get" | "apt" | "aptitude" => {
                let (sub, pkgs, opts) = split_args("apt", args);
                match sub {
                    Some("install" | "reinstall") => {
                        fill(&mut filled, "apt", "apt");
                        fx.installs.extend(pkgs.iter().filter_map(|p| {
                            package_name("apt", p).map(|name| Package {
                                manager: "apt",
                                name,
                                group: None,
                            })
                        }));
                    }
                    Some("remove" | "purge" | "autoremove") => {
                        fx.removes
                            .extend(pkgs.iter().filter_map(|p| package_name("apt", p)));
                        if sub == Some("autoremove")
                            || opts
                                .iter()
                                .any(|o| o.contains("auto-remove") || o.contains("autoremove"))
                        {
                            fx.autoremove = true;
                        }
                    }
                    Some(u @ ("upgrade" | "dist-upgrade" | "full-upgrade")) => {
                        fill(&mut filled, "apt", "apt");
                        fx.upgrades.push(format!("{program} {u}"));
                    }
                    // The lists are what `update` writes; `clean` empties the archives only.
                    Some("update") if filled.iter().any(|f| f.0 == "apt") => {
                        fill(&mut filled, "apt", "apt");
                    }
                    _ => {}
                }
            }
            "apt-mark" => {
                let (sub, names, _) = split_args("apt", args);
                match sub {
                    Some("auto") if names.iter().any(|n| n.contains(".*")) => {
                        fx.apt_auto_all = true;
                    }
                    Some("manual") => fx.apt_manual.extend(names.iter().map(|n| n.to_string())),
                    _ => {}
                }
            }
            "apk" => {
                let (sub, pkgs, opts) = split_args("apk", args);
                match sub {
                    Some("add") => {
                        let group = opts
                            .iter()
                            .position(|o| *o == "--virtual" || *o == "-t")
                            .and_then(|p| opts.get(p + 1))
                            .map(|g| g.to_string())
                            .or_else(|| {
                                opts.iter()
                                    .find_map(|o| o.strip_prefix("--virtual="))
                                    .map(str::to_string)
                            });
                        // `--no-network` fetches nothing, so it leaves no index behind either.
                        if !opts.contains(&"--no-cache") && !opts.contains(&"--no-network") {
                            fill(&mut filled, "apk", "apk");
                        }
                        fx.installs.extend(pkgs.iter().filter_map(|p| {
                            package_name("apk", p).map(|name| Package {
                                manager: "apk",
                                name,
                                group: group.clone(),
                            })
                        }));
                    }
                    Some("del") => fx
                        .removes
                        .extend(pkgs.iter().filter_map(|p| package_name("apk", p))),
                    Some("upgrade") => {
                        if !opts.contains(&"--no-cache") {
                            fill(&mut filled, "apk", "apk");
                        }
                        if pkgs.is_empty() {
                            fx.upgrades.push("apk upgrade".into());
                        }
                    }
                    Some("cache") if pkgs.first() == Some(&"clean") => clean(&mut filled, "apk"),
                    _ => {}
                }
            }
            "yum" | "dnf" | "dnf5" | "microdnf" | "tdnf" => {
                let manager: &'static str = match program {
                    "yum" => "yum",
                    "dnf" => "dnf",
                    "dnf5" => "dnf5",
                    "microdnf" => "microdnf",
                    _ => "tdnf",
                };
                let (sub, mut pkgs, _) = split_args("yum", args);
                // dnf's aliases (`dnf in`, `dnf rei`, `dnf rm`, `dnf up`, `dnf dsync`).
                let sub = match sub {
                    Some("group" | "grp") if pkgs.first() == Some(&"install") => {
                        pkgs.remove(0);
                        Some("groupinstall")
                    }
                    Some("in") => Some("install"),
                    Some("rei") => Some("reinstall"),
                    Some("rm") => Some("remove"),
                    Some("up") => Some("upgrade"),
                    Some("dsync") => Some("distro-sync"),
                    s => s,
                };
                match sub {
                    Some("install" | "localinstall" | "reinstall") => {
                        fill(&mut filled, "yum", manager);
                        fx.installs.extend(pkgs.iter().filter_map(|p| {
                            package_name(manager, p).map(|name| Package {
                                manager,
                                name,
                                group: None,
                            })
                        }));
                    }
                    Some("groupinstall") => {
                        fill(&mut filled, "yum", manager);
                        fx.installs.extend(pkgs.iter().map(|p| Package {
                            manager,
                            name: format!("@{}", p.trim_start_matches('@')),
                            group: None,
                        }));
                    }
                    Some("remove" | "erase" | "autoremove") => {
                        fx.removes
                            .extend(pkgs.iter().filter_map(|p| package_name(manager, p)));
                    }
                    // An upgrade downloads metadata and packages as an install does.
                    Some(u @ ("update" | "upgrade" | "distro-sync")) => {
                        fill(&mut filled, "yum", manager);
                        if pkgs.is_empty() {
                            fx.upgrades.push(format!("{program} {u}"));
                        }
                    }
                    Some("makecache" | "mc") => fill(&mut filled, "yum", manager),
                    Some("clean") => clean(&mut filled, "yum"),
                    _ => {}
                }
            }
            "zypper" => {
                let (sub, pkgs, _) = split_args("zypper", args);
                match sub {
                    Some("in" | "install") => {
                        fill(&mut filled, "zypper", "zypper");
                        fx.installs.extend(pkgs.iter().filter_map(|p| {
                            package_name("zypper", p).map(|name| Package {
                                manager: "zypper",
                                name,
                                group: None,
                            })
                        }));
                    }
                    Some("rm" | "remove") => fx
                        .removes
                        .extend(pkgs.iter().filter_map(|p| package_name("zypper", p))),
                    Some(u @ ("up" | "update" | "dup" | "dist-upgrade" | "patch")) => {
                        fill(&mut filled, "zypper", "zypper");
                        if pkgs.is_empty() {
                            fx.upgrades.push(format!("zypper {u}"));
                        }
                    }
                    Some("clean" | "cc") => clean(&mut filled, "zypper"),
                    _ => {}
                }
            }
            "pip" | "pip3" | "pip2" | "python" | "python3" | "uv" => {
                let pip_args: &[Cow<'_, str>] = match program {
                    "python" | "python3" => match args.iter().position(|a| a == "-m") {
                        Some(p) if args.get(p + 1).is_some_and(|m| m == "pip") => &args[p + 2..],
                        _ => continue,
                    },
                    "uv" if args.first().is_some_and(|a| a == "pip") => &args[1..],
                    "uv" => continue,
                    _ => args,
                };
                let (sub, pkgs, opts) = split_args("pip", pip_args);
                if sub == Some("install") {
                    let no_cache = program == "uv"
                        || opts
                            .iter()
                            .any(|o| *o == "--no-cache-dir" || *o == "--no-cache")
                        || inline
                            .get("PIP_NO_CACHE_DIR")
                            .cloned()
                            .or_else(|| resolve("PIP_NO_CACHE_DIR"))
                            .is_some_and(|v| truthy(&v));
                    if !no_cache {
                        fill(&mut filled, "pip", "pip");
                    }
                    fx.installs.extend(pkgs.iter().filter_map(|p| {
                        package_name("pip", p).map(|name| Package {
                            manager: "pip",
                            name,
                            group: None,
                        })
                    }));
                } else if sub == Some("uninstall") {
                    fx.removes
                        .extend(pkgs.iter().filter_map(|p| package_name("pip", p)));
                }
            }
            "easy_install" | "easy_install3" => {
                fx.installs.extend(
                    args.iter()
                        .filter(|a| !a.starts_with('-'))
                        .filter_map(|p| package_name("pip", p))
                        .map(|name| Package {
                            manager: "pip",
                            name,
                            group: None,
                        }),
                );
            }
            "rm" => {
                for path in args.iter().filter(|a| !a.starts_with('-')) {
                    for f in filled.iter_mut() {
                        if cache_dirs(f.1).iter().any(|dir| covers(path, dir)) {
                            f.2 = true;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    for (_, manager, cleaned) in filled {
        if !cleaned {
            fx.caches.push(format!(
                "{} ({})",
                cache_name(manager),
                cache_dirs(manager).first().copied().unwrap_or_default()
            ));
        }
    }
    fx
}

/// `PIP_NO_CACHE_DIR` set to a value that switches the cache off.
fn truthy(v: &str) -> bool {
    !(v.is_empty()
        || v == "0"
        || ["false", "off", "no"]
            .iter()
            .any(|f| v.eq_ignore_ascii_case(f)))
}

fn cache_name(manager: &str) -> String {
    match manager {
        "apt" => "apt package lists".to_string(),
        m => format!("{m} cache"),
    }
}

/// Where a package manager keeps its cache, the usual place first. The yum family shares
/// one: yum and dnf 4 use `/var/cache/yum` or `/var/cache/dnf`, dnf 5 `/var/cache/libdnf5`.
pub fn cache_dirs(manager: &str) -> &'static [&'static str] {
    match manager {
        "apt" => &["/var/lib/apt/lists"],
        "apk" => &["/var/cache/apk", "/etc/apk/cache"],
        "dnf" => &["/var/cache/dnf", "/var/cache/libdnf5", "/var/cache/yum"],
        "dnf5" => &["/var/cache/libdnf5", "/var/cache/dnf", "/var/cache/yum"],
        "tdnf" => &["/var/cache/tdnf", "/var/cache/yum", "/var/cache/dnf"],
        "yum" | "microdnf" => &["/var/cache/yum", "/var/cache/dnf", "/var/cache/libdnf5"],
        "zypper" => &["/var/cache/zypp"],
        "pip" => &["~/.cache/pip"],
        _ => &[],
    }
}

/// An `rm` argument (or a mount target) that takes `dir` away: the folder itself, a parent
/// of it (`/var/cache/*`), or what is inside it (`/var/lib/apt/lists/*`). A `~` folder is
/// any home's.
pub fn covers(path: &str, dir: &str) -> bool {
    if let Some(rest) = dir.strip_prefix('~') {
        // `/root/.cache/pip`, `$HOME/.cache`, `~/.cache/*`.
        let base = rest.trim_end_matches('/');
        let parent = base.rsplit_once('/').map_or(base, |(p, _)| p);
        return path.contains(base) || path.trim_end_matches(['*', '/']).ends_with(parent);
    }
    let base = path.trim_end_matches('*').trim_end_matches('/');
    if base.is_empty() || !base.starts_with('/') {
        return false;
    }
    dir.strip_prefix(base)
        .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        || path.starts_with(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(script: &str) -> RunEffects {
        analyse(script, &|name| match name {
            "BUILD_DEPS" => Some("gcc make".to_string()),
            _ => None,
        })
    }

    fn names(fx: &RunEffects) -> Vec<&str> {
        fx.installs.iter().map(|p| p.name.as_str()).collect()
    }

    #[test]
    fn apt_installs_with_options_versions_and_variables() {
        let fx = run(
            "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold curl=7.88.1 openssh-server/bookworm $BUILD_DEPS > /dev/null 2>&1 && rm -rf /var/lib/apt/lists/*",
        );
        assert_eq!(names(&fx), vec!["curl", "openssh-server", "gcc", "make"]);
        assert!(fx.caches.is_empty());
    }

    #[test]
    fn apt_lists_left_and_upgrades() {
        let fx = run("apt-get update; apt-get -y dist-upgrade; apt-get install -y vim");
        assert_eq!(fx.caches, vec!["apt package lists (/var/lib/apt/lists)"]);
        assert_eq!(fx.upgrades, vec!["apt-get dist-upgrade"]);
    }

    #[test]
    fn shell_variables_set_in_the_run_are_followed() {
        let fx = run(
            "buildDeps='gcc libc6-dev make'; set -x && apt-get install -y $buildDeps && apt-get purge -y --auto-remove $buildDeps",
        );
        assert_eq!(names(&fx), vec!["gcc", "libc6-dev", "make"]);
        assert_eq!(fx.removes, vec!["gcc", "libc6-dev", "make"]);
        assert!(fx.autoremove);
    }

    #[test]
    fn apt_mark_auto_pattern_of_official_images() {
        let fx = run(
            "savedAptMark=\"$(apt-mark showmanual)\"; apt-get install -y gcc; apt-mark auto '.*' > /dev/null; apt-mark manual $savedAptMark; apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false",
        );
        assert!(fx.apt_auto_all);
        assert!(fx.autoremove);
        assert!(fx.apt_manual.is_empty());
    }

    #[test]
    fn apk_virtual_groups_and_no_cache() {
        let fx = run(
            "apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir x==1.0 && apk del .build-deps",
        );
        assert_eq!(fx.installs[0].group.as_deref(), Some(".build-deps"));
        assert_eq!(names(&fx), vec!["gcc", "musl-dev", "x"]);
        assert_eq!(fx.removes, vec![".build-deps"]);
        assert!(fx.caches.is_empty());
        let fx = run("apk add curl && pip install flask");
        assert_eq!(
            fx.caches,
            vec!["apk cache (/var/cache/apk)", "pip cache (~/.cache/pip)"]
        );
    }

    #[test]
    fn yum_groups_updates_and_clean() {
        let fx = run(
            "yum -y update && yum groupinstall -y 'Development Tools' && yum install -y --setopt=tsflags=nodocs httpd && yum clean all",
        );
        assert_eq!(names(&fx), vec!["@Development Tools", "httpd"]);
        assert_eq!(fx.upgrades, vec!["yum update"]);
        assert!(fx.caches.is_empty());
        let fx = run("microdnf install -y java-17-openjdk-headless");
        assert_eq!(fx.caches, vec!["microdnf cache (/var/cache/yum)"]);
    }

    #[test]
    fn a_clean_before_the_install_cleans_nothing() {
        let fx = run("yum clean all && yum install -y httpd");
        assert_eq!(fx.caches, vec!["yum cache (/var/cache/yum)"]);
        let fx = run("rm -rf /var/lib/apt/lists/* && apt-get update && apt-get install -y x");
        assert_eq!(fx.caches, vec!["apt package lists (/var/lib/apt/lists)"]);
        let fx = run("apt-get update && apt-get install -y x && rm -rf /var/lib/apt/lists/*");
        assert!(fx.caches.is_empty());
    }

    #[test]
    fn dnf_aliases_dnf5_and_upgrades() {
        let fx = run("dnf in -y openssh-server");
        assert_eq!(names(&fx), vec!["openssh-server"]);
        assert_eq!(fx.caches, vec!["dnf cache (/var/cache/dnf)"]);
        let fx = run("dnf rei -y bash && dnf clean all");
        assert_eq!(names(&fx), vec!["bash"]);
        assert!(fx.caches.is_empty());
        let fx = run("dnf upgrade -y");
        assert_eq!(fx.upgrades, vec!["dnf upgrade"]);
        assert_eq!(fx.caches, vec!["dnf cache (/var/cache/dnf)"]);
        let fx = run("dnf -y upgrade && dnf -y clean all");
        assert!(fx.caches.is_empty());
        let fx = run("dnf5 install -y git && rm -rf /var/cache/libdnf5/*");
        assert!(fx.caches.is_empty());
        let fx = run("dnf install -y git && rm -rf /var/cache/*");
        assert!(fx.caches.is_empty());
        let fx = run("dnf5 install -y git");
        assert_eq!(fx.caches, vec!["dnf5 cache (/var/cache/libdnf5)"]);
    }

    #[test]
    fn apk_zypper_and_apt_upgrades_fill_their_caches() {
        assert_eq!(
            run("apk upgrade").caches,
            vec!["apk cache (/var/cache/apk)"]
        );
        assert!(run("apk upgrade --no-cache").caches.is_empty());
        assert_eq!(
            run("zypper -n up").caches,
            vec!["zypper cache (/var/cache/zypp)"]
        );
        assert!(run("zypper -n in x && zypper clean -a").caches.is_empty());
        assert_eq!(
            run("apt-get update && apt-get upgrade -y").caches,
            vec!["apt package lists (/var/lib/apt/lists)"]
        );
    }

    #[test]
    fn pip_cache_switched_off_inline_or_by_export() {
        assert!(
            run("PIP_NO_CACHE_DIR=1 pip install flask")
                .caches
                .is_empty()
        );
        assert!(
            run("env PIP_NO_CACHE_DIR=true pip3 install flask")
                .caches
                .is_empty()
        );
        assert!(
            run("export PIP_NO_CACHE_DIR=1 && pip install flask")
                .caches
                .is_empty()
        );
        assert_eq!(
            run("PIP_NO_CACHE_DIR=0 pip install flask").caches,
            vec!["pip cache (~/.cache/pip)"]
        );
        assert!(
            run("pip install flask && rm -rf /root/.cache")
                .caches
                .is_empty()
        );
    }

    #[test]
    fn quoted_text_and_substitutions_are_not_packages() {
        let fx = run(
            "echo 'apt-get install -y sshd' && apt-get install -y $(cat pkgs.txt) `echo x` && python3 -m pip install -r req.txt",
        );
        assert!(names(&fx).is_empty());
    }
}
