//! The flavour's policies: scaling aspects and deltas, instantiation levels, placement,
//! indicators and security group rules.

use std::collections::BTreeMap;

use super::package::*;
use super::types::*;
use crate::ingest::vnf::detect::whole_number;
use crate::ingest::vnf::model::{Aspect, Item, Num, Placement, VnfModel};
use crate::model::ScanError;
use crate::node::{Node, Value};

impl Package<'_> {
    pub(super) fn read_policies(
        &self,
        model: &mut VnfModel,
        tt: Option<&Node>,
        groups: &BTreeMap<String, Vec<String>>,
        vdu_index: &BTreeMap<String, usize>,
        errors: &mut Vec<ScanError>,
    ) {
        let Some(policies) = tt.and_then(|t| t.get("policies")) else {
            return;
        };
        // `policies:` is a list of single-entry maps (TOSCA 1.2+) or one map.
        let entries: Vec<&crate::node::Entry> = match &policies.value {
            Value::Seq(items) => items
                .iter()
                .flat_map(|i| i.as_map().unwrap_or_default())
                .collect(),
            Value::Map(entries) => entries.iter().collect(),
            _ => Vec::new(),
        };
        let expand = |targets: Vec<String>| -> Vec<String> {
            targets
                .into_iter()
                .flat_map(|t| groups.get(&t).cloned().unwrap_or_else(|| vec![t]))
                .collect()
        };
        let mut deltas: Vec<(String, Vec<String>)> = Vec::new();
        let mut initial: BTreeMap<String, Num> = BTreeMap::new();
        let mut vdu_levels: BTreeMap<String, BTreeMap<String, Num>> = BTreeMap::new();
        for p in entries {
            let ty = type_of(&p.value);
            let props = p.value.get("properties");
            let targets: Vec<String> = p
                .value
                .get("targets")
                .and_then(Node::as_seq)
                .unwrap_or_default()
                .iter()
                .filter_map(Node::scalar_text)
                .collect();
            let is = |base: &str| self.types.derives(ty, base);
            if is("tosca.policies.nfv.ScalingAspects") {
                for a in props
                    .and_then(|n| n.get("aspects"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    let max_scale_level = a.value.get("max_scale_level").and_then(|n| {
                        whole_number(n, 0.0)
                            .map_err(|e| {
                                self.error(
                                    errors,
                                    n.line,
                                    format!("scaling aspect `{}`: max_scale_level: {e}", a.key),
                                )
                            })
                            .ok()
                    });
                    model.scaling_aspects.push(Aspect {
                        id: a.key.clone(),
                        line: a.value.line,
                        max_scale_level,
                        vdus: Vec::new(),
                    });
                }
            } else if is("tosca.policies.nfv.VduScalingAspectDeltas") {
                if let Some(aspect) = props
                    .and_then(|n| n.get("aspect"))
                    .and_then(Node::scalar_text)
                {
                    deltas.push((aspect, expand(targets)));
                }
            } else if is("tosca.policies.nfv.VduInitialDelta") {
                if let Some(n) = props.and_then(|n| n.at("initial_delta.number_of_instances"))
                    && let Ok(v) = whole_number(n, 0.0)
                {
                    for t in expand(targets) {
                        initial.insert(t, v);
                    }
                }
            } else if is("tosca.policies.nfv.InstantiationLevels") {
                for level in props
                    .and_then(|n| n.get("levels"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    model.instantiation_levels.push(Item::new(
                        level.key.clone(),
                        "instantiation level",
                        level.value.line,
                    ));
                }
                if let Some(d) = props.and_then(|n| n.get("default_level")) {
                    model.default_level = d
                        .scalar_text()
                        .map(|name| Item::new(name, "default instantiation level", d.line));
                }
            } else if is("tosca.policies.nfv.VduInstantiationLevels") {
                for level in props
                    .and_then(|n| n.get("levels"))
                    .and_then(Node::as_map)
                    .unwrap_or_default()
                {
                    let Some(n) = level.value.get("number_of_instances") else {
                        continue;
                    };
                    match whole_number(n, 0.0) {
                        Ok(v) => {
                            for t in expand(targets.clone()) {
                                vdu_levels
                                    .entry(t)
                                    .or_default()
                                    .insert(level.key.clone(), v);
                            }
                        }
                        Err(e) => self.error(
                            errors,
                            n.line,
                            format!(
                                "instantiation level `{}`: number_of_instances: {e}",
                                level.key
                            ),
                        ),
                    }
                }
            } else if is("tosca.policies.nfv.AntiAffinityRule")
                || is("tosca.policies.nfv.AffinityRule")
            {
                let anti = is("tosca.policies.nfv.AntiAffinityRule");
                let vdus: Vec<String> = expand(targets)
                    .into_iter()
                    .filter(|t| vdu_index.contains_key(t))
                    .collect();
                for v in &vdus {
                    if let Some(&i) = vdu_index.get(v) {
                        if anti {
                            model.vdus[i].anti_affinity = true;
                        } else {
                            model.vdus[i].affinity = true;
                        }
                    }
                }
                let placement = Placement {
                    name: p.key.clone(),
                    line: p.value.line,
                    scope: props
                        .and_then(|n| n.get("scope"))
                        .and_then(Node::scalar_text),
                    vdus,
                };
                if anti {
                    model.anti_affinity.push(placement);
                } else {
                    model.affinity.push(placement);
                }
            } else if is("tosca.policies.nfv.VnfIndicator") {
                model
                    .indicators
                    .push(Item::new(p.key.clone(), "vnf indicator", p.value.line));
            } else if is("tosca.policies.nfv.SecurityGroupRule") {
                model.security_group_rules.push(Item::new(
                    p.key.clone(),
                    "security group rule",
                    p.value.line,
                ));
            } else if is("tosca.policies.nfv.SupportedVnfInterface") {
                let name = props
                    .and_then(|n| n.get("interface_name"))
                    .and_then(Node::scalar_text)
                    .unwrap_or_default();
                match name.as_str() {
                    "vnf_indicator" => model.indicators.push(Item::new(
                        p.key.clone(),
                        "vnf indicator interface",
                        p.value.line,
                    )),
                    "vnf_configuration" => model.day0.push(Item::new(
                        p.key.clone(),
                        "vnf configuration interface",
                        p.value.line,
                    )),
                    _ => {}
                }
            }
        }
        for (aspect, targets) in deltas {
            for t in targets {
                if let Some(&i) = vdu_index.get(&t)
                    && !model.vdus[i].scaling_aspects.contains(&aspect)
                {
                    model.vdus[i].scaling_aspects.push(aspect.clone());
                }
                if let Some(a) = model.scaling_aspects.iter_mut().find(|a| a.id == aspect)
                    && !a.vdus.contains(&t)
                {
                    a.vdus.push(t.clone());
                }
            }
        }
        let default = model
            .default_level
            .as_ref()
            .map(|d| d.name.clone())
            .or_else(|| {
                (model.instantiation_levels.len() == 1)
                    .then(|| model.instantiation_levels[0].name.clone())
            });
        for vdu in &mut model.vdus {
            let at_level = default
                .as_ref()
                .and_then(|d| vdu_levels.get(&vdu.id).and_then(|l| l.get(d)));
            if let Some(n) = at_level {
                vdu.instances = Some(*n);
                vdu.instances_basis = "default instantiation level";
            } else if let Some(n) = initial.get(&vdu.id) {
                vdu.instances = Some(*n);
                vdu.instances_basis = "initial delta";
            }
        }
    }
}
