//! The module graph of one crate, read from its source text, and the cycles in it.
//!
//! Each `.rs` file under `src/` is a module (`lib.rs` the root, `a/b.rs` is `a::b`). A
//! reference is a `crate::…`, `super::…` or `self::…` path (in `use` trees too), resolved
//! to the longest module prefix it names. References between a module and its own
//! ancestors or descendants are one unit and never count; a reference from `a::x` to
//! `a::y` is an edge between the siblings `x` and `y` inside `a`. The graph of each
//! parent's children must be acyclic, so the data flow inside a crate reads one way at
//! every level. Unit tests (`#[cfg(test)]` and after) may look anywhere and are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// A module path from the crate root: `["world", "conn"]`.
pub(crate) type ModPath = Vec<String>;

/// Every cycle among siblings, as `scope: a, b import each other` lines, for the crate whose
/// `src/` directory is `src`.
pub(crate) fn cycles_in(src: &Path) -> Result<Vec<String>, String> {
    let mut files = BTreeMap::new();
    for file in crate::tidy::rust_files(src) {
        let rel = crate::tidy::relative(src, &file);
        let text = fs::read_to_string(&file).map_err(|e| format!("{rel}: unreadable: {e}"))?;
        files.insert(module_of(&rel), text);
    }
    Ok(cycles(&files))
}

/// The module a file under `src/` defines: `lib.rs` and `main.rs` are the root.
fn module_of(rel: &str) -> ModPath {
    let stem = rel.strip_suffix(".rs").unwrap_or(rel);
    if stem == "lib" || stem == "main" {
        return Vec::new();
    }
    stem.split('/').map(str::to_owned).collect()
}

/// The sibling cycles of the modules in `files` (module path to source text).
pub(crate) fn cycles(files: &BTreeMap<ModPath, String>) -> Vec<String> {
    let modules: BTreeSet<&ModPath> = files.keys().collect();
    // scope -> child -> children it references
    let mut edges: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (module, text) in files {
        for target in references(module, text) {
            let Some(target) = longest_module(&modules, &target) else {
                continue;
            };
            let common = module
                .iter()
                .zip(target.iter())
                .take_while(|(a, b)| a == b)
                .count();
            if common < module.len() && common < target.len() {
                edges
                    .entry(module[..common].to_vec())
                    .or_default()
                    .entry(module[common].clone())
                    .or_default()
                    .insert(target[common].clone());
            }
        }
    }
    let mut out = Vec::new();
    for (scope, graph) in &edges {
        for cycle in find_cycles(graph) {
            let scope = if scope.is_empty() {
                "crate".to_owned()
            } else {
                scope.join("::")
            };
            out.push(format!("{scope}: {} import each other", cycle.join(", ")));
        }
    }
    out
}

/// The longest prefix of `path` that is a module.
fn longest_module(modules: &BTreeSet<&ModPath>, path: &[String]) -> Option<ModPath> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains(p))
}

/// Every module path `text` (the source of `module`) refers to, absolute from the root.
fn references(module: &[String], text: &str) -> Vec<ModPath> {
    let code = strip(text);
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !code.is_char_boundary(i) {
            i += 1;
            continue;
        }
        let starts_word = i == 0 || !is_ident(bytes[i - 1]) && bytes[i - 1] != b':';
        let rest = &code[i..];
        let head = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|h| rest.starts_with(h));
        match head {
            Some(_) if starts_word => {
                let end = path_end(rest);
                for path in expand(&rest[..end]) {
                    if let Some(abs) = absolute(module, &path) {
                        out.push(abs);
                    }
                }
                i += end.max(1);
            }
            _ => i += 1,
        }
    }
    out
}

/// Source text without comments, string literals and the unit-test tail.
fn strip(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or(text);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("");
        // Paths never sit inside string literals that matter here; drop them.
        let mut in_str = false;
        for c in line.chars() {
            if c == '"' {
                in_str = !in_str;
            } else if !in_str {
                out.push(c);
            }
        }
        out.push('\n');
    }
    out
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Where the path (with any `{…}` use tree) starting at `s` ends.
fn path_end(s: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            c if depth > 0 || c.is_alphanumeric() || c == '_' || c == ':' => {}
            _ => return i,
        }
    }
    s.len()
}

