//! The document rules read: instruction, stage and image nodes, each located at its
//! instruction's line (see docs/writing-rules.md, "Dockerfile").

use super::convert::{Detail, Inst};
use super::text;
use super::{Keyed, Model, Stage, View};
use crate::ingest::image_ref::ImageRef;
use crate::node::{Entry, Node, Value};

/// A mapping built from keys that are distinct by construction: `Node::insert` would look
/// each one up again.
pub(super) struct MapNode {
    entries: Vec<Entry>,
    line: u32,
}

impl MapNode {
    pub(super) fn new(line: u32, capacity: usize) -> Self {
        MapNode {
            entries: Vec::with_capacity(capacity),
            line,
        }
    }
    pub(super) fn put(&mut self, key: impl Into<String>, value: Node) {
        self.entries.push(Entry {
            key: key.into(),
            value,
        });
    }
    pub(super) fn node(self) -> Node {
        Node::new(Value::Map(self.entries), self.line)
    }
}

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
    let mut n = MapNode::new(l, 12);
    n.put("instruction", Node::str(inst.keyword, l));
    n.put("args", Node::str(inst.args.clone(), l));
    n.put("text", Node::str(inst.text.clone(), l));
    n.put("stage", Node::int(to_i64(stage), l));
    if let Some(f) = inst.form {
        n.put("form", Node::str(f, l));
    }
    if let Some(e) = &inst.exec {
        n.put("exec", str_seq(e, l));
    }
    if !inst.flags.is_empty() {
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
        let mut flags = MapNode::new(l, seen.len());
        for (name, value) in seen {
            flags.put(name, Node::str(value, l));
        }
        n.put("flags", flags.node());
    }
    if !inst.heredocs.is_empty() {
        let docs = inst
            .heredocs
            .iter()
            .map(|h| {
                let mut d = MapNode::new(h.body_line, 2);
                d.put("delimiter", Node::str(h.delimiter.clone(), h.body_line));
                d.put("body", Node::str(h.body.clone(), h.body_line));
                d.node()
            })
            .collect();
        n.put("heredocs", Node::seq(docs, l));
    }
    if inherited {
        n.put("inherited", Node::bool(true, l));
    }
    match &inst.detail {
        Detail::Copy {
            from,
            sources,
            dest,
            ..
        } => {
            if let Some(f) = from {
                n.put("from", Node::str(f.clone(), l));
            }
            n.put("sources", str_seq(sources, l));
            n.put("dest", Node::str(dest.clone(), l));
        }
        Detail::Onbuild(inner) => n.put("trigger", inst_node(inner, stage, inherited)),
        _ => {}
    }
    n.node()
}

/// Every stage's [`from_node`], built once: a stage's `from` and the `base` of every stage
/// on top of it copy it.
pub(super) fn from_nodes(model: &Model) -> Vec<Node> {
    model.stages.iter().map(|st| from_node(model, st)).collect()
}

fn from_node(model: &Model, st: &Stage) -> Node {
    let l = st.line;
    let mut n = MapNode::new(l, 9);
    n.put("image", Node::str(st.image.clone(), l));
    n.put("raw", Node::str(st.image_raw.clone(), l));
    if let Some(p) = &st.platform {
        n.put("platform", Node::str(p.clone(), l));
    }
    if st.unresolved {
        n.put("unresolved", Node::bool(true, l));
    }
    match st.parent {
        Some(p) => {
            let name = model.stages[p].name.clone().unwrap_or_default();
            n.put("stage", Node::str(name, l));
            n.put("external", Node::bool(false, l));
        }
        None => {
            let r = ImageRef::parse(&st.image);
            let scratch = r.is_scratch();
            n.put("scratch", Node::bool(scratch, l));
            n.put("external", Node::bool(!scratch && !st.unresolved, l));
            if let Some(reg) = &r.registry {
                n.put("registry", Node::str(*reg, l));
            }
            n.put("repository", Node::str(r.path, l));
            if let Some(t) = &r.tag {
                n.put("tag", Node::str(*t, l));
            }
            if let Some(d) = &r.digest {
                n.put("digest", Node::str(*d, l));
            }
        }
    }
    n.node()
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
    let mut n = MapNode::new(line, 3);
    n.put("name", Node::str(user, line));
    n.put("user", Node::str(uid, line));
    if let Some(g) = group {
        n.put("group", Node::str(g, line));
    }
    n.node()
}

