//! The operations of the API: every path and method of the spec becomes one client method, named,
//! typed and checked here, once, so that the renderer only spells out what is decided.
//!
//! # Naming rule
//!
//! A method's name is the snake_case form of the operation's `operationId` with every word `api`
//! left out (`auth_token_api` → `auth_token`, `client_authorization_get_list_api_post` →
//! `client_authorization_get_list_post`, `getAuthorizationTicketInfo` →
//! `get_authorization_ticket_info`). An operation without an `operationId` is named from its
//! method and the literal segments of its path, again without `api` (`GET /api/lifecycle/healthcheck`
//! → `get_lifecycle_healthcheck`), and a warning says so. Names that clash after this get the
//! smallest free numeric suffix, in spec order, with a warning.
//!
//! # Where a method lives
//!
//! An operation whose path has the parameter `{serviceId}` is a method of the service handle,
//! which binds that parameter once; every other operation is a method of the client itself.
//!
//! # List operations
//!
//! An operation is a list that can be walked page by page ([`Operation::pagination`]) when it has
//! optional integer query parameters `start` (first index, inclusive) and `end` (last index,
//! exclusive), and its JSON answer is an object with an integer member `totalCount` and exactly
//! one array member (the items). These are Authlete's list conventions (`/client/get/list`,
//! `/service/get/list`, `/auth/token/get/list`, …); an operation that only looks like one in part is
//! not a list, so no guess about an unknown shape is ever generated.

use std::collections::BTreeSet;

use openapiv3::{ReferenceOr, StatusCode};
use serde_json::Value;

use super::naming::{self, Scope};
use super::{TypeRef, TypeSpace};
use crate::error::{Error, Warning};
use crate::load::{node_as, Spec};
use crate::pointer::Pointer;

/// The path parameter a service handle binds.
pub const SERVICE_ID: &str = "serviceId";

/// Names the handles already use for methods of their own.
const RESERVED_METHODS: &[&str] = &["id", "client", "service", "builder", "base_url"];

/// One operation of the spec, as a method of the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// snake_case method name, unique among the operations (see the module docs for the rule).
    pub rust_name: String,
    pub operation_id: Option<String>,
    pub method: HttpMethod,
    /// The path template exactly as the spec writes it, `{name}` for each path parameter.
    pub path: String,
    pub pointer: Pointer,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub deprecated: bool,
    /// Cargo features (one per tag) that compile this method; empty for an untagged operation.
    pub features: BTreeSet<String>,
    /// Whether the bearer token is sent (`security: []` says an operation needs none).
    pub authenticated: bool,
    /// Whether the method belongs to the service handle (it binds [`SERVICE_ID`]).
    pub on_service: bool,
    /// Path and query parameters, in spec order, without the one the handle binds.
    pub params: Vec<Param>,
    pub body: Option<Body>,
    /// The answers the API gives on success, by status.
    pub successes: Vec<Success>,
    /// What the method returns on success, derived from [`Operation::successes`].
    pub outcome: Outcome,
    /// Error answers the spec lists, with their descriptions, for the method's docs.
    pub errors: Vec<(String, String)>,
    /// The JSON pointer of the example answer the spec gives for the main success status.
    pub response_example: Option<Pointer>,
    /// How to walk the items of a list operation page by page (see the module docs).
    pub pagination: Option<Pagination>,
}

/// How a list operation is walked page by page: [`Operation::pagination`].
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// The name of the method that walks the list: the operation's name and `_pages`, claimed
    /// after every operation has its name (so an operation's own name always wins).
    pub method: String,
    /// The query parameter of the first index (inclusive), an optional integer.
    pub start: Param,
    /// The query parameter of the end index (exclusive), an optional integer.
    pub end: Param,
    /// The Rust field of the answer holding the total number of items (`totalCount`).
    pub total_field: String,
    /// The type of that field.
    pub total_ty: TypeRef,
    /// Whether that field is an `Option` (it is when the member is optional or nullable).
    pub total_optional: bool,
    /// The Rust field of the answer holding the items of a page.
    pub items_field: String,
    /// Whether that field is an `Option` (it is when the member is optional or nullable).
    pub items_optional: bool,
    /// The type of one item.
    pub item: TypeRef,
}

