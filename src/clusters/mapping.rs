//! `kubernetes-clusters:` in `.fitscan.yaml`: which VMs are nodes of which Kubernetes cluster,
//! by name, folder or annotation, ahead of the built-in recognition.
//!
//! ```yaml
//! kubernetes-clusters:
//!   - { name: '^(pay)-k8s-cp-\d+$', cluster: '$1', role: control-plane }
//!   - { folder: 'K8s/shop-prod', cluster: shop-prod }       # role: from the name, else worker
//!   - { name: '^worker-\d+$', cluster: none }                 # not Kubernetes nodes at all
//! ```

use regex::Regex;

use super::NodeRole;
use crate::model::ConfigError;
use crate::node::{Node, Value};

/// The keys of one mapping entry.
pub const ENTRY_KEYS: &[&str] = &["name", "folder", "annotation", "cluster", "role"];

/// One entry: the patterns a VM must match (every one given), and what it then is.
#[derive(Debug, Clone)]
pub struct Mapping {
    pub name: Option<Regex>,
    pub folder: Option<Regex>,
    pub annotation: Option<Regex>,
    /// The cluster's name; `$1`, `${name}` take the name pattern's groups. `None`: the VMs
    /// matched are not Kubernetes nodes.
    pub cluster: Option<String>,
    pub role: Option<NodeRole>,
    /// Where the entry is written (`.fitscan.yaml:12`), said in the report.
    pub at: String,
}

/// What a mapping says about one VM.
pub enum Mapped {
    Node {
        cluster: String,
        role: Option<NodeRole>,
        at: String,
    },
    NotANode,
}

impl Mapping {
    /// The first entry every pattern of which matches decides.
    pub fn apply(list: &[Mapping], name: &str, folder: &str, annotation: &str) -> Option<Mapped> {
        list.iter().find_map(|m| {
            let ok = |re: &Option<Regex>, text: &str| re.as_ref().is_none_or(|r| r.is_match(text));
            if !(ok(&m.name, name) && ok(&m.folder, folder) && ok(&m.annotation, annotation)) {
                return None;
            }
            let Some(template) = &m.cluster else {
                return Some(Mapped::NotANode);
            };
            let mut cluster = String::new();
            let captures = [
                (&m.name, name),
                (&m.folder, folder),
                (&m.annotation, annotation),
            ]
            .into_iter()
            .find_map(|(re, text)| re.as_ref().and_then(|r| r.captures(text)));
            match captures {
                Some(c) => c.expand(template, &mut cluster),
                None => cluster.push_str(template),
            }
            let cluster = cluster.trim().to_string();
            if cluster.is_empty() {
                return None;
            }
            Some(Mapped::Node {
                cluster,
                role: m.role,
                at: m.at.clone(),
            })
        })
    }
}

