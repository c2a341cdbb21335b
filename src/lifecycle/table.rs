//! The lifecycle table as written: `rules/lifecycle/*.yaml` (embedded) and the
//! `lifecycle/` folder of each `--rules` folder, read into [`Table`] with every field checked.

use std::path::{Path, PathBuf};

use super::date::Date;
use crate::node::Node;
use crate::pattern::Pattern;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_lifecycle.rs"));
}

/// A mistake in a table file, at its line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct TableError {
    pub file: String,
    pub line: u32,
    pub message: String,
}

/// One product: how its name is recognised, and its versions' dates.
#[derive(Debug, Clone)]
pub struct Product {
    pub name: String,
    pub source: String,
    pub checked: Date,
    /// Operating system names (VM specs, inventories, VNF software images): each with a
    /// `version` group.
    pub os: Vec<Pattern>,
    /// Image repositories (the path without registry, or its last part): `centos`, `node`.
    pub images: Vec<String>,
    /// The version in an image's tag (a `version` group).
    pub tag: Pattern,
    /// What the vendor calls its paid support after the end (`Extended Security Updates`).
    pub extended_support: Option<String>,
    pub versions: Vec<Version>,
    /// The file and line it was read from (a user's entry replaces a built-in one).
    pub file: String,
    pub line: u32,
}

#[derive(Debug, Clone)]
pub enum Which {
    /// This version and its minor releases (`7` is `7.9` too; `2012 R2` is not `2012`).
    Exactly(String),
    /// Every version below this one (compared number by number), where it is as precise.
    Below(String),
    /// Every version, and a name without one.
    Any,
}

#[derive(Debug, Clone)]
pub struct Version {
    pub which: Which,
    /// How the report names it (`2012 R2`, `4 and earlier`).
    pub label: String,
    /// Other spellings of this version: image tags (`bionic`), abbreviations (`2k`).
    pub aliases: Vec<String>,
    pub end_of_support: Date,
    pub end_of_extended_support: Option<Date>,
    /// Platforms where the extended support costs nothing (`azure`).
    pub free_on: Vec<String>,
}

/// Every product, the user's first (a user's entry for a product replaces the built-in one).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub products: Vec<Product>,
    /// The files read, as displayed.
    pub files: Vec<String>,
}

const PRODUCT_KEYS: &[&str] = &[
    "product",
    "source",
    "checked",
    "os",
    "images",
    "tag",
    "extended_support",
    "versions",
];
const VERSION_KEYS: &[&str] = &[
    "version",
    "below",
    "any",
    "label",
    "aliases",
    "end_of_support",
    "end_of_extended_support",
    "extended_support_free_on",
];
const DEFAULT_TAG: &str = r"^v?(?P<version>\d+(?:\.\d+)*)";

impl Table {
    /// The built-in table, then the `lifecycle/` folder of each rules folder given (a
    /// product named again replaces the built-in entry).
    pub fn load(rule_paths: &[PathBuf]) -> Result<Table, TableError> {
        let mut table = Table::embedded()?;
        for dir in rule_paths {
            let folder = dir.join("lifecycle");
            if !folder.is_dir() {
                continue;
            }
            let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
                .map_err(|e| TableError {
                    file: folder.display().to_string(),
                    line: 0,
                    message: format!("cannot read the lifecycle folder: {e}"),
                })?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
                .collect();
            files.sort();
            for f in files {
                let display = f.display().to_string();
                let text = read(&f, &display)?;
                let products = parse(&display, &text, false)?;
                table.files.push(display);
                for p in products {
                    table
                        .products
                        .retain(|q| !q.name.eq_ignore_ascii_case(&p.name));
                    table.products.insert(0, p);
                }
            }
        }
        Ok(table)
    }

    /// The table compiled into fitscan (`rules/lifecycle/*.yaml`).
    pub fn embedded() -> Result<Table, TableError> {
        let mut table = Table::default();
        // As the build parsed them (`node_binary`), where they parsed.
        for ((file, text), nodes) in embedded::LIFECYCLE_FILES
            .iter()
            .zip(embedded::LIFECYCLE_NODES)
        {
            let products = match nodes.and_then(crate::node_binary::decode) {
                Some(docs) => parse_documents(file, &docs, true)?,
                None => parse(file, text, true)?,
            };
            table.products.extend(products);
            table.files.push((*file).to_string());
        }
        Ok(table)
    }
}

