//! The document rules read: instruction, stage and image nodes, each located at its
//! instruction's line (see docs/writing-rules.md, "Dockerfile").

use super::convert::{Detail, Inst};
use super::text;
use super::{Keyed, Model, Stage, View};
use crate::ingest::image_ref::ImageRef;
use crate::node::{Entry, Node, Value};

fn str_seq(items: &[String], line: u32) -> Node {
    Node::seq(
        items.iter().map(|s| Node::str(s.clone(), line)).collect(),
        line,
    )
}

pub(super) fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn inst_node(inst: &Inst, stage: usize, inherited: bool) -> Node {
    let l = inst.line;
    let mut n = Node::map(l);
    n.insert("instruction", Node::str(inst.keyword, l));
    n.insert("args", Node::str(inst.args.clone(), l));
    n.insert("text", Node::str(inst.text.clone(), l));
    n.insert("stage", Node::int(to_i64(stage), l));
    if let Some(f) = inst.form {
        n.insert("form", Node::str(f, l));
    }
    if let Some(e) = &inst.exec {
        n.insert("exec", str_seq(e, l));
    }
    if !inst.flags.is_empty() {
        let mut flags = Node::map(l);
        let mut seen: Vec<(String, String)> = Vec::new();
        for (name, value) in &inst.flags {
            match seen.iter_mut().find(|(n, _)| n == name) {
                Some((_, v)) => {
                    v.push(' ');
                    v.push_str(value);
                }
                None => seen.push((name.clone(), value.clone())),
            }
        }
        for (name, value) in seen {
            flags.insert(name, Node::str(value, l));
        }
        n.insert("flags", flags);
    }
    if !inst.heredocs.is_empty() {
        let docs = inst
            .heredocs
            .iter()
            .map(|h| {
                let mut d = Node::map(h.body_line);
                d.insert("delimiter", Node::str(h.delimiter.clone(), h.body_line));
                d.insert("body", Node::str(h.body.clone(), h.body_line));
                d
            })
            .collect();
        n.insert("heredocs", Node::seq(docs, l));
    }
    if inherited {
        n.insert("inherited", Node::bool(true, l));
    }
    match &inst.detail {
        Detail::Copy {
            from,
            sources,
            dest,
            ..
        } => {
            if let Some(f) = from {
                n.insert("from", Node::str(f.clone(), l));
            }
            n.insert("sources", str_seq(sources, l));
            n.insert("dest", Node::str(dest.clone(), l));
        }
        Detail::Onbuild(inner) => n.insert("trigger", inst_node(inner, stage, inherited)),
        _ => {}
    }
    n
}

fn from_node(model: &Model, st: &Stage) -> Node {
    let l = st.line;
    let mut n = Node::map(l);
    n.insert("image", Node::str(st.image.clone(), l));
    n.insert("raw", Node::str(st.image_raw.clone(), l));
    if let Some(p) = &st.platform {
        n.insert("platform", Node::str(p.clone(), l));
    }
    if st.unresolved {
        n.insert("unresolved", Node::bool(true, l));
    }
    match st.parent {
        Some(p) => {
            let name = model.stages[p].name.clone().unwrap_or_default();
            n.insert("stage", Node::str(name, l));
            n.insert("external", Node::bool(false, l));
        }
        None => {
            let r = ImageRef::parse(&st.image);
            let scratch = r.is_scratch();
            n.insert("scratch", Node::bool(scratch, l));
            n.insert("external", Node::bool(!scratch && !st.unresolved, l));
            if let Some(reg) = &r.registry {
                n.insert("registry", Node::str(*reg, l));
            }
            n.insert("repository", Node::str(r.path, l));
            if let Some(t) = &r.tag {
                n.insert("tag", Node::str(*t, l));
            }
            if let Some(d) = &r.digest {
                n.insert("digest", Node::str(*d, l));
            }
        }
    }
    n
}

/// A mapping built in one go: the keys are unique already, and `Node::insert` would look
/// each one up again.
fn keyed_node(k: &Keyed, line: u32) -> Node {
    let entries = k
        .items
        .iter()
        .map(|(name, value, l)| Entry {
            key: name.clone(),
            value: Node::str(value.clone(), *l),
        })
        .collect();
    Node::new(Value::Map(entries), line)
}

fn user_node(user: &str, line: u32) -> Node {
    let (uid, group) = match user.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (user, None),
    };
    let mut n = Node::map(line);
    n.insert("name", Node::str(user, line));
    n.insert("user", Node::str(uid, line));
    if let Some(g) = group {
        n.insert("group", Node::str(g, line));
    }
    n
}