/// Parses the `kubernetes-clusters` list; errors name the line and offer a did-you-mean.
pub fn parse(node: &Node, file: &str) -> Result<Vec<Mapping>, ConfigError> {
    let err = |n: &Node, message: String| ConfigError {
        file: file.to_string(),
        line: n.line,
        column: n.column,
        message,
    };
    let Some(items) = node.as_seq() else {
        return Err(err(
            node,
            "`kubernetes-clusters` must be a list of {name, folder, annotation, cluster, role}"
                .into(),
        ));
    };
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = item.as_map() else {
            return Err(err(
                item,
                "each entry is a mapping: {name: REGEX, folder: REGEX, annotation: REGEX, cluster: NAME, role: control-plane|worker}".into(),
            ));
        };
        for e in entries {
            if !ENTRY_KEYS.contains(&e.key.as_str()) {
                return Err(err(
                    &e.value,
                    format!(
                        "unknown key `{}` in a kubernetes-clusters entry{} (expected name, folder, annotation, cluster, role)",
                        e.key,
                        crate::model::spelling::suggest(&e.key, ENTRY_KEYS)
                    ),
                ));
            }
        }
        let pattern = |key: &str| -> Result<Option<Regex>, ConfigError> {
            let Some(n) = item.get(key) else {
                return Ok(None);
            };
            let Some(text) = n.scalar_text().filter(|t| !t.trim().is_empty()) else {
                return Err(err(n, format!("`{key}` must be a regular expression")));
            };
            Regex::new(&format!("(?i){text}"))
                .map(Some)
                .map_err(|e| err(n, format!("`{key}`: bad regular expression: {e}")))
        };
        let (name, folder, annotation) =
            (pattern("name")?, pattern("folder")?, pattern("annotation")?);
        if name.is_none() && folder.is_none() && annotation.is_none() {
            return Err(err(
                item,
                "a kubernetes-clusters entry needs `name`, `folder` or `annotation` (a regular expression)".into(),
            ));
        }
        let cluster = match item.get("cluster") {
            None => {
                return Err(err(
                    item,
                    "a kubernetes-clusters entry needs `cluster` (the cluster's name, or `none`: not Kubernetes nodes)".into(),
                ));
            }
            Some(n) if n.is_null() => None,
            Some(n) => match &n.value {
                Value::Str(s) if s.trim().eq_ignore_ascii_case("none") => None,
                _ => match n.scalar_text().filter(|t| !t.trim().is_empty()) {
                    Some(t) => Some(t),
                    None => return Err(err(n, "`cluster` must be a name or `none`".into())),
                },
            },
        };
        let role = match item.get("role") {
            None => None,
            Some(n) => Some(NodeRole::from_config(n).map_err(|m| err(n, m))?),
        };
        out.push(Mapping {
            name,
            folder,
            annotation,
            cluster,
            role,
            at: format!("{file}:{}", item.line),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mappings(yaml: &str) -> Result<Vec<Mapping>, ConfigError> {
        let docs = crate::yaml::parse_documents(yaml).map_err(|e| ConfigError {
            file: "c.yaml".into(),
            line: 0,
            column: 0,
            message: e.message,
        })?;
        let node = docs[0]
            .get("kubernetes-clusters")
            .cloned()
            .unwrap_or(Node::map(0));
        parse(&node, ".fitscan.yaml")
    }

    #[test]
    fn entries_map_by_name_folder_and_annotation_with_groups() {
        let m = mappings(
            "kubernetes-clusters:\n  - { name: '^(pay)-k8s-cp-\\d+$', cluster: '$1-prod', role: control-plane }\n  - { folder: 'k8s/shop', cluster: shop }\n  - { name: '^worker-\\d+$', cluster: none }\n",
        )
        .unwrap_or_default();
        assert_eq!(m.len(), 3);
        match Mapping::apply(&m, "pay-k8s-cp-01", "", "") {
            Some(Mapped::Node { cluster, role, at }) => {
                assert_eq!(cluster, "pay-prod");
                assert_eq!(role, Some(NodeRole::ControlPlane));
                assert_eq!(at, ".fitscan.yaml:2");
            }
            _ => panic!("expected a node"),
        }
        assert!(matches!(
            Mapping::apply(&m, "anything", "DC1/K8s/Shop", ""),
            Some(Mapped::Node { ref cluster, role: None, .. }) if cluster == "shop"
        ));
        assert!(matches!(
            Mapping::apply(&m, "worker-01", "", ""),
            Some(Mapped::NotANode)
        ));
        assert!(Mapping::apply(&m, "db01", "", "").is_none());
    }

    #[test]
    fn typos_and_bad_entries_are_errors_at_their_line() {
        let e = mappings("kubernetes-clusters:\n  - { nmae: x, cluster: a }\n")
            .err()
            .map(|e| (e.line, e.message))
            .unwrap_or_default();
        assert_eq!(e.0, 2);
        assert!(e.1.contains("did you mean `name`"), "{}", e.1);
        let e = mappings("kubernetes-clusters:\n  - { name: x, cluster: a, role: wroker }\n")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("did you mean `worker`"), "{e}");
        let e = mappings("kubernetes-clusters:\n  - { cluster: a }\n")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("needs `name`, `folder` or `annotation`"), "{e}");
        let e = mappings("kubernetes-clusters:\n  - { name: '(', cluster: a }\n")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("bad regular expression"), "{e}");
    }
}