/// A path with `{a, b::{c}}` groups expanded into its simple paths, split at `::`.
fn expand(path: &str) -> Vec<Vec<String>> {
    let Some(open) = path.find('{') else {
        return vec![segments(path)];
    };
    let prefix = segments(&path[..open]);
    let inner = &path[open + 1..path.rfind('}').unwrap_or(path.len())];
    let mut out = Vec::new();
    for part in split_top(inner) {
        for mut tail in expand(part.trim()) {
            if tail.first().is_some_and(|s| s == "self") {
                tail.remove(0);
            }
            let mut p = prefix.clone();
            p.append(&mut tail);
            out.push(p);
        }
    }
    out
}

fn segments(path: &str) -> Vec<String> {
    path.split("::")
        .map(|s| s.split_whitespace().next().unwrap_or("").to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// `a, b::{c, d}, e` split at the commas outside braces.
fn split_top(s: &str) -> Vec<&str> {
    let (mut out, mut depth, mut start) = (Vec::new(), 0usize, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// `path` (relative to `module`) from the crate root, or `None` if it climbs past it.
fn absolute(module: &[String], path: &[String]) -> Option<ModPath> {
    let mut segs = path.iter().peekable();
    let mut base: ModPath = match segs.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segs.next();
            Vec::new()
        }
        _ => module.to_vec(),
    };
    while let Some(s) = segs.peek() {
        match s.as_str() {
            "super" => {
                base.pop()?;
                segs.next();
            }
            "self" => {
                segs.next();
            }
            _ => break,
        }
    }
    base.extend(segs.cloned());
    Some(base)
}

/// The cycles of a directed graph: the nodes of each strongly connected component of
/// more than one node (Tarjan), sorted.
fn find_cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on_stack.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    comp.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    let nodes: BTreeSet<&str> = graph
        .iter()
        .flat_map(|(k, v)| std::iter::once(k.as_str()).chain(v.iter().map(String::as_str)))
        .collect();
    for v in nodes {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<ModPath, String> {
        files
            .iter()
            .map(|(rel, text)| (module_of(rel), (*text).to_owned()))
            .collect()
    }

    #[test]
    fn a_planted_cycle_between_top_level_modules_is_found() {
        let files = tree(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::Thing;"),
            ("b.rs", "fn f() { crate::a::g() }"),
        ]);
        assert_eq!(cycles(&files), ["crate: a, b import each other"]);
    }

    #[test]
    fn parents_and_children_are_one_unit_and_use_trees_expand() {
        let files = tree(&[
            ("lib.rs", "mod world; mod cx;"),
            (
                "world.rs",
                "mod send; mod arrive; use send::f; use crate::cx::Cx;",
            ),
            ("world/send.rs", "use super::World; use super::arrive::g;"),
            (
                "world/arrive.rs",
                "use crate::{world::World, cx::{self, Cx}};",
            ),
            ("cx.rs", "use crate::world::{World, send};"),
        ]);
        // world -> cx (world.rs, arrive.rs) and cx -> world: one cycle at the root;
        // send -> arrive alone is no cycle.
        assert_eq!(cycles(&files), ["crate: cx, world import each other"]);
        let clean = tree(&[
            ("lib.rs", "mod world; mod cx;"),
            ("world.rs", "mod send; mod arrive; use send::f;"),
            ("world/send.rs", "use super::World; use super::arrive::g;"),
            (
                "world/arrive.rs",
                "use super::super::world::World; // crate::cx::Cx",
            ),
            (
                "cx.rs",
                "use crate::world::{World, send}; const S: &str = \"crate::x\";",
            ),
        ]);
        assert_eq!(cycles(&clean), Vec::<String>::new());
    }

    #[test]
    fn a_cycle_between_siblings_inside_a_module_is_found() {
        let files = tree(&[
            ("lib.rs", "mod world;"),
            ("world.rs", "mod send; mod arrive;"),
            ("world/send.rs", "use super::arrive::g;"),
            ("world/arrive.rs", "fn f() { super::send::h(); }"),
        ]);
        assert_eq!(cycles(&files), ["world: arrive, send import each other"]);
    }

    #[test]
    fn unit_tests_may_look_anywhere() {
        let files = tree(&[
            ("lib.rs", "mod a; mod b;"),
            ("a.rs", "use crate::b::X;"),
            (
                "b.rs",
                "fn f() {}\n#[cfg(test)]\nmod tests { use crate::a::Y; }",
            ),
        ]);
        assert!(cycles(&files).is_empty());
    }
}
