//! Build script: the SONAME, and the generation of `include/ev.h`.
//!
//! `include/ev.h` = `header/ev.h.in` (handwritten: configuration macros,
//! typedefs, enumerators, watcher macros, inline functions, C++ glue) with two
//! marker lines replaced by cbindgen output:
//!
//! * `@WATCHER_TYPES@`: the structs, unions and typedefs of `src/abi.rs`, in
//!   source order. One rewrite is applied (see `rewrite_types`): the common
//!   watcher head cbindgen prints for every watcher struct (`active`,
//!   `pending`, `priority`, `data`, `cb`, plus `next` or `at`) becomes
//!   `EV_WATCHER(type)` / `EV_WATCHER_LIST(type)` / `EV_WATCHER_TIME(type)`, so
//!   the user customisation points (`EV_COMMON`, `EV_CB_DECLARE`,
//!   `EV_DECL_PRIORITY`) work as in libev; unions are emitted without a typedef
//!   (libev declares only `union ev_any_watcher`). A struct of any other shape
//!   fails the build.
//! * `@PROTOTYPES@`: every exported `ev_*` function of `src/ffi/` (found by
//!   cbindgen: `#[no_mangle] extern "C"` / `extern "C-unwind"`), in source
//!   order, as `EV_API_DECL <prototype> EV_NOEXCEPT;`. Other exported
//!   functions (libevent's `event_*`) are left out. Types used by a prototype
//!   must come from src/abi.rs (checked), be declared in the template, or be
//!   renamed to a template type in header/cbindgen.toml. cbindgen reads a
//!   copy of `src/ffi/` in which `*mut Loop` parameters are named `loop`
//!   (`header/expand.rs`; exported functions made by macros, which cbindgen
//!   would not see, fail the build). Annotations (doc-comment lines):
//!
//!   - `/// cbindgen:postfix=` (empty): no `EV_NOEXCEPT` (in libev: ev_run,
//!     ev_loop_destroy, ev_invoke, ev_invoke_pending);
//!   - `/// cbindgen:ev-if=COND`: declared inside `#if COND` (ev_walk).
//!
//! The result is written to `$OUT_DIR/ev.h` and, unless `EV_HEADER_CHECK` is
//! set in the environment, to `include/ev.h` (only when it changed).
//! `tests/header_fresh.rs` compares the two. Same inputs, same bytes.

#[path = "header/expand.rs"]
mod expand;

use std::fs;
use std::path::{Path, PathBuf};

const SONAME: &str = "libev.so.4";
const TEMPLATE: &str = "header/ev.h.in";
const CBINDGEN_TOML: &str = "header/cbindgen.toml";
const ABI_RS: &str = "src/abi.rs";
const FFI_DIR: &str = "src/ffi";
const HEADER: &str = "include/ev.h";

