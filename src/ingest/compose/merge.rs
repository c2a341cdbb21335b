//! The Compose specification's merge rules, for a service written over another (an override
//! file, `extends`): mappings merge key by key; sequences append, those with a unique key
//! (`ports`, `volumes` and `devices` by target, `secrets`/`configs` by target, `dns`,
//! `expose`, ...) keeping one entry per key, the later in the earlier's place; `command`,
//! `entrypoint` and `healthcheck.test` are replaced; `environment`, `labels` and the other
//! `KEY=value` lists merge as mappings whichever syntax each side uses. A value tagged
//! `!reset` removes the attribute, one tagged `!override` replaces it whole.
//!
//! Every node keeps its line, so that a merged service still points at the file and line
//! where each value is written.

use std::collections::{HashMap, HashSet};

use crate::node::{Entry, Node, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    Reset,
    Override,
}

/// Tagged values by position (line, column), in the project's line numbering.
pub type Tags = HashMap<(u32, u32), Tag>;

fn tag_of(node: &Node, tags: &Tags) -> Option<Tag> {
    if tags.is_empty() {
        return None;
    }
    tags.get(&(node.line, node.column)).copied()
}

/// `over` written over `base` (both services).
pub fn merge_service(base: &Node, over: &Node, tags: &Tags) -> Node {
    merge_value("", base, over, tags)
}

/// The node as it stands on its own: `!reset` values dropped, tags otherwise ignored.
pub fn strip(node: &Node, tags: &Tags) -> Node {
    if tags.is_empty() {
        return node.clone();
    }
    match &node.value {
        Value::Map(entries) => with_value(
            node,
            Value::Map(
                entries
                    .iter()
                    .filter(|e| tag_of(&e.value, tags) != Some(Tag::Reset))
                    .map(|e| Entry {
                        key: e.key.clone(),
                        value: strip(&e.value, tags),
                    })
                    .collect(),
            ),
        ),
        Value::Seq(items) => with_value(
            node,
            Value::Seq(items.iter().map(|i| strip(i, tags)).collect()),
        ),
        _ => node.clone(),
    }
}

/// `value` at the position of `node`.
fn with_value(node: &Node, value: Value) -> Node {
    Node {
        value,
        line: node.line,
        column: node.column,
    }
}

#[derive(Clone, Copy)]
enum Rule {
    Replace,
    KeyValue,
    Unique(fn(&Node) -> String),
    Build,
    DependsOn,
    Default,
}

fn rule_for(path: &str) -> Rule {
    match path {
        "command" | "entrypoint" | "healthcheck.test" => Rule::Replace,
        "environment" | "labels" | "annotations" | "sysctls" | "build.args" | "build.labels"
        | "deploy.labels" | "extra_hosts" | "build.extra_hosts" => Rule::KeyValue,
        "ports" => Rule::Unique(port_key),
        "volumes" | "devices" => Rule::Unique(volume_key),
        "secrets" => Rule::Unique(|n| mount_key(n, "/run/secrets/")),
        "configs" => Rule::Unique(|n| mount_key(n, "/")),
        "expose" | "dns" | "dns_search" | "dns_opt" | "cap_add" | "cap_drop" | "tmpfs"
        | "profiles" | "links" | "env_file" | "networks" | "security_opt" => {
            Rule::Unique(Node::display_text)
        }
        "build" => Rule::Build,
        "depends_on" => Rule::DependsOn,
        _ => Rule::Default,
    }
}

