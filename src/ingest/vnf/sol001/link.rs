//! Linking: packages, flavours, workloads.

use std::collections::{BTreeSet, HashMap};

use rayon::prelude::*;

use super::MAX_PACKAGE_FILES;
use super::files::*;
use super::package::*;
use super::types::*;
use crate::model::{ScanError, Skipped, Workload};

pub fn link(
    workloads: &mut Vec<Workload>,
    objects: Vec<crate::ingest::Object>,
    errors: &mut Vec<ScanError>,
) -> Vec<Skipped> {
    let mut files: Vec<ToscaFile> = Vec::new();
    let mut metas: Vec<Meta> = Vec::new();
    for o in objects {
        match unpack(o) {
            Some(Unpacked::Tosca(f)) => files.push(f),
            Some(Unpacked::Meta(m)) => metas.push(m),
            None => {}
        }
    }
    // The same file may arrive twice (walked, and read as someone's import): keep the one
    // named by the user, else the first by path.
    files.sort_by(|a, b| {
        (a.key.as_str(), !a.explicit, a.display.as_ref()).cmp(&(
            b.key.as_str(),
            !b.explicit,
            b.display.as_ref(),
        ))
    });
    files.dedup_by(|later, first| later.key == first.key);
    files.sort_by(|a, b| a.display.cmp(&b.display));
    let index: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.key.as_str(), i))
        .collect();
    let reported: BTreeSet<String> = errors.iter().map(|e| e.file.clone()).collect();
    let by_display: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.display.as_ref(), i))
        .collect();

    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); files.len()];
    let mut imported = vec![false; files.len()];
    let mut remote: Vec<Vec<String>> = vec![Vec::new(); files.len()];
    for (i, f) in files.iter().enumerate() {
        for import in &f.imports {
            match &import.target {
                ImportTarget::Standard => {}
                ImportTarget::Remote => remote[i].push(import.text.clone()),
                ImportTarget::Absolute => errors.push(ScanError::parse(
                    &f.display,
                    Some(import.line),
                    format!(
                        "import `{}` is an absolute path; fitscan follows only imports relative to the importing file",
                        import.text
                    ),
                )),
                ImportTarget::OutsideArchive => errors.push(ScanError::parse(
                    &f.display,
                    Some(import.line),
                    format!(
                        "import `{}` leaves the CSAR archive; fitscan follows only imports inside it",
                        import.text
                    ),
                )),
                ImportTarget::Local { key, display, path } => match index.get(key.as_str()) {
                    Some(&j) => {
                        if j != i && !edges[i].contains(&j) {
                            edges[i].push(j);
                            imported[j] = true;
                        }
                    }
                    // The file itself has an error entry already (too large, bad YAML).
                    None if reported.contains(display.as_str()) => {}
                    None => {
                        let why = if path.exists() {
                            "was not scanned (hidden, or ignored by .gitignore: scan the package folder or name the file)"
                        } else {
                            "does not exist"
                        };
                        // The resolved path only helps when the import leaves the folder.
                        let target = if import.text.contains(['/', '\\']) {
                            format!("`{}` ({display})", import.text)
                        } else {
                            format!("`{}`", import.text)
                        };
                        errors.push(ScanError::parse(
                            &f.display,
                            Some(import.line),
                            format!("imports {target}, which {why}"),
                        ));
                    }
                },
            }
        }
    }

    let mut roots: Vec<usize> = Vec::new();
    let mut kubernetes_meta: HashMap<usize, String> = HashMap::new();
    for m in &metas {
        match index.get(m.entry_key.as_str()) {
            Some(&i) => {
                roots.push(i);
                if let Some(k) = &m.kubernetes {
                    kubernetes_meta.insert(i, k.clone());
                }
            }
            None if reported.contains(&m.entry_display) => {}
            None => errors.push(ScanError::parse(
                &m.display,
                Some(m.line),
                format!(
                    "Entry-Definitions names `{}` ({}), which does not exist",
                    m.entry, m.entry_display
                ),
            )),
        }
    }
    roots.extend((0..files.len()).filter(|i| !imported[*i]));
    roots.sort_unstable();
    roots.dedup();
    // Files in an import cycle that no root reaches still get assessed.
    let mut covered = vec![false; files.len()];
    for &r in &roots {
        for i in closure(r, &edges) {
            covered[i] = true;
        }
    }
    for i in 0..files.len() {
        if !covered[i] && files[i].doc.get("topology_template").is_some() {
            roots.push(i);
            for j in closure(i, &edges) {
                covered[j] = true;
            }
        }
    }

    // Packages are independent: assemble them on the worker threads.
    let assembled: Vec<(Vec<Workload>, Vec<ScanError>)> = roots
        .par_iter()
        .map(|&root| assemble_package(&files, &edges, &remote, root, kubernetes_meta.get(&root)))
        .collect();
    let mut in_vnf = vec![false; files.len()];
    for (w, e) in assembled {
        for w in &w {
            let sources = w.sources.iter().map(|s| s.file.as_ref());
            for file in std::iter::once(w.file.as_ref()).chain(sources) {
                if let Some(&i) = by_display.get(file) {
                    in_vnf[i] = true;
                }
            }
        }
        workloads.extend(w);
        errors.extend(e);
    }
    unjoined_files(&files, &imported, &in_vnf)
}

