//! `kubernetes-reservations:` in `.fitscan.yaml`: the clusters (and roles) whose node VMs may
//! hold CPU or memory reservations. Anywhere else a reservation on a node is a finding
//! (KC015): capacity held back for one VM that Kubernetes cannot see and HA failover and
//! other clusters cannot share.
//!
//! ```yaml
//! kubernetes-reservations:
//!   - { cluster: '^telco-', role: worker, reason: 'DPDK user plane, latency sensitivity high' }
//!   - { cluster: 'prod$', role: control-plane }
//! ```
//!
//! Nodes that carry a data-plane CNF (their role or labels say data-plane, DPDK, SR-IOV, UPF)
//! may always hold them: latency sensitivity high needs the whole memory reserved.

use regex::Regex;

use super::NodeRole;
use crate::model::ConfigError;
use crate::node::Node;

/// The keys of one entry.
pub const ENTRY_KEYS: &[&str] = &["cluster", "role", "reason"];

/// One entry: a cluster name pattern, optionally one role, and why.
#[derive(Debug, Clone)]
pub struct Allowance {
    pub cluster: Regex,
    pub role: Option<NodeRole>,
    pub reason: Option<String>,
    /// Where the entry is written (`.fitscan.yaml:12`).
    pub at: String,
}

/// Where reservations on node VMs are allowed.
#[derive(Debug, Clone, Default)]
pub struct ReservationPolicy {
    pub allowances: Vec<Allowance>,
}

impl ReservationPolicy {
    /// The entry that allows a reservation on a `role` node of `cluster`, if one does.
    pub fn allows(&self, cluster: &str, role: NodeRole) -> Option<&Allowance> {
        self.allowances
            .iter()
            .find(|a| a.role.is_none_or(|r| r == role) && a.cluster.is_match(cluster))
    }
}

/// Parses the `kubernetes-reservations` list; errors name the line and offer a did-you-mean.
pub fn parse(node: &Node, file: &str) -> Result<ReservationPolicy, ConfigError> {
    let err = |n: &Node, message: String| ConfigError {
        file: file.to_string(),
        line: n.line,
        column: n.column,
        message,
    };
    let Some(items) = node.as_seq() else {
        return Err(err(
            node,
            "`kubernetes-reservations` must be a list of {cluster: REGEX, role: control-plane|worker, reason: TEXT}".into(),
        ));
    };
    let mut allowances = Vec::new();
    for item in items {
        let Some(entries) = item.as_map() else {
            return Err(err(
                item,
                "each entry is a mapping: {cluster: REGEX, role: control-plane|worker, reason: TEXT}".into(),
            ));
        };
        for e in entries {
            if !ENTRY_KEYS.contains(&e.key.as_str()) {
                return Err(err(
                    &e.value,
                    format!(
                        "unknown key `{}` in a kubernetes-reservations entry{} (expected cluster, role, reason)",
                        e.key,
                        crate::model::spelling::suggest(&e.key, ENTRY_KEYS)
                    ),
                ));
            }
        }
        let Some(pattern) = item.get("cluster") else {
            return Err(err(
                item,
                "a kubernetes-reservations entry needs `cluster` (a regular expression for the cluster's name; `.` for every cluster)".into(),
            ));
        };
        let Some(text) = pattern.scalar_text().filter(|t| !t.trim().is_empty()) else {
            return Err(err(
                pattern,
                "`cluster` must be a regular expression".into(),
            ));
        };
        let cluster = Regex::new(&format!("(?i){text}"))
            .map_err(|e| err(pattern, format!("`cluster`: bad regular expression: {e}")))?;
        let role = match item.get("role") {
            None => None,
            Some(n) => Some(NodeRole::from_config(n).map_err(|m| err(n, m))?),
        };
        allowances.push(Allowance {
            cluster,
            role,
            reason: item.get("reason").and_then(Node::scalar_text),
            at: format!("{file}:{}", item.line),
        });
    }
    Ok(ReservationPolicy { allowances })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(yaml: &str) -> Result<ReservationPolicy, ConfigError> {
        let docs = crate::yaml::parse_documents(yaml).map_err(|e| ConfigError {
            file: "c.yaml".into(),
            line: 0,
            column: 0,
            message: e.message,
        })?;
        let node = docs[0]
            .get("kubernetes-reservations")
            .cloned()
            .unwrap_or(Node::map(0));
        parse(&node, ".fitscan.yaml")
    }

    #[test]
    fn entries_allow_by_cluster_and_role() {
        let p = policy(
            "kubernetes-reservations:\n  - { cluster: '^telco-', role: worker, reason: DPDK }\n  - { cluster: 'PROD$' }\n",
        )
        .unwrap_or_default();
        let a = p.allows("telco-upf", NodeRole::Worker);
        assert_eq!(a.map(|a| a.at.as_str()), Some(".fitscan.yaml:2"));
        assert_eq!(a.and_then(|a| a.reason.as_deref()), Some("DPDK"));
        assert!(p.allows("telco-upf", NodeRole::ControlPlane).is_none());
        assert!(p.allows("shop-prod", NodeRole::ControlPlane).is_some());
        assert!(p.allows("shop-test", NodeRole::Worker).is_none());
        assert!(
            ReservationPolicy::default()
                .allows("x", NodeRole::Worker)
                .is_none()
        );
    }

    #[test]
    fn bad_entries_are_errors_at_their_line() {
        let message = |yaml: &str| policy(yaml).err().map(|e| (e.line, e.message));
        let (line, m) =
            message("kubernetes-reservations:\n  - { clustr: a }\n").unwrap_or_default();
        assert_eq!(line, 2);
        assert!(m.contains("did you mean `cluster`"), "{m}");
        let (_, m) =
            message("kubernetes-reservations:\n  - { role: worker }\n").unwrap_or_default();
        assert!(m.contains("needs `cluster`"), "{m}");
        let (_, m) = message("kubernetes-reservations:\n  - { cluster: a, role: wroker }\n")
            .unwrap_or_default();
        assert!(m.contains("did you mean `worker`"), "{m}");
        let (_, m) =
            message("kubernetes-reservations:\n  - { cluster: '(' }\n").unwrap_or_default();
        assert!(m.contains("bad regular expression"), "{m}");
        let (_, m) = message("kubernetes-reservations: telco\n").unwrap_or_default();
        assert!(m.contains("must be a list"), "{m}");
    }
}