fn main() {
    // libev's SONAME; ev_default_loop_ptr must stay preemptible (copy
    // relocations), so no -Bsymbolic and no protected visibility here.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{SONAME}");

    // (not include/ev.h itself: cargo would see our own write as a change)
    for p in ["build.rs", "header", ABI_RS, FFI_DIR] {
        println!("cargo:rerun-if-changed={p}");
    }
    println!("cargo:rerun-if-env-changed=EV_HEADER_CHECK");

    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));

    let header = generate(&root, &out);
    fs::write(out.join("ev.h"), &header).expect("write $OUT_DIR/ev.h");
    if std::env::var_os("EV_HEADER_CHECK").is_none() {
        let dest = root.join(HEADER);
        if fs::read_to_string(&dest).ok().as_deref() != Some(header.as_str()) {
            fs::create_dir_all(dest.parent().unwrap()).expect("create include/");
            fs::write(&dest, &header).unwrap_or_else(|e| panic!("write {}: {e}", dest.display()));
        }
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn generate(root: &Path, out: &Path) -> String {
    let template = read(&root.join(TEMPLATE));
    let abi_rs = root.join(ABI_RS);
    let base = cbindgen::Config::from_file(root.join(CBINDGEN_TOML)).unwrap_or_else(|e| panic!("{CBINDGEN_TOML}: {e}"));

    // ---- the public types of src/abi.rs, in source order
    let (names, handwritten) = abi_type_names(&read(&abi_rs), &base.export.exclude);
    for name in &handwritten {
        if !template.contains(name.as_str()) {
            panic!("{ABI_RS}: `{name}` is excluded from cbindgen's output but {TEMPLATE} does not declare it");
        }
    }
    for (from, to) in &base.export.rename {
        if to != "struct ev_loop" && !template.contains(to.as_str()) {
            panic!("{CBINDGEN_TOML}: `{from}` is renamed to `{to}`, which {TEMPLATE} does not declare");
        }
    }
    let mut cfg = base.clone();
    cfg.export.exclude.extend(handwritten.iter().cloned());
    cfg.export.include = names;
    cfg.export.item_types = vec![
        cbindgen::ItemType::Structs,
        cbindgen::ItemType::Unions,
        cbindgen::ItemType::Typedefs,
    ];
    let types = cbindgen::Builder::new()
        .with_config(cfg.clone())
        .with_src(&abi_rs)
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen ({ABI_RS}): {e}"));
    let types_raw = render(&types);

    // ---- the exported functions of src/ffi/
    let (ffi_copy, fn_names) = prepare_ffi(&root.join(FFI_DIR), &out.join("cbindgen-src"));
    cfg.export.include.clear();
    cfg.export.item_types.push(cbindgen::ItemType::Functions);
    // ev.h declares the ev_* API only (libevent's event_* belong to event.h)
    cfg.export
        .exclude
        .extend(fn_names.into_iter().filter(|n| !n.starts_with("ev_")));
    let mut fns = cbindgen::Builder::new()
        .with_config(cfg)
        .with_src(&abi_rs)
        .with_src(ffi_copy.join("mod.rs"))
        .generate()
        .unwrap_or_else(|e| panic!("cbindgen ({FFI_DIR}): {e}"));
    if fns.functions.iter().any(|f| !f.path.name().starts_with("ev_")) || fns.functions.is_empty() {
        panic!("cbindgen did not find the exported ev_* functions of {FFI_DIR} as expected");
    }
    let functions = std::mem::take(&mut fns.functions);
    let needed = render(&fns); // the declarations the prototypes depend on
    fns.items.clear();
    // one line per prototype; runs of functions annotated
    // `/// cbindgen:ev-if=COND` are wrapped in `#if COND` ... `#endif`
    let mut prototypes = String::new();
    let mut runs: Vec<(Option<String>, Vec<_>)> = Vec::new();
    for f in functions {
        let cond = f
            .annotations
            .atom("ev-if")
            .map(|c| c.unwrap_or_else(|| panic!("{}: empty cbindgen:ev-if", f.path.name())));
        match runs.last_mut() {
            Some((c, v)) if *c == cond => v.push(f),
            _ => runs.push((cond, vec![f])),
        }
    }
    for (cond, run) in runs {
        fns.functions = run;
        let text = blocks(&render(&fns)).concat();
        match cond {
            Some(c) => prototypes.push_str(&format!("#if {c}\n{text}#endif\n")),
            None => prototypes.push_str(&text),
        }
    }

    // every type a prototype uses must be declared in the types section
    for block in blocks(&needed) {
        if !blocks(&types_raw).contains(&block) {
            panic!("an exported function uses a type that {ABI_RS} does not provide as a public type:\n{block}");
        }
    }

    let types = rewrite_types(&types_raw);
    for (what, text) in [("watcher types", &types), ("prototypes", &prototypes)] {
        if let Some(line) = text.lines().find(|l| l.contains("WatcherCb")) {
            panic!("{what}: the Rust callback alias leaked into the header: `{line}`");
        }
    }

    let mut header = String::with_capacity(template.len() + types.len() + prototypes.len());
    let mut seen = (0, 0);
    for line in template.lines() {
        match line {
            "@WATCHER_TYPES@" => {
                header.push_str(&types);
                seen.0 += 1;
            }
            "@PROTOTYPES@" => {
                header.push_str(&prototypes);
                seen.1 += 1;
            }
            _ => {
                header.push_str(line.trim_end());
                header.push('\n');
            }
        }
    }
    if seen != (1, 1) {
        panic!("{TEMPLATE} must contain the lines @WATCHER_TYPES@ and @PROTOTYPES@ exactly once each");
    }
    header
}

/// cbindgen's output as text: items separated by one blank line, no leading
/// or trailing blank lines, every line ending in '\n'.
fn render(b: &cbindgen::Bindings) -> String {
    let mut buf = Vec::new();
    b.write(&mut buf);
    let text = String::from_utf8(buf).expect("cbindgen output is UTF-8");
    let mut out = String::new();
    for block in blocks(&text) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&block);
    }
    out
}

/// Splits text into blank-line separated blocks (each with its final '\n').
fn blocks(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !cur.is_empty() {
                v.push(std::mem::take(&mut cur));
            }
        } else {
            cur.push_str(line.trim_end());
            cur.push('\n');
        }
    }
    if !cur.is_empty() {
        v.push(cur);
    }
    v
}

/// Names of the public non-generic structs, unions and type aliases of
/// src/abi.rs, in source order, and the subset declared by hand in the
/// template instead (the configured exclusions and every `ev__*` alias: the
/// callback types that need `noexcept` in C++17).
fn abi_type_names(src: &str, excluded: &[String]) -> (Vec<String>, Vec<String>) {
    use proc_macro2::TokenTree;
    let toks: Vec<TokenTree> = expand::tokenize(src, ABI_RS).into_iter().collect();
    let (mut names, mut handwritten) = (Vec::new(), Vec::new());
    for w in toks.windows(4) {
        let (TokenTree::Ident(vis), TokenTree::Ident(kw), TokenTree::Ident(name)) = (&w[0], &w[1], &w[2]) else {
            continue;
        };
        let generic = matches!(&w[3], TokenTree::Punct(p) if p.as_char() == '<');
        if vis != "pub" || !(kw == "struct" || kw == "union" || kw == "type") || generic {
            continue;
        }
        let name = name.to_string();
        if name.starts_with("ev__") || excluded.contains(&name) {
            handwritten.push(name);
        } else {
            names.push(name);
        }
    }
    (names, handwritten)
}