fn child(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn merge_value(path: &str, base: &Node, over: &Node, tags: &Tags) -> Node {
    match rule_for(path) {
        Rule::Replace => strip(over, tags),
        Rule::KeyValue => merge_key_values(path, base, over, tags),
        Rule::Unique(key) => match (&base.value, &over.value) {
            (Value::Seq(b), Value::Seq(o)) => with_value(
                over,
                Value::Seq(unique(
                    b.iter().cloned().chain(o.iter().map(|n| strip(n, tags))),
                    key,
                )),
            ),
            // `networks` may be a mapping on either side.
            _ => merge_default(path, base, over, tags),
        },
        Rule::Build => merge_default(path, &build_map(base), &build_map(over), tags),
        Rule::DependsOn => merge_default(path, &depends_map(base), &depends_map(over), tags),
        Rule::Default => merge_default(path, base, over, tags),
    }
}

fn merge_default(path: &str, base: &Node, over: &Node, tags: &Tags) -> Node {
    match (&base.value, &over.value) {
        (Value::Map(b), Value::Map(o)) => {
            let mut entries: Vec<Entry> = b.clone();
            let mut index: HashMap<String, usize> = entries
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.clone(), i))
                .collect();
            let mut removed: HashSet<usize> = HashSet::new();
            for e in o {
                let existing = index.get(&e.key).copied().filter(|i| !removed.contains(i));
                let value = match (tag_of(&e.value, tags), existing) {
                    (Some(Tag::Reset), Some(i)) => {
                        removed.insert(i);
                        continue;
                    }
                    (Some(Tag::Reset), None) => continue,
                    (Some(Tag::Override), _) | (None, None) => strip(&e.value, tags),
                    (None, Some(i)) => {
                        merge_value(&child(path, &e.key), &entries[i].value, &e.value, tags)
                    }
                };
                match existing {
                    Some(i) => entries[i].value = value,
                    None => {
                        index.insert(e.key.clone(), entries.len());
                        entries.push(Entry {
                            key: e.key.clone(),
                            value,
                        });
                    }
                }
            }
            let entries = entries
                .into_iter()
                .enumerate()
                .filter(|(i, _)| !removed.contains(i))
                .map(|(_, e)| e)
                .collect();
            // The mapping is where the service (or attribute) is declared first.
            with_value(base, Value::Map(entries))
        }
        (Value::Seq(b), Value::Seq(o)) => with_value(
            over,
            Value::Seq(
                b.iter()
                    .cloned()
                    .chain(o.iter().map(|n| strip(n, tags)))
                    .collect(),
            ),
        ),
        _ => strip(over, tags),
    }
}

/// One entry per key, the later written in the earlier's place.
fn unique(items: impl Iterator<Item = Node>, key: fn(&Node) -> String) -> Vec<Node> {
    let mut out: Vec<Node> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for item in items {
        let k = key(&item);
        match seen.get(&k) {
            Some(&i) => out[i] = item,
            None => {
                seen.insert(k, out.len());
                out.push(item);
            }
        }
    }
    out
}

/// `environment`, `labels` and the like: mappings merge as mappings; when either side is a
/// `KEY=value` list, both become one, a key's later entry in its earlier's place.
fn merge_key_values(path: &str, base: &Node, over: &Node, tags: &Tags) -> Node {
    if let (Value::Map(_), Value::Map(_)) = (&base.value, &over.value) {
        return merge_default(path, base, over, tags);
    }
    let mut items: Vec<(String, Node)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut removed: HashSet<usize> = HashSet::new();
    for (side, reset_allowed) in [(base, false), (over, true)] {
        for (key, item, tag) in key_value_items(path, side, tags) {
            let existing = index.get(&key).copied();
            if reset_allowed && tag == Some(Tag::Reset) {
                if let Some(i) = existing {
                    removed.insert(i);
                }
                continue;
            }
            match existing {
                Some(i) => {
                    items[i].1 = item;
                    removed.remove(&i);
                }
                None => {
                    index.insert(key.clone(), items.len());
                    items.push((key, item));
                }
            }
        }
    }
    let seq = items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, (_, n))| n)
        .collect();
    with_value(over, Value::Seq(seq))
}

