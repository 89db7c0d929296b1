// SPDX-License-Identifier: GPL-2.0
//! rkm's procedural macros: host code that rustc runs while it compiles the
//! crate and a driver. Re-exported by the crate (`rkm::vtable`, and
//! `print_parts!` behind the `pr_*!` and `dev_*!` macros); a driver never
//! names this crate. Only `proc_macro` (no syn/quote): of a trait or an impl
//! all that is read is its items' names, of a message its format string and
//! the commas between its arguments.

extern crate proc_macro;

use proc_macro::{Delimiter, Group, Ident, Punct, Spacing, Span, TokenStream, TokenTree};

/// Marks a trait whose optional methods the glue must know about, and each
/// implementation of it: which methods an implementation defines is derived
/// from its source, never declared by hand.
///
/// On the trait, every `fn NAME` gets `const HAS_NAME: bool = false;` and
/// the trait gets a constant with no default, `ADD_RKM_VTABLE_TO_THIS_IMPL`.
/// On an implementation, every `fn NAME` it defines gets
/// `const HAS_NAME: bool = true;` and that constant is defined. So an
/// implementation without `#[rkm::vtable]` does not compile (the constant is
/// missing: the error names it), and one with it cannot define a method the
/// trait then ignores: the `HAS_*` constants cannot disagree with the code.
#[proc_macro_attribute]
pub fn vtable(attr: TokenStream, item: TokenStream) -> TokenStream {
    if let Some(t) = attr.into_iter().next() {
        return error(t.span(), "#[vtable] takes no arguments");
    }
    let mut tokens: Vec<TokenTree> = item.into_iter().collect();
    let mut kind = None;
    for t in &tokens {
        if let TokenTree::Ident(i) = t {
            match i.to_string().as_str() {
                "trait" => {
                    kind = Some(true);
                    break;
                }
                "impl" => {
                    kind = Some(false);
                    break;
                }
                _ => {}
            }
        }
    }
    let body = match tokens.last() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => g.clone(),
        _ => return error(Span::call_site(), "#[vtable] applies to a trait or an impl block"),
    };
    let is_trait = match kind {
        Some(k) => k,
        None => return error(Span::call_site(), "#[vtable] applies to a trait or an impl block"),
    };

    let items: Vec<TokenTree> = body.stream().into_iter().collect();
    let mut fns = Vec::new();
    let mut consts = Vec::new();
    for w in items.windows(2) {
        if let (TokenTree::Ident(kw), TokenTree::Ident(name)) = (&w[0], &w[1]) {
            match kw.to_string().as_str() {
                "fn" => fns.push(name.clone()),
                "const" => consts.push(name.clone()),
                _ => {}
            }
        }
    }

    // An implementation never states a flag: it would be a second source
    // of truth (and, false beside the method, the old silent trap).
    if !is_trait {
        if let Some(c) = consts.iter().find(|c| c.to_string().starts_with("HAS_")) {
            return error(
                c.span(),
                &format!(
                    "`{c}` is derived by #[rkm::vtable] from the methods this impl \
                     defines: remove it (define the method, or leave it out)"
                ),
            );
        }
    }
    let mut extra = String::new();
    for f in &fns {
        let name = format!("HAS_{}", f.to_string().to_uppercase());
        if is_trait && consts.iter().any(|c| c.to_string() == name) {
            continue; // the trait's own default
        }
        if is_trait {
            extra.push_str(&format!(
                "#[doc(hidden)] #[allow(missing_docs)] const {name}: bool = false;\n"
            ));
        } else {
            extra.push_str(&format!("#[doc(hidden)] const {name}: bool = true;\n"));
        }
    }
    if is_trait {
        extra.push_str(
            "/// Defined by `#[rkm::vtable]` on the implementation: an implementation \
             without it does not compile.\n\
             #[doc(hidden)] const ADD_RKM_VTABLE_TO_THIS_IMPL: ();\n",
        );
    } else {
        extra.push_str("#[doc(hidden)] const ADD_RKM_VTABLE_TO_THIS_IMPL: () = ();\n");
    }
    let extra: TokenStream = match extra.parse() {
        Ok(ts) => ts,
        Err(_) => return error(Span::call_site(), "#[vtable]: internal error"),
    };

    let mut stream: Vec<TokenTree> = items;
    stream.extend(extra);
    let mut group = Group::new(Delimiter::Brace, stream.into_iter().collect());
    group.set_span(body.span());
    let last = tokens.len() - 1;
    tokens[last] = TokenTree::Group(group);
    tokens.into_iter().collect()
}

