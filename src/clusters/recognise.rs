//! Which VMs are Kubernetes nodes: the mapping in `.fitscan.yaml` first, then the VM spec's
//! `role: kubernetes-node`, then the built-in layouts (docs/kubernetes-platform.md lists
//! each with how far it is trusted). A built-in match is *strong* (a name or guest only a
//! Kubernetes node has) or *weak* (a name many other VMs have too: `app-master-01`); a
//! cluster found by weak matches only is dropped when clusters are grouped.

use std::sync::LazyLock;

use regex::Regex;

use super::mapping::{Mapped, Mapping};
use super::{NodeRecord, NodeRole};
use crate::model::{Target, Workload};
use crate::node::Node;
use crate::pattern::may_hold_any;

fn re(s: &str) -> Regex {
    // The patterns are constants of this file: a bad one fails every test at once.
    Regex::new(s).unwrap_or_else(|e| panic!("built-in pattern {s}: {e}"))
}

/// `re`'s groups in `text`, tried only when `text` holds one of `literals`, which every match
/// of the (case-sensitive) `re` holds.
fn captures_with<'t>(
    re: &LazyLock<Regex>,
    literals: &[&str],
    text: &'t str,
) -> Option<regex::Captures<'t>> {
    if literals.iter().any(|l| text.contains(l)) {
        re.captures(text)
    } else {
        None
    }
}

/// `SupervisorControlPlaneVM (1)`: vSphere with Tanzu's Supervisor.
static SUPERVISOR: LazyLock<Regex> = LazyLock::new(|| re(r"^supervisorcontrolplanevm\b"));
/// Cluster API (TKG, vSphere with Tanzu, kubeadm with CAPV): `<cluster>-control-plane-<5>`.
static CAPI_CP: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<c>[a-z0-9][a-z0-9.-]*?)-control-plane-[a-z0-9]{4,6}$"));
/// TKG machine deployments: `<cluster>-md-0-<hash>-<hash>`.
static TKG_MD: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<c>[a-z0-9][a-z0-9.-]*?)-md-\d+-[a-z0-9]{4,10}-[a-z0-9]{4,6}$"));
/// vSphere with Tanzu (TKGS) workers: `<cluster>[-<pool>]-workers-<5>-<hash>-<5>`.
static TKGS_WORKERS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"^(?P<c>[a-z0-9][a-z0-9.-]*?)-workers?-[a-z0-9]{5}-[a-z0-9]{6,10}-[a-z0-9]{5}$")
});
/// OpenShift IPI/UPI: `<infra-id>-master-<n>`, `<infra-id>-worker-<...>`.
static OPENSHIFT: LazyLock<Regex> =
    LazyLock::new(|| re(r"^(?P<c>[a-z0-9][a-z0-9.-]*?)-(?P<r>master|worker)-[a-z0-9-]+$"));
/// Guests that only Kubernetes nodes run.
static K8S_GUEST: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)\b(talos|flatcar|coreos|rhcos|bottlerocket)\b"));
/// Photon OS: TKG's node image, but also the vCenter appliance's: never a signal alone.
static PHOTON: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)\bphoton\b"));
/// Words in a name that say Kubernetes.
const K8S_WORDS: &[&str] = &[
    "k8s",
    "kube",
    "kubernetes",
    "tkg",
    "tanzu",
    "ocp",
    "openshift",
    "okd",
    "rke",
    "rke2",
    "k3s",
    "rancher",
];
const CP_WORDS: &[&str] = &[
    "cp",
    "master",
    "controlplane",
    "control-plane",
    "etcd",
    "ctrl",
    "server",
];
const WORKER_WORDS: &[&str] = &["worker", "wrk", "wk", "node", "agent", "minion", "md"];
/// Folder names that say Kubernetes (vSphere with Tanzu puts its VMs under `Namespaces`).
static K8S_FOLDER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(^|/)(namespaces|tkg[^/]*|tanzu[^/]*|k8s[^/]*|kubernetes[^/]*|openshift[^/]*|ocp[^/]*|rancher[^/]*)(/|$)",
    )
});

/// The first non-empty text among these paths of the spec.
pub(super) fn text(spec: &Node, paths: &[&str]) -> Option<String> {
    paths.iter().find_map(|p| {
        spec.at(p)
            .and_then(Node::scalar_text)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    })
}

