//! ETSI NFV-SOL 006 VNF descriptors (YANG-modelled YAML or JSON), as OSM writes them: a
//! top-level `vnfd:` (or `etsi-nfv-vnfd:vnfd`, or `nfv: { vnfd: [...] }`) with `vdu`,
//! `virtual-compute-desc`, `virtual-storage-desc`, `sw-image-desc`, `df`,
//! `int-virtual-link-desc` and `ext-cpd`. One workload per VNFD and deployment flavour.
//!
//! Sizes are numbers in GB (`virtual-memory.size`, `size-of-storage`). fitscan reads them as
//! GiB, as OSM does when it creates the VIM flavour (memory x 1024 MiB) and as volumes are
//! sized on OpenStack.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use super::detect::{self, whole_number};
use super::model::{
    Aspect, Format, Image, Item, LcmOperation, Num, Placement, Storage, Vdu, VnfModel,
};
use crate::ingest::FileOutput;
use crate::ingest::MAX_COPIED_NODES;
use crate::model::ScanError;
use crate::node::{Node, Value};
use crate::source::SourceFile;

/// The VNFDs of a document.
fn vnfds(doc: &Node) -> Vec<&Node> {
    let direct = ["vnfd", "etsi-nfv-vnfd:vnfd"]
        .into_iter()
        .filter_map(|k| doc.get(k));
    let nested = ["nfv", "etsi-nfv-descriptors:nfv"]
        .into_iter()
        .filter_map(|k| doc.get(k).and_then(|n| n.get("vnfd")));
    let mut out = Vec::new();
    for n in direct.chain(nested) {
        match &n.value {
            Value::Seq(items) => out.extend(items.iter().filter(|i| i.as_map().is_some())),
            Value::Map(_) => out.push(n),
            _ => {}
        }
    }
    out
}

/// A SOL006 VNFD names at least one of the things a VNF is made of.
pub fn is_sol006(doc: &Node) -> bool {
    vnfds(doc).iter().any(|v| {
        ["vdu", "df", "kdu", "virtual-compute-desc", "product-name"]
            .iter()
            .any(|k| v.get(k).is_some())
    })
}

/// A YANG identity without its module prefix: `etsi-nfv-descriptors:root-storage`.
fn identity(text: &str) -> String {
    text.rsplit(':')
        .next()
        .unwrap_or(text)
        .trim()
        .to_ascii_lowercase()
}

fn list(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or_default()
}

fn id_of(node: &Node) -> Option<String> {
    node.get("id")
        .and_then(Node::scalar_text)
        .filter(|s| !s.trim().is_empty())
}

/// References may be written as a single id or a list of ids.
fn refs(node: Option<&Node>) -> Vec<(String, u32)> {
    match node.map(|n| &n.value) {
        Some(Value::Seq(items)) => items
            .iter()
            .filter_map(|i| i.scalar_text().map(|t| (t, i.line)))
            .collect(),
        Some(_) => node
            .and_then(|n| n.scalar_text().map(|t| (t, n.line)))
            .into_iter()
            .collect(),
        None => Vec::new(),
    }
}

/// A size in GB (read as GiB), as a number or numeric text.
fn gb(node: &Node) -> Result<Num, String> {
    match node.as_f64() {
        Some(v) if v >= 0.0 => Ok(Num {
            value: v,
            line: node.line,
        }),
        _ => Err(format!("`{}` is not a size in GB", node.display_text())),
    }
}

struct Reader<'a> {
    file: &'a Arc<str>,
    errors: Vec<ScanError>,
}

impl Reader<'_> {
    fn error(&mut self, line: u32, message: String) {
        self.errors
            .push(ScanError::parse(self.file, Some(line), message));
    }
}