fn error(span: Span, msg: &str) -> TokenStream {
    let ts: TokenStream = format!("::core::compile_error!({msg:?});").parse().unwrap_or_default();
    ts.into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect()
}

/// The message of the `pr_*!` and `dev_*!` macros:
/// `print_parts!(KRATE, NAME, { CALL }, FORMAT, ARGS...)` expands to `CALL`
/// with `NAME` replaced by the message.
///
/// A format string whose placeholders are all plain (`{}`, `{0}`, `{name}`:
/// no `:` spec) becomes `KRATE::print::Parts(&&[...], &[...])`: its text pieces, and
/// each argument as a part the printer writes itself where it can (strings,
/// integers, `char`, `bool`: a message of only those carries none of
/// `core::fmt`'s code), any other value through its `Display`
/// (`KRATE::print::ViaFast` before `ViaFmt`: autoref specialisation). Any
/// other format string becomes `KRATE::__private::format_args!(...)`. Either
/// way the arguments are evaluated once each, in order, as by
/// `format_args!`, which also sees the whole invocation (in dead code, for
/// the parts form): its checks and errors are the compiler's own. What this
/// parser does not follow (a raw string, `\u{...}`, an argument never used
/// or missing) takes the `format_args!` form.
#[proc_macro]
pub fn print_parts(input: TokenStream) -> TokenStream {
    let tokens: Vec<TokenTree> = input.into_iter().collect();
    let (krate, name, call) = match &tokens[..] {
        [k, TokenTree::Punct(c1), TokenTree::Ident(n), TokenTree::Punct(c2), TokenTree::Group(c), TokenTree::Punct(c3), ..]
            if c1.as_char() == ','
                && c2.as_char() == ','
                && c3.as_char() == ','
                && c.delimiter() == Delimiter::Brace =>
        {
            (TokenStream::from(k.clone()), n.to_string(), c.stream())
        }
        _ => return error(Span::call_site(), "print_parts!: internal error"),
    };
    let user = &tokens[6..];
    let args: TokenStream = user.iter().cloned().collect();
    let k = || krate.clone();
    match parts(user, &krate) {
        None => {
            let msg = fill(
                "__rkm_K::__private::format_args!(__rkm_A)",
                &[("__rkm_K", k()), ("__rkm_A", args)],
            );
            replace(call, &[(&name, msg)])
        }
        Some(p) => {
            let msg =
                fill("__rkm_K::print::Parts(__rkm_P)", &[("__rkm_K", k()), ("__rkm_P", p.parts)]);
            fill(
                "match (__rkm_S) { (__rkm_B) => { \
                     if false { let _ = __rkm_K::__private::format_args!(__rkm_A); } \
                     use __rkm_K::print::{ViaFast as _, ViaFmt as _}; \
                     __rkm_C \
                 } }",
                &[
                    ("__rkm_S", p.scrutinee),
                    ("__rkm_B", p.binds),
                    ("__rkm_K", k()),
                    ("__rkm_A", p.check),
                    ("__rkm_C", replace(call, &[(&name, msg)])),
                ],
            )
        }
    }
}

/// A message's parts, and the match that evaluates its arguments once.
struct Fast {
    scrutinee: TokenStream,
    binds: TokenStream,
    parts: TokenStream,
    /// The format string and the bindings as format_args! would take them.
    check: TokenStream,
}

/// An argument: its expression (positional or `name = expr`), or a variable
/// the format string names (`{name}`, captured).
struct Arg {
    name: Option<String>,
    expr: TokenStream,
    used: bool,
}