/// A name's words: split at `-`, `_`, `.` and spaces, lower case; `control-plane` is one.
fn words(name: &str) -> Vec<String> {
    let lower = name
        .to_ascii_lowercase()
        .replace("control-plane", "controlplane");
    lower
        .split(['-', '_', '.', ' '])
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// A word that is a role word with a number stuck to it (`master01`, `wk3`) counts too.
fn role_of_word(w: &str) -> Option<NodeRole> {
    let bare = w.trim_end_matches(|c: char| c.is_ascii_digit());
    if CP_WORDS.contains(&bare) {
        Some(NodeRole::ControlPlane)
    } else if WORKER_WORDS.contains(&bare) {
        Some(NodeRole::Worker)
    } else {
        None
    }
}

/// The role a name says, if any.
pub(super) fn role_from_name(name: &str) -> Option<NodeRole> {
    words(name).iter().find_map(|w| role_of_word(w))
}

/// The cluster a generic name belongs to: its words without the role word, numbers and
/// hash-like suffixes (`k8s-prod-master-01` -> `k8s-prod`).
fn cluster_from_name(name: &str) -> Option<String> {
    let kept: Vec<String> = words(name)
        .into_iter()
        .take_while(|w| role_of_word(w).is_none())
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    (!kept.is_empty()).then(|| kept.join("-"))
}

/// What a built-in layout says: cluster, role, how it was recognised, strong or weak.
struct Builtin {
    cluster: String,
    role: NodeRole,
    signal: &'static str,
    strong: bool,
}

fn builtin(name: &str, folder: &str, os: &str) -> Option<Builtin> {
    let lower = name.to_ascii_lowercase();
    let hit = |cluster: &str, role, signal, strong| {
        Some(Builtin {
            cluster: cluster.to_string(),
            role,
            signal,
            strong,
        })
    };
    // The layouts' patterns are case-sensitive, each with a literal part every match holds:
    // a name without it is not tried (nor the pattern compiled).
    if lower.contains("supervisorcontrolplanevm") && SUPERVISOR.is_match(&lower) {
        return hit(
            "supervisor",
            NodeRole::ControlPlane,
            "vSphere with Tanzu: SupervisorControlPlaneVM",
            true,
        );
    }
    if let Some(c) = captures_with(&CAPI_CP, &["-control-plane-"], &lower) {
        return hit(
            &c["c"],
            NodeRole::ControlPlane,
            "Cluster API (TKG, vSphere with Tanzu, kubeadm): <cluster>-control-plane-<id>",
            true,
        );
    }
    if let Some(c) = captures_with(&TKG_MD, &["-md-"], &lower) {
        return hit(
            &c["c"],
            NodeRole::Worker,
            "TKG: <cluster>-md-<n>-<hash>-<id>",
            true,
        );
    }
    if let Some(c) = captures_with(&TKGS_WORKERS, &["-worker"], &lower) {
        return hit(
            &c["c"],
            NodeRole::Worker,
            "vSphere with Tanzu: <cluster>-workers-<id>-<hash>-<id>",
            true,
        );
    }
    let guest = may_hold_any(os, &["talos", "flatcar", "coreos", "rhcos", "bottlerocket"])
        && K8S_GUEST.is_match(os);
    let ws = words(&lower);
    if let Some(c) = captures_with(&OPENSHIFT, &["-master-", "-worker-"], &lower).filter(|_| {
        let k8s_word = ws.iter().any(|w| {
            K8S_WORDS.contains(&w.as_str()) && !matches!(w.as_str(), "ocp" | "openshift" | "okd")
        });
        guest || !k8s_word
    }) {
        let role = if &c["r"] == "master" {
            NodeRole::ControlPlane
        } else {
            NodeRole::Worker
        };
        // `-master-`/`-worker-` names are common outside Kubernetes (Jenkins, Spark):
        // strong only on an OpenShift guest (RHCOS) or with a Kubernetes word in the name.
        let strong = guest || ws.iter().any(|w| K8S_WORDS.contains(&w.as_str()));
        return hit(
            &c["c"],
            role,
            if guest {
                "OpenShift: <infra-id>-master-<n> / -worker- on RHCOS"
            } else {
                "OpenShift naming: <infra-id>-master-<n> / -worker-"
            },
            strong,
        );
    }
    let k8s_word = ws.iter().any(|w| K8S_WORDS.contains(&w.as_str()));
    let k8s_folder = may_hold_any(
        folder,
        &[
            "namespaces",
            "tkg",
            "tanzu",
            "k8s",
            "kubernetes",
            "openshift",
            "ocp",
            "rancher",
        ],
    ) && K8S_FOLDER.is_match(folder);
    // Each layout left needs one of these: most names of an estate stop here.
    if !(k8s_word || guest || k8s_folder) {
        return None;
    }
    let role = role_from_name(&lower);
    let cluster = cluster_from_name(&lower);
    if let (true, Some(role), Some(cluster)) = (k8s_word, role, cluster.as_deref()) {
        let rancher = ws
            .iter()
            .any(|w| matches!(w.as_str(), "rke" | "rke2" | "rancher"));
        return hit(
            cluster,
            role,
            if rancher {
                "Rancher/RKE: rke-<cluster>-(cp|etcd|worker)-<n>"
            } else {
                "kubeadm and hand-built: a Kubernetes word and a role word in the name (k8s-prod-master-01)"
            },
            true,
        );
    }
    if guest {
        let cluster =
            cluster.unwrap_or_else(|| folder_leaf(folder).unwrap_or("unnamed").to_string());
        return hit(
            &cluster.to_string(),
            role.unwrap_or(NodeRole::Worker),
            "a Kubernetes-only guest (Talos, Flatcar, RHCOS/CoreOS, Bottlerocket)",
            true,
        );
    }
    if let (true, Some(role)) = (k8s_folder, role) {
        let cluster = folder_leaf(folder)
            .map(str::to_string)
            .or(cluster)
            .unwrap_or_else(|| "unnamed".into());
        return hit(
            &cluster,
            role,
            "a Kubernetes folder (Namespaces, tkg*, k8s*, openshift*, rancher*) and a role word in the name",
            may_hold_any(os, &["photon"]) && PHOTON.is_match(os),
        );
    }
    None
}

fn folder_leaf(folder: &str) -> Option<&str> {
    folder
        .rsplit('/')
        .map(str::trim)
        .find(|s| !s.is_empty())
        .filter(|s| !s.eq_ignore_ascii_case("namespaces"))
}

/// The environment a name or folder says (`prod`, `test`, `dev`), by whole words.
pub(super) fn environment(name: &str, folder: &str) -> Option<&'static str> {
    let text = format!("{name}/{folder}").to_ascii_lowercase();
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .find_map(|w| match w.trim_end_matches(|c: char| c.is_ascii_digit()) {
            "prod" | "prd" | "production" | "live" => Some("prod"),
            "test" | "tst" | "qa" | "uat" | "stage" | "staging" | "stg" | "preprod" => Some("test"),
            "dev" | "development" | "sandbox" | "lab" => Some("dev"),
            _ => None,
        })
}

