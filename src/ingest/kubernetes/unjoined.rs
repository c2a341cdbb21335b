//! The companions no workload of the scan joined: a file that holds only those is a skip
//! with its reason, so that it is not left in silence.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::Arc;

use super::companions::Found;
use super::object_identity;
use crate::ingest::Object;
use crate::model::Skipped;
use crate::node::Node;

/// The companions that joined some workload: by kind, namespace and name (objects of one
/// identity count together), LimitRanges by namespace, Gateways when any route joined.
#[derive(Default)]
pub(super) struct Used {
    objects: HashSet<(String, String, String)>,
    pub(super) namespaces: HashSet<String>,
    pub(super) routes: bool,
}

impl Used {
    pub(super) fn insert(&mut self, kind: &str, namespace: &str, name: &str) {
        self.objects
            .insert((kind.to_string(), namespace.to_string(), name.to_string()));
    }

    pub(super) fn mark(&mut self, found: &Found<'_>) {
        self.insert(found.kind, &found.namespace, &found.name);
    }

    fn contains(&self, kind: &str, namespace: &str, name: &str) -> bool {
        self.objects
            .contains(&(kind.to_string(), namespace.to_string(), name.to_string()))
    }
}

/// Companions listed in a skip's reason; the rest are counted.
const NAMED_COMPANIONS: usize = 5;

/// The files (in scan order) all of whose companions joined no workload of the scan: each a
/// skip with its reason. A companion with no name has an error entry already; its file is
/// not one of these.
pub(super) fn unjoined_files(objects: &[Object], used: &Used) -> Vec<Skipped> {
    struct File<'a> {
        name: &'a Arc<str>,
        joined: bool,
        companions: usize,
        named: Vec<String>,
    }
    let mut files: Vec<File<'_>> = Vec::new();
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for obj in objects {
        let doc = &obj.doc;
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("").trim();
        let at = *by_name.entry(obj.file.as_ref()).or_insert_with(|| {
            files.push(File {
                name: &obj.file,
                joined: false,
                companions: 0,
                named: Vec::new(),
            });
            files.len() - 1
        });
        let Some(file) = files.get_mut(at) else {
            continue;
        };
        let Some((namespace, name)) = object_identity(doc) else {
            file.joined = true;
            continue;
        };
        file.joined |= match kind {
            "LimitRange" => used.namespaces.contains(&namespace),
            "Gateway" => used.routes,
            _ => used.contains(kind, &namespace, &name),
        };
        file.companions += 1;
        if !file.joined && file.named.len() < NAMED_COMPANIONS {
            file.named.push(format!("{kind} {name}"));
        }
    }
    files
        .into_iter()
        .filter(|f| !f.joined && f.companions > 0)
        .map(|f| {
            let more = match f.companions.saturating_sub(f.named.len()) {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            Skipped::new(
                f.name,
                format!(
                    "holds only Kubernetes companions ({}{more}) that match no workload in the scan",
                    f.named.join(", ")
                ),
            )
        })
        .collect()
}
