//! Source preparation for cbindgen (used by `build.rs` only).
//!
//! cbindgen reads source text. The build script hands it a *copy* of
//! `src/ffi/` in which every function parameter of type `*mut Loop` is renamed
//! to `loop`, the name libev's prototypes use (`EV_P`), so the C prototypes read
//! `struct ev_loop *loop`. cbindgen does not expand macros: an item-level macro
//! invocation in `src/ffi/` that defines `#[no_mangle]` functions fails the
//! build, since those functions would be missing from `include/ev.h`.
//!
//! The copy is only ever parsed by cbindgen; it is never compiled.

use proc_macro2::{Delimiter, Group, Ident, Span, TokenStream, TokenTree};
use std::str::FromStr;

fn is_punct(t: Option<&TokenTree>, c: char) -> bool {
    matches!(t, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn is_ident(t: Option<&TokenTree>, s: &str) -> bool {
    matches!(t, Some(TokenTree::Ident(i)) if i == s)
}

fn mentions_no_mangle(t: &TokenTree) -> bool {
    match t {
        TokenTree::Ident(i) => i == "no_mangle",
        TokenTree::Group(g) => g.stream().into_iter().any(|t| mentions_no_mangle(&t)),
        _ => false,
    }
}

pub fn tokenize(src: &str, what: &str) -> TokenStream {
    TokenStream::from_str(src).unwrap_or_else(|e| panic!("cannot tokenize {what}: {e:?}"))
}

/// Renames `*mut Loop` parameters (also inside inline modules) and refuses
/// macro-made exported functions.
pub fn prepare(ts: TokenStream, what: &str) -> TokenStream {
    let v: Vec<TokenTree> = ts.into_iter().collect();
    let mut out: Vec<TokenTree> = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        // NAME ! ( ... )   NAME ! [ ... ]   NAME ! { ... }
        if let (Some(TokenTree::Ident(name)), true, Some(TokenTree::Group(args))) =
            (v.get(i), is_punct(v.get(i + 1), '!'), v.get(i + 2))
        {
            if name != "macro_rules" && args.stream().into_iter().any(|t| mentions_no_mangle(&t)) {
                panic!(
                    "{what}: `{name}!` defines #[no_mangle] functions, which cbindgen cannot see \
                     (they would be missing from include/ev.h): write them out"
                );
            }
        }
        if is_ident(v.get(i), "mod") {
            if let (Some(TokenTree::Ident(m)), Some(TokenTree::Group(g))) = (v.get(i + 1), v.get(i + 2)) {
                if g.delimiter() == Delimiter::Brace {
                    out.push(v[i].clone());
                    out.push(TokenTree::Ident(m.clone()));
                    out.push(TokenTree::Group(Group::new(Delimiter::Brace, prepare(g.stream(), what))));
                    i += 3;
                    continue;
                }
            }
        }
        if is_ident(v.get(i), "fn") {
            if let Some(TokenTree::Ident(_)) = v.get(i + 1) {
                // fn NAME [<generics>] ( params )
                out.push(v[i].clone());
                out.push(v[i + 1].clone());
                i += 2;
                let mut angle = 0i32;
                while i < v.len() {
                    match &v[i] {
                        TokenTree::Punct(p) if p.as_char() == '<' => angle += 1,
                        TokenTree::Punct(p) if p.as_char() == '>' => angle -= 1,
                        TokenTree::Group(g) if angle == 0 && g.delimiter() == Delimiter::Parenthesis => {
                            let params = rename_loop_params(g.stream());
                            out.push(TokenTree::Group(Group::new(Delimiter::Parenthesis, params)));
                            i += 1;
                            break;
                        }
                        _ => {}
                    }
                    out.push(v[i].clone());
                    i += 1;
                }
                continue;
            }
        }
        out.push(v[i].clone());
        i += 1;
    }
    out.into_iter().collect()
}

// ------------------------------------------------------------ parameter names

/// `x: *mut Loop` -> `r#loop: *mut Loop` (cbindgen prints raw identifiers
/// without the `r#`).
fn rename_loop_params(params: TokenStream) -> TokenStream {
    let v: Vec<TokenTree> = params.into_iter().collect();
    let mut pieces: Vec<Vec<TokenTree>> = vec![Vec::new()];
    let mut angle = 0i32;
    for t in v {
        if let TokenTree::Punct(p) = &t {
            match p.as_char() {
                '<' => angle += 1,
                '>' => angle -= 1,
                ',' if angle == 0 => {
                    pieces.last_mut().unwrap().push(t);
                    pieces.push(Vec::new());
                    continue;
                }
                _ => {}
            }
        }
        pieces.last_mut().unwrap().push(t);
    }
    let mut out = Vec::new();
    for mut piece in pieces {
        // [mut] NAME : * mut [path ::] Loop [,]
        let name_at = usize::from(is_ident(piece.first(), "mut"));
        let ty: Vec<String> = piece
            .iter()
            .skip(name_at + 2)
            .filter(|t| !is_punct(Some(t), ','))
            .map(|t| t.to_string())
            .collect();
        let is_loop_ptr =
            ty.len() >= 3 && ty[0] == "*" && ty[1] == "mut" && ty.last().map(String::as_str) == Some("Loop");
        if is_loop_ptr
            && matches!(piece.get(name_at), Some(TokenTree::Ident(_)))
            && is_punct(piece.get(name_at + 1), ':')
        {
            piece[name_at] = TokenTree::Ident(Ident::new_raw("loop", Span::call_site()));
        }
        out.extend(piece);
    }
    out.into_iter().collect()
}

/// Names of the functions defined at item level (also in inline modules).
pub fn fn_names(ts: &TokenStream, out: &mut Vec<String>) {
    let v: Vec<TokenTree> = ts.clone().into_iter().collect();
    for (i, t) in v.iter().enumerate() {
        match (t, v.get(i + 1), v.get(i + 2)) {
            (TokenTree::Ident(f), Some(TokenTree::Ident(name)), _) if f == "fn" => {
                out.push(name.to_string().trim_start_matches("r#").to_string())
            }
            (TokenTree::Ident(m), Some(TokenTree::Ident(_)), Some(TokenTree::Group(g)))
                if m == "mod" && g.delimiter() == Delimiter::Brace =>
            {
                fn_names(&g.stream(), out)
            }
            _ => {}
        }
    }
}