/// A `KEY=value` list's items (a mapping's entries written as such), each with its key.
fn key_value_items(path: &str, node: &Node, tags: &Tags) -> Vec<(String, Node, Option<Tag>)> {
    // `extra_hosts` also writes `host:address`.
    let separators: &[char] = if path.ends_with("extra_hosts") {
        &['=', ':']
    } else {
        &['=']
    };
    match &node.value {
        Value::Map(entries) => entries
            .iter()
            .map(|e| {
                let line = e.value.line;
                let text = if e.value.is_null() {
                    e.key.clone()
                } else {
                    format!("{}={}", e.key, e.value.display_text())
                };
                let item = Node {
                    value: Value::Str(text),
                    line,
                    column: e.value.column,
                };
                (e.key.clone(), item, tag_of(&e.value, tags))
            })
            .collect(),
        Value::Seq(items) => items
            .iter()
            .map(|i| {
                let text = i.display_text();
                let key = text
                    .split_once(separators)
                    .map_or(text.as_str(), |(k, _)| k)
                    .trim()
                    .to_string();
                (key, i.clone(), tag_of(i, tags))
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `ports`: what Compose tells entries apart by (address, published, target, protocol).
fn port_key(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => {
            let t = |k: &str| node.get(k).map(Node::display_text).unwrap_or_default();
            let protocol = node
                .get("protocol")
                .map_or_else(|| "tcp".to_string(), Node::display_text);
            format!(
                "{}:{}:{}/{protocol}",
                t("host_ip"),
                t("published"),
                t("target")
            )
        }
        _ => {
            let text = node.display_text();
            if text.contains('/') {
                text
            } else {
                format!("{text}/tcp")
            }
        }
    }
}

/// `volumes`, `devices`: the path in the container.
fn volume_key(node: &Node) -> String {
    match &node.value {
        Value::Map(_) => node
            .get("target")
            .map(Node::display_text)
            .unwrap_or_default(),
        _ => {
            let text = node.display_text();
            // `C:\data:/data:ro`: the drive letter's colon is not a separator.
            let body = match text.as_bytes() {
                [d, b':', ..] if d.is_ascii_alphabetic() => &text[2..],
                _ => text.as_str(),
            };
            let parts: Vec<&str> = body.split(':').collect();
            match parts.as_slice() {
                [target] | [_, target] | [_, target, _, ..] => (*target).to_string(),
                [] => text.clone(),
            }
        }
    }
}

/// `secrets`, `configs`: the target, by default under `prefix` by the source's name.
fn mount_key(node: &Node, prefix: &str) -> String {
    match &node.value {
        Value::Map(_) => match node.get("target").map(Node::display_text) {
            Some(t) if t.starts_with('/') => t,
            Some(t) => format!("{prefix}{t}"),
            None => format!(
                "{prefix}{}",
                node.get("source")
                    .map(Node::display_text)
                    .unwrap_or_default()
            ),
        },
        _ => format!("{prefix}{}", node.display_text()),
    }
}

/// `build: ./dir` is `build: {context: ./dir}`.
fn build_map(node: &Node) -> Node {
    match &node.value {
        Value::Str(_) => {
            let mut m = Node::map(node.line);
            m.column = node.column;
            m.insert("context", node.clone());
            m
        }
        _ => node.clone(),
    }
}

/// `depends_on: [db]` is `depends_on: {db: {condition: service_started}}`.
fn depends_map(node: &Node) -> Node {
    match &node.value {
        Value::Seq(items) => {
            let mut m = Node::map(node.line);
            m.column = node.column;
            for i in items {
                let mut c = Node::map(i.line);
                c.insert("condition", Node::str("service_started", i.line));
                m.insert(i.display_text(), c);
            }
            m
        }
        _ => node.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_documents_tagged;

    /// The service `s` of `over` merged onto that of `base`, as YAML text without lines.
    fn merged(base: &str, over: &str) -> Node {
        let (b, _) = parse_documents_tagged(base).unwrap_or_else(|e| panic!("{e:?}"));
        // The override file's lines follow the base's, as in a project's numbering.
        let offset = 100;
        let (mut o, tags) = parse_documents_tagged(over).unwrap_or_else(|e| panic!("{e:?}"));
        shift_all(&mut o[0], offset);
        let tags: Tags = tags
            .into_iter()
            .map(|t| {
                let tag = if t.name == "reset" {
                    Tag::Reset
                } else {
                    Tag::Override
                };
                ((t.line + offset, t.column), tag)
            })
            .collect();
        merge_service(&b[0], &o[0], &tags)
    }

    fn shift_all(node: &mut Node, by: u32) {
        node.line += by;
        match &mut node.value {
            Value::Map(entries) => entries.iter_mut().for_each(|e| shift_all(&mut e.value, by)),
            Value::Seq(items) => items.iter_mut().for_each(|i| shift_all(i, by)),
            _ => {}
        }
    }

    fn texts(node: Option<&Node>) -> Vec<String> {
        node.and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(Node::display_text)
            .collect()
    }

    #[test]
    fn mappings_merge_and_scalars_replace_keeping_lines() {
        let m = merged(
            "image: a:1\nprivileged: true\ndeploy:\n  replicas: 2\n",
            "privileged: false\ndeploy:\n  resources: {limits: {cpus: '1'}}\n",
        );
        assert_eq!(m.get("image").map(|n| n.line), Some(1));
        assert_eq!(m.get("privileged").and_then(Node::as_bool), Some(false));
        assert_eq!(m.get("privileged").map(|n| n.line), Some(101));
        assert_eq!(m.at("deploy.replicas").map(|n| n.line), Some(4));
        assert_eq!(
            m.at("deploy.resources.limits.cpus").map(|n| n.line),
            Some(103)
        );
    }

    #[test]
    fn sequences_append_unique_ones_by_key_and_commands_replace() {
        let m = merged(
            "ports: ['80:80', '443:443']\ndns: [1.1.1.1]\nvolumes: ['a:/data', './x:/x']\ncommand: [a, b]\nhealthcheck: {test: [CMD, a], interval: 5s}\nsecurity_opt: [x]\nsecrets: [db]\n",
            "ports: ['80:80', '8080:80']\ndns: [8.8.8.8, 1.1.1.1]\nvolumes: ['b:/data']\ncommand: [c]\nhealthcheck: {test: [CMD, c]}\nsecrets: [{source: other, target: db}]\n",
        );
        assert_eq!(texts(m.get("ports")), ["80:80", "443:443", "8080:80"]);
        assert_eq!(texts(m.get("dns")), ["1.1.1.1", "8.8.8.8"]);
        assert_eq!(texts(m.get("volumes")), ["b:/data", "./x:/x"]);
        assert_eq!(texts(m.get("command")), ["c"]);
        assert_eq!(texts(m.at("healthcheck.test")), ["CMD", "c"]);
        assert_eq!(
            m.at("healthcheck.interval")
                .map(Node::display_text)
                .as_deref(),
            Some("5s")
        );
        assert_eq!(
            m.get("secrets").and_then(Node::as_seq).map(<[Node]>::len),
            Some(1)
        );
    }

    #[test]
    fn long_forms_merge_with_short_ones() {
        let m = merged(
            "volumes:\n  - type: bind\n    source: ./a\n    target: /data\n  - logs:/logs\nports:\n  - {target: 80, published: 8080}\ndepends_on: [db]\nbuild: ./app\nextra_hosts: ['db:10.0.0.1']\n",
            "volumes: ['b:/data']\nports: ['8080:80/udp']\ndepends_on:\n  cache: {condition: service_healthy}\nbuild: {target: dev}\nextra_hosts: ['db=10.0.0.2']\n",
        );
        assert_eq!(texts(m.get("volumes")), ["b:/data", "logs:/logs"]);
        assert_eq!(
            m.get("ports").and_then(Node::as_seq).map(<[Node]>::len),
            Some(2)
        );
        assert_eq!(
            m.at("depends_on.db.condition")
                .map(Node::display_text)
                .as_deref(),
            Some("service_started")
        );
        assert!(m.at("depends_on.cache").is_some());
        assert_eq!(
            m.at("build.context").map(Node::display_text).as_deref(),
            Some("./app")
        );
        assert_eq!(
            m.at("build.target").map(Node::display_text).as_deref(),
            Some("dev")
        );
        assert_eq!(texts(m.get("extra_hosts")), ["db=10.0.0.2"]);
    }

    #[test]
    fn environment_and_labels_merge_as_maps_in_either_syntax() {
        let m = merged(
            "environment: [A=1, B=2, C]\nlabels: {x: '1'}\n",
            "environment: {B: '3', D: '4'}\nlabels: [y=2, x=9]\n",
        );
        assert_eq!(texts(m.get("environment")), ["A=1", "B=3", "C", "D=4"]);
        assert_eq!(texts(m.get("labels")), ["x=9", "y=2"]);
        let m = merged("environment: {A: '1', B: '2'}\n", "environment: {B: '3'}\n");
        assert_eq!(
            m.at("environment.B").map(Node::display_text).as_deref(),
            Some("3")
        );
        assert_eq!(m.at("environment.A").map(|n| n.line), Some(1));
    }

    #[test]
    fn reset_and_override_tags() {
        let m = merged(
            "image: a\nports: ['8080:80']\nenvironment: {FOO: bar, KEEP: x}\nprivileged: true\nbuild: ./app\n",
            "ports: !override ['8443:443']\nenvironment:\n  FOO: !reset null\nprivileged: !reset null\nbuild: {dockerfile: Dockerfile.dev}\n",
        );
        assert_eq!(texts(m.get("ports")), ["8443:443"]);
        assert_eq!(m.at("environment.FOO"), None);
        assert!(m.at("environment.KEEP").is_some());
        assert_eq!(m.get("privileged"), None);
        assert_eq!(
            m.at("build.context").map(Node::display_text).as_deref(),
            Some("./app")
        );
        let m = merged(
            "ports: ['8080:80']\nenvironment: [FOO=bar]\n",
            "ports: !reset []\nenvironment: [FOO=x]\n",
        );
        assert_eq!(m.get("ports"), None);
        assert_eq!(texts(m.get("environment")), ["FOO=x"]);
    }
}