pub(super) fn stage_node(model: &Model, si: usize, v: &View<'_>, merged: bool) -> Node {
    let st = &model.stages[si];
    let l = st.line;
    let mut n = Node::map(l);
    n.insert("index", Node::int(to_i64(st.index), l));
    if let Some(name) = &st.name {
        n.insert("name", Node::str(name.clone(), l));
    }
    n.insert("from", from_node(model, st));
    if let Some(p) = st.parent {
        n.insert("parent", Node::int(to_i64(p), l));
    }
    n.insert("base", from_node(model, &model.stages[st.root]));
    let insts = v
        .insts
        .iter()
        .filter(|(_, s, _)| merged || *s == si)
        .map(|(i, s, inherited)| inst_node(i, *s, *inherited))
        .collect();
    n.insert("instructions", Node::seq(insts, l));
    if let Some((user, _, line)) = &v.user {
        n.insert("user", user_node(user, *line));
    }
    let mut startup = Vec::new();
    if let Some(e) = v.entrypoint {
        let node = inst_node(e, si, false);
        startup.push(node.clone());
        n.insert("entrypoint", node);
    }
    if let Some((c, _)) = v.cmd {
        let node = inst_node(c, si, false);
        startup.push(node.clone());
        n.insert("cmd", node);
    }
    n.insert("startup", Node::seq(startup, l));
    if let Some(h) = v.healthcheck {
        let mut node = inst_node(h, si, false);
        let none = matches!(h.detail, Detail::Healthcheck { none: true });
        node.insert("none", Node::bool(none, h.line));
        n.insert("healthcheck", node);
    }
    let ports = v
        .exposed
        .iter()
        .map(|(text, line)| port_node(text, *line))
        .collect();
    n.insert("exposed_ports", Node::seq(ports, l));
    n.insert("env", keyed_node(&v.env, l));
    let vars = v
        .variables
        .iter()
        .map(|var| {
            let mut m = Node::map(var.line);
            m.insert("instruction", Node::str(var.keyword, var.line));
            m.insert("name", Node::str(var.name.clone(), var.line));
            if let Some(val) = &var.value {
                m.insert("value", Node::str(val.clone(), var.line));
            }
            m
        })
        .collect();
    n.insert("variables", Node::seq(vars, l));
    n.insert("labels", keyed_node(&v.labels, l));
    let volumes = v
        .volumes
        .iter()
        .map(|(p, line)| {
            let mut m = Node::map(*line);
            m.insert("path", Node::str(p.clone(), *line));
            m
        })
        .collect();
    n.insert("volumes", Node::seq(volumes, l));
    if let Some((w, line)) = &v.workdir {
        n.insert("workdir", Node::str(w.clone(), *line));
    }
    if let Some(s) = v.shell
        && let Some(e) = &s.exec
    {
        n.insert("shell", str_seq(e, s.line));
    }
    let copies = v
        .copies
        .iter()
        .map(|c| {
            let line = c.inst.line;
            let mut m = Node::map(line);
            m.insert(
                "text",
                Node::str(format!("{} {}", c.inst.keyword, c.inst.text), line),
            );
            m.insert("instruction", Node::str(c.inst.keyword, line));
            if let Some(f) = &c.from {
                m.insert("from", Node::str(f.clone(), line));
            }
            m.insert("sources", str_seq(&c.sources, line));
            m.insert("dest", Node::str(c.dest.clone(), line));
            m
        })
        .collect();
    n.insert("copies", Node::seq(copies, l));
    let scripts = v
        .files
        .iter()
        .map(|f| {
            let mut m = Node::map(f.line);
            m.insert("dest", Node::str(f.dest.clone(), f.line));
            m.insert(
                "text",
                Node::str(text::strip_shell_comments(&f.body, '\\'), f.line),
            );
            m
        })
        .collect();
    n.insert("scripts", Node::seq(scripts, l));
    n
}

/// `80`, `80/tcp`, `7000-7010/udp`; a port that stays a variable keeps only its text.
pub(super) fn parse_port(text: &str) -> (Option<u32>, Option<u32>, String) {
    let (ports, proto) = match text.split_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (text, "tcp".to_string()),
    };
    let (start, end) = match ports.split_once('-') {
        Some((a, b)) => (a.parse().ok(), b.parse().ok()),
        None => (ports.parse().ok(), None),
    };
    (start, end, proto)
}

fn port_node(text: &str, line: u32) -> Node {
    let (port, end, proto) = parse_port(text);
    let mut n = Node::map(line);
    n.insert("text", Node::str(text, line));
    if let Some(p) = port {
        n.insert("port", Node::int(i64::from(p), line));
    }
    if let Some(e) = end {
        n.insert("end", Node::int(i64::from(e), line));
    }
    n.insert("protocol", Node::str(proto, line));
    n
}

/// Well-known server ports by the kind of service behind them: several kinds in one image
/// is a multi-service box.
pub(super) fn service_of(port: u32) -> Option<&'static str> {
    Some(match port {
        20 | 21 => "ftp",
        22 => "ssh",
        23 => "telnet",
        25 | 465 | 587 => "smtp",
        53 => "dns",
        80 | 443 | 8080 | 8443 => "http",
        110 | 143 | 993 | 995 => "mail",
        139 | 445 => "smb",
        389 | 636 => "ldap",
        1433 => "sqlserver",
        1521 => "oracle",
        3306 => "mysql",
        3389 => "rdp",
        5432 => "postgres",
        5672 => "amqp",
        5900..=5910 => "vnc",
        6379 => "redis",
        11211 => "memcached",
        27017 => "mongodb",
        _ => return None,
    })
}
