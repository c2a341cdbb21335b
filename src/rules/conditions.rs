//! Parsing a rule's condition tree (`all`, `any`, `not`, `some`, Dockerfile `instruction`
//! conditions, and the operators on a path), with the rule file's line on every error.

use crate::pattern::Pattern;

use super::loader::*;
use super::path::Path;
use super::{Cond, Op};
use crate::model::Target;
use crate::node::{Node, Value};

pub(super) fn parse_cond(ctx: &Ctx<'_>, node: &Node) -> Result<Cond, RuleError> {
    let Some(entries) = node.as_map() else {
        return Err(ctx.err(
            node,
            "a condition is a mapping: `{path: ..., equals: ...}`, `all: [...]`, `any: [...]`, `not: ...`, `some: ..., where: ...`",
        ));
    };
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    let has = |k: &str| keys.contains(&k);
    let only = |allowed: &[&str], form: &str| -> Result<(), RuleError> {
        for e in entries {
            if !allowed.contains(&e.key.as_str()) {
                return Err(ctx.err(
                    &e.value,
                    format!(
                        "unexpected key `{}` in {form}{}",
                        e.key,
                        suggest(&e.key, allowed)
                    ),
                ));
            }
        }
        Ok(())
    };
    if has("all") || has("any") {
        let key = if has("all") { "all" } else { "any" };
        only(&[key], &format!("an `{key}` condition"))?;
        let list = node.get(key).and_then(Node::as_seq).ok_or_else(|| {
            ctx.err(
                node.get(key).unwrap_or(node),
                format!("`{key}` takes a list of conditions"),
            )
        })?;
        if list.is_empty() {
            return Err(ctx.err(node, format!("`{key}` needs at least one condition")));
        }
        let conds = list
            .iter()
            .map(|c| parse_cond(ctx, c))
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(if key == "all" {
            Cond::All(conds)
        } else {
            Cond::Any(conds)
        });
    }
    if has("not") {
        only(&["not"], "a `not` condition")?;
        let inner = node.get("not").unwrap_or(node);
        return Ok(Cond::Not(Box::new(parse_cond(ctx, inner)?)));
    }
    for key in ["some", "every", "none"] {
        if has(key) {
            only(&[key, "where"], &format!("a `{key}` condition"))?;
            let path = path_field(ctx, node, key)?;
            let where_node = node.get("where").ok_or_else(|| {
                ctx.err(
                    node,
                    format!("`{key}: {path}` needs `where:` with the condition for each element"),
                )
            })?;
            let cond = Box::new(parse_cond(&ctx.element(&path), where_node)?);
            return Ok(match key {
                "some" => Cond::Some { path, cond },
                "every" => Cond::Every { path, cond },
                _ => Cond::NoneOf { path, cond },
            });
        }
    }
    if has("instruction") {
        return parse_instruction(ctx, node);
    }
    if has("path") {
        for e in entries {
            if e.key != "path" && !OP_KEYS.contains(&e.key.as_str()) {
                return Err(ctx.err(
                    &e.value,
                    format!(
                        "unknown operator `{}`{}; a test is `path:` with one of: {}",
                        e.key,
                        suggest(&e.key, OP_KEYS),
                        OP_KEYS.join(", ")
                    ),
                ));
            }
        }
        let path = path_field(ctx, node, "path")?;
        let ops: Vec<&crate::node::Entry> = entries.iter().filter(|e| e.key != "path").collect();
        let [op] = ops.as_slice() else {
            return Err(ctx.err(
                node,
                format!(
                    "a test needs exactly one operator besides `path` (one of: {})",
                    OP_KEYS.join(", ")
                ),
            ));
        };
        let op = parse_op(ctx, &op.key, &op.value)?;
        return Ok(Cond::Test { path, op });
    }
    let first = entries.first().map(|e| (e.key.as_str(), &e.value));
    let (key, at) = first.unwrap_or(("", node));
    let mut allowed: Vec<&str> = COMBINATOR_KEYS.to_vec();
    allowed.push("instruction");
    Err(ctx.err(
        at,
        format!(
            "`{key}` does not start a condition{}; use `path:` with an operator, `all`, `any`, `not`, `some`/`every`/`none` with `where`{}",
            suggest(key, &allowed),
            if ctx.target == Some(Target::Dockerfile) { ", or `instruction`" } else { "" }
        ),
    ))
}