pub fn ingest_document(doc: Node, file: &SourceFile, out: &mut FileOutput) {
    let text = file.text().unwrap_or_default();
    let suppressions = detect::ignore_comments(text, &file.display);
    let file_name = file.file_name();
    let stem = Path::new(file_name.as_ref())
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut reader = Reader {
        file: &file.display,
        errors: Vec::new(),
    };
    // Each flavour is a workload holding a copy of its VNFD and of its VDUs' facts: a
    // thousand flavours without `vdu-profile` (each then takes every VDU) over a thousand
    // VDUs would be a million VDUs from a 64 KB file. What the flavours copy is counted.
    let allowance = MAX_COPIED_NODES.saturating_add(doc.count());
    let mut copied = 0usize;
    for vnfd in vnfds(&doc) {
        let flavours: Vec<Option<&Node>> = match list(vnfd.get("df")) {
            [] => vec![None],
            dfs => dfs.iter().map(Some).collect(),
        };
        let size = vnfd.count();
        let all_vdus = list(vnfd.get("vdu")).len();
        let mut refused: Vec<&Node> = Vec::new();
        for df in flavours {
            let vdus = match df.map(|d| list(d.get("vdu-profile")).len()) {
                Some(n) if n > 0 => n.min(all_vdus),
                _ => all_vdus,
            };
            let cost = size.saturating_add(vdus.saturating_mul(VDU_FACT_NODES));
            match copied.checked_add(cost) {
                Some(total) if total <= allowance => copied = total,
                _ => {
                    if let Some(d) = df {
                        refused.push(d);
                    }
                    continue;
                }
            }
            let mut model = read(vnfd, df, &stem, &mut reader);
            model.suppressions = suppressions.clone();
            out.workloads.push(model.into_workload());
        }
        if let Some(first) = refused.first() {
            let name = id_of(vnfd).unwrap_or_default();
            let id = id_of(first).unwrap_or_default();
            let more = match refused.len() - 1 {
                0 => String::new(),
                1 => " and 1 more".to_string(),
                n => format!(" and {n} more"),
            };
            reader.error(
                first.line,
                format!(
                    "VNFD `{name}`: flavour `{id}`{more} not assessed: each flavour copies the VNFD ({size} values) and its VDUs ({all_vdus}, every one for a flavour without vdu-profile), and a file's flavours may copy at most {MAX_COPIED_NODES} values beyond its own"
                ),
            );
        }
    }
    out.errors.append(&mut reader.errors);
}

/// About how many values one VDU adds to a flavour's facts.
const VDU_FACT_NODES: usize = 16;

