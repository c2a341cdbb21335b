//! The facts every workload carries whatever its kind (`facts.name`, `kind`,
//! `generation`, `file`), declared and inserted here.

use crate::model::{FactDoc, FactGroup, Workload};
use crate::node::Node;

/// Declared for the rule loader and `fitscan rules facts`.
pub const FACTS: &[FactGroup] = {
    use crate::model::Target::{Cluster, Compose, Dockerfile, Kubernetes, Vm, Vnf};
    &[FactGroup {
        targets: &[Vm, Dockerfile, Kubernetes, Compose, Vnf, Cluster],
        title: "Every workload",
        facts: &[
            FactDoc::new(
                "name",
                "the workload's name: the VM's, `namespace/name`, `project/service`, `VNF/flavour`, the image's title or folder",
            ),
            FactDoc::new("kind", "vm, container-image, kubernetes, compose or vnf"),
            FactDoc::new(
                "generation",
                "platform generation: 1 mainframe, 2 client-server, 3 cloud-native",
            ),
            FactDoc::new("file", "the file the workload was read from, as displayed"),
        ],
    }]
};

/// Inserts the facts every workload carries (`FACTS`).
pub fn insert(w: &mut Workload) {
    let facts = &mut w.facts;
    if facts.as_map().is_none() {
        *facts = Node::map(0);
    }
    facts.insert("name", Node::str(w.name.clone(), w.line));
    facts.insert("kind", Node::str(w.kind.as_str(), w.line));
    facts.insert(
        "generation",
        Node::int(i64::from(w.generation.number()), w.line),
    );
    facts.insert("file", Node::str(w.file.to_string(), 0));
}