/// The TOSCA files of the scan that are part of no VNF (no package with a deployment flavour
/// holds them), each a skip with its reason; the caller drops those that have an error.
fn unjoined_files(files: &[ToscaFile], imported: &[bool], in_vnf: &[bool]) -> Vec<Skipped> {
    files
        .iter()
        .zip(imported.iter().zip(in_vnf))
        .filter(|(_, (_, in_vnf))| !**in_vnf)
        .map(|(f, (&imported, _))| {
            let reason = match (imported, f.doc.get("topology_template").is_some()) {
                (false, false) => {
                    "a VNF types/import file no descriptor in the scan imports (it defines TOSCA types only)"
                }
                (false, true) => {
                    "a TOSCA file no descriptor in the scan imports, with no VNF deployment flavour (no tosca.nodes.nfv.Vdu.Compute node templates in it or its imports)"
                }
                (true, _) => {
                    "a VNF types/import file imported only by TOSCA files that define no VNF deployment flavour"
                }
            };
            Skipped::new(&f.display, reason)
        })
        .collect()
}

/// The workloads of the package whose top-level file is `root`: one per flavour.
pub(super) fn assemble_package(
    files: &[ToscaFile],
    edges: &[Vec<usize>],
    remote: &[Vec<String>],
    root: usize,
    kubernetes_meta: Option<&String>,
) -> (Vec<Workload>, Vec<ScanError>) {
    let mut workloads = Vec::new();
    let mut errors = Vec::new();
    let members = closure(root, edges);
    let types = TypeIndex::new(members.iter().map(|&i| &files[i].doc));
    let flavours: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&i| is_flavour(&files[i].doc, &types))
        .collect();
    if flavours.is_empty() {
        if files[root].explicit {
            let message = if files[root].doc.get("topology_template").is_none() {
                "defines TOSCA types only: scan the package's top-level VNFD or its Definitions/ folder"
            } else {
                "no VNF deployment flavour here: no tosca.nodes.nfv.Vdu.Compute node templates in this file or its imports"
            };
            errors.push(ScanError::input(&files[root].display, message));
        }
        return (workloads, errors);
    }
    let mut models = Vec::new();
    let remote_imports: Vec<&String> = members.iter().flat_map(|&i| remote[i].iter()).collect();
    for &flavour in &flavours {
        let order: Vec<usize> = std::iter::once(root)
            .chain((flavour != root).then_some(flavour))
            .chain(
                members
                    .iter()
                    .copied()
                    .filter(|&i| i != root && i != flavour && !flavours.contains(&i)),
            )
            .collect();
        let package = Package::new(files, &order, flavour, &types);
        let mut model = package.read(&mut errors);
        if model.kubernetes_package.is_none() {
            model.kubernetes_package = kubernetes_meta.cloned();
        }
        for r in &remote_imports {
            model.notes.push(format!(
                "import `{r}` was not fetched (fitscan never uses the network)"
            ));
        }
        models.push(model);
    }
    // A package with a VM-based flavour and a containerised one: each is assessed as its
    // own workload, and each says the other exists.
    let platforms: Vec<(String, crate::model::Generation)> = models
        .iter()
        .map(|m| (m.flavour.clone(), m.platform().0))
        .collect();
    for model in &mut models {
        let own = model.platform().0;
        let others: Vec<String> = platforms
            .iter()
            .filter(|(f, g)| *g != own && *f != model.flavour)
            .map(|(f, _)| format!("`{f}`"))
            .collect();
        if !others.is_empty() {
            let (this, that) = if own == crate::model::Generation::ClientServer {
                ("VM-based", "containerised")
            } else {
                ("containerised", "VM-based")
            };
            model.notes.push(format!(
                "the package carries a {this} flavour (this one) and a {that} one ({}): each is assessed as its own workload",
                others.join(", ")
            ));
        }
    }
    workloads.extend(models.into_iter().map(|m| m.into_workload()));
    (workloads, errors)
}

/// Files reachable from `start` through imports, `start` first, depth-first.
pub(super) fn closure(start: usize, edges: &[Vec<usize>]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut stack = vec![start];
    while let Some(i) = stack.pop() {
        if out.len() >= MAX_PACKAGE_FILES || !seen.insert(i) {
            continue;
        }
        out.push(i);
        stack.extend(edges[i].iter().rev().copied());
    }
    out
}