fn read(vnfd: &Node, df: Option<&Node>, stem: &str, r: &mut Reader<'_>) -> VnfModel {
    let mut doc = Node::map(0);
    doc.insert("vnfd", vnfd.clone());
    let mut m = VnfModel::new(Format::Sol006, Arc::clone(r.file), doc);
    let text = |k: &str| {
        vnfd.get(k)
            .and_then(Node::scalar_text)
            .filter(|s| !s.trim().is_empty())
    };
    for (key, field) in [
        ("product_name", "product-name"),
        ("provider", "provider"),
        ("software_version", "software-version"),
        ("descriptor_id", "id"),
        ("descriptor_version", "version"),
    ] {
        if let Some(v) = text(field) {
            let line = vnfd.get(field).map_or(vnfd.line, |n| n.line);
            m.identity.push((key, v, line));
        }
    }
    m.vnf_name = text("product-name")
        .or_else(|| text("id"))
        .unwrap_or_else(|| stem.to_string());
    m.vnf_line = vnfd.line;
    m.line = vnfd.line.max(1);
    m.flavour = df.and_then(id_of).unwrap_or_else(|| "default".to_string());
    m.flavour_line = df.map_or(vnfd.line, |d| d.line);
    m.flavour_description = df
        .and_then(|d| d.get("description"))
        .and_then(Node::scalar_text);

    let by_id = |key: &str| -> BTreeMap<String, &Node> {
        list(vnfd.get(key))
            .iter()
            .filter_map(|n| id_of(n).map(|id| (id, n)))
            .collect()
    };
    let computes = by_id("virtual-compute-desc");
    let storages = by_id("virtual-storage-desc");
    let images = by_id("sw-image-desc");

    let mut data_storages: BTreeMap<String, Storage> = BTreeMap::new();
    for v in list(vnfd.get("vdu")) {
        let Some(id) = id_of(v) else {
            r.error(v.line, "a VDU has no `id`".into());
            continue;
        };
        let mut vdu = Vdu {
            id: id.clone(),
            line: v.line,
            display_name: v
                .get("name")
                .and_then(Node::scalar_text)
                .filter(|n| *n != id),
            ..Vdu::default()
        };
        for (cid, line) in refs(v.get("virtual-compute-desc")).into_iter().take(1) {
            let Some(c) = computes.get(&cid) else {
                r.error(
                    line,
                    format!("VDU `{id}`: virtual-compute-desc `{cid}` is not defined"),
                );
                continue;
            };
            if let Some(n) = c.at("virtual-cpu.num-virtual-cpu") {
                match whole_number(n, 1.0) {
                    Ok(x) => vdu.vcpu = Some(x),
                    Err(e) => r.error(
                        n.line,
                        format!("virtual-compute-desc `{cid}`: num-virtual-cpu: {e}"),
                    ),
                }
            }
            if let Some(n) = c.at("virtual-memory.size") {
                match gb(n) {
                    Ok(x) => vdu.memory_gib = Some(x),
                    Err(e) => r.error(
                        n.line,
                        format!("virtual-compute-desc `{cid}`: virtual-memory size: {e}"),
                    ),
                }
            }
            detect::acceleration(&id, c, &mut m.acceleration);
        }
        let referenced = refs(v.get("virtual-storage-desc"));
        let root_declared = referenced.iter().any(|(sid, _)| {
            storages.get(sid).is_some_and(|s| {
                s.get("type-of-storage")
                    .and_then(Node::as_str)
                    .is_some_and(|t| identity(t) == "root-storage")
            })
        });
        let mut local: Option<Num> = None;
        for (n, (sid, line)) in referenced.iter().enumerate() {
            let Some(s) = storages.get(sid) else {
                r.error(
                    *line,
                    format!("VDU `{id}`: virtual-storage-desc `{sid}` is not defined"),
                );
                continue;
            };
            let size = s.get("size-of-storage").and_then(|n| match gb(n) {
                Ok(x) => Some(x),
                Err(e) => {
                    r.error(
                        n.line,
                        format!("virtual-storage-desc `{sid}`: size-of-storage: {e}"),
                    );
                    None
                }
            });
            let kind = s
                .get("type-of-storage")
                .and_then(Node::as_str)
                .map(identity)
                .unwrap_or_default();
            // Without a type, the first storage of a VDU is its root disk (OSM's reading).
            let is_local = matches!(
                kind.as_str(),
                "root-storage" | "swap-storage" | "ephemeral-storage"
            ) || (kind.is_empty() && n == 0 && !root_declared);
            if is_local {
                if let Some(x) = size {
                    let t = local.get_or_insert(Num {
                        value: 0.0,
                        line: x.line,
                    });
                    t.value += x.value;
                }
            } else {
                let boot = s.get("sw-image-desc").is_some();
                data_storages.entry(sid.clone()).or_insert(Storage {
                    name: sid.clone(),
                    line: s.line,
                    kind: "block",
                    size_gib: size,
                    boot,
                });
                vdu.storages.push(sid.clone());
            }
        }
        vdu.local_storage_gib = local;
        for (iid, line) in refs(v.get("sw-image-desc")).into_iter().take(1) {
            let Some(img) = images.get(&iid) else {
                r.error(
                    line,
                    format!("VDU `{id}`: sw-image-desc `{iid}` is not defined"),
                );
                continue;
            };
            vdu.has_image = true;
            m.images.push(read_image(&iid, &id, img, r));
        }
        for key in ["cloud-init-file", "cloud-init"] {
            if let Some(n) = v
                .get(key)
                .filter(|n| n.scalar_text().is_some_and(|t| !t.trim().is_empty()))
            {
                vdu.boot_data = true;
                m.day0.push(Item::new(id.clone(), "cloud-init", n.line));
            }
        }
        if let Some(n) = v.get("configurable-properties") {
            m.day0
                .push(Item::new(id.clone(), "configurable properties", n.line));
        }
        for mp in list(v.get("monitoring-parameter")) {
            vdu.monitoring = true;
            m.monitoring.push(Item::new(
                id_of(mp).unwrap_or_else(|| mp.display_text()),
                format!("vdu {id}"),
                mp.line,
            ));
        }
        for cpd in list(v.get("int-cpd")) {
            vdu.cps += 1;
            detect::acceleration(&id, cpd, &mut m.acceleration);
            let name = id_of(cpd).unwrap_or_else(|| id.clone());
            detect::fixed_addresses(&name, cpd, &mut m.fixed_addresses);
            detect::encryption(&name, cpd, &mut m.encryption);
        }
        m.vdus.push(vdu);
    }
    m.storages = data_storages.into_values().collect();

    for cpd in list(vnfd.get("ext-cpd")) {
        let name = id_of(cpd).unwrap_or_default();
        m.ext_cps
            .push(Item::new(name.clone(), "external cp", cpd.line));
        detect::fixed_addresses(&name, cpd, &mut m.fixed_addresses);
        detect::encryption(&name, cpd, &mut m.encryption);
    }
    for vl in list(vnfd.get("int-virtual-link-desc")) {
        let name = id_of(vl).unwrap_or_default();
        m.virtual_links
            .push(Item::new(name.clone(), "internal virtual link", vl.line));
        detect::encryption(&name, vl, &mut m.encryption);
        for mp in list(
            vl.get("monitoring-parameters")
                .or_else(|| vl.get("monitoring-parameter")),
        ) {
            m.monitoring.push(Item::new(
                id_of(mp).unwrap_or_default(),
                format!("virtual link {name}"),
                mp.line,
            ));
        }
    }
    for rule in list(vnfd.get("security-group-rule")) {
        m.security_group_rules.push(Item::new(
            id_of(rule).unwrap_or_default(),
            "security group rule",
            rule.line,
        ));
    }
    if let Some(n) = vnfd.get("configurable-properties") {
        m.day0.push(Item::new(
            "configurable-properties",
            "configurable properties",
            n.line,
        ));
        if let Some(auto) = n
            .get("is-autoheal-enabled")
            .filter(|a| a.as_bool() != Some(false))
        {
            m.healing
                .push(Item::new("is-autoheal-enabled", "auto-heal", auto.line));
        }
    }
    for key in ["indicator", "vnf-indicator"] {
        for i in list(vnfd.get(key)) {
            m.indicators.push(Item::new(
                id_of(i).unwrap_or_default(),
                "vnf indicator",
                i.line,
            ));
        }
    }
    for mp in list(vnfd.get("monitoring-parameter")) {
        m.monitoring
            .push(Item::new(id_of(mp).unwrap_or_default(), "vnf", mp.line));
    }
    for kdu in list(vnfd.get("kdu")) {
        m.kdus.push(Item::new(
            kdu.get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default(),
            "kdu",
            kdu.line,
        ));
    }
    // Pre-SOL006 OSM descriptors keep day-1/day-2 configuration at the VNFD level.
    for cfg in list(vnfd.get("vnf-configuration")) {
        read_day12(cfg, &mut m);
    }
    if let Some(df) = df {
        read_df(df, &mut m, r);
    }
    if !m.kdus.is_empty() {
        m.notes.push(format!(
            "{} Kubernetes deployment unit(s) (KDU): their sizing and configuration live in Helm charts or manifests, scan those too",
            m.kdus.len()
        ));
    }
    m
}

