//! The client: its hand-written runtime, the regions, and one method per operation, grouped in a
//! module per area of the API. The areas' files are written as text (see `code_text.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::code_text::{push_attribute, push_cfg_badged, push_chain, push_signature, string_literal, Meta};
use super::context::{any_feature, cfg_any, feature_condition, Context};
use super::doc_text::{code_span, inner_doc_attrs, push_docs, DocSlots};
use super::rust_types::ident;
use crate::error::InternalError;
use crate::model::operations::{Content, Outcome, Pagination, Param, ParamLocation};
use crate::model::{Operation, TypeRef, TypeSpace};
use crate::GeneratedFile;

/// The hand-written runtime, copied verbatim (see the files for why each part is as it is).
const RUNTIME: &str = include_str!("../../templates/client/runtime.rs");
const ERROR: &str = include_str!("../../templates/client/error.rs");
const RETRY: &str = include_str!("../../templates/client/retry.rs");
const PAGINATION: &str = include_str!("../../templates/client/pagination.rs");
const ENV: &str = include_str!("../../templates/client/env.rs");

/// Every file of the client.
pub(super) fn files(context: &Context<'_>) -> Result<Vec<GeneratedFile>, InternalError> {
    // A spec without operations is models only.
    if context.space.operations.is_empty() {
        return Ok(Vec::new());
    }
    let mut files = vec![
        context.file("src/client/mod.rs", client_module(context), &DocSlots::default())?,
        context.text_file("src/client/runtime.rs", RUNTIME),
        context.text_file("src/client/error.rs", ERROR),
        context.text_file("src/client/retry.rs", RETRY),
        context.text_file("src/client/env.rs", ENV),
    ];
    if context.space.operations.iter().any(|op| op.pagination.is_some()) {
        files.push(context.text_file("src/client/pagination.rs", PAGINATION));
    }
    if !context.space.regions.is_empty() {
        let docs = DocSlots::default();
        files.push(context.file("src/client/region.rs", regions(context, &docs), &docs)?);
    }
    let areas = areas(context.space);
    files.push(context.file("src/operations/mod.rs", operations_module(context, &areas), &DocSlots::default())?);
    for (module, operations) in &areas {
        let path = format!("src/operations/{module}.rs");
        files.push(context.text_file(&path, &area(context, operations)));
    }
    Ok(files)
}

/// Operations grouped by the module of their first area (`general` for untagged ones).
pub(super) fn areas(space: &TypeSpace) -> BTreeMap<String, Vec<&Operation>> {
    let mut areas: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for operation in &space.operations {
        let module = operation.features.iter().next().map_or("general".to_owned(), |f| f.replace('-', "_"));
        areas.entry(module).or_default().push(operation);
    }
    areas
}

