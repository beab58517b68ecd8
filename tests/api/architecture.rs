//! The house's structure, checked from the source (docs/design.md draws it): which layer may
//! use which, no circle between modules, and no handler that uses another handler. A move that
//! breaks the shape fails here with the arrow that broke it, before a review has to find it.
//!
//! The reading is deliberately plain: every `crate::a::b` and `super::…` path outside
//! comments and `#[cfg(test)]` modules, resolved to the longest module it names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Who may use whom, by top-level module of the library. A module missing here fails the
/// test until someone decides where it belongs.
const LAYERS: &[(&str, &[&str])] = &[
    ("refusal", &[]),
    ("spatial", &["refusal"]),
    ("domain", &["refusal", "spatial"]),
    ("store", &["refusal", "spatial", "domain"]),
    ("views", &["refusal", "spatial", "domain", "store"]),
    ("ops", &["refusal", "spatial", "domain", "store", "views"]),
    ("exchange", &["refusal", "spatial", "domain", "views"]),
    ("config", &["exchange"]),
    ("error", &["refusal", "domain", "store", "exchange"]),
    ("demo", &["refusal", "spatial", "domain", "store", "ops"]),
    (
        "api",
        &[
            "refusal", "spatial", "domain", "store", "views", "ops", "exchange", "config", "error",
        ],
    ),
];

/// Module path (`store::parcels`) → its file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    fn walk(dir: &Path, src: &Path, out: &mut BTreeMap<String, PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, src, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(src)
                    .expect("under src")
                    .with_extension("");
                let mut parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
                    parts.pop();
                }
                out.insert(parts.join("::"), path);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(src, src, &mut out);
    // The binary's own files use the library by its name, not `crate::`.
    out.remove("main");
    out.remove("cli_access");
    out
}

/// The code of a file without comments, string and char literals, and `#[cfg(test)]` items.
fn code_of(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'*' && b[i + 1] == b'/') {
                    i += 1;
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str("\"\"");
            }
            b'\'' if b.get(i + 2) == Some(&b'\'') || b.get(i + 1) == Some(&b'\\') => {
                // A char literal ('{', '\n'); a lifetime has no closing quote two on.
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            _ => {
                let ch = text[i..].chars().next().expect("a char");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    strip_test_items(&out)
}

/// Drop every `#[cfg(test)]` item (a test module, a test-only function) by matching braces.
fn strip_test_items(code: &str) -> String {
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        let Some(open) = after.find(['{', ';']) else {
            return out;
        };
        if after.as_bytes()[open] == b';' {
            rest = &after[open + 1..];
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (k, c) in after[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The module paths a file's code names: `crate::x::y` and `super::…` (grouped imports
/// included), as absolute paths.
fn paths_named(module: &str, code: &str) -> Vec<String> {
    let own: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(k) = code[from..].find(start) {
            let at = from + k;
            from = at + start.len();
            if at > 0 && (is_ident(bytes[at - 1] as char) || bytes[at - 1] == b':') {
                continue;
            }
            let mut base: Vec<&str> = if start == "crate::" {
                Vec::new()
            } else {
                own[..own.len().saturating_sub(1)].to_vec()
            };
            let mut tail = &code[from..];
            while let Some(t) = tail.strip_prefix("super::") {
                base.pop();
                tail = t;
            }
            if let Some(group) = tail.strip_prefix('{') {
                // Items split at the group's own commas; a nested group names its parent.
                let mut depth = 0usize;
                let mut item = String::new();
                let mut items = Vec::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                        _ if depth == 0 => item.push(c),
                        _ => {}
                    }
                }
                items.push(item);
                for item in items {
                    let path: String = item
                        .trim()
                        .chars()
                        .take_while(|&c| is_ident(c) || c == ':')
                        .collect();
                    let path = path.trim_end_matches(':');
                    if !path.is_empty() && path != "self" {
                        found.push([base.join("::").as_str(), path].join("::"));
                    }
                }
            } else {
                let path: String = tail
                    .chars()
                    .take_while(|&c| is_ident(c) || c == ':')
                    .collect();
                let path = path.trim_end_matches(':');
                if !path.is_empty() {
                    let prefix = base.join("::");
                    found.push(if prefix.is_empty() {
                        path.to_owned()
                    } else {
                        format!("{prefix}::{path}")
                    });
                }
            }
        }
    }
    found
}

/// The longest module a path names.
fn resolve<'m>(path: &str, modules: &'m BTreeMap<String, PathBuf>) -> Option<&'m str> {
    let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| modules.get_key_value(&parts[..n].join("::")))
        .map(|(k, _)| k.as_str())
}

struct Graph {
    edges: BTreeMap<String, BTreeSet<String>>,
    handlers: BTreeSet<String>,
}

