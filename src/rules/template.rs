//! Message templates: `{name} has {facts.vcpu} vCPU` with placeholders filled from the
//! workload. `{value}` is the offending value of the finding, `{name}` the workload's name,
//! `{item}` the name of the list element a `some` / `every` condition fired on (a VDU, a
//! container); any other placeholder is a path. `{{` and `}}` write literal braces.

use super::path::{Path, Roots};
use crate::node::Node;

#[derive(Debug, Clone)]
pub enum Piece {
    Text(String),
    Value,
    Name,
    Item,
    Path(Path),
}

#[derive(Debug, Clone)]
pub struct Template {
    pub source: String,
    pieces: Vec<Piece>,
}

impl Template {
    pub fn parse(source: &str) -> Result<Template, String> {
        let mut pieces = Vec::new();
        let mut text = String::new();
        let mut chars = source.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    text.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    text.push('}');
                }
                '{' => {
                    let mut inner = String::new();
                    let mut closed = false;
                    for c in chars.by_ref() {
                        if c == '}' {
                            closed = true;
                            break;
                        }
                        if c == '{' {
                            break;
                        }
                        inner.push(c);
                    }
                    if !closed {
                        return Err(format!("placeholder `{{{inner}` is not closed with `}}`"));
                    }
                    if !text.is_empty() {
                        pieces.push(Piece::Text(std::mem::take(&mut text)));
                    }
                    let inner = inner.trim();
                    pieces.push(match inner {
                        "value" => Piece::Value,
                        "name" => Piece::Name,
                        "item" => Piece::Item,
                        _ => {
                            Piece::Path(Path::parse(inner).map_err(|e| format!("placeholder {e}"))?)
                        }
                    });
                }
                '}' => return Err("a single `}` must be written `}}`".into()),
                _ => text.push(c),
            }
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text));
        }
        Ok(Template {
            source: source.to_string(),
            pieces,
        })
    }

    /// The template for a reader (the generated docs): literal text with `{{` and `}}`
    /// unescaped, each placeholder written by `placeholder` from its name (`value`, `name`,
    /// `item` or the path).
    pub fn describe(&self, placeholder: impl Fn(&str) -> String) -> String {
        let mut out = String::with_capacity(self.source.len() + 16);
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Value => out.push_str(&placeholder("value")),
                Piece::Name => out.push_str(&placeholder("name")),
                Piece::Item => out.push_str(&placeholder("item")),
                Piece::Path(p) => out.push_str(&placeholder(&p.text)),
            }
        }
        out
    }

    /// The template as a reader sees it in plain text: `{{` unescaped, placeholders kept as
    /// `{name}`.
    pub fn readable(&self) -> String {
        self.describe(|p| format!("{{{p}}}"))
    }

    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Path(path) => Some(path),
            _ => None,
        })
    }

    /// Fills the placeholders. A path that reaches nothing prints `?`; several values are
    /// joined with commas.
    pub fn render(&self, name: &str, value: Option<&str>, roots: Roots<'_>) -> String {
        self.render_item(name, value, None, roots)
    }

    /// [`Template::render`] for a finding on one element of a list (`{item}`).
    pub fn render_item(
        &self,
        name: &str,
        value: Option<&str>,
        item: Option<&str>,
        roots: Roots<'_>,
    ) -> String {
        let mut out = String::with_capacity(self.source.len() + 32);
        for piece in &self.pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Name => out.push_str(name),
                Piece::Value => out.push_str(value.unwrap_or("?")),
                Piece::Item => out.push_str(item.unwrap_or(name)),
                Piece::Path(path) => {
                    let nodes: Vec<&Node> = path
                        .resolve(roots, None)
                        .into_iter()
                        .filter(|n| !n.is_null())
                        .collect();
                    if nodes.is_empty() {
                        out.push('?');
                    } else {
                        let parts: Vec<String> = nodes.iter().map(|n| n.display_text()).collect();
                        out.push_str(&parts.join(", "));
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders() {
        let mut facts = Node::map(0);
        facts.insert("vcpu", Node::float(8.0, 0));
        let doc = Node::map(0);
        let roots = Roots {
            doc: &doc,
            facts: &facts,
        };
        let t = Template::parse("{name} has {facts.vcpu} vCPU, {value}, {facts.nope} {{ok}}");
        let text = t.map(|t| t.render("db1", Some("x"), roots));
        assert_eq!(text.as_deref(), Ok("db1 has 8 vCPU, x, ? {ok}"));
        let t = Template::parse("{item} of {name}");
        let text = t
            .as_ref()
            .map(|t| t.render_item("vnf", None, Some("VDU1"), roots));
        assert_eq!(text.as_deref(), Ok("VDU1 of vnf"));
        let text = t.map(|t| t.render("vnf", None, roots));
        assert_eq!(
            text.as_deref(),
            Ok("vnf of vnf"),
            "without an element, the workload"
        );
    }

    #[test]
    fn describes_itself_for_readers() {
        let t = Template::parse("{name}: set `{{ cpu: 1 }}` to {facts.vcpu}")
            .map(|t| t.describe(|p| format!("<{p}>")));
        assert_eq!(t.as_deref(), Ok("<name>: set `{ cpu: 1 }` to <facts.vcpu>"));
    }

    #[test]
    fn rejects_broken_templates() {
        assert!(Template::parse("{name").is_err());
        assert!(Template::parse("a } b").is_err());
        assert!(Template::parse("{a..b}").is_err());
    }
}