impl Operation {
    /// The parameters a caller must give, in order: path parameters, then required query ones.
    pub fn required_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.required)
    }

    /// Optional (query) parameters, gathered in a struct of their own.
    pub fn optional_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| !p.required)
    }

    /// The UpperCamelCase name of the struct holding [`Operation::optional_params`].
    pub fn query_type_name(&self) -> String {
        format!("{}Query", naming::camel(&self.rust_name, "Operation"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpMethod {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl HttpMethod {
    fn parse(method: &str) -> Option<Self> {
        Some(match method {
            "get" => Self::Get,
            "put" => Self::Put,
            "post" => Self::Post,
            "delete" => Self::Delete,
            "options" => Self::Options,
            "head" => Self::Head,
            "patch" => Self::Patch,
            "trace" => Self::Trace,
            _ => return None,
        })
    }

    /// Upper-case, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Put => "PUT",
            Self::Post => "POST",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
            Self::Head => "HEAD",
            Self::Patch => "PATCH",
            Self::Trace => "TRACE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamLocation {
    Path,
    Query,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The name in the path template or query string.
    pub name: String,
    /// snake_case Rust identifier, unique among the operation's parameters.
    pub rust_name: String,
    pub location: ParamLocation,
    pub ty: TypeRef,
    /// Path parameters are always required.
    pub required: bool,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    pub ty: TypeRef,
    /// The spec's `required`; a method always sends the body it is given.
    pub required: bool,
    pub description: Option<String>,
    /// Other media types the spec accepts besides JSON (the client sends JSON only).
    pub other_media_types: Vec<String>,
    /// The JSON pointer of the spec's example request body, if it gives one.
    pub example: Option<Pointer>,
}

/// How the body of an answer is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Content {
    /// JSON decoded into a model type.
    Json(TypeRef),
    /// The body as text (`text/plain` and other non-JSON media types).
    Text,
    /// No body (or one the spec does not describe, which is not read).
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Success {
    pub status: u16,
    pub content: Content,
    pub description: String,
}

/// What a method returns on success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every success answer is JSON of one type.
    Json(TypeRef),
    /// Some success answers are JSON of one type, others have no body (`200` or `204`).
    OptionalJson(TypeRef),
    Text,
    Empty,
}

/// A server the spec lists, as a region the client can be pointed at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// UpperCamelCase variant name: the first label of the host (`us.authlete.com` → `Us`), or,
    /// where that is not unique, the server's description.
    pub rust_name: String,
    pub url: String,
    pub description: Option<String>,
}

/// The spec's `servers` as regions. Servers with URL variables (`{region}`) or without an absolute
/// `http(s)` URL are reported and left out: a region is one fixed base URL.
pub(super) fn regions(spec: &Spec) -> (Vec<Region>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut names = Scope::default();
    let mut regions = Vec::new();
    let servers_at = Pointer::root().push("servers");
    for (index, server) in spec.api.servers.iter().enumerate() {
        let at = servers_at.push(&index.to_string());
        let url = server.url.trim_end_matches('/');
        let host = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"))
            .map(|rest| rest.split(['/', ':']).next().unwrap_or_default());
        let Some(host) = host.filter(|h| !h.is_empty() && !url.contains('{')) else {
            warnings.push(Warning {
                pointer: at.push("url"),
                message: format!("server `{}` is not a fixed http(s) URL; it is not a `Region`", server.url),
            });
            continue;
        };
        let label = host.split('.').next().unwrap_or(host);
        let by_host = naming::camel(label, "Server");
        let taken = regions.iter().any(|r: &Region| r.rust_name.eq_ignore_ascii_case(&by_host));
        let wanted = match (&server.description, taken) {
            (Some(description), true) => naming::camel(description, "Server"),
            _ => by_host,
        };
        regions.push(Region {
            rust_name: names.claim(&wanted, ""),
            url: url.to_owned(),
            description: server.description.clone(),
        });
    }
    (regions, warnings)
}

/// Builds every operation of the spec. `type_at` gives the type the model made for the schema at
/// a pointer (every schema an operation uses was walked while building the types).
pub(super) fn build(
    spec: &Spec,
    space: &TypeSpace,
    type_at: &dyn Fn(&Pointer) -> Option<TypeRef>,
) -> Result<(Vec<Operation>, Vec<Warning>), Error> {
    let mut warnings = Vec::new();
    let mut names = Scope::default();
    RESERVED_METHODS.iter().for_each(|name| names.reserve(name));
    let mut operations = Vec::new();
    // A problem in one operation does not hide those of the others: all are reported together.
    let mut problems = Vec::new();
    for (path, item) in &spec.api.paths.paths {
        let path_at = Pointer::root().push("paths").push(path);
        let ReferenceOr::Item(item) = item else {
            problems.extend(spec.error(&path_at, "`$ref` path items are not supported").problems);
            continue;
        };
        for (method, operation) in item.iter() {
            let at = path_at.push(method);
            let Some(http_method) = HttpMethod::parse(method) else {
                problems.extend(spec.error(&at, format!("unknown HTTP method `{method}`")).problems);
                continue;
            };
            let context = Context { spec, space, type_at, at: &at, warnings: &mut warnings };
            match context.operation(path, http_method, operation, item, &mut names) {
                Ok(Some(op)) => operations.push(op),
                Ok(None) => {}
                Err(error) => problems.extend(error.problems),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::new(&spec.file, problems));
    }
    for op in &mut operations {
        if let Some(pagination) = &mut op.pagination {
            pagination.method = names.claim(&format!("{}_pages", op.rust_name.trim_start_matches("r#")), "_");
        }
    }
    Ok((operations, warnings))
}

struct Context<'a, 's> {
    spec: &'s Spec,
    space: &'a TypeSpace,
    type_at: &'a dyn Fn(&Pointer) -> Option<TypeRef>,
    at: &'a Pointer,
    warnings: &'a mut Vec<Warning>,
}

impl Context<'_, '_> {
    fn warn(&mut self, at: &Pointer, message: impl Into<String>) {
        self.warnings.push(Warning { pointer: at.clone(), message: message.into() });
    }

    fn operation(
        mut self,
        path: &str,
        method: HttpMethod,
        op: &openapiv3::Operation,
        item: &openapiv3::PathItem,
        names: &mut Scope,
    ) -> Result<Option<Operation>, Error> {
        let at = self.at.clone();
        let wanted = match &op.operation_id {
            Some(id) => method_name(id),
            None => {
                let name = synthesized_name(method, path);
                self.warn(&at, format!("the operation has no `operationId`; its method is called `{name}`"));
                name
            }
        };
        let rust_name = names.claim(&wanted, "_");
        if rust_name != wanted {
            self.warn(
                &at,
                format!("method name `{wanted}` is already taken; this operation's method is `{rust_name}`"),
            );
        }
        let Some(body) = self.body(op)? else { return Ok(None) };
        let mut params = self.params(op, item)?;
        let mut on_service = params.iter().any(|p| p.location == ParamLocation::Path && p.name == SERVICE_ID);
        if on_service && !template_names(path).iter().any(|name| name == SERVICE_ID) {
            on_service = false;
        }
        params.retain(|p| !(p.location == ParamLocation::Path && p.name == SERVICE_ID && on_service));
        self.reconcile_path_template(path, &mut params, &mut on_service);
        let (successes, errors, response_example) = self.responses(op)?;
        let outcome = self.outcome(&successes)?;
        let features = op.tags.iter().map(|tag| super::areas::feature_name(tag)).collect();
        let pagination = if body.is_none() { pagination(&params, &outcome, self.space) } else { None };
        Ok(Some(Operation {
            rust_name,
            operation_id: op.operation_id.clone(),
            method,
            path: path.to_owned(),
            pointer: at,
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            features,
            authenticated: !matches!(&op.security, Some(requirements) if requirements.is_empty()),
            on_service,
            params,
            body,
            successes,
            outcome,
            errors,
            response_example,
            pagination,
        }))
    }

    /// Path-level parameters, overridden by the operation's own of the same name and place.
    fn params(&mut self, op: &openapiv3::Operation, item: &openapiv3::PathItem) -> Result<Vec<Param>, Error> {
        let op_at = self.at.push("parameters");
        let path_at = {
            let mut segments: Vec<String> = self.at.segments().collect();
            segments.pop();
            segments.iter().fold(Pointer::root(), |p, s| p.push(s)).push("parameters")
        };
        let mut gathered: Vec<(openapiv3::Parameter, Pointer)> = Vec::new();
        for (list, list_at) in [(&item.parameters, &path_at), (&op.parameters, &op_at)] {
            for (index, parameter) in list.iter().enumerate() {
                // A shared parameter's type was made at its own place.
                let (at, parameter) = self.resolved(parameter, list_at.push(&index.to_string()))?;
                let data = parameter.parameter_data_ref();
                gathered.retain(|(p, _)| {
                    let d = p.parameter_data_ref();
                    !(d.name == data.name && std::mem::discriminant(p) == std::mem::discriminant(&parameter))
                });
                gathered.push((parameter, at));
            }
        }
        let mut rust_names = Scope::default();
        ["body", "query", "self"].iter().for_each(|n| rust_names.reserve(n));
        let mut params = Vec::new();
        for (parameter, at) in gathered {
            let (location, data) = match &parameter {
                openapiv3::Parameter::Path { parameter_data, .. } => (ParamLocation::Path, parameter_data),
                openapiv3::Parameter::Query { parameter_data, .. } => (ParamLocation::Query, parameter_data),
                openapiv3::Parameter::Header { parameter_data, .. }
                | openapiv3::Parameter::Cookie { parameter_data, .. } => {
                    if parameter_data.required {
                        return Err(self.spec.error(
                            &at,
                            format!(
                                "required parameter `{}` is in a header or cookie, which the client cannot send",
                                parameter_data.name
                            ),
                        ));
                    }
                    self.warn(
                        &at,
                        format!("parameter `{}` is in a header or cookie, which the client does not send; its method has no such argument", parameter_data.name),
                    );
                    continue;
                }
            };
            let ty = match &data.format {
                openapiv3::ParameterSchemaOrContent::Schema(_) => (self.type_at)(&at.push("schema")),
                openapiv3::ParameterSchemaOrContent::Content(_) => None,
            };
            let Some(ty) = ty.map(|ty| self.resolve_alias(ty)) else {
                return Err(self
                    .spec
                    .error(&at, format!("parameter `{}` has no `schema` the client can use", data.name)));
            };
            if !is_scalar(&ty, self.space) {
                return Err(self.spec.error(
                    &at.push("schema"),
                    format!(
                        "parameter `{}` is not a string, number, boolean or string enum; the client cannot send it",
                        data.name
                    ),
                ));
            }
            params.push(Param {
                rust_name: rust_names.claim(&naming::snake(&data.name, "param"), "_"),
                name: data.name.clone(),
                location,
                ty,
                required: data.required || location == ParamLocation::Path,
                description: data.description.clone(),
            });
        }
        // Required parameters first, path before query, each in spec order.
        params.sort_by_key(|p| (!p.required, p.location == ParamLocation::Query));
        Ok(params)
    }

    /// What stands at `at`, following a `$ref` to the component it names, and where that is
    /// defined (the place its types were made at).
    fn resolved<T>(&self, item: &ReferenceOr<T>, at: Pointer) -> Result<(Pointer, T), Error>
    where
        T: Clone + for<'de> serde::Deserialize<'de>,
    {
        match item {
            ReferenceOr::Item(item) => Ok((at, item.clone())),
            ReferenceOr::Reference { reference } => {
                let Some(target) = Pointer::from_ref(reference).filter(|t| self.spec.node(t).is_some()) else {
                    return Err(self.spec.error(&at.push("$ref"), format!("`$ref` points at nothing: `{reference}`")));
                };
                let item = node_as(self.spec, &target)?;
                Ok((target, item))
            }
        }
    }

    /// An alias of a plain type is that type (parameters are spelled as plain Rust types).
    fn resolve_alias(&self, ty: TypeRef) -> TypeRef {
        let mut ty = ty;
        while let TypeRef::Named(id) = ty {
            match &self.space.get(id).kind {
                super::TypeKind::Alias(target) => ty = target.clone(),
                _ => break,
            }
        }
        ty
    }

    /// Every `{name}` of the template must be a path parameter, and every path parameter in it. A
    /// name the template has but the parameters lack has one obvious meaning, a text argument; a
    /// declared path parameter the template lacks has nowhere to go and is left out. Both are
    /// reported.
    fn reconcile_path_template(&mut self, path: &str, params: &mut Vec<Param>, on_service: &mut bool) {
        let at = self.at.clone();
        let in_template = template_names(path);
        params.retain(|p| {
            let keep = p.location != ParamLocation::Path || in_template.contains(&p.name);
            if !keep {
                self.warnings.push(Warning {
                    pointer: at.clone(),
                    message: format!(
                        "path parameter `{}` does not appear in the path; the method has no such argument",
                        p.name
                    ),
                });
            }
            keep
        });
        let mut rust_names: Scope = Scope::default();
        ["body", "query", "self"].iter().for_each(|n| rust_names.reserve(n));
        params.iter().for_each(|p| rust_names.reserve(&p.rust_name));
        for name in in_template {
            let declared = params.iter().any(|p| p.location == ParamLocation::Path && p.name == name);
            if declared || (name == SERVICE_ID && *on_service) {
                continue;
            }
            self.warn(
                &at,
                format!(
                    "the path has `{{{name}}}`, but no path parameter of that name; it is read as a text parameter"
                ),
            );
            if name == SERVICE_ID {
                *on_service = true;
                continue;
            }
            params.push(Param {
                rust_name: rust_names.claim(&naming::snake(&name, "param"), "_"),
                name,
                location: ParamLocation::Path,
                ty: TypeRef::String,
                required: true,
                description: None,
            });
        }
        params.sort_by_key(|p| (!p.required, p.location == ParamLocation::Query));
    }

    /// The JSON request body, `Some(None)` for none; `None` when the operation cannot be called.
    fn body(&mut self, op: &openapiv3::Operation) -> Result<Option<Option<Body>>, Error> {
        let Some(body) = &op.request_body else { return Ok(Some(None)) };
        let (body_at, body) = self.resolved(body, self.at.push("requestBody"))?;
        let json = body.content.iter().find(|(media, _)| is_json(media));
        let Some((media, content)) = json else {
            let at = body_at.push("content");
            self.warn(
                &at,
                "the request body has no JSON media type, and the client sends only JSON: the operation has no method",
            );
            return Ok(None);
        };
        let media_at = body_at.push("content").push(media);
        let ty = match content.schema {
            Some(_) => (self.type_at)(&media_at.push("schema")),
            None => {
                // No schema means any JSON, which is what the method then takes.
                self.warn(&media_at, "the JSON request body has no schema; the method takes any JSON value");
                Some(TypeRef::Json)
            }
        };
        let Some(ty) = ty else {
            return Err(self.spec.error(&media_at.push("schema"), "internal error: the body's schema has no type"));
        };
        let example = if content.example.is_some() {
            Some(media_at.push("example"))
        } else {
            content.examples.iter().find_map(|(key, example)| match example {
                ReferenceOr::Item(openapiv3::Example { value: Some(_), .. }) => {
                    Some(media_at.push("examples").push(key).push("value"))
                }
                _ => None,
            })
        };
        let other_media_types = body.content.keys().filter(|m| *m != media).cloned().collect();
        Ok(Some(Some(Body {
            ty,
            required: body.required,
            description: body.description.clone(),
            other_media_types,
            example,
        })))
    }

    #[allow(clippy::type_complexity)]
    fn responses(
        &mut self,
        op: &openapiv3::Operation,
    ) -> Result<(Vec<Success>, Vec<(String, String)>, Option<Pointer>), Error> {
        let mut successes = Vec::new();
        let mut errors = Vec::new();
        let mut example = None;
        for (status, response) in &op.responses.responses {
            let status_text = status.to_string();
            let (response_at, response) = self.resolved(response, self.at.push("responses").push(&status_text))?;
            let code = match status {
                StatusCode::Code(code) => *code,
                StatusCode::Range(range) => {
                    if *range == 2 {
                        self.warn(&response_at, "a `2XX` range is read as any success status with this body");
                    }
                    range * 100
                }
            };
            if !(200..300).contains(&code) {
                errors.push((status_text, response.description.clone()));
                continue;
            }
            // `204 No Content` (and `205`) answers have no body, whatever the spec says.
            if matches!(code, 204 | 205) && !response.content.is_empty() {
                let at = response_at.push("content");
                self.warn(&at, format!("a `{code}` answer has no body; the content the spec gives it is not read"));
                successes.push(Success {
                    status: code,
                    content: Content::Empty,
                    description: response.description.clone(),
                });
                continue;
            }
            let content = match response.content.iter().find(|(media, _)| is_json(media)) {
                Some((media, media_type)) => {
                    let media_at = response_at.push("content").push(media);
                    let ty = media_type.schema.as_ref().and_then(|_| (self.type_at)(&media_at.push("schema")));
                    if example.is_none() && media_type.example.is_some() {
                        example = Some(media_at.push("example"));
                    }
                    match ty {
                        Some(ty) => Content::Json(ty),
                        None => Content::Json(TypeRef::Json),
                    }
                }
                None if response.content.is_empty() => Content::Empty,
                None => Content::Text,
            };
            successes.push(Success { status: code, content, description: response.description.clone() });
        }
        Ok((successes, errors, example))
    }

    fn outcome(&mut self, successes: &[Success]) -> Result<Outcome, Error> {
        let json: BTreeSet<&TypeRef> = successes
            .iter()
            .filter_map(|s| match &s.content {
                Content::Json(ty) => Some(ty),
                _ => None,
            })
            .collect();
        let text = successes.iter().any(|s| s.content == Content::Text);
        let empty = successes.iter().any(|s| s.content == Content::Empty);
        if successes.is_empty() {
            let at = self.at.push("responses");
            self.warn(&at, "no success answer is described; the method returns `()` for any 2xx status");
        }
        match (json.len(), text, empty) {
            (0, false, _) => Ok(Outcome::Empty),
            (0, true, false) => Ok(Outcome::Text),
            (1, false, false) => Ok(Outcome::Json(json.into_iter().next().cloned().unwrap_or(TypeRef::Json))),
            (1, false, true) => Ok(Outcome::OptionalJson(json.into_iter().next().cloned().unwrap_or(TypeRef::Json))),
            _ => Err(self.spec.error(
                &self.at.push("responses"),
                "the success answers have different types (JSON of several schemas, or JSON and text); \
                 one method cannot return them",
            )),
        }
    }
}

/// Whether an operation is a list to walk page by page, and how (see the module docs).
fn pagination(params: &[Param], outcome: &Outcome, space: &TypeSpace) -> Option<Pagination> {
    let integer = |ty: &TypeRef| matches!(ty, TypeRef::I32 | TypeRef::I64);
    let index = |name: &str| {
        params.iter().find(|p| p.name == name && p.location == ParamLocation::Query && !p.required && integer(&p.ty))
    };
    let (start, end) = (index("start")?, index("end")?);
    let Outcome::Json(TypeRef::Named(id)) = outcome else { return None };
    let super::TypeKind::Struct(answer) = &space.get(*id).kind else { return None };
    let total = answer.fields.iter().find(|f| f.json_name == "totalCount" && integer(&f.ty))?;
    let mut arrays = answer.fields.iter().filter(|f| matches!(f.ty, TypeRef::Vec(_)));
    let items = arrays.next()?;
    if arrays.next().is_some() {
        return None;
    }
    let TypeRef::Vec(item) = &items.ty else { return None };
    Some(Pagination {
        method: String::new(),
        start: start.clone(),
        end: end.clone(),
        total_field: total.rust_name.clone(),
        total_ty: total.ty.clone(),
        total_optional: !total.required || total.nullable,
        items_field: items.rust_name.clone(),
        items_optional: !items.required || items.nullable,
        item: (**item).clone(),
    })
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// Whether a parameter of this type can be written in a path or query string.
fn is_scalar(ty: &TypeRef, space: &TypeSpace) -> bool {
    match ty {
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F64 | TypeRef::String => true,
        TypeRef::Named(id) => matches!(space.get(*id).kind, super::TypeKind::Enum(_)),
        _ => false,
    }
}

/// A piece of a path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPart<'p> {
    /// Text as the spec writes it (an unclosed `{` is text too).
    Text(&'p str),
    /// A `{name}`: the parameter's name.
    Param(&'p str),
}

/// The pieces of a path template, in order.
pub fn path_parts(path: &str) -> Vec<PathPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else { break };
        if open > 0 {
            parts.push(PathPart::Text(&rest[..open]));
        }
        parts.push(PathPart::Param(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push(PathPart::Text(rest));
    }
    parts
}

/// The `{name}`s of a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    path_parts(path)
        .into_iter()
        .filter_map(|part| match part {
            PathPart::Param(name) => Some(name.to_owned()),
            PathPart::Text(_) => None,
        })
        .collect()
}

/// The method name for an `operationId`: snake_case, without the word `api`.
pub fn method_name(operation_id: &str) -> String {
    let snake = naming::snake(operation_id, "operation");
    let words: Vec<&str> = snake.split('_').filter(|w| *w != "api" && !w.is_empty()).collect();
    if words.is_empty() {
        return snake;
    }
    naming::snake(&words.join("_"), "operation")
}

/// The method name for an operation without an `operationId`: its method and the literal
/// segments of its path, without `api`.
pub fn synthesized_name(method: HttpMethod, path: &str) -> String {
    let literal: Vec<&str> = path.split('/').filter(|s| !s.is_empty() && !s.starts_with('{') && *s != "api").collect();
    naming::snake(&format!("{} {}", method.as_str(), literal.join(" ")), "operation")
}

/// The example value at `pointer`, if the model kept it (examples that do not fit their schema
/// were reported and dropped).
pub fn example_value<'a>(space: &'a TypeSpace, pointer: &Pointer) -> Option<&'a super::Example> {
    space.examples.iter().find(|example| example.pointer == *pointer)
}

/// A JSON value of type `ty` with every required member set, for tests where the spec gives no
/// example: strings `"x"`, numbers `1`, booleans `true`, the first enum value, empty lists and maps.
pub fn minimal_value(space: &TypeSpace, ty: &TypeRef) -> Value {
    minimal_at(space, ty, &mut BTreeSet::new())
}

fn minimal_at(space: &TypeSpace, ty: &TypeRef, visiting: &mut BTreeSet<super::TypeId>) -> Value {
    use super::TypeKind;
    match ty {
        TypeRef::Bool => Value::Bool(true),
        TypeRef::I32 | TypeRef::I64 => Value::from(1),
        TypeRef::F64 => Value::from(1.5),
        TypeRef::String => Value::from("x"),
        TypeRef::Json | TypeRef::JsonObject | TypeRef::Map(_) => Value::Object(Default::default()),
        TypeRef::Vec(_) => Value::Array(Vec::new()),
        TypeRef::Named(id) => {
            if !visiting.insert(*id) {
                return Value::Null;
            }
            let value = match &space.get(*id).kind {
                TypeKind::Alias(target) => minimal_at(space, target, visiting),
                TypeKind::Enum(e) => e.variants.first().map_or(Value::from("x"), |v| Value::from(v.value.clone())),
                TypeKind::Union(u) => match u.variants.first() {
                    None => Value::Null,
                    Some(variant) => {
                        let mut value = minimal_at(space, &variant.ty, visiting);
                        // A discriminated union picks the variant by its tag.
                        if let (Some(tag), Some(tag_value), Some(object)) =
                            (&u.tag, &variant.tag_value, value.as_object_mut())
                        {
                            object.insert(tag.clone(), Value::from(tag_value.clone()));
                        }
                        value
                    }
                },
                TypeKind::Struct(s) => Value::Object(
                    s.fields
                        .iter()
                        .filter(|f| f.required)
                        .map(|f| {
                            let value = if f.nullable { Value::Null } else { minimal_at(space, &f.ty, visiting) };
                            (f.json_name.clone(), value)
                        })
                        .collect(),
                ),
            };
            visiting.remove(id);
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_follow_the_rule() {
        assert_eq!(method_name("auth_token_api"), "auth_token");
        assert_eq!(method_name("client_authorization_get_list_api_post"), "client_authorization_get_list_post");
        assert_eq!(method_name("getAuthorizationTicketInfo"), "get_authorization_ticket_info");
        assert_eq!(method_name("info_api"), "info");
        assert_eq!(method_name("api"), "api");
        assert_eq!(method_name("type"), "type");
        assert_eq!(synthesized_name(HttpMethod::Get, "/api/lifecycle/healthcheck"), "get_lifecycle_healthcheck");
        assert_eq!(synthesized_name(HttpMethod::Delete, "/api/{serviceId}/x/{id}"), "delete_x");
    }

    #[test]
    fn template_names_in_order() {
        assert_eq!(template_names("/api/{serviceId}/client/{clientId}"), ["serviceId", "clientId"]);
        assert!(template_names("/api/info").is_empty());
        assert_eq!(
            path_parts("/a/{x}{y}/b{"),
            [PathPart::Text("/a/"), PathPart::Param("x"), PathPart::Param("y"), PathPart::Text("/b{")]
        );
    }
}