fn graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = modules(&src);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut handlers = BTreeSet::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).expect("read a source file");
        let code = code_of(&text);
        if (module.starts_with("api::rest::") || module.starts_with("api::ogc::"))
            && code.contains("#[utoipa::path")
        {
            handlers.insert(module.clone());
        }
        let to = edges.entry(module.clone()).or_default();
        for path in paths_named(module, &code) {
            if let Some(target) = resolve(&path, &modules)
                && target != module
                // A module's own children and parents are its own house.
                && !target.starts_with(&format!("{module}::"))
                && !module.starts_with(&format!("{target}::"))
            {
                to.insert(target.to_owned());
            }
        }
    }
    Graph { edges, handlers }
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

#[test]
fn every_layer_uses_only_the_layers_below_it() {
    let g = graph();
    let layers: BTreeMap<&str, &[&str]> = LAYERS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (from, tos) in &g.edges {
        if from.is_empty() {
            continue;
        }
        let Some(allowed) = layers.get(top(from)) else {
            wrong.push(format!(
                "{from}: its layer `{}` is not in LAYERS",
                top(from)
            ));
            continue;
        };
        for to in tos {
            if top(to) != top(from) && !allowed.contains(&top(to)) {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_handler_uses_another_handler() {
    let g = graph();
    assert!(
        g.handlers.len() > 20,
        "found the handlers: {:?}",
        g.handlers
    );
    let wrong: Vec<String> = g
        .handlers
        .iter()
        .flat_map(|h| {
            g.edges[h]
                .iter()
                .filter(|to| g.handlers.contains(*to))
                .map(move |to| format!("{h} → {to}"))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "handlers using handlers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_module_depends_on_itself_through_others() {
    let g = graph();
    // Tarjan's strongly connected components: any with two or more modules is a circle.
    struct Walk<'g> {
        g: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        circles: Vec<Vec<&'g str>>,
    }
    impl<'g> Walk<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.g.edges.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut circle = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    circle.push(w);
                    if w == v {
                        break;
                    }
                }
                if circle.len() > 1 {
                    self.circles.push(circle);
                }
            }
        }
    }
    let mut walk = Walk {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        circles: Vec::new(),
    };
    for v in g.edges.keys() {
        if !walk.index.contains_key(v.as_str()) {
            walk.visit(v);
        }
    }
    assert!(
        walk.circles.is_empty(),
        "modules in a circle: {:?}",
        walk.circles
    );
}

/// Which frameworks a layer may name: the rules and the geometry know no HTTP and no
/// database, the store and the use cases no HTTP and no API document, the read models and file
/// formats no HTTP and no database. (The domain's value vocabularies — code enums and request
/// terms — keep their `ToSchema` derive: docs/design.md says why.)
const FRAMEWORKS_BARRED: &[(&str, &[&str])] = &[
    ("refusal", &["actix", "diesel", "utoipa"]),
    ("spatial", &["actix", "diesel", "utoipa"]),
    ("domain", &["actix", "diesel"]),
    ("store", &["actix", "utoipa"]),
    ("ops", &["actix", "utoipa"]),
    ("views", &["actix", "diesel"]),
    ("exchange", &["actix", "diesel"]),
];

#[test]
fn the_inner_layers_name_no_framework_they_must_not_know() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (module, file) in modules(&src) {
        let Some((_, barred)) = FRAMEWORKS_BARRED.iter().find(|(l, _)| *l == top(&module)) else {
            continue;
        };
        let code = code_of(&std::fs::read_to_string(&file).expect("read a source file"));
        for framework in *barred {
            let named = code.match_indices(framework).any(|(at, _)| {
                let before = code[..at].chars().next_back();
                let after = code[at + framework.len()..].chars().next();
                !before.is_some_and(is_ident) && after.is_some_and(|c| c == ':' || c == '_')
            });
            if named {
                wrong.push(format!("{module} names {framework}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The reader itself: it must see the arrows it is meant to police, or the tests above prove
/// nothing.
#[test]
fn the_reader_sees_crate_super_and_grouped_paths() {
    let code = code_of(
        "use super::{audit::{self, Entry}, rows};\n// crate::api::comment\nuse crate::store::parcels::get;\nlet s = \"crate::views\";\nfn f<'a>(x: &'a str) -> char { '{' }\n#[cfg(test)]\nmod tests { use crate::api::X; }\nuse super::super::domain::x;",
    );
    let mut named = paths_named("store::parcels", &code);
    named.sort();
    assert_eq!(
        named,
        [
            "domain::x",
            "store::audit",
            "store::parcels::get",
            "store::rows"
        ]
    );
    let g = graph();
    assert!(g.edges["store::parcels"].contains("store::audit"));
    assert!(g.edges["ops::register"].contains("domain::register"));
}
