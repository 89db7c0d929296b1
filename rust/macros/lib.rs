// SPDX-License-Identifier: GPL-2.0
//! rkm's procedural macros: host code that rustc runs while it compiles the
//! crate and a driver. Re-exported by the crate (`rkm::vtable`); a driver
//! never names this crate. Only `proc_macro` (no syn/quote): the input is a
//! trait or an impl, and all that is read of it is its items' names.

extern crate proc_macro;

use proc_macro::{Delimiter, Group, Span, TokenStream, TokenTree};

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