/// Copies src/ffi/**.rs to `dest`, prepared for cbindgen (see
/// header/expand.rs); returns `dest` and the names of all functions defined.
fn prepare_ffi(src: &Path, dest: &Path) -> (PathBuf, Vec<String>) {
    fn walk(dir: &Path, acc: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, acc);
            } else if p.extension().is_some_and(|x| x == "rs") {
                acc.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(src, &mut files);
    let _ = fs::remove_dir_all(dest);
    let mut names = Vec::new();
    for p in files {
        let what = p.display().to_string();
        let ts = expand::tokenize(&read(&p), &what);
        let target = dest.join(p.strip_prefix(src).unwrap());
        fs::create_dir_all(target.parent().unwrap()).expect("create the cbindgen source copy");
        let prepared = expand::prepare(ts, &what);
        expand::fn_names(&prepared, &mut names);
        fs::write(&target, prepared.to_string()).expect("write the cbindgen source copy");
    }
    (dest.to_path_buf(), names)
}

/// The one rewrite of cbindgen's output (see the top of this file).
///
/// A watcher struct as cbindgen prints it:
///
/// ```text
/// typedef struct ev_io {
///   int active;
///   int pending;
///   int priority;
///   void *data;
///   WatcherCb_ev_io cb;               <- a typedef cbindgen emits just before:
///   struct ev_watcher_list *next;        typedef void (*WatcherCb_ev_io)(struct ev_loop*, struct ev_io*, int);
///   int fd;
///   int events;
/// } ev_io;
/// ```
///
/// becomes `typedef struct ev_io {\n  EV_WATCHER_LIST(ev_io)\n  int fd; ...`, and
/// the callback typedef is dropped (EV_CB_DECLARE declares the member).
fn rewrite_types(text: &str) -> String {
    let blocks = blocks(text);
    let mut dropped: Vec<String> = Vec::new();
    let mut out: Vec<String> = Vec::new();
    for block in &blocks {
        let lines: Vec<&str> = block.lines().collect();
        let first = lines[0];
        if let Some(tag) = first.strip_prefix("typedef struct ").and_then(|r| r.strip_suffix(" {")) {
            let body: Vec<&str> = lines[1..lines.len() - 1].iter().map(|l| l.trim()).collect();
            let bad = |why: &str| -> ! {
                panic!(
                    "{ABI_RS}: struct {tag} is not a libev watcher ({why}); every struct there must \
                     start with the watcher head (active, pending, priority, data, cb):\n{block}"
                )
            };
            if lines[lines.len() - 1] != format!("}} {tag};") {
                bad("unexpected end of the declaration");
            }
            if body.len() < 5 || body[..4] != ["int active;", "int pending;", "int priority;", "void *data;"] {
                bad("the head fields differ");
            }
            let Some(cb_ty) = body[4].strip_suffix(" cb;") else {
                bad("no `cb` member in fifth place")
            };
            let want = format!("typedef void (*{cb_ty})(struct ev_loop*, struct {tag}*, int);\n");
            if !blocks.contains(&want) {
                bad(&format!("`cb` must have the type `{want}`"));
            }
            dropped.push(want);
            let (head, rest) = match body.get(5) {
                Some(&"struct ev_watcher_list *next;") => ("EV_WATCHER_LIST", &body[6..]),
                Some(&"ev_tstamp at;") => ("EV_WATCHER_TIME", &body[6..]),
                _ => ("EV_WATCHER", &body[5..]),
            };
            let mut s = format!("typedef struct {tag} {{\n  {head}({tag})\n");
            for l in rest {
                s.push_str(&format!("  {l}\n"));
            }
            s.push_str(&format!("}} {tag};\n"));
            out.push(s);
        } else if let Some(tag) = first.strip_prefix("typedef union ").and_then(|r| r.strip_suffix(" {")) {
            let last = lines[lines.len() - 1];
            if last != format!("}} {tag};") {
                panic!("unexpected union declaration from cbindgen:\n{block}");
            }
            let mut s = format!("union {tag} {{\n");
            for l in &lines[1..lines.len() - 1] {
                s.push_str(l);
                s.push('\n');
            }
            s.push_str("};\n");
            out.push(s);
        } else {
            out.push(block.clone());
        }
    }
    let kept: Vec<String> = out.into_iter().filter(|b| !dropped.contains(b)).collect();
    kept.join("\n")
}
