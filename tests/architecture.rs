//! The arrows of docs/architecture.md, checked: a crate that gains a dependency the
//! document forbids fails here (`cargo tree`, with features resolved as for that crate
//! alone), and so does a module cycle inside `domain`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What a crate must not reach: anywhere below it, or (`direct`) among its own
/// dependencies.
struct Rule {
    krate: &'static str,
    direct: bool,
    forbidden: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        krate: "domain",
        direct: false,
        forbidden: &[
            "tokio",
            "futures",
            "sqlx",
            "async-nats",
            "reqwest",
            "actix-web",
            "rmcp",
            "cqrs-es",
            "docx-engine",
            "infrastructure",
        ],
        why: "the domain is pure: no IO, no async runtime, no event-store library",
    },
    Rule {
        krate: "docx-engine",
        direct: false,
        forbidden: &[
            "tokio",
            "futures",
            "sqlx",
            "async-nats",
            "reqwest",
            "actix-web",
            "rmcp",
            "cqrs-es",
            "infrastructure",
        ],
        why: "reading and writing Word is pure: bytes in, bytes out",
    },
    Rule {
        krate: "api-types",
        direct: false,
        forbidden: &["actix-web", "tokio", "sqlx", "infrastructure"],
        why: "the wire shapes know no web framework (its `actix` feature is for the transports)",
    },
    Rule {
        krate: "auth",
        direct: false,
        forbidden: &["actix-web", "utoipa-actix-web", "app"],
        why: "credentials and scopes know no web framework (its `actix` feature is for the transports)",
    },
    Rule {
        krate: "infrastructure",
        direct: false,
        forbidden: &["actix-web", "rmcp", "app", "auth", "api-types"],
        why: "storage and the bus know neither the use cases nor the transports",
    },
    Rule {
        krate: "app",
        direct: false,
        forbidden: &[
            "actix-web",
            "utoipa-actix-web",
            "rmcp",
            "reqwest",
            "command-api",
            "query-api",
            "mcp",
            "projectors",
        ],
        why: "the use cases can be driven by any transport",
    },
    Rule {
        krate: "projectors",
        direct: false,
        forbidden: &["actix-web", "rmcp", "app", "auth", "api-types"],
        why: "projectors fold events into views; they serve nothing",
    },
    Rule {
        krate: "command-api",
        direct: true,
        forbidden: &["infrastructure", "sqlx", "docx-engine"],
        why: "a transport calls the use cases of app, never storage",
    },
    Rule {
        krate: "query-api",
        direct: true,
        forbidden: &["infrastructure", "sqlx", "docx-engine"],
        why: "a transport calls the use cases of app, never storage",
    },
    Rule {
        krate: "mcp",
        direct: true,
        forbidden: &["infrastructure", "sqlx"],
        why: "a transport calls the use cases of app, never storage",
    },
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the workspace")
        .to_path_buf()
}

/// The names of the packages `krate` depends on (normal dependencies).
fn dependencies(krate: &str, direct: bool) -> BTreeSet<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(root())
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}", "-p", krate]);
    if direct {
        command.args(["--depth", "1"]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree -p {krate}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != krate)
        .map(str::to_string)
        .collect()
}

#[test]
fn crates_depend_only_as_the_architecture_allows() {
    let mut broken = Vec::new();
    for rule in RULES {
        let deps = dependencies(rule.krate, rule.direct);
        for forbidden in rule.forbidden {
            if deps.contains(*forbidden) {
                broken.push(format!(
                    "{} depends on {forbidden}{}: {}",
                    rule.krate,
                    if rule.direct { " directly" } else { "" },
                    rule.why
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// `domain`'s modules (by file) and the modules each refers to (`crate::a::b`), test
/// modules left out.
fn domain_modules() -> BTreeMap<String, BTreeSet<String>> {
    let src = root().join("domain/src");
    let mut sources = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("domain/src is readable") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&src)
                .expect("under src")
                .with_extension("");
            let name = rel.to_string_lossy().replace('/', "::");
            let name = name.trim_end_matches("::mod").to_string();
            if path.extension().is_none_or(|e| e != "rs")
                || name == "lib"
                || name.ends_with("tests")
                || name.contains("::tests")
            {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let text = text
                .split("#[cfg(test)]")
                .next()
                .unwrap_or_default()
                .to_string();
            sources.insert(name, text);
        }
    }
    let names: Vec<String> = sources.keys().cloned().collect();
    sources
        .iter()
        .map(|(name, text)| {
            let mut refs = BTreeSet::new();
            for (i, _) in text.match_indices("crate::") {
                let rest = &text[i + "crate::".len()..];
                let mut paths = Vec::new();
                if let Some(group) = rest.strip_prefix('{') {
                    let group = group.split('}').next().unwrap_or_default();
                    paths.extend(group.split(',').map(|p| p.trim().to_string()));
                } else {
                    let end = rest
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .unwrap_or(rest.len());
                    paths.push(rest[..end].to_string());
                }
                for path in paths {
                    // The longest module the path starts with.
                    if let Some(target) = names
                        .iter()
                        .filter(|n| path == **n || path.starts_with(&format!("{n}::")))
                        .max_by_key(|n| n.len())
                        && target != name
                        && !name.starts_with(&format!("{target}::"))
                    {
                        refs.insert(target.clone());
                    }
                }
            }
            (name.clone(), refs)
        })
        .collect()
}

/// A cycle of `graph`, if it has one (depth-first search: a back edge closes one).
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = path[at..].iter().map(|s| (*s).to_string()).collect();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node);
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let edges = |pairs: &[(&str, &str)]| {
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in pairs {
            graph
                .entry((*from).into())
                .or_default()
                .insert((*to).into());
            graph.entry((*to).into()).or_default();
        }
        graph
    };
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("a", "c")])),
        None
    );
    assert_eq!(
        find_cycle(&edges(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
}

#[test]
fn the_domain_has_no_module_cycle() {
    let graph = domain_modules();
    assert!(graph.contains_key("decide") && graph.contains_key("input"));
    if let Some(cycle) = find_cycle(&graph) {
        panic!("domain modules in a cycle: {}", cycle.join(" → "));
    }
}