/// `FORMAT, ARGS...` as parts, or None for the `format_args!` form.
fn parts(user: &[TokenTree], k: &TokenStream) -> Option<Fast> {
    let (lit, rest) = match user {
        [TokenTree::Literal(l)] => (l, &[][..]),
        [TokenTree::Literal(l), TokenTree::Punct(p), rest @ ..] if p.as_char() == ',' => (l, rest),
        _ => return None,
    };
    let src = lit.to_string();
    let text = src.strip_prefix('"')?.strip_suffix('"')?;
    if text.contains("\\u{") {
        return None;
    }
    // A `<` or `|` between the commas may be a turbofish's or a closure's
    // (`f::<A, B>()`, `|a, b| ...`): not split here, format_args! parses it.
    if rest
        .iter()
        .any(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == '<' || p.as_char() == '|'))
    {
        return None;
    }
    let mut args = Vec::new();
    for a in rest.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        match a {
            [] => continue, // a trailing comma
            [TokenTree::Ident(n), TokenTree::Punct(eq), e @ ..]
                if eq.as_char() == '=' && eq.spacing() == Spacing::Alone && !e.is_empty() =>
            {
                args.push(Arg {
                    name: Some(n.to_string()),
                    expr: e.iter().cloned().collect(),
                    used: false,
                })
            }
            e => {
                if args.iter().any(|a: &Arg| a.name.is_some()) {
                    return None; // positional after named: format_args! says so
                }
                args.push(Arg { name: None, expr: e.iter().cloned().collect(), used: false })
            }
        }
    }
    // Pieces of the source text between placeholders, kept as written
    // (escapes included: each is a string literal again), and arguments.
    enum Piece {
        Text(String),
        Arg(usize),
    }
    let mut pieces = Vec::new();
    let mut cur = String::new();
    let mut next = 0;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                let n = text[i..].chars().take(2).map(char::len_utf8).sum::<usize>();
                cur.push_str(&text[i..i + n]);
                i += n;
                continue;
            }
            b'{' if b.get(i + 1) == Some(&b'{') => {
                cur.push('{');
                i += 2;
                continue;
            }
            b'}' if b.get(i + 1) == Some(&b'}') => {
                cur.push('}');
                i += 2;
                continue;
            }
            b'}' => return None,
            b'{' => {
                let end = i + text[i..].find('}')?;
                let inner = &text[i + 1..end];
                let at = if inner.is_empty() {
                    next += 1;
                    next - 1
                } else if inner.bytes().all(|c| c.is_ascii_digit()) {
                    inner.parse().ok()?
                } else if inner.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
                    && !inner.as_bytes()[0].is_ascii_digit()
                {
                    match args.iter().position(|a| a.name.as_deref() == Some(inner)) {
                        Some(at) => at,
                        None => {
                            // Captured from the caller's scope, as format_args! does.
                            let id = Ident::new(inner, lit.span());
                            args.push(Arg {
                                name: Some(inner.into()),
                                expr: TokenTree::Ident(id).into(),
                                used: false,
                            });
                            args.len() - 1
                        }
                    }
                } else {
                    return None; // a format spec, or something else
                };
                args.get_mut(at)?.used = true;
                if !cur.is_empty() {
                    pieces.push(Piece::Text(core::mem::take(&mut cur)));
                }
                pieces.push(Piece::Arg(at));
                i = end + 1;
                continue;
            }
            _ => {}
        }
        let n = text[i..].chars().next().map_or(1, char::len_utf8);
        cur.push_str(&text[i..i + n]);
        i += n;
    }
    if !cur.is_empty() {
        pieces.push(Piece::Text(cur));
    }
    if args.iter().any(|a| !a.used) {
        return None;
    }
    let bind = |i: usize| Ident::new(&format!("__rkm_arg{i}"), Span::mixed_site());
    let comma = || TokenTree::Punct(Punct::new(',', Spacing::Alone));
    let mut scrutinee = TokenStream::new();
    let mut binds = TokenStream::new();
    // format_args! of the bindings, not of the expressions again (an
    // argument that borrows mutably cannot be written twice), each binding
    // located at its expression so that errors point there.
    let mut check: TokenStream = TokenTree::Literal(lit.clone()).into();
    for (i, a) in args.iter().enumerate() {
        scrutinee.extend(fill("&(__rkm_E),", &[("__rkm_E", a.expr.clone())]));
        binds.extend([TokenTree::Ident(bind(i)), comma()]);
        let at = a.expr.clone().into_iter().next().map_or(Span::call_site(), |t| t.span());
        let mut id = bind(i);
        id.set_span(Span::mixed_site().located_at(at));
        check.extend([comma()]);
        if let Some(n) = &a.name {
            check.extend(fill(
                "__rkm_N =",
                &[("__rkm_N", TokenTree::Ident(Ident::new(n, at)).into())],
            ));
        }
        check.extend([TokenTree::Ident(id)]);
    }
    // The pieces, constants (promoted to a static: no code at the call
    // site, nothing on its stack): the text, the arguments that are
    // constants themselves (a literal, file!(), line!(), stringify!()...:
    // format_args! folds those into its text too), and where each other
    // argument goes; then those arguments as parts, each once, in order.
    let mut at = Vec::new();
    let mut values = TokenStream::new();
    for (i, a) in args.iter().enumerate() {
        at.push(match constant(&a.expr) {
            Some(c) => Err(c),
            None => {
                values.extend(fill(
                    "(&&__rkm_K::print::Wrap(__rkm_X)).rkm_part(),",
                    &[("__rkm_K", k.clone()), ("__rkm_X", TokenTree::Ident(bind(i)).into())],
                ));
                Ok(at.iter().filter(|p: &&Result<usize, Const>| p.is_ok()).count())
            }
        });
    }
    let mut list = TokenStream::new();
    for p in pieces {
        let (template, with): (&str, TokenStream) = match p {
            Piece::Text(t) => ("Text(__rkm_X)", format!("\"{t}\"").parse().ok()?),
            Piece::Arg(i) => match at.get(i)? {
                Ok(v) => ("Arg(__rkm_X)", format!("{v}").parse().ok()?),
                Err(Const::Str) => ("Text(__rkm_X)", args.get(i)?.expr.clone()),
                Err(Const::Num) => ("Num(__rkm_X as u64)", args.get(i)?.expr.clone()),
            },
        };
        list.extend(fill(
            &format!("__rkm_K::print::Piece::{template},"),
            &[("__rkm_K", k.clone()), ("__rkm_X", with)],
        ));
    }
    let parts = fill(
        "&(&[__rkm_P] as &[__rkm_K::print::Piece]), &[__rkm_V]",
        &[("__rkm_P", list), ("__rkm_V", values), ("__rkm_K", k.clone())],
    );
    Some(Fast { scrutinee, binds, parts, check })
}