/// Dockerfile sugar: `{instruction: RUN, stage: final, matches: "apt-get install"}` fires
/// at each matching instruction of the chosen stages.
pub(super) fn parse_instruction(ctx: &Ctx<'_>, node: &Node) -> Result<Cond, RuleError> {
    if ctx.target != Some(Target::Dockerfile) {
        return Err(ctx.err(
            node,
            "`instruction` conditions are only for rules with `target: dockerfile`",
        ));
    }
    for e in node.as_map().unwrap_or_default() {
        if !INSTRUCTION_KEYS.contains(&e.key.as_str()) {
            return Err(ctx.err(
                &e.value,
                format!(
                    "unexpected key `{}` in an `instruction` condition{}",
                    e.key,
                    suggest(&e.key, INSTRUCTION_KEYS)
                ),
            ));
        }
    }
    let instr_node = node.get("instruction").unwrap_or(node);
    let names: Vec<Node> = match &instr_node.value {
        Value::Str(s) => vec![Node::str(s.to_ascii_uppercase(), 0)],
        Value::Seq(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(|s| Node::str(s.to_ascii_uppercase(), 0))
                    .ok_or_else(|| ctx.err(i, "`instruction` names are text, like RUN"))
            })
            .collect::<Result<_, _>>()?,
        _ => {
            return Err(ctx.err(
                instr_node,
                "`instruction` is a name like RUN or a list of names",
            ));
        }
    };
    let stage = match node.get("stage") {
        None => "final".to_string(),
        Some(n) => n
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ctx.err(n, "`stage` is final, build or any"))?,
    };
    let list_path = match stage.as_str() {
        "final" => "final.instructions[*]",
        "build" => "build_stages[*].instructions[*]",
        "any" => "stages[*].instructions[*]",
        other => {
            return Err(ctx.err(
                node.get("stage").unwrap_or(node),
                format!("`stage: {other}`: expected final, build or any"),
            ));
        }
    };
    let path = Path::parse(list_path).map_err(|e| ctx.err(node, e))?;
    let cmd = Path::parse("instruction").map_err(|e| ctx.err(node, e))?;
    let args = Path::parse("args").map_err(|e| ctx.err(node, e))?;
    // The arguments come first: a finding shows the first value that made it fire, and
    // the instruction's arguments say more than its keyword.
    let mut conds = Vec::new();
    if let Some(m) = node.get("matches") {
        conds.push(Cond::Test {
            path: args.clone(),
            op: Op::Matches(regex(ctx, m)?),
        });
    }
    if let Some(m) = node.get("not_matches") {
        conds.push(Cond::Test {
            path: args.clone(),
            op: Op::NotMatches(regex(ctx, m)?),
        });
    }
    if conds.is_empty() {
        conds.push(Cond::Test {
            path: args,
            op: Op::Exists(true),
        });
    }
    conds.push(Cond::Test {
        path: cmd,
        op: Op::OneOf(names),
    });
    Ok(Cond::Some {
        path,
        cond: Box::new(Cond::All(conds)),
    })
}

pub(super) fn parse_op(ctx: &Ctx<'_>, key: &str, value: &Node) -> Result<Op, RuleError> {
    let scalar = |v: &Node| -> Result<Node, RuleError> {
        if v.as_seq().is_some() || v.as_map().is_some() {
            Err(ctx.err(
                v,
                format!("`{key}` takes a single value (text, number or true/false)"),
            ))
        } else {
            Ok(v.clone())
        }
    };
    let number = |v: &Node| -> Result<f64, RuleError> {
        v.as_f64()
            .ok_or_else(|| ctx.err(v, format!("`{key}` takes a number")))
    };
    let list = |v: &Node| -> Result<Vec<Node>, RuleError> {
        let items = v
            .as_seq()
            .ok_or_else(|| ctx.err(v, format!("`{key}` takes a list of values")))?;
        items.iter().map(scalar).collect()
    };
    let boolean = |v: &Node| -> Result<bool, RuleError> {
        v.as_bool()
            .ok_or_else(|| ctx.err(v, format!("`{key}` takes true or false")))
    };
    Ok(match key {
        "exists" => Op::Exists(boolean(value)?),
        "absent" => Op::Exists(!boolean(value)?),
        "equals" => Op::Equals(scalar(value)?),
        "not_equals" => Op::NotEquals(scalar(value)?),
        "one_of" => Op::OneOf(list(value)?),
        "not_one_of" => Op::NotOneOf(list(value)?),
        "matches" => Op::Matches(regex(ctx, value)?),
        "not_matches" => Op::NotMatches(regex(ctx, value)?),
        "contains" => Op::Contains(scalar(value)?),
        "gt" => Op::Gt(number(value)?),
        "gte" => Op::Gte(number(value)?),
        "lt" => Op::Lt(number(value)?),
        "lte" => Op::Lte(number(value)?),
        other => {
            return Err(ctx.err(
                value,
                format!("unknown operator `{other}`{}", suggest(other, OP_KEYS)),
            ));
        }
    })
}

pub(super) fn regex(ctx: &Ctx<'_>, node: &Node) -> Result<Pattern, RuleError> {
    let pattern = node
        .as_str()
        .ok_or_else(|| ctx.err(node, "a regular expression must be text"))?;
    if ctx.embedded {
        return Ok(Pattern::deferred(pattern));
    }
    Pattern::compile(pattern).map_err(|e| {
        ctx.err(
            node,
            format!("bad regular expression: {}", one_line(&e.to_string())),
        )
    })
}

pub(super) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn path_field(ctx: &Ctx<'_>, node: &Node, key: &str) -> Result<Path, RuleError> {
    let n = node.get(key).unwrap_or(node);
    let text = n
        .as_str()
        .ok_or_else(|| ctx.err(n, format!("`{key}` must be a path like `spec.cpu.vcpus`")))?;
    let path = Path::parse(text).map_err(|e| ctx.err(n, format!("`{key}`: {e}")))?;
    ctx.check_facts(&path, n)?;
    Ok(path)
}