fn read_image(id: &str, owner: &str, img: &Node, r: &mut Reader<'_>) -> Image {
    let checksum = img.get("checksum").is_some_and(|c| match &c.value {
        Value::Map(_) => c
            .get("hash")
            .and_then(Node::scalar_text)
            .is_some_and(|h| !h.trim().is_empty()),
        _ => c.scalar_text().is_some_and(|h| !h.trim().is_empty()),
    });
    let size_gib = img.get("size").and_then(|n| match gb(n) {
        Ok(x) => Some(x),
        Err(e) => {
            r.error(n.line, format!("sw-image-desc `{id}`: size: {e}"));
            None
        }
    });
    Image {
        name: img
            .get("name")
            .or_else(|| img.get("image"))
            .and_then(Node::scalar_text)
            .unwrap_or_else(|| id.to_string()),
        owner: owner.to_string(),
        line: img.line,
        checksum,
        size_gib,
        os: img
            .get("operating-system")
            .or_else(|| img.get("operating_system"))
            .and_then(Node::scalar_text),
    }
}

/// OSM day-1/day-2 configuration: charms (execution environments), initial config
/// primitives (day 1) and config primitives (day-2 operations through the VNFM).
fn read_day12(cfg: &Node, m: &mut VnfModel) {
    let name = id_of(cfg).unwrap_or_else(|| "day1-2".to_string());
    let envs = list(cfg.get("execution-environment-list"));
    for env in envs {
        let kind = if env.get("juju").is_some() {
            "juju charm"
        } else if env.get("helm-chart").is_some() {
            "helm execution environment"
        } else {
            "execution environment"
        };
        m.day0.push(Item::new(name.clone(), kind, env.line));
    }
    if let Some(j) = cfg.get("juju").filter(|_| envs.is_empty()) {
        m.day0.push(Item::new(name.clone(), "juju charm", j.line));
    }
    for p in list(cfg.get("initial-config-primitive")) {
        m.day0.push(Item::new(
            p.get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default(),
            "initial config primitive",
            p.line,
        ));
    }
    for p in list(cfg.get("config-primitive")) {
        m.lcm_operations.push(LcmOperation {
            name: p
                .get("name")
                .and_then(Node::scalar_text)
                .unwrap_or_default(),
            line: p.line,
            hook: true,
        });
    }
}