/// An argument that is a constant: a `&'static str` or an unsigned integer.
enum Const {
    Str,
    Num,
}

/// Whether an argument is a constant the pieces can hold: a string literal,
/// digits, or `file!()`, `module_path!()`, `stringify!(..)`, `concat!(..)`
/// (a string), `line!()`, `column!()` (a number).
fn constant(expr: &TokenStream) -> Option<Const> {
    let t: Vec<TokenTree> = expr.clone().into_iter().collect();
    match &t[..] {
        [TokenTree::Literal(l)] => {
            let s = l.to_string();
            if s.starts_with('"') {
                Some(Const::Str)
            } else if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()) {
                Some(Const::Num)
            } else {
                None
            }
        }
        [TokenTree::Ident(m), TokenTree::Punct(bang), TokenTree::Group(g)]
            if bang.as_char() == '!' && g.delimiter() == Delimiter::Parenthesis =>
        {
            match m.to_string().as_str() {
                "file" | "module_path" | "stringify" | "concat" => Some(Const::Str),
                "line" | "column" => Some(Const::Num),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `template` parsed, each identifier named in `subs` replaced by its tokens.
fn fill(template: &str, subs: &[(&str, TokenStream)]) -> TokenStream {
    replace(template.parse().unwrap_or_default(), subs)
}

/// `ts` with each identifier named in `subs` (in groups too) replaced by its
/// tokens, in one pass: a replacement is not searched again, so an
/// argument's own identifiers stay as written.
fn replace(ts: TokenStream, subs: &[(&str, TokenStream)]) -> TokenStream {
    ts.into_iter()
        .flat_map(|t| match t {
            TokenTree::Ident(ref i) => {
                let s = i.to_string();
                match subs.iter().find(|(n, _)| *n == s) {
                    Some((_, with)) => with.clone(),
                    None => t.into(),
                }
            }
            TokenTree::Group(g) => {
                let mut n = Group::new(g.delimiter(), replace(g.stream(), subs));
                n.set_span(g.span());
                TokenTree::Group(n).into()
            }
            t => t.into(),
        })
        .collect()
}