fn client_module(context: &Context<'_>) -> TokenStream {
    let region = (!context.space.regions.is_empty()).then(|| quote! { mod region; pub use region::Region; });
    // With only some areas on, parts of the runtime serve no operation; with all of them on, the
    // lints see everything.
    let areas: Vec<&String> = context
        .space
        .operations
        .iter()
        .flat_map(|op| &op.features)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let partial = (!areas.is_empty())
        .then(|| quote!(#![cfg_attr(not(all(#(feature = #areas),*)), allow(dead_code, unused_imports))]));
    let pagination = pagination_module(context.space);
    // `AUTHLETE_REGION`'s values: each region's name in lower case, and its URL.
    let regions = context.space.regions.iter().map(|region| {
        let (name, url) = (region.rust_name.to_ascii_lowercase(), &region.url);
        quote!((#name, #url),)
    });
    quote! {
        //! The HTTP client: [`Client`] (built by [`ClientBuilder`]), the [`Service`] handle, and
        //! the [`Call`] every operation returns.
        //!
        //! Each operation of the API is a method of [`Client`] or [`Service`]; the
        //! [`operations`](crate::operations) module lists them. A call is sent when it is
        //! awaited, with the bearer token, a JSON body, and a timeout; its answer is decoded into
        //! the operation's model, or becomes an [`Error`]; [`Call::send_with_details`] gives the
        //! answer's status and headers and the call's attempts and duration beside it, as a
        //! [`Response`].
        //!
        //! Every public type of this module is also at the crate's root (`authlete::Client`,
        //! `authlete::RetryPolicy`, …), with the `reqwest` this crate uses (`authlete::reqwest`).

        #partial

        mod env;
        mod error;
        pub mod retry;
        mod runtime;
        #region
        #pagination

        pub use env::{EnvError, EnvProblem};
        pub use error::{ApiError, BuildError, DecodeError, Error};
        pub use retry::RetryPolicy;
        pub use runtime::{Call, Client, ClientBuilder, Response, Service, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT};
        pub(crate) use runtime::{decode, Endpoint, Method};

        /// The values of `AUTHLETE_REGION` ([`ClientBuilder::from_env`]) and their servers.
        pub(crate) const REGIONS: &[(&str, &str)] = &[#(#regions)*];
    }
}

fn regions(context: &Context<'_>, docs: &DocSlots) -> TokenStream {
    let regions = &context.space.regions;
    let variants = regions.iter().map(|region| {
        let text = match &region.description {
            Some(description) => format!("{} (`{}`).", description.trim(), region.url),
            None => format!("`{}`.", region.url),
        };
        let doc = docs.outer(&text);
        let variant = ident(&region.rust_name);
        quote!(#doc #variant,)
    });
    let arms = regions.iter().map(|region| {
        let (variant, url) = (ident(&region.rust_name), &region.url);
        quote!(Region::#variant => #url,)
    });
    quote! {
        //! The servers the spec lists.

        use super::ClientBuilder;

        /// A server of the API, as the spec lists them; [`ClientBuilder::region`] calls it. Any
        /// other server is reached with [`ClientBuilder::base_url`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Region {
            #(#variants)*
        }

        impl Region {
            /// The server's base URL.
            pub fn base_url(self) -> &'static str {
                match self {
                    #(#arms)*
                }
            }
        }

        impl ClientBuilder {
            /// Calls the server of `region` (the same as [`ClientBuilder::base_url`] with its URL).
            pub fn region(self, region: Region) -> Self {
                self.base_url(region.base_url())
            }
        }
    }
}

fn operations_module(context: &Context<'_>, areas: &BTreeMap<String, Vec<&Operation>>) -> TokenStream {
    let table = String::from(
        "Every operation of the API, as a method of [`Client`](crate::Client) or \
         [`Service`](crate::Service) (the handle that binds `{serviceId}`).\n\n\
         A method is named after the operation's `operationId` in snake_case, without the word `api` \
         (`auth_token_api` → `auth_token`); an operation without one is named after its method and \
         path. Each area of the API is a cargo feature of its own, like the models it uses.\n\n\
         | method | HTTP | area |\n| --- | --- | --- |",
    );
    // A row links to its method only where the method is compiled (a link to a method whose area
    // is off does not resolve); elsewhere it names it.
    let mut rows = Vec::new();
    for operations in areas.values() {
        for op in operations {
            let owner = if op.on_service { "Service" } else { "Client" };
            let row = |method_cell: String, how: &str| {
                format!(
                    " | {method_cell} | `{method} {path}`{how} | {area} |",
                    method = op.method.as_str(),
                    path = op.path.replace('|', "\\|"),
                    area = match op.features.iter().next() {
                        Some(feature) => format!("`{feature}`"),
                        None => "(always compiled)".to_owned(),
                    },
                )
            };
            // A list operation has a second method, which walks every page.
            let methods = std::iter::once((op.rust_name.as_str(), ""))
                .chain(op.pagination.as_ref().map(|p| (p.method.as_str(), " (every page)")));
            for (method, how) in methods {
                let name = format!("{owner}::{method}");
                let linked = row(format!("[`{name}`](crate::{name})"), how);
                rows.push(match any_feature(&op.features) {
                    None => quote!(#![doc = #linked]),
                    Some(area) => {
                        let plain = row(format!("`{name}`"), how);
                        quote! {
                            #![cfg_attr(#area, doc = #linked)]
                            #![cfg_attr(not(#area), doc = #plain)]
                        }
                    }
                });
            }
        }
    }
    let docs = inner_doc_attrs(&table);
    let modules = areas.iter().map(|(module, operations)| {
        let features = operations.iter().flat_map(|op| op.features.iter().cloned()).collect();
        let untagged = operations.iter().any(|op| op.features.is_empty());
        let cfg = if untagged { quote!() } else { cfg_any(&features) };
        let module_ident = ident(module);
        let queries: Vec<TokenStream> = operations
            .iter()
            .filter(|op| op.optional_params().next().is_some())
            .map(|op| {
                let cfg = cfg_any(&op.features);
                let name = format_ident!("{}", op.query_type_name());
                quote!(#cfg pub use #module_ident::#name;)
            })
            .collect();
        quote! { #cfg mod #module_ident; #(#queries)* }
    });
    let _ = context;
    quote! {
        #docs
        #(#rows)*
        #(#modules)*
    }
}

/// An area's file, written as text (see `code_text.rs`): the query structs, then the methods on
/// [`Client`] and on [`Service`], each list's `…_pages` method after it.
fn area(context: &Context<'_>, operations: &[&Operation]) -> String {
    // The module is compiled with any of its operations' areas; an operation that needs other
    // areas than the module says so itself.
    let module_features: BTreeSet<&String> = operations.iter().flat_map(|op| &op.features).collect();
    let mut items = Vec::new();
    let (mut on_client, mut on_service) = (Vec::new(), Vec::new());
    for op in operations {
        let same = op.features.iter().collect::<BTreeSet<_>>() == module_features;
        let condition = if same { None } else { feature_condition(&op.features) };
        if op.optional_params().next().is_some() {
            items.push(query_struct(context, op, condition.as_ref()));
        }
        let methods = if op.on_service { &mut on_service } else { &mut on_client };
        methods.push(method(context, op, condition.as_ref()));
        if let Some(pagination) = &op.pagination {
            methods.push(pages_method(context, op, pagination, condition.as_ref()));
        }
    }
    let (client, service) = (!on_client.is_empty(), !on_service.is_empty());
    // The names used, in the order `rustfmt` sorts them.
    let used = [
        ("decode", true),
        ("Call", true),
        ("Client", client),
        ("Endpoint", true),
        ("Method", true),
        ("Service", service),
    ];
    let handles: Vec<&str> = used.iter().filter(|(_, used)| *used).map(|(name, _)| *name).collect();
    for (handle, methods) in [("Client", &on_client), ("Service", &on_service)] {
        if !methods.is_empty() {
            items.push(format!("impl {handle} {{\n{}}}\n", methods.join("\n")));
        }
    }
    format!("use crate::client::{{{}}};\n\n{}", handles.join(", "), items.join("\n"))
}

/// An operation's method, in an `impl` block.
fn method(context: &Context<'_>, op: &Operation, condition: Option<&Meta>) -> String {
    let mut args = vec!["&self".to_owned()];
    for param in op.required_params() {
        args.push(format!("{}: {}", ident(&param.rust_name), argument_type(context, param)));
    }
    if op.optional_params().next().is_some() {
        args.push(format!("query: &{}", op.query_type_name()));
    }
    if let Some(body) = &op.body {
        args.push(match &body.ty {
            TypeRef::Vec(item) => format!("body: &[{}]", context.model_type(item)),
            other => format!("body: &{}", context.model_type(other)),
        });
    }
    let (output, decode) = match &op.outcome {
        Outcome::Json(ty) => (context.model_type(ty), "decode::json"),
        Outcome::OptionalJson(ty) => (format!("Option<{}>", context.model_type(ty)), "decode::optional_json"),
        Outcome::Text => ("String".to_owned(), "decode::text"),
        Outcome::Empty => ("()".to_owned(), "decode::empty"),
    };
    let mut text = String::new();
    push_docs(&mut text, "    ", &method_docs(context, op));
    push_cfg_badged(&mut text, 4, condition);
    push_attribute(&mut text, 4, &Meta::badge(needs(op)));
    if op.deprecated {
        text.push_str("    #[deprecated]\n");
    }
    // `&self` is not counted.
    if args.len() > 8 {
        text.push_str("    #[allow(clippy::too_many_arguments)]\n");
    }
    push_signature(&mut text, &format!("pub fn {}", ident(&op.rust_name)), &args, &format!(" -> Call<{output}> {{"));

    let statuses: Vec<String> = op.successes.iter().map(|s| s.status.to_string()).collect();
    let _ = write!(
        text,
        "        const ENDPOINT: Endpoint = Endpoint {{
            name: {name},
            method: Method::{method},
            path: {path},
            statuses: &[{statuses}],
            accept: {accept},
            authenticated: {authenticated},
        }};
",
        name = string_literal(&op.rust_name),
        method = crate::model::naming::camel(op.method.as_str(), "Get"),
        path = string_literal(&op.path),
        statuses = statuses.join(", "),
        accept = string_literal(accept(&op.outcome)),
        authenticated = op.authenticated,
    );
    let path_args: Vec<String> = op
        .params
        .iter()
        .filter(|p| p.location == ParamLocation::Path)
        .map(|param| match param.ty {
            TypeRef::String => ident(&param.rust_name).to_string(),
            _ => format!("&{}.to_string()", ident(&param.rust_name)),
        })
        .collect();
    let mut links = Vec::new();
    for param in op.params.iter().filter(|p| p.location == ParamLocation::Query) {
        let arg = ident(&param.rust_name);
        let value = match (param.required, &param.ty) {
            (true, _) => format!("Some({arg})"),
            (false, TypeRef::String) => format!("query.{arg}.as_deref()"),
            (false, TypeRef::Named(_)) => format!("query.{arg}.as_ref()"),
            (false, _) => format!("query.{arg}"),
        };
        links.push(format!(".query({}, {value})", string_literal(&param.name)));
    }
    if op.body.is_some() {
        links.push(".json(body)".to_owned());
    }
    let head = format!("self.call(&ENDPOINT, &[{}], {decode})", path_args.join(", "));
    push_chain(&mut text, "        ", "", &head, &links, "");
    text.push_str("    }\n");
    text
}

/// What compiles an operation's method: the client, and one of the operation's areas.
fn needs(op: &Operation) -> Meta {
    match feature_condition(&op.features) {
        Some(area) => Meta::List("all", vec![Meta::feature("client"), area]),
        None => Meta::feature("client"),
    }
}

/// The struct of an operation's optional query parameters, and its setters.
fn query_struct(context: &Context<'_>, op: &Operation, condition: Option<&Meta>) -> String {
    let name = op.query_type_name();
    let owner = if op.on_service { "Service" } else { "Client" };
    let mut fields = String::new();
    let mut setters = Vec::new();
    for param in op.optional_params() {
        let mut docs = context.rustdoc(param.description.as_deref());
        if !docs.is_empty() {
            docs.push_str("\n\n");
        }
        docs.push_str(&format!("Query parameter {}.", code_span(&param.name)));
        push_docs(&mut fields, "    ", &docs);
        let field = ident(&param.rust_name);
        let ty = context.model_type(&param.ty);
        let _ = writeln!(fields, "    pub {field}: Option<{ty}>,");
        let (arg_ty, value) = match &param.ty {
            TypeRef::String => ("impl Into<String>".to_owned(), format!("{field}.into()")),
            _ => (ty, field.to_string()),
        };
        let mut setter = String::new();
        push_docs(&mut setter, "    ", &format!("Sets [`{name}::{field}`](Self::{field}).", field = param.rust_name));
        let _ = write!(
            setter,
            "    pub fn {field}(mut self, {field}: {arg_ty}) -> Self {{
        self.{field} = Some({value});
        self
    }}
"
        );
        setters.push(setter);
    }
    let mut text = String::new();
    push_cfg_badged(&mut text, 0, condition);
    push_docs(
        &mut text,
        "",
        &format!(
            "The optional query parameters of [`{owner}::{method}`](crate::{owner}::{method}): `default()` \
             leaves them all out, and a method per parameter sets it.",
            method = op.rust_name
        ),
    );
    push_attribute(&mut text, 0, &Meta::badge(needs(op)));
    // `non_exhaustive`: a parameter the spec adds later is a new field, which must not break callers;
    // they build the struct with `default()` and the setters.
    let eq_hash = if op.optional_params().all(|p| context.space.eq_hash(&p.ty)) { ", Eq, Hash" } else { "" };
    let _ = write!(
        text,
        "#[derive(Debug, Clone, Default, PartialEq{eq_hash})]\n#[non_exhaustive]\npub struct {name} {{\n{fields}}}\n\n"
    );
    push_cfg_badged(&mut text, 0, condition);
    let _ = write!(text, "impl {name} {{\n{}}}\n", setters.join("\n"));
    text
}

/// The `Accept` header of an operation: what its success answers are.
pub(super) fn accept(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Json(_) | Outcome::OptionalJson(_) => "application/json",
        Outcome::Text => "text/plain",
        Outcome::Empty => "*/*",
    }
}

/// The pager module, compiled with any area that has a list operation (unused, it would not
/// build with `-D warnings`).
fn pagination_module(space: &TypeSpace) -> Option<TokenStream> {
    let lists: Vec<&Operation> = space.operations.iter().filter(|op| op.pagination.is_some()).collect();
    if lists.is_empty() {
        return None;
    }
    let cfg = if lists.iter().any(|op| op.features.is_empty()) {
        TokenStream::new()
    } else {
        cfg_any(&lists.iter().flat_map(|op| op.features.iter().cloned()).collect())
    };
    Some(quote! {
        #cfg mod pagination;
        #cfg pub use pagination::{Pages, DEFAULT_PAGE_SIZE};
        #cfg pub(crate) use pagination::{index, Page};
    })
}

/// `…_pages`: a list operation walked page by page, on top of the operation's own method and
/// beside it in its `impl`. The walk owns copies of the arguments, since it outlives the borrow
/// the method was called with.
fn pages_method(context: &Context<'_>, op: &Operation, pagination: &Pagination, condition: Option<&Meta>) -> String {
    let query_type = op.query_type_name();
    let mut args = vec!["&self".to_owned()];
    let mut owned = String::new();
    let mut call_args = String::new();
    for param in op.required_params() {
        let arg = ident(&param.rust_name);
        args.push(format!("{arg}: {}", argument_type(context, param)));
        match &param.ty {
            TypeRef::String => {
                let _ = writeln!(owned, "        let {arg} = {arg}.to_owned();");
                let _ = write!(call_args, "&{arg}, ");
            }
            TypeRef::Named(_) => {
                let _ = writeln!(owned, "        let {arg} = {arg}.clone();");
                let _ = write!(call_args, "&{arg}, ");
            }
            _ => {
                let _ = write!(call_args, "{arg}, ");
            }
        }
    }
    args.push(format!("query: &{query_type}"));
    // Indexes are `i64` in the pager, whatever integer type the spec gives them.
    let widen = |ty: &TypeRef, value: String| match ty {
        TypeRef::I64 => value,
        _ => format!("i64::from({value})"),
    };
    let widen_option = |ty: &TypeRef, value: String| match ty {
        TypeRef::I64 => value,
        _ => format!("{value}.map(i64::from)"),
    };
    let (start, end) = (ident(&pagination.start.rust_name), ident(&pagination.end.rust_name));
    let total_field = ident(&pagination.total_field);
    let total = match pagination.total_optional {
        true => widen_option(&pagination.total_ty, format!("answer.{total_field}")),
        false => format!("Some({})", widen(&pagination.total_ty, format!("answer.{total_field}"))),
    };
    let items_field = ident(&pagination.items_field);
    let items = match pagination.items_optional {
        true => format!("answer.{items_field}.unwrap_or_default()"),
        false => format!("answer.{items_field}"),
    };
    let owner = if op.on_service { "Service" } else { "Client" };

    let mut text = String::new();
    push_docs(
        &mut text,
        "    ",
        &format!(
            "Every item of [`{owner}::{list}`](crate::{owner}::{list}), a page at a time: the arguments are \
             those of that method, `query.{start_name}` is where the walk starts (0 unless set) and \
             `query.{end_name}` where it stops (the end of the list unless set); each page asks for \
             [`DEFAULT_PAGE_SIZE`](crate::client::DEFAULT_PAGE_SIZE) items unless \
             [`Pages::page_size`](crate::client::Pages::page_size) says otherwise, and is asked for only \
             when it is needed. See [`Pages`](crate::client::Pages) for when the walk ends.",
            list = op.rust_name,
            start_name = pagination.start.rust_name,
            end_name = pagination.end.rust_name,
        ),
    );
    push_cfg_badged(&mut text, 4, condition);
    push_attribute(&mut text, 4, &Meta::badge(needs(op)));
    // `&self` is not counted.
    if args.len() > 8 {
        text.push_str("    #[allow(clippy::too_many_arguments)]\n");
    }
    let item = context.model_type(&pagination.item);
    push_signature(
        &mut text,
        &format!("pub fn {}", ident(&pagination.method)),
        &args,
        &format!(" -> crate::client::Pages<{item}> {{"),
    );
    let _ = write!(
        text,
        "        let handle = self.clone();
        let query = query.clone();
{owned}        let (start, end) = ({first}, {last});
        crate::client::Pages::new(
            start,
            end,
            Box::new(move |start, end| {{
                let page = {query_type} {{
                    {start}: Some(crate::client::index::<{start_ty}>(start)),
                    {end}: Some(crate::client::index::<{end_ty}>(end)),
                    ..query.clone()
                }};
                let call = handle.{list}({call_args}&page);
                Box::pin(async move {{
                    let answer = call.await?;
                    Ok(crate::client::Page {{
                        total: {total},
                        items: {items},
                    }})
                }})
            }}),
        )
    }}
",
        first = widen_option(&pagination.start.ty, format!("query.{start}")),
        last = widen_option(&pagination.end.ty, format!("query.{end}")),
        start_ty = context.model_type(&pagination.start.ty),
        end_ty = context.model_type(&pagination.end.ty),
        list = ident(&op.rust_name),
    );
    text
}

/// How a caller passes a required parameter: text by reference, numbers and flags by value,
/// enums by reference.
fn argument_type(context: &Context<'_>, param: &Param) -> String {
    match &param.ty {
        TypeRef::String => "&str".to_owned(),
        TypeRef::Named(_) => format!("&{}", context.model_type(&param.ty)),
        other => context.model_type(other),
    }
}

/// A method's docs: what the spec says, then how it is called and what it answers.
fn method_docs(context: &Context<'_>, op: &Operation) -> String {
    let mut text = String::new();
    if let Some(summary) = op.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        text.push_str(&context.rustdoc(Some(summary)));
        text.push_str("\n\n");
    }
    let description = context.rustdoc(op.description.as_deref());
    if !description.is_empty() {
        text.push_str(&description);
        text.push_str("\n\n");
    }
    text.push_str(&format!("`{} {}`", op.method.as_str(), op.path));
    if !op.authenticated {
        text.push_str(" (sent without the bearer token)");
    }
    text.push_str(".\n\n");
    let params: Vec<&Param> = op.required_params().collect();
    let mut arguments = Vec::new();
    for param in &params {
        let place = match param.location {
            ParamLocation::Path => "path parameter",
            ParamLocation::Query => "query parameter",
        };
        let mut line = format!("- `{}`: the {place} {}", param.rust_name, code_span(&param.name));
        let description = context.rustdoc(param.description.as_deref());
        if !description.is_empty() && !description.contains('\n') {
            line.push_str(&format!(": {description}"));
        } else {
            line.push('.');
        }
        arguments.push(line);
    }
    if op.optional_params().next().is_some() {
        arguments.push(format!("- `query`: the optional query parameters, [`{}`].", op.query_type_name()));
    }
    if let Some(body) = &op.body {
        let mut line = format!("- `body`: {}, sent as JSON", context.type_link(&body.ty));
        if !body.other_media_types.is_empty() {
            let others: Vec<String> = body.other_media_types.iter().map(|m| code_span(m)).collect();
            line.push_str(&format!(" (the API also accepts {}, which is never sent)", others.join(", ")));
        }
        line.push('.');
        arguments.push(line);
    }
    if !arguments.is_empty() {
        text.push_str("# Arguments\n\n");
        text.push_str(&arguments.join("\n"));
        text.push_str("\n\n");
    }
    text.push_str("# Answer\n\n");
    let answers: Vec<String> = op
        .successes
        .iter()
        .map(|success| {
            let what = match &success.content {
                Content::Json(ty) => context.type_link(ty),
                Content::Text => "the body as text".into(),
                Content::Empty => "no body".into(),
            };
            let description = success.description.trim();
            let description = if description.is_empty() || description.contains('\n') {
                String::new()
            } else {
                format!(" ({})", description.trim_end_matches('.'))
            };
            format!("- `{}`{description}: {what}", success.status)
        })
        .collect();
    text.push_str(&answers.join("\n"));
    text.push_str(match &op.outcome {
        Outcome::OptionalJson(_) => "\n\nThe method returns `None` for an answer without a body.\n\n",
        _ => "\n\n",
    });
    if matches!(&op.outcome, Outcome::Json(_) | Outcome::OptionalJson(_)) {
        text.push_str("An OAuth-level outcome in the answer (its `action`, say) is a normal answer, not an error.\n\n");
    }
    text.push_str("# Errors\n\n");
    let statuses: Vec<String> = op.errors.iter().map(|(status, _)| format!("`{status}`")).collect();
    let declared = match statuses.len() {
        0 => "an error status".to_owned(),
        _ => format!("an error status (the spec lists {})", statuses.join(", ")),
    };
    text.push_str(&format!(
        "[`Error::Api`](crate::client::Error::Api) when the API answers with {declared}; \
         [`Error::Decode`](crate::client::Error::Decode) when a success answer does not decode; \
         [`Error::Timeout`](crate::client::Error::Timeout), \
         [`Error::Transport`](crate::client::Error::Transport) and the other \
         [`Error`](crate::client::Error)s when the call itself fails."
    ));
    text
}