/// A Kubernetes node record for this workload, or `None`. The mapping decides first (and
/// may say "not a node"), then the VM spec's role, then the built-in layouts.
pub fn recognise(w: &Workload, mappings: &[Mapping]) -> Option<NodeRecord> {
    if w.target != Target::Vm {
        return None;
    }
    let empty = Node::map(0);
    let spec = w.doc.get("spec").unwrap_or(&empty);
    let folder = text(spec, &["placement.folder", "folder"]).unwrap_or_default();
    let annotation = text(spec, &["annotation", "notes", "description"])
        .or_else(|| text(&w.doc, &["metadata.annotations.description"]))
        .unwrap_or_default();
    let os = w
        .facts
        .get("os")
        .and_then(Node::scalar_text)
        .unwrap_or_default();
    let explicit_cluster = text(spec, &["kubernetes.cluster"]);
    let explicit_role = text(spec, &["kubernetes.nodeRole"]).and_then(|r| NodeRole::parse(&r));
    let (cluster, role, signal, strong) =
        match Mapping::apply(mappings, &w.name, &folder, &annotation) {
            Some(Mapped::NotANode) => return None,
            Some(Mapped::Node { cluster, role, at }) => (
                cluster,
                role.or(explicit_role).or_else(|| role_from_name(&w.name)),
                format!("mapping ({at})"),
                true,
            ),
            None => {
                let role_says = w
                    .facts
                    .get("kubernetes_node")
                    .and_then(Node::as_bool)
                    .unwrap_or(false);
                if role_says || explicit_cluster.is_some() {
                    let found = builtin(&w.name, &folder, &os);
                    let cluster = explicit_cluster
                        .or_else(|| found.as_ref().map(|b| b.cluster.clone()))
                        .or_else(|| cluster_from_name(&w.name))
                        .unwrap_or_else(|| "unnamed".into());
                    (
                        cluster,
                        explicit_role
                            .or(found.map(|b| b.role))
                            .or_else(|| role_from_name(&w.name)),
                        "VM spec: role kubernetes-node".to_string(),
                        true,
                    )
                } else {
                    // Built-in recognition never claims a Windows guest.
                    if os.to_ascii_lowercase().contains("windows") {
                        return None;
                    }
                    let b = builtin(&w.name, &folder, &os)?;
                    (b.cluster, Some(b.role), b.signal.to_string(), b.strong)
                }
            }
        };
    Some(NodeRecord::read(
        w,
        spec,
        cluster,
        role.unwrap_or(NodeRole::Worker),
        signal,
        strong,
        &folder,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(name: &str, folder: &str, os: &str) -> Option<(String, NodeRole, bool)> {
        builtin(name, folder, os).map(|b| (b.cluster, b.role, b.strong))
    }

    #[test]
    fn each_layout_is_recognised() {
        use NodeRole::{ControlPlane as Cp, Worker as Wk};
        let cases = [
            ("SupervisorControlPlaneVM (2)", "", "", "supervisor", Cp),
            (
                "tkg-prod-control-plane-x7k2p",
                "",
                "VMware Photon OS",
                "tkg-prod",
                Cp,
            ),
            ("tkg-prod-md-0-7d9c7bfc5c-2qmzx", "", "", "tkg-prod", Wk),
            (
                "shop-workers-4vz2f-7d9c7bfc5c-2qmzx",
                "Namespaces/shop",
                "",
                "shop",
                Wk,
            ),
            (
                "ocp4-x8k2p-master-0",
                "",
                "Red Hat Enterprise Linux CoreOS",
                "ocp4-x8k2p",
                Cp,
            ),
            ("ocp4-x8k2p-worker-0-abcde", "", "rhcos", "ocp4-x8k2p", Wk),
            ("rke-edge-cp-01", "", "Ubuntu", "rke-edge", Cp),
            ("rke-edge-worker-03", "", "Ubuntu", "rke-edge", Wk),
            ("k8s-prod-master-01", "", "Ubuntu Linux", "k8s-prod", Cp),
            ("kube-wk3", "", "", "kube", Wk),
            ("edge-1", "Lab/edge", "Talos", "edge", Wk),
            ("fc-cp-1", "", "Flatcar Container Linux", "fc", Cp),
            (
                "node07",
                "Datacenter/tkg-lab",
                "VMware Photon OS",
                "tkg-lab",
                Wk,
            ),
        ];
        for (name, folder, os, cluster, role) in cases {
            let got = b(name, folder, os);
            assert_eq!(
                got.as_ref().map(|g| (g.0.as_str(), g.1, g.2)),
                Some((cluster, role, true)),
                "{name}"
            );
        }
    }

    #[test]
    fn ordinary_vms_are_not_nodes() {
        for (name, folder, os) in [
            ("worker-01", "", "Microsoft Windows Server 2019"),
            ("worker-01", "", "Ubuntu"),
            ("jenkins-master-01", "", "Ubuntu"),
            ("vcsa01", "", "VMware Photon OS"),
            ("db-prod-01", "Production", "RHEL 8"),
            ("app-server-02", "", "RHEL 8"),
            ("node07", "Datacenter/apps", "Ubuntu"),
        ] {
            let got = b(name, folder, os);
            assert!(got.as_ref().is_none_or(|g| !g.2), "{name}: {got:?}");
        }
        // `-master-`/`-worker-` alone is weak: a cluster of only weak members is dropped.
        assert_eq!(
            b("spark-a1b2c-worker-1", "", "Ubuntu").map(|g| g.2),
            Some(false)
        );
    }

    #[test]
    fn environments_from_whole_words() {
        assert_eq!(environment("k8s-prod-cp-1", ""), Some("prod"));
        assert_eq!(environment("node1", "DC/Test/k8s"), Some("test"));
        assert_eq!(environment("product-api", ""), None);
        assert_eq!(environment("devices", ""), None);
    }
}
