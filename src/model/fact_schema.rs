//! The schema of a fact (`facts.*`): its path in rule syntax and its meaning. Each input
//! kind and stage declares the facts it inserts with these, beside the code that inserts
//! them; `rules::facts` gathers them into the registry the rule loader checks paths against.

use super::Target;

/// One fact: its path under `facts.`, in rule syntax (`vcpu`, `containers[*].image_pin`,
/// `pod_labels.*`; `{a,b}` stands for either key), and what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactDoc {
    pub path: &'static str,
    pub meaning: &'static str,
    /// Whatever is below is kept as written (a pod spec, a container), so any key there is
    /// a valid path.
    pub open: bool,
}

impl FactDoc {
    pub const fn new(path: &'static str, meaning: &'static str) -> Self {
        FactDoc {
            path,
            meaning,
            open: false,
        }
    }
    /// A fact whose content is kept as written: any path below it is valid.
    pub const fn open(path: &'static str, meaning: &'static str) -> Self {
        FactDoc {
            path,
            meaning,
            open: true,
        }
    }
}

/// Facts one source provides to the workloads of some targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactGroup {
    pub targets: &'static [Target],
    /// Which workloads carry them, for the reader: "every VM (VM specs, RVTools, ...)".
    pub title: &'static str,
    pub facts: &'static [FactDoc],
}