fn read_df(df: &Node, m: &mut VnfModel, r: &mut Reader<'_>) {
    let index: BTreeMap<String, usize> = m
        .vdus
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.clone(), i))
        .collect();
    let mut groups: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in list(df.get("vdu-profile")) {
        let Some(id) = id_of(p) else { continue };
        let Some(&i) = index.get(&id) else {
            r.error(
                p.line,
                format!("vdu-profile `{id}` names no VDU of this VNFD"),
            );
            continue;
        };
        for (key, slot) in [
            ("min-number-of-instances", 0),
            ("max-number-of-instances", 1),
        ] {
            if let Some(n) = p.get(key) {
                match whole_number(n, 0.0) {
                    Ok(x) if slot == 0 => m.vdus[i].min_instances = Some(x),
                    Ok(x) => m.vdus[i].max_instances = Some(x),
                    Err(e) => r.error(n.line, format!("vdu-profile `{id}`: {key}: {e}")),
                }
            }
        }
        if let (Some(min), Some(max)) = (m.vdus[i].min_instances, m.vdus[i].max_instances)
            && min.value > max.value
        {
            r.error(
                max.line,
                format!(
                    "vdu-profile `{id}`: max-number-of-instances {} is below min-number-of-instances {}",
                    max.value, min.value
                ),
            );
        }
        for g in list(p.get("affinity-or-anti-affinity-group")) {
            if let Some(gid) = id_of(g).or_else(|| g.scalar_text()) {
                groups.entry(gid).or_default().push(id.clone());
            }
        }
    }
    for g in list(df.get("affinity-or-anti-affinity-group")) {
        let Some(gid) = id_of(g) else { continue };
        let anti = g
            .get("type")
            .and_then(Node::as_str)
            .is_some_and(|t| identity(t).starts_with("anti"));
        let vdus = groups.get(&gid).cloned().unwrap_or_default();
        for v in &vdus {
            if let Some(&i) = index.get(v) {
                if anti {
                    m.vdus[i].anti_affinity = true;
                } else {
                    m.vdus[i].affinity = true;
                }
            }
        }
        let placement = Placement {
            name: gid,
            line: g.line,
            scope: g.get("scope").and_then(Node::as_str).map(identity),
            vdus,
        };
        if anti {
            m.anti_affinity.push(placement);
        } else {
            m.affinity.push(placement);
        }
    }

    let mut levels: BTreeMap<String, BTreeMap<String, Num>> = BTreeMap::new();
    for level in list(df.get("instantiation-level")) {
        let Some(lid) = id_of(level) else { continue };
        m.instantiation_levels
            .push(Item::new(lid.clone(), "instantiation level", level.line));
        for vl in list(level.get("vdu-level")) {
            let vdu = vl
                .get("vdu-id")
                .and_then(Node::scalar_text)
                .unwrap_or_default();
            if let Some(n) = vl.get("number-of-instances") {
                match whole_number(n, 0.0) {
                    Ok(x) => {
                        levels.entry(lid.clone()).or_default().insert(vdu, x);
                    }
                    Err(e) => r.error(
                        n.line,
                        format!("instantiation-level `{lid}`: number-of-instances: {e}"),
                    ),
                }
            }
        }
    }
    if let Some(d) = df.get("default-instantiation-level") {
        m.default_level = d
            .scalar_text()
            .map(|name| Item::new(name, "default instantiation level", d.line));
    }
    let default = m
        .default_level
        .as_ref()
        .map(|d| d.name.clone())
        .or_else(|| {
            (m.instantiation_levels.len() == 1).then(|| m.instantiation_levels[0].name.clone())
        });
    if let Some(level) = default.and_then(|d| levels.get(&d)) {
        for vdu in &mut m.vdus {
            if let Some(n) = level.get(&vdu.id) {
                vdu.instances = Some(*n);
                vdu.instances_basis = "default instantiation level";
            }
        }
    }

    for a in list(df.get("scaling-aspect")) {
        let Some(aid) = id_of(a) else { continue };
        let max_scale_level = a.get("max-scale-level").and_then(|n| {
            whole_number(n, 0.0)
                .map_err(|e| {
                    r.error(
                        n.line,
                        format!("scaling-aspect `{aid}`: max-scale-level: {e}"),
                    )
                })
                .ok()
        });
        let mut vdus = Vec::new();
        for delta in list(a.at("aspect-delta-details.deltas")) {
            for vd in list(delta.get("vdu-delta")) {
                if let Some(v) = id_of(vd)
                    && !vdus.contains(&v)
                {
                    vdus.push(v);
                }
            }
        }
        for v in &vdus {
            if let Some(&i) = index.get(v)
                && !m.vdus[i].scaling_aspects.contains(&aid)
            {
                m.vdus[i].scaling_aspects.push(aid.clone());
            }
        }
        m.scaling_aspects.push(Aspect {
            id: aid,
            line: a.line,
            max_scale_level,
            vdus,
        });
    }
    for h in list(df.get("healing-aspect")) {
        m.healing.push(Item::new(
            id_of(h).unwrap_or_default(),
            "healing aspect",
            h.line,
        ));
    }
    for mp in list(df.get("monitoring-parameter")) {
        m.monitoring
            .push(Item::new(id_of(mp).unwrap_or_default(), "flavour", mp.line));
    }
    for op in list(df.get("supported-operation")) {
        let Some(name) = op.scalar_text() else {
            continue;
        };
        let short = identity(&name);
        if short.starts_with("heal") {
            m.healing
                .push(Item::new(short.clone(), "heal operation", op.line));
        }
        m.lcm_operations.push(LcmOperation {
            name: short,
            line: op.line,
            hook: false,
        });
    }
    for i in list(df.get("supported-vnf-interfaces")) {
        let name = i
            .get("name")
            .and_then(Node::scalar_text)
            .map(|n| identity(&n))
            .unwrap_or_default();
        match name.as_str() {
            "vnf-indicator" => {
                m.indicators
                    .push(Item::new(name, "vnf indicator interface", i.line))
            }
            "vnf-configuration" => {
                m.day0
                    .push(Item::new(name, "vnf configuration interface", i.line))
            }
            _ => {}
        }
    }
    if let Some(lcm) = df.get("lcm-operations-configuration") {
        m.lcm_configuration = Some(lcm.line);
        for e in lcm.as_map().unwrap_or_default() {
            if e.key.starts_with("heal") {
                m.healing.push(Item::new(
                    e.key.clone(),
                    "heal operation configuration",
                    e.value.line,
                ));
            }
            if e.key == "operate-vnf-op-config" {
                for cfg in list(e.value.get("day1-2")) {
                    read_day12(cfg, m);
                }
            }
            m.lcm_operations.push(LcmOperation {
                name: e.key.clone(),
                line: e.value.line,
                hook: false,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{IngestContext, ingest};

    fn run(text: &str) -> FileOutput {
        ingest(
            &SourceFile::from_text("x_vnfd.yaml", text),
            &IngestContext::default(),
        )
    }

    #[test]
    fn identities_lose_their_module_prefix() {
        assert_eq!(
            identity("etsi-nfv-descriptors:root-storage"),
            "root-storage"
        );
        assert_eq!(identity("anti-affinity"), "anti-affinity");
    }

    #[test]
    fn every_vnfd_and_flavour_is_a_workload() {
        let out = run("nfv:
  vnfd:
    - id: a
      vdu: [ { id: v } ]
      df: [ { id: small }, { id: large } ]
    - id: b
      vdu: [ { id: w } ]
");
        let names: Vec<&str> = out.workloads.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, vec!["a/small", "a/large", "b/default"]);
    }

    #[test]
    fn the_first_untyped_storage_is_the_root_disk_the_others_are_data() {
        let out = run("vnfd:
  id: s
  virtual-storage-desc:
    - { id: root, size-of-storage: 10 }
    - { id: data, size-of-storage: 100 }
    - { id: swap, type-of-storage: etsi-nfv-descriptors:swap-storage, size-of-storage: 4 }
  vdu:
    - { id: v, virtual-storage-desc: [ root, data, swap ] }
");
        let w = &out.workloads[0];
        assert_eq!(w.components[0].current.storage_gib, Some(114.0));
        let data = w
            .facts
            .get("data_volumes")
            .and_then(Node::as_seq)
            .map(<[Node]>::len);
        assert_eq!(data, Some(1));
    }

    #[test]
    fn references_to_undefined_descriptors_are_errors() {
        let out = run("vnfd:\n  id: r\n  vdu:\n    - id: v\n      sw-image-desc: nowhere\n");
        assert_eq!(out.errors.len(), 1);
        assert_eq!(out.errors[0].line, Some(5));
        assert!(out.errors[0].message.contains("`nowhere` is not defined"));
    }
}
