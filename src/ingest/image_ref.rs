//! Container image references (`registry:5000/team/app:1.2@sha256:...`), split the way
//! registries read them: one type for every input kind (a Dockerfile's `FROM`, a pod's or
//! a Compose service's `image`, a KubeVirt container disk).

use crate::node::Node;

/// How an image reference is pinned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pin {
    /// `@sha256:...`: the exact build, whatever tag it also names.
    Digest,
    /// A tag other than `latest`.
    Tag,
    Latest,
    /// No tag and no digest: the registry serves `latest`.
    Untagged,
    /// A template or variable (`${TAG}`, `{{ .Values.tag }}`) the scan cannot resolve.
    Unresolved,
}

impl Pin {
    pub fn as_str(self) -> &'static str {
        match self {
            Pin::Digest => "digest",
            Pin::Tag => "tag",
            Pin::Latest => "latest",
            Pin::Untagged => "untagged",
            Pin::Unresolved => "unresolved",
        }
    }
}

/// A reference split into its parts, borrowed from the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The reference as written, trimmed.
    pub full: &'a str,
    /// The registry host when the first path segment names one (`gcr.io`,
    /// `localhost:5000`): it holds a dot or a port, or is `localhost`.
    pub registry: Option<&'a str>,
    /// Everything before the tag and digest: `registry:5000/team/app`.
    pub repository: &'a str,
    /// The repository without its registry: `team/app`, `ubuntu`.
    pub path: &'a str,
    /// The last path segment of the repository: `app`.
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
    pub pin: Pin,
}

impl<'a> ImageRef<'a> {
    /// Splits a reference. One that still holds a variable (`${TAG}`, `{{ .Values.tag }}`)
    /// is split as written and pinned `Unresolved`.
    pub fn parse(image: &'a str) -> ImageRef<'a> {
        let full = image.trim();
        let (named, digest) = match full.split_once('@') {
            Some((n, d)) => (n, Some(d).filter(|d| !d.is_empty())),
            None => (full, None),
        };
        // A colon after the last slash starts the tag; one before it is a registry port.
        let last_slash = named.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match named[last_slash..].rfind(':') {
            Some(i) => {
                let at = last_slash + i;
                (
                    &named[..at],
                    Some(&named[at + 1..]).filter(|t| !t.is_empty()),
                )
            }
            None => (named, None),
        };
        let (registry, path) = match repository.split_once('/') {
            Some((first, rest))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (Some(first), rest)
            }
            _ => (None, repository),
        };
        let name = repository.rsplit('/').next().unwrap_or(repository);
        let pin = match (digest, tag) {
            _ if full.contains('$') || full.contains("{{") => Pin::Unresolved,
            (Some(_), _) => Pin::Digest,
            (None, Some(t)) if t.eq_ignore_ascii_case("latest") => Pin::Latest,
            (None, Some(_)) => Pin::Tag,
            (None, None) => Pin::Untagged,
        };
        ImageRef {
            full,
            registry,
            repository,
            path,
            name,
            tag,
            digest,
            pin,
        }
    }

    /// A reference the scan can read: not empty, no variable left in it.
    pub fn resolved(&self) -> bool {
        !self.full.is_empty() && self.pin != Pin::Unresolved
    }

    /// `FROM scratch`: no image at all.
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none() && self.path.eq_ignore_ascii_case("scratch")
    }
}

/// Adds `image_repository`, `image_name`, `image_tag`, `image_digest` and `image_pin` to
/// `target`, each at the line of the image field, from the text of `image`.
pub fn insert_facts(target: &mut Node, image: &Node) {
    let line = image.line;
    let Some(text) = image.scalar_text() else {
        return;
    };
    let r = ImageRef::parse(&text);
    match r.resolved() {
        true => {
            target.insert("image_repository", Node::str(r.repository, line));
            target.insert("image_name", Node::str(r.name, line));
            if let Some(t) = r.tag {
                target.insert("image_tag", Node::str(t, line));
            }
            if let Some(d) = r.digest {
                target.insert("image_digest", Node::str(d, line));
            }
            target.insert("image_pin", Node::str(r.pin.as_str(), line));
        }
        false if !r.full.is_empty() => {
            target.insert("image_pin", Node::str(Pin::Unresolved.as_str(), line));
        }
        false => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Option<ImageRef<'_>> {
        Some(ImageRef::parse(s)).filter(ImageRef::resolved)
    }

    fn pin(s: &str) -> Option<Pin> {
        parse(s).map(|r| r.pin)
    }

    #[test]
    fn references_split_like_a_registry_reads_them() {
        let r = parse("registry.example.com:5000/team/app:1.2.3").unwrap_or_else(|| panic!());
        assert_eq!(r.repository, "registry.example.com:5000/team/app");
        assert_eq!(r.name, "app");
        assert_eq!(r.tag, Some("1.2.3"));
        assert_eq!(r.pin, Pin::Tag);
        let r = parse("localhost:5000/app").unwrap_or_else(|| panic!());
        assert_eq!(
            (r.repository, r.tag, r.pin),
            ("localhost:5000/app", None, Pin::Untagged)
        );
        let r = parse("nginx@sha256:abc").unwrap_or_else(|| panic!());
        assert_eq!(
            (r.name, r.digest, r.pin),
            ("nginx", Some("sha256:abc"), Pin::Digest)
        );
        assert_eq!(pin("nginx:latest@sha256:abc"), Some(Pin::Digest));
        assert_eq!(pin("nginx:LATEST"), Some(Pin::Latest));
        assert_eq!(pin("nginx"), Some(Pin::Untagged));
        assert_eq!(pin("nginx:"), Some(Pin::Untagged));
        assert_eq!(pin("postgres:16-alpine"), Some(Pin::Tag));
    }

    #[test]
    fn the_registry_is_told_from_the_path() {
        let r = ImageRef::parse("localhost:5000/team/app:1.2@sha256:abc");
        assert_eq!(r.registry, Some("localhost:5000"));
        assert_eq!(
            (r.path, r.repository),
            ("team/app", "localhost:5000/team/app")
        );
        assert_eq!((r.tag, r.digest), (Some("1.2"), Some("sha256:abc")));
        let r = ImageRef::parse("ubuntu");
        assert_eq!((r.registry, r.tag, r.digest), (None, None, None));
        let r = ImageRef::parse("bitnami/nginx:1.25");
        assert_eq!(
            (r.registry, r.path, r.name),
            (None, "bitnami/nginx", "nginx")
        );
        assert!(ImageRef::parse("scratch").is_scratch());
    }

    #[test]
    fn variables_are_unresolved_not_untagged() {
        assert_eq!(parse("${REGISTRY}/app:${TAG}"), None);
        assert_eq!(parse("{{ .Values.image }}"), None);
        assert_eq!(parse("  "), None);
        let mut facts = Node::map(0);
        insert_facts(&mut facts, &Node::str("app:${TAG:-dev}", 7));
        assert_eq!(
            facts.get("image_pin").and_then(Node::as_str),
            Some("unresolved")
        );
        assert_eq!(facts.get("image_pin").map(|n| n.line), Some(7));
    }
}