/// An embedded table file (path, text) with the build's parse of it.
#[cfg(test)]
pub(super) type EmbeddedFile = ((&'static str, &'static str), Option<&'static [u8]>);

#[cfg(test)]
pub(super) fn embedded_for_tests() -> Vec<EmbeddedFile> {
    assert_eq!(
        embedded::LIFECYCLE_FILES.len(),
        embedded::LIFECYCLE_NODES.len()
    );
    embedded::LIFECYCLE_FILES
        .iter()
        .copied()
        .zip(embedded::LIFECYCLE_NODES.iter().copied())
        .collect()
}

fn read(path: &Path, display: &str) -> Result<String, TableError> {
    crate::source::read_auxiliary_text(path).map_err(|e| TableError {
        file: display.to_string(),
        line: 0,
        message: match e {
            crate::source::AuxiliaryError::NotFound => "lifecycle table: no such file".into(),
            crate::source::AuxiliaryError::Other(m) => format!("lifecycle table: {m}"),
        },
    })
}

fn err(file: &str, node: &Node, message: impl Into<String>) -> TableError {
    TableError {
        file: file.to_string(),
        line: node.line,
        message: message.into(),
    }
}

fn check_keys(file: &str, node: &Node, keys: &[&str], what: &str) -> Result<(), TableError> {
    let entries = node
        .as_map()
        .ok_or_else(|| err(file, node, format!("{what} is a mapping")))?;
    for e in entries {
        if !keys.contains(&e.key.as_str()) {
            return Err(err(
                file,
                &e.value,
                format!(
                    "unknown field `{}` in {what} (expected {})",
                    e.key,
                    keys.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn text(file: &str, node: &Node, key: &str) -> Result<Option<String>, TableError> {
    match node.get(key) {
        None => Ok(None),
        Some(v) => v
            .scalar_text()
            .map(Some)
            .ok_or_else(|| err(file, v, format!("`{key}` is text"))),
    }
}

fn texts(file: &str, node: &Node, key: &str) -> Result<Vec<(String, u32)>, TableError> {
    match node.get(key) {
        None => Ok(Vec::new()),
        Some(v) => match v.as_seq() {
            Some(items) => items
                .iter()
                .map(|i| {
                    i.scalar_text()
                        .map(|t| (t, i.line))
                        .ok_or_else(|| err(file, i, format!("`{key}` lists text")))
                })
                .collect(),
            None => v
                .scalar_text()
                .map(|t| vec![(t, v.line)])
                .ok_or_else(|| err(file, v, format!("`{key}` is text or a list of text"))),
        },
    }
}

fn date(file: &str, node: &Node, key: &str) -> Result<Option<Date>, TableError> {
    match node.get(key) {
        None => Ok(None),
        Some(v) => {
            let t = v.scalar_text().unwrap_or_default();
            Date::parse(&t)
                .map(Some)
                .map_err(|m| err(file, v, format!("`{key}`: {m}")))
        }
    }
}

/// A pattern of the table: the embedded table's are compiled on first use (its tests compile
/// every one), a user's as it is read.
fn regex(file: &str, line: u32, pattern: &str, embedded: bool) -> Result<Pattern, TableError> {
    if embedded {
        return Ok(Pattern::deferred(pattern));
    }
    let compiled = Pattern::compile(pattern).map_err(|e| TableError {
        file: file.to_string(),
        line,
        message: format!("bad regular expression: {e}"),
    })?;
    let named_version = compiled
        .regex()
        .is_some_and(|re| re.capture_names().any(|n| n == Some("version")));
    if !named_version {
        return Err(TableError {
            file: file.to_string(),
            line,
            message: format!("`{pattern}` has no `(?P<version>...)` group"),
        });
    }
    Ok(compiled)
}

/// The products of one table file: `products:` with a list.
pub fn parse(file: &str, text: &str, embedded: bool) -> Result<Vec<Product>, TableError> {
    let docs = crate::yaml::parse_documents(text).map_err(|e| TableError {
        file: file.to_string(),
        line: e.line.unwrap_or(0),
        message: e.message,
    })?;
    parse_documents(file, &docs, embedded)
}

/// The products of a table file already parsed into `docs`.
fn parse_documents(file: &str, docs: &[Node], embedded: bool) -> Result<Vec<Product>, TableError> {
    let mut out = Vec::new();
    for doc in docs {
        check_keys(file, doc, &["products"], "a lifecycle table")?;
        let list = doc
            .get("products")
            .and_then(Node::as_seq)
            .ok_or_else(|| err(file, doc, "a lifecycle table holds `products:` with a list"))?;
        for p in list {
            out.push(product(file, p, embedded)?);
        }
    }
    Ok(out)
}

fn product(file: &str, p: &Node, embedded: bool) -> Result<Product, TableError> {
    check_keys(file, p, PRODUCT_KEYS, "a product")?;
    let name =
        text(file, p, "product")?.ok_or_else(|| err(file, p, "a product needs `product`"))?;
    let named = |m: &str| format!("{name}: {m}");
    let source = text(file, p, "source")?
        .ok_or_else(|| err(file, p, named("`source` says where the dates come from")))?;
    let checked = date(file, p, "checked")?.ok_or_else(|| {
        err(
            file,
            p,
            named("`checked` is the day the dates were checked"),
        )
    })?;
    let os = texts(file, p, "os")?
        .iter()
        .map(|(t, line)| regex(file, *line, t, embedded))
        .collect::<Result<Vec<_>, _>>()?;
    let images: Vec<String> = texts(file, p, "images")?
        .into_iter()
        .map(|(t, _)| t.to_ascii_lowercase())
        .collect();
    if os.is_empty() && images.is_empty() {
        return Err(err(
            file,
            p,
            named("say how it is recognised: `os` (regular expressions) or `images`"),
        ));
    }
    let tag = match p.get("tag") {
        Some(t) => regex(file, t.line, &t.scalar_text().unwrap_or_default(), embedded)?,
        None => regex(file, p.line, DEFAULT_TAG, embedded)?,
    };
    let list = p
        .get("versions")
        .and_then(Node::as_seq)
        .ok_or_else(|| err(file, p, named("`versions` lists its versions")))?;
    let versions = list
        .iter()
        .map(|v| version(file, &name, v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Product {
        source,
        checked,
        os,
        images,
        tag,
        extended_support: text(file, p, "extended_support")?,
        versions,
        file: file.to_string(),
        line: p.line,
        name,
    })
}

fn version(file: &str, product: &str, v: &Node) -> Result<Version, TableError> {
    check_keys(file, v, VERSION_KEYS, "a version")?;
    let exactly = text(file, v, "version")?;
    let below = text(file, v, "below")?;
    let any = v.get("any").is_some_and(|n| n.as_bool() == Some(true));
    let (which, default_label) = match (exactly, below, any) {
        (Some(x), None, false) => (Which::Exactly(x.clone()), x),
        (None, Some(b), false) => (Which::Below(b.clone()), format!("before {b}")),
        (None, None, true) => (Which::Any, "every version".to_string()),
        _ => {
            return Err(err(
                file,
                v,
                format!("{product}: a version has one of `version`, `below` or `any: true`"),
            ));
        }
    };
    let end_of_support = date(file, v, "end_of_support")?.ok_or_else(|| {
        err(
            file,
            v,
            format!("{product}: a version needs `end_of_support`"),
        )
    })?;
    let end_of_extended_support = date(file, v, "end_of_extended_support")?;
    if end_of_extended_support.is_some_and(|e| e < end_of_support) {
        return Err(err(
            file,
            v,
            format!("{product}: `end_of_extended_support` is before `end_of_support`"),
        ));
    }
    Ok(Version {
        which,
        label: text(file, v, "label")?.unwrap_or(default_label),
        aliases: texts(file, v, "aliases")?
            .into_iter()
            .map(|(t, _)| t)
            .collect(),
        end_of_support,
        end_of_extended_support,
        free_on: texts(file, v, "extended_support_free_on")?
            .into_iter()
            .map(|(t, _)| t.to_ascii_lowercase())
            .collect(),
    })
}