/// `froms` holds every stage's [`from_node`], which a stage's `from` and `base` copy.
pub(super) fn stage_node(
    model: &Model,
    froms: &[Node],
    si: usize,
    v: &View<'_>,
    merged: bool,
) -> Node {
    let st = &model.stages[si];
    let l = st.line;
    let mut n = MapNode::new(l, 22);
    n.put("index", Node::int(to_i64(st.index), l));
    if let Some(name) = &st.name {
        n.put("name", Node::str(name.clone(), l));
    }
    n.put("from", froms[si].clone());
    if let Some(p) = st.parent {
        n.put("parent", Node::int(to_i64(p), l));
    }
    n.put("base", froms[st.root].clone());
    let insts = v
        .insts
        .iter()
        .filter(|(_, s, _)| merged || *s == si)
        .map(|(i, s, inherited)| inst_node(i, *s, *inherited))
        .collect();
    n.put("instructions", Node::seq(insts, l));
    if let Some((user, _, line)) = &v.user {
        n.put("user", user_node(user, *line));
    }
    let mut startup = Vec::new();
    if let Some(e) = v.entrypoint {
        let node = inst_node(e, si, false);
        startup.push(node.clone());
        n.put("entrypoint", node);
    }
    if let Some((c, _)) = v.cmd {
        let node = inst_node(c, si, false);
        startup.push(node.clone());
        n.put("cmd", node);
    }
    n.put("startup", Node::seq(startup, l));
    if let Some(h) = v.healthcheck {
        let mut node = inst_node(h, si, false);
        let none = matches!(h.detail, Detail::Healthcheck { none: true });
        node.insert("none", Node::bool(none, h.line));
        n.put("healthcheck", node);
    }
    let ports = v
        .exposed
        .iter()
        .map(|(text, line)| port_node(text, *line))
        .collect();
    n.put("exposed_ports", Node::seq(ports, l));
    n.put("env", keyed_node(&v.env, l));
    let vars = v
        .variables
        .iter()
        .map(|var| {
            let mut m = MapNode::new(var.line, 3);
            m.put("instruction", Node::str(var.keyword, var.line));
            m.put("name", Node::str(var.name.clone(), var.line));
            if let Some(val) = &var.value {
                m.put("value", Node::str(val.clone(), var.line));
            }
            m.node()
        })
        .collect();
    n.put("variables", Node::seq(vars, l));
    n.put("labels", keyed_node(&v.labels, l));
    let volumes = v
        .volumes
        .iter()
        .map(|(p, line)| {
            let mut m = MapNode::new(*line, 1);
            m.put("path", Node::str(p.clone(), *line));
            m.node()
        })
        .collect();
    n.put("volumes", Node::seq(volumes, l));
    if let Some((w, line)) = &v.workdir {
        n.put("workdir", Node::str(w.clone(), *line));
    }
    if let Some(s) = v.shell
        && let Some(e) = &s.exec
    {
        n.put("shell", str_seq(e, s.line));
    }
    let copies = v
        .copies
        .iter()
        .map(|c| {
            let line = c.inst.line;
            let mut text = String::with_capacity(c.inst.keyword.len() + 1 + c.inst.text.len());
            text.push_str(c.inst.keyword);
            text.push(' ');
            text.push_str(&c.inst.text);
            let mut m = MapNode::new(line, 5);
            m.put("text", Node::str(text, line));
            m.put("instruction", Node::str(c.inst.keyword, line));
            if let Some(f) = &c.from {
                m.put("from", Node::str(f.clone(), line));
            }
            m.put("sources", str_seq(&c.sources, line));
            m.put("dest", Node::str(c.dest.clone(), line));
            m.node()
        })
        .collect();
    n.put("copies", Node::seq(copies, l));
    let scripts = v
        .files
        .iter()
        .map(|f| {
            let mut m = MapNode::new(f.line, 2);
            m.put("dest", Node::str(f.dest.clone(), f.line));
            m.put(
                "text",
                Node::str(text::strip_shell_comments(&f.body, '\\'), f.line),
            );
            m.node()
        })
        .collect();
    n.put("scripts", Node::seq(scripts, l));
    n.node()
}

/// The final image: the final stage merged with the stages it is built FROM. With none (no
/// FROM chain inside the file) that is the final stage's node, `last`, copied rather than
/// built again from the same view.
pub(super) fn final_node(
    model: &Model,
    froms: &[Node],
    final_idx: usize,
    v: &View<'_>,
    last: Option<&Node>,
) -> Node {
    match last {
        Some(node) if model.stages[final_idx].parent.is_none() => node.clone(),
        _ => stage_node(model, froms, final_idx, v, true),
    }
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
    let mut n = MapNode::new(line, 4);
    n.put("text", Node::str(text, line));
    if let Some(p) = port {
        n.put("port", Node::int(i64::from(p), line));
    }
    if let Some(e) = end {
        n.put("end", Node::int(i64::from(e), line));
    }
    n.put("protocol", Node::str(proto, line));
    n.node()
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
