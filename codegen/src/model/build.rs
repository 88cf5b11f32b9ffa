//! Walks a loaded spec and builds the [`TypeSpace`].
//!
//! Every schema location is converted at most once: results are memoised by JSON pointer, so a
//! `$ref` to `#/components/schemas/Client/properties/clientType` lands on the very type that was
//! made for that property. Inline schemas that are textually identical (the spec repeats request
//! bodies for JSON and form encodings) share one type, and an inline enum that lists the same
//! values as a named enum is that enum.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use openapiv3::{
    AdditionalProperties, IntegerFormat, ReferenceOr, Schema, SchemaData, SchemaKind, Type, VariantOrUnknownOrEmpty,
};
use serde_json::Value;

use super::naming::{self, Scope};
use super::{conformance, cycles};
use super::{
    AdditionalMembers, Example, Field, Origin, StringEnum, Struct, TypeDef, TypeId, TypeKind, TypeRef, TypeSpace,
    Union, UnionVariant, Variant,
};
use crate::error::{Error, Problem, Warning};
use crate::load::{node_as, Spec};
use crate::pointer::Pointer;

const SCHEMAS: &str = "/components/schemas";

/// How deep [`Builder`] may recurse: far beyond real specs (under 20), and a bound on the stack
/// the walk needs.
const MAX_DEPTH: usize = 256;

/// Builds the model of every named schema and every inline type reachable from the spec's
/// operations.
///
/// A schema that cannot be modelled does not end the walk: its problem is kept, its type stays a
/// placeholder (any JSON value), and the walk goes on with the next named schema, the paths and
/// the components, so that one run reports every problem it can find.
pub fn build(spec: &Spec) -> Result<TypeSpace, Error> {
    let mut builder = Builder::new(spec);
    builder.reserve_named_schemas();
    builder.define_named_schemas();
    if !builder.too_deep {
        let walked = builder.walk_paths();
        builder.keep(walked);
    }
    builder.walk_component_request_bodies();
    builder.walk_component_responses();
    let mut problems = std::mem::take(&mut builder.problems);
    let memo = std::mem::take(&mut builder.memo);
    let mut space = builder.finish();
    if let Err(cycle) = cycles::check_alias_cycles(&space, spec) {
        problems.extend(cycle.problems);
    }
    if !problems.is_empty() {
        return Err(Error::new(&spec.file, problems));
    }
    cycles::mark_boxed_fields(&mut space);
    conformance::keep_conforming_examples(&mut space);
    let (operations, warnings) = super::operations::build(spec, &space, &|at| memo.get(at).cloned())?;
    space.operations = operations;
    space.warnings.extend(warnings);
    let (regions, warnings) = super::operations::regions(spec);
    space.regions = regions;
    space.warnings.extend(warnings);
    super::usage::assign(&mut space);
    super::traits::assign(&mut space);
    super::toolkit::assign(&mut space);
    Ok(space)
}

/// A schema as it stands at some place in the spec: a reference or the schema itself.
#[derive(Clone, Copy)]
enum At<'s> {
    Ref(&'s str),
    Inline(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for At<'s> {
    fn from(value: &'s ReferenceOr<Schema>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => At::Ref(reference),
            ReferenceOr::Item(schema) => At::Inline(schema),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for At<'s> {
    fn from(value: &'s ReferenceOr<Box<Schema>>) -> Self {
        match value {
            ReferenceOr::Reference { reference } => At::Ref(reference),
            ReferenceOr::Item(schema) => At::Inline(schema),
        }
    }
}

/// The annotations that may accompany a schema, read from `openapiv3`'s data for inline schemas
/// and from the raw document for `$ref`s (whose siblings `openapiv3` drops).
#[derive(Default)]
struct Annotations {
    description: Option<String>,
    default: Option<Value>,
    nullable: bool,
    read_only: bool,
    deprecated: bool,
}

impl Annotations {
    fn of_data(data: &SchemaData) -> Self {
        Self {
            description: data.description.clone(),
            default: data.default.clone(),
            nullable: data.nullable,
            read_only: data.read_only,
            deprecated: data.deprecated,
        }
    }

    fn of_raw(node: Option<&Value>) -> Self {
        let flag = |key: &str| node.and_then(|n| n.get(key)).and_then(Value::as_bool).unwrap_or(false);
        Self {
            description: node.and_then(|n| n.get("description")).and_then(Value::as_str).map(str::to_owned),
            default: node.and_then(|n| n.get("default")).cloned(),
            nullable: flag("nullable"),
            read_only: flag("readOnly"),
            deprecated: flag("deprecated"),
        }
    }
}

/// One property of an object, possibly inherited through `allOf`.
struct Property<'s> {
    json_name: String,
    schema: Cow<'s, ReferenceOr<Box<Schema>>>,
    at: Pointer,
}

/// An object's members gathered from `properties`, `allOf` members and `additionalProperties`.
#[derive(Default)]
struct ObjectParts<'s> {
    properties: Vec<Property<'s>>,
    required: BTreeSet<String>,
    additional: Option<(Cow<'s, AdditionalProperties>, Pointer)>,
    description: Option<String>,
}

/// What a schema turns into: an existing type, or a new item that still needs a name.
enum Shape {
    Plain(TypeRef),
    Item(TypeKind),
}

struct Builder<'s> {
    spec: &'s Spec,
    types: Vec<TypeDef>,
    examples: Vec<Example>,
    warnings: Vec<Warning>,
    type_names: Scope,
    memo: HashMap<Pointer, TypeRef>,
    /// Inline types by the canonical JSON of their schema.
    by_shape: HashMap<String, TypeId>,
    /// Named string enums by their sorted values.
    enums_by_values: BTreeMap<Vec<String>, TypeId>,
    /// Named schemas already defined or being defined.
    started: BTreeSet<String>,
    /// The tags of the operation being walked, and what each tag's operations use directly.
    tags: Vec<String>,
    roots: Vec<(String, TypeRef)>,
    /// The `$ref` targets being followed and the objects whose `allOf` is being merged, to name
    /// a cycle instead of running into the depth limit.
    resolving: Vec<Pointer>,
    merging: Vec<Pointer>,
    /// Examples already recorded (a shared response is reached from many operations).
    example_pointers: BTreeSet<Pointer>,
    /// How deep the walk is (nested schemas, `allOf` members, `$ref`s into other schemas).
    depth: usize,
    /// What could not be modelled so far, each problem once.
    problems: Vec<Problem>,
    /// The walk hit [`MAX_DEPTH`]: it stops there, as every further schema on the same chain
    /// would hit it again (and a chain of thousands would take long to say so thousands of times).
    too_deep: bool,
}

impl<'s> Builder<'s> {
    fn new(spec: &'s Spec) -> Self {
        Self {
            spec,
            types: Vec::new(),
            examples: Vec::new(),
            warnings: Vec::new(),
            type_names: Scope::default(),
            memo: HashMap::new(),
            by_shape: HashMap::new(),
            enums_by_values: BTreeMap::new(),
            started: BTreeSet::new(),
            depth: 0,
            tags: Vec::new(),
            roots: Vec::new(),
            resolving: Vec::new(),
            merging: Vec::new(),
            example_pointers: BTreeSet::new(),
            problems: Vec::new(),
            too_deep: false,
        }
    }

    /// Keeps the problems of a failed part of the walk, and resets what a failure leaves behind
    /// (an error returns without climbing back up), so that the walk can go on with the next part.
    fn keep(&mut self, result: Result<(), Error>) {
        if let Err(error) = result {
            for problem in error.problems {
                if !self.problems.iter().any(|known| same_problem(known, &problem)) {
                    self.problems.push(problem);
                }
            }
            self.depth = 0;
            self.resolving.clear();
            self.merging.clear();
            self.tags.clear();
        }
    }

    fn finish(self) -> TypeSpace {
        let mut space =
            TypeSpace { types: self.types, examples: self.examples, warnings: self.warnings, ..TypeSpace::default() };
        super::areas::assign(&mut space, &self.roots);
        space
    }

    fn named_schemas(&self) -> impl Iterator<Item = (&'s String, &'s ReferenceOr<Schema>)> {
        self.spec.api.components.iter().flat_map(|c| c.schemas.iter())
    }

    /// Gives every named schema its type name first, so that spec names win over inline names
    /// and a `$ref` can point at a type before it is defined (recursion).
    fn reserve_named_schemas(&mut self) {
        // `models/mod.rs` is the module file itself.
        self.type_names.reserve("mod");
        let named: Vec<_> = self.named_schemas().collect();
        for (name, schema) in named {
            let at = Pointer::from_ref(&format!("#{SCHEMAS}")).unwrap_or_default().push(name);
            let id =
                self.new_type(&naming::camel(name, "Schema"), &at, Some(name), None, TypeKind::Alias(TypeRef::Json));
            self.memo.insert(at, TypeRef::Named(id));
            if let ReferenceOr::Item(Schema { schema_kind: SchemaKind::Type(Type::String(s)), .. }) = schema {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                if !values.is_empty() {
                    self.enums_by_values.entry(sorted(&values)).or_insert(id);
                }
            }
        }
    }

    fn define_named_schemas(&mut self) {
        let names: Vec<&String> = self.named_schemas().map(|(name, _)| name).collect();
        for name in names {
            if self.too_deep {
                break;
            }
            let defined = self.define_named(name);
            self.keep(defined);
        }
    }

    fn define_named(&mut self, name: &str) -> Result<(), Error> {
        if !self.started.insert(name.to_owned()) {
            return Ok(());
        }
        let Some(schema) = self.spec.api.components.as_ref().and_then(|c| c.schemas.get(name)) else {
            return Ok(());
        };
        let at = Pointer::root().push("components").push("schemas").push(name);
        let Some(TypeRef::Named(id)) = self.memo.get(&at).cloned() else {
            return Ok(());
        };
        self.descend(&at)?;
        let type_name = self.types[id.0].name.clone();
        let (kind, description) = match schema {
            ReferenceOr::Reference { reference } => {
                let target = self.resolve_ref(reference, &at)?;
                (TypeKind::Alias(target), Annotations::of_raw(self.spec.node(&at)).description)
            }
            ReferenceOr::Item(schema) => {
                let description = schema.schema_data.description.clone();
                match self.shape(schema, &at, &type_name)? {
                    Shape::Plain(ty) => (TypeKind::Alias(ty), description),
                    Shape::Item(kind) => (kind, description.or_else(|| self.inherited_description(schema, &at))),
                }
            }
        };
        if let ReferenceOr::Item(schema) = schema {
            self.record_example(&schema.schema_data, &at, TypeRef::Named(id));
        }
        self.depth -= 1;
        let def = &mut self.types[id.0];
        def.kind = kind;
        def.description = description;
        Ok(())
    }

    fn walk_paths(&mut self) -> Result<(), Error> {
        let spec = self.spec;
        for (path, item) in &spec.api.paths.paths {
            let path_at = Pointer::root().push("paths").push(path);
            let ReferenceOr::Item(item) = item else {
                self.keep(Err(spec.error(&path_at, "`$ref` path items are not supported")));
                continue;
            };
            for (method, operation) in item.iter() {
                // A problem in one operation does not hide those of the next.
                let walked = self.walk_operation(path, &path_at, item, method, operation);
                self.keep(walked);
                if self.too_deep {
                    return Ok(());
                }
            }
        }
        self.tags.clear();
        Ok(())
    }

    /// The types one operation uses: its parameters, body and answers.
    fn walk_operation(
        &mut self,
        path: &str,
        path_at: &Pointer,
        item: &'s openapiv3::PathItem,
        method: &str,
        operation: &'s openapiv3::Operation,
    ) -> Result<(), Error> {
        let op_at = path_at.push(method);
        self.tags.clone_from(&operation.tags);
        let op_name = match &operation.operation_id {
            Some(id) => naming::camel(id, "Operation"),
            None => naming::camel(&format!("{method} {path}"), "Operation"),
        };
        for (index, parameter) in operation.parameters.iter().enumerate() {
            self.walk_parameter(parameter, &op_at.push("parameters").push(&index.to_string()), &op_name)?;
        }
        // Parameters of the whole path apply to each of its operations (their types are
        // made once, named after the first).
        for (index, parameter) in item.parameters.iter().enumerate() {
            self.walk_parameter(parameter, &path_at.push("parameters").push(&index.to_string()), &op_name)?;
        }
        if let Some(body) = &operation.request_body {
            let body_at = op_at.push("requestBody");
            match body {
                ReferenceOr::Reference { reference } => self.walk_shared_body(reference)?,
                ReferenceOr::Item(body) => self.walk_content(&body.content, &body_at, &format!("{op_name}Request"))?,
            }
        }
        for (status, response) in &operation.responses.responses {
            let status = status.to_string();
            let suffix = if status == "200" { String::new() } else { status.clone() };
            match response {
                ReferenceOr::Reference { reference } => self.walk_shared_response(reference)?,
                ReferenceOr::Item(response) => {
                    let at = op_at.push("responses").push(&status);
                    self.walk_content(&response.content, &at, &format!("{op_name}Response{suffix}"))?;
                }
            }
        }
        if let Some(ReferenceOr::Item(response)) = &operation.responses.default {
            let at = op_at.push("responses").push("default");
            self.walk_content(&response.content, &at, &format!("{op_name}DefaultResponse"))?;
        }
        Ok(())
    }

    /// A `$ref`'d response of the operation being walked: its types count for the operation's tags.
    fn walk_shared_response(&mut self, reference: &str) -> Result<(), Error> {
        match reference.strip_prefix("#/components/responses/") {
            Some(key) => self.walk_response_component(key),
            None => Ok(()),
        }
    }

    /// The same for a `$ref`'d request body.
    fn walk_shared_body(&mut self, reference: &str) -> Result<(), Error> {
        match reference.strip_prefix("#/components/requestBodies/") {
            Some(key) => self.walk_body_component(key),
            None => Ok(()),
        }
    }

    fn walk_response_component(&mut self, key: &str) -> Result<(), Error> {
        let spec = self.spec;
        if let Some(ReferenceOr::Item(response)) = spec.api.components.as_ref().and_then(|c| c.responses.get(key)) {
            let at = Pointer::root().push("components").push("responses").push(key);
            self.walk_content(&response.content, &at, &component_response_name(key))?;
        }
        Ok(())
    }

    fn walk_body_component(&mut self, key: &str) -> Result<(), Error> {
        let spec = self.spec;
        if let Some(ReferenceOr::Item(body)) = spec.api.components.as_ref().and_then(|c| c.request_bodies.get(key)) {
            let at = Pointer::root().push("components").push("requestBodies").push(key);
            self.walk_content(&body.content, &at, &naming::camel(key, "RequestBody"))?;
        }
        Ok(())
    }

    /// Parameters are not modelled, but an enum or object in one is a type users need.
    fn walk_parameter(
        &mut self,
        parameter: &'s ReferenceOr<openapiv3::Parameter>,
        at: &Pointer,
        op_name: &str,
    ) -> Result<(), Error> {
        let (parameter, at) = match parameter {
            ReferenceOr::Item(parameter) => (Cow::Borrowed(parameter), at.clone()),
            // A shared parameter's type is made at its own place, where the operations look for it.
            ReferenceOr::Reference { reference } => match Pointer::from_ref(reference) {
                Some(target) if self.spec.node(&target).is_some() => {
                    (Cow::Owned(node_as::<openapiv3::Parameter>(self.spec, &target)?), target)
                }
                _ => return Ok(()),
            },
        };
        let at = &at;
        let data = parameter.parameter_data_ref();
        let name = format!("{op_name}{}", naming::camel(&data.name, "Parameter"));
        match (&data.format, &parameter) {
            (openapiv3::ParameterSchemaOrContent::Schema(schema), _) => {
                let ty = self.type_of(schema.into(), &at.push("schema"), &name)?;
                self.note_root(&ty);
            }
            (openapiv3::ParameterSchemaOrContent::Content(_), Cow::Borrowed(borrowed)) => {
                if let openapiv3::ParameterSchemaOrContent::Content(content) = &borrowed.parameter_data_ref().format {
                    self.walk_content(content, at, &name)?;
                }
            }
            // The operations report a shared parameter described by `content`: the client cannot
            // send one.
            (openapiv3::ParameterSchemaOrContent::Content(_), Cow::Owned(_)) => {}
        }
        Ok(())
    }

    /// Components no operation refers to still describe bodies users may need.
    fn walk_component_request_bodies(&mut self) {
        let spec = self.spec;
        for key in spec.api.components.iter().flat_map(|c| c.request_bodies.keys()) {
            if self.too_deep {
                break;
            }
            let walked = self.walk_body_component(key);
            self.keep(walked);
        }
    }

    fn walk_component_responses(&mut self) {
        let spec = self.spec;
        for key in spec.api.components.iter().flat_map(|c| c.responses.keys()) {
            if self.too_deep {
                break;
            }
            let walked = self.walk_response_component(key);
            self.keep(walked);
        }
    }

    fn walk_content(
        &mut self,
        content: impl IntoIterator<Item = (&'s String, &'s openapiv3::MediaType)>,
        at: &Pointer,
        name: &str,
    ) -> Result<(), Error> {
        for (media_type, media) in content {
            let Some(schema) = &media.schema else { continue };
            let media_at = at.push("content").push(media_type);
            let schema_at = media_at.push("schema");
            let ty = self.type_of(schema.into(), &schema_at, name)?;
            self.note_root(&ty);
            let nullable = match schema {
                ReferenceOr::Reference { reference } => self.target_is_nullable(reference),
                ReferenceOr::Item(schema) => schema.schema_data.nullable,
            };
            let mut examples: Vec<(Pointer, Value)> = Vec::new();
            if let Some(value) = &media.example {
                examples.push((media_at.push("example"), value.clone()));
            }
            for (key, example) in &media.examples {
                if let ReferenceOr::Item(openapiv3::Example { value: Some(value), .. }) = example {
                    examples.push((media_at.push("examples").push(key).push("value"), value.clone()));
                }
            }
            examples.retain(|(pointer, _)| self.example_pointers.insert(pointer.clone()));
            self.examples.extend(examples.into_iter().map(|(pointer, value)| Example {
                pointer,
                ty: ty.clone(),
                nullable,
                value,
                undefined_members: Vec::new(),
            }));
        }
        Ok(())
    }

    /// The Rust type of the schema standing at `at`; `name` is what a new inline type is called.
    fn type_of(&mut self, schema: At<'_>, at: &Pointer, name: &str) -> Result<TypeRef, Error> {
        if let Some(known) = self.memo.get(at) {
            return Ok(known.clone());
        }
        self.descend(at)?;
        let ty = match schema {
            At::Ref(reference) => self.resolve_ref(reference, at)?,
            At::Inline(schema) => {
                let ty = match self.shape(schema, at, name)? {
                    Shape::Plain(ty) => ty,
                    Shape::Item(kind) => TypeRef::Named(self.inline_type(schema, at, name, kind)),
                };
                self.record_example(&schema.schema_data, at, ty.clone());
                ty
            }
        };
        self.depth -= 1;
        self.memo.insert(at.clone(), ty.clone());
        Ok(ty)
    }

    /// A new inline type, or the existing one with the same schema text.
    fn inline_type(&mut self, schema: &Schema, at: &Pointer, name: &str, kind: TypeKind) -> TypeId {
        // Inline enums are only merged into named ones: two inline enums with the same values
        // may mean different things, and the first one's name would mislead at the second.
        if let TypeKind::Enum(e) = &kind {
            let values = sorted(&e.variants.iter().map(|v| v.value.clone()).collect::<Vec<_>>());
            if let Some(id) = self.enums_by_values.get(&values) {
                return *id;
            }
        }
        let shape_key = self.spec.node(at).map(|node| node.to_string());
        if let Some(id) = shape_key.as_ref().and_then(|key| self.by_shape.get(key)) {
            return *id;
        }
        let description = schema.schema_data.description.clone().or_else(|| self.inherited_description(schema, at));
        let id = self.new_type(name, at, None, description, kind);
        if let Some(key) = shape_key {
            self.by_shape.insert(key, id);
        }
        id
    }

    fn new_type(
        &mut self,
        wanted: &str,
        at: &Pointer,
        schema_name: Option<&str>,
        description: Option<String>,
        kind: TypeKind,
    ) -> TypeId {
        let name = self.type_names.claim(wanted, "");
        if name != wanted {
            // Names clash when they are equal ignoring case and `_` (they are also file names).
            let key = |n: &str| n.to_ascii_lowercase().replace('_', "");
            let owner = match self.types.iter().find(|t| key(&t.name) == key(wanted)) {
                Some(owner) => format!("by `{}` (#{})", owner.name, owner.origin.pointer.short()),
                None => "by the crate itself".to_owned(),
            };
            self.warnings.push(Warning {
                pointer: at.clone(),
                message: format!("type name `{wanted}` is already taken {owner}; this type is called `{name}`"),
            });
        }
        let id = TypeId(self.types.len());
        let module = naming::snake(&name, "model");
        let origin = Origin { pointer: at.clone(), schema_name: schema_name.map(str::to_owned) };
        self.types.push(TypeDef {
            name,
            module,
            origin,
            description,
            kind,
            features: BTreeSet::new(),
            usage: Vec::new(),
            eq_hash: false,
        });
        id
    }

    /// What `schema` is, without naming it yet.
    fn shape(&mut self, schema: &Schema, at: &Pointer, name: &str) -> Result<Shape, Error> {
        let plain = |ty| Ok(Shape::Plain(ty));
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                Ok(Shape::Item(TypeKind::Enum(string_enum(&values))))
            }
            SchemaKind::Type(Type::String(_)) => plain(TypeRef::String),
            SchemaKind::Type(Type::Boolean(b)) => {
                self.warn_unexpressed_enum(at, b.enumeration.len(), "boolean");
                plain(TypeRef::Bool)
            }
            SchemaKind::Type(Type::Number(n)) => {
                self.warn_unexpressed_enum(at, n.enumeration.len(), "number");
                plain(TypeRef::F64)
            }
            SchemaKind::Type(Type::Integer(i)) => {
                self.warn_unexpressed_enum(at, i.enumeration.len(), "integer");
                plain(match i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                    _ => TypeRef::I64,
                })
            }
            SchemaKind::Type(Type::Array(array)) => {
                let item = match &array.items {
                    Some(items) => self.type_of(items.into(), &at.push("items"), &format!("{name}Item"))?,
                    None => TypeRef::Json,
                };
                plain(TypeRef::Vec(Box::new(item)))
            }
            SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } => self.object_shape(schema, at, name),
            SchemaKind::OneOf { one_of: members } | SchemaKind::AnyOf { any_of: members } => {
                let keyword = if matches!(schema.schema_kind, SchemaKind::OneOf { .. }) { "oneOf" } else { "anyOf" };
                self.union_shape(schema, members, &at.push(keyword), name)
            }
            SchemaKind::Not { .. } => {
                Err(self.spec.error(&at.push("not"), "`not` schemas cannot be expressed as a Rust type"))
            }
            SchemaKind::Any(any) => {
                let empty = any.typ.is_none()
                    && any.properties.is_empty()
                    && any.additional_properties.is_none()
                    && any.items.is_none()
                    && any.enumeration.is_empty()
                    && any.one_of.is_empty()
                    && any.all_of.is_empty()
                    && any.any_of.is_empty()
                    && any.not.is_none();
                if empty {
                    return plain(TypeRef::Json);
                }
                if any.typ.as_deref().is_none_or(|t| t == "object")
                    && any.one_of.is_empty()
                    && any.any_of.is_empty()
                    && any.not.is_none()
                    && any.enumeration.is_empty()
                    && any.items.is_none()
                {
                    return self.object_shape(schema, at, name);
                }
                Err(self.spec.error(at, format!("unsupported combination of schema keywords{}", describe_any(any))))
            }
        }
    }

    fn object_shape(&mut self, schema: &Schema, at: &Pointer, name: &str) -> Result<Shape, Error> {
        let parts = self.object_parts(schema, at)?;
        let additional = match &parts.additional {
            None => None,
            Some((extra, extra_at)) => match extra.as_ref() {
                AdditionalProperties::Any(false) => None,
                AdditionalProperties::Any(true) => Some(TypeRef::Json),
                AdditionalProperties::Schema(value) => {
                    Some(self.type_of(value.as_ref().into(), extra_at, &format!("{name}Value"))?)
                }
            },
        };
        if parts.properties.is_empty() {
            return Ok(Shape::Plain(match additional {
                None | Some(TypeRef::Json) => TypeRef::JsonObject,
                Some(value) => TypeRef::Map(Box::new(value)),
            }));
        }
        let mut field_names = Scope::default();
        let mut fields = Vec::with_capacity(parts.properties.len());
        for property in &parts.properties {
            let schema = property.schema.as_ref();
            let annotations = match schema {
                ReferenceOr::Reference { reference } => {
                    let mut own = Annotations::of_raw(self.spec.node(&property.at));
                    own.nullable |= self.target_is_nullable(reference);
                    own
                }
                ReferenceOr::Item(schema) => Annotations::of_data(&schema.schema_data),
            };
            let ty = self.type_of(
                schema.into(),
                &property.at,
                &format!("{name}{}", naming::camel(&property.json_name, "Field")),
            )?;
            fields.push(Field {
                rust_name: field_names.claim(&naming::snake(&property.json_name, "field"), "_"),
                json_name: property.json_name.clone(),
                ty,
                required: parts.required.contains(&property.json_name),
                nullable: annotations.nullable,
                read_only: annotations.read_only,
                deprecated: annotations.deprecated,
                boxed: false,
                description: annotations.description,
                default: annotations.default,
            });
        }
        // `additionalProperties: true` keeps exactly the members the spec does not list: the same
        // field as every other struct's, so users find them under one name. Typed ones are not
        // unknown, and keep their own name.
        let additional = additional.map(|ty| {
            let wanted = if ty == TypeRef::Json { "unknown_members" } else { "additional_properties" };
            AdditionalMembers { rust_name: field_names.claim(wanted, "_"), ty }
        });
        // Claimed after the spec's members, so a property of the same name keeps its name.
        let unknown_members = additional.is_none().then(|| field_names.claim("unknown_members", "_"));
        Ok(Shape::Item(TypeKind::Struct(Struct { fields, additional, unknown_members })))
    }

    /// Gathers an object's members, merging `allOf` members (and the members' own `allOf`s).
    fn object_parts<'a>(&mut self, schema: &'a Schema, at: &Pointer) -> Result<ObjectParts<'a>, Error> {
        self.descend(at)?;
        self.merging.push(at.clone());
        let parts = self.object_parts_here(schema, at);
        self.merging.pop();
        parts
    }

    fn object_parts_here<'a>(&mut self, schema: &'a Schema, at: &Pointer) -> Result<ObjectParts<'a>, Error> {
        let mut parts = ObjectParts { description: schema.schema_data.description.clone(), ..ObjectParts::default() };
        let (properties, required, additional, all_of): (_, &[String], _, &[ReferenceOr<Schema>]) =
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    (Some(&o.properties), &o.required, o.additional_properties.as_ref(), &[])
                }
                SchemaKind::AllOf { all_of } => (None, &[], None, all_of),
                SchemaKind::Any(any) => {
                    (Some(&any.properties), &any.required, any.additional_properties.as_ref(), &any.all_of)
                }
                _ => return Err(self.spec.error(at, "`allOf` members must be objects")),
            };
        let all_of_at = at.push("allOf");
        for (index, member) in all_of.iter().enumerate() {
            let member_at = all_of_at.push(&index.to_string());
            let (member_schema, member_at) = match member {
                ReferenceOr::Reference { reference } => {
                    let target = self.ref_pointer(reference, &member_at)?;
                    if let Some(start) = self.merging.iter().position(|p| *p == target) {
                        return Err(self.cycle_error(&member_at, "`allOf`", &self.merging[start..], &target));
                    }
                    (Cow::Owned(self.schema_at(&target)?), target)
                }
                ReferenceOr::Item(schema) => (Cow::Borrowed(schema), member_at),
            };
            let inner = self.object_parts(&member_schema, &member_at)?;
            parts.merge(inner.into_owned());
        }
        let properties_at = at.push("properties");
        for (json_name, schema) in properties.into_iter().flatten() {
            parts.properties.retain(|p| &p.json_name != json_name);
            parts.properties.push(Property {
                json_name: json_name.clone(),
                schema: Cow::Borrowed(schema),
                at: properties_at.push(json_name),
            });
        }
        parts.required.extend(required.iter().cloned());
        if let Some(extra) = additional {
            parts.additional = Some((Cow::Borrowed(extra), at.push("additionalProperties")));
        }
        self.depth -= 1;
        Ok(parts)
    }

    fn union_shape(
        &mut self,
        schema: &Schema,
        members: &[ReferenceOr<Schema>],
        at: &Pointer,
        name: &str,
    ) -> Result<Shape, Error> {
        let discriminator = schema.schema_data.discriminator.as_ref();
        let mut variant_names = Scope::default();
        let mut variants = Vec::with_capacity(members.len());
        for (index, member) in members.iter().enumerate() {
            let member_at = at.push(&index.to_string());
            let ty = self.type_of(member.into(), &member_at, &format!("{name}Variant{index}"))?;
            let (rust_name, tag_value) = match (member, &ty) {
                (ReferenceOr::Reference { reference }, TypeRef::Named(id)) => {
                    let schema_name = reference.rsplit('/').next().unwrap_or_default();
                    let tag = discriminator.map(|d| {
                        d.mapping
                            .iter()
                            .find(|(_, target)| *target == reference)
                            .map(|(value, _)| value.clone())
                            .unwrap_or_else(|| schema_name.to_owned())
                    });
                    (self.types[id.0].name.clone(), tag)
                }
                _ => (format!("Variant{index}"), None),
            };
            if discriminator.is_some() && tag_value.is_none() {
                return Err(self.spec.error(
                    &member_at,
                    "with a `discriminator`, every `oneOf` member must be a `$ref` to a named schema",
                ));
            }
            variants.push(UnionVariant { rust_name: variant_names.claim(&rust_name, ""), tag_value, ty });
        }
        Ok(Shape::Item(TypeKind::Union(Union { tag: discriminator.map(|d| d.property_name.clone()), variants })))
    }

    /// Records that the current operation's tags use `ty`.
    fn note_root(&mut self, ty: &TypeRef) {
        let tags = self.tags.clone();
        self.roots.extend(tags.into_iter().map(|tag| (tag, ty.clone())));
    }

    /// Only string enums become Rust enums; other `enum`s keep their plain type, which is said.
    fn warn_unexpressed_enum(&mut self, at: &Pointer, values: usize, kind: &str) {
        if values > 0 {
            self.warnings.push(Warning {
                pointer: at.push("enum"),
                message: format!("this {kind} schema's `enum` is not expressed in Rust: the value is a plain {kind} and any value is accepted"),
            });
        }
    }

    fn record_example(&mut self, data: &SchemaData, at: &Pointer, ty: TypeRef) {
        if let Some(value) = &data.example {
            self.examples.push(Example {
                pointer: at.push("example"),
                ty,
                nullable: data.nullable,
                value: value.clone(),
                undefined_members: Vec::new(),
            });
        }
    }

    /// The description a composed schema inherits from its first `allOf` member that has one.
    fn inherited_description(&self, schema: &Schema, at: &Pointer) -> Option<String> {
        let SchemaKind::AllOf { all_of } = &schema.schema_kind else { return None };
        all_of.iter().enumerate().find_map(|(index, member)| match member {
            ReferenceOr::Item(s) => s.schema_data.description.clone(),
            ReferenceOr::Reference { reference } => {
                let target = self.ref_pointer(reference, &at.push("allOf").push(&index.to_string())).ok()?;
                Annotations::of_raw(self.spec.node(&target)).description
            }
        })
    }

    fn target_is_nullable(&self, reference: &str) -> bool {
        Pointer::from_ref(reference).is_some_and(|p| Annotations::of_raw(self.spec.node(&p)).nullable)
    }

    /// Checks a `$ref` and returns the pointer it names.
    fn ref_pointer(&self, reference: &str, at: &Pointer) -> Result<Pointer, Error> {
        let ref_at = at.push("$ref");
        let Some(target) = Pointer::from_ref(reference) else {
            return Err(self
                .spec
                .error(&ref_at, format!("only local `$ref`s (`#/…`) are supported, found `{reference}`")));
        };
        if self.spec.node(&target).is_none() {
            return Err(self.spec.error(&ref_at, format!("`$ref` points at nothing: `{reference}`")));
        }
        if !target.as_str().starts_with(&format!("{SCHEMAS}/")) {
            return Err(self
                .spec
                .error(&ref_at, format!("`$ref` to `{reference}`, which is not a schema under `#{SCHEMAS}`")));
        }
        Ok(target)
    }

    fn resolve_ref(&mut self, reference: &str, at: &Pointer) -> Result<TypeRef, Error> {
        let target = self.ref_pointer(reference, at)?;
        if let Some(known) = self.memo.get(&target) {
            return Ok(known.clone());
        }
        // A pointer into a named schema: define that schema, which gives the inner location its type.
        if let Some(owner) = target.segments().nth(2) {
            self.define_named(&owner)?;
            if let Some(known) = self.memo.get(&target) {
                return Ok(known.clone());
            }
        }
        let name = name_from_pointer(&target);
        // Following the pointer may lead back here before any type is made (`$ref`s into
        // properties that point at each other): that cycle has no Rust type.
        if let Some(start) = self.resolving.iter().position(|p| *p == target) {
            return Err(self.cycle_error(at, "`$ref`", &self.resolving[start..], &target));
        }
        self.resolving.push(target.clone());
        let result = match self.spec.node(&target).and_then(|node| node.get("$ref")) {
            // A `$ref` to a `$ref` whose own schema is still being walked: follow it.
            Some(Value::String(next)) => self.type_of(At::Ref(next), &target, &name),
            _ => self.schema_at(&target).and_then(|schema| self.type_of(At::Inline(&schema), &target, &name)),
        };
        self.resolving.pop();
        result
    }

    /// The error for a cycle of places `path` that `target` closes.
    fn cycle_error(&self, at: &Pointer, what: &str, path: &[Pointer], target: &Pointer) -> Error {
        let cycle: Vec<String> = path.iter().chain([target]).map(|p| format!("#{}", p.short())).collect();
        self.spec.error(at, format!("{what} cycle that cannot be represented: {}", cycle.join(" → ")))
    }

    /// Goes one level deeper, or fails: specs that nest (or refer through `allOf` and `$ref`s)
    /// beyond [`MAX_DEPTH`] get an error, not a stack overflow. Errors end the whole walk, so
    /// only successful returns climb back up (`self.depth -= 1`).
    fn descend(&mut self, at: &Pointer) -> Result<(), Error> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep = true;
            return Err(self.spec.error(
                at,
                format!(
                    "schemas nest more than {MAX_DEPTH} levels deep through properties, items, `allOf` and `$ref`s \
                     (is there a `$ref` cycle?)"
                ),
            ));
        }
        Ok(())
    }

    fn schema_at(&self, pointer: &Pointer) -> Result<Schema, Error> {
        node_as(self.spec, pointer)
    }
}

impl ObjectParts<'_> {
    fn into_owned(self) -> ObjectParts<'static> {
        ObjectParts {
            properties: self
                .properties
                .into_iter()
                .map(|p| Property { json_name: p.json_name, schema: Cow::Owned(p.schema.into_owned()), at: p.at })
                .collect(),
            required: self.required,
            additional: self.additional.map(|(a, at)| (Cow::Owned(a.into_owned()), at)),
            description: self.description,
        }
    }

    fn merge(&mut self, other: ObjectParts<'_>) {
        for property in other.properties {
            self.properties.retain(|p| p.json_name != property.json_name);
            self.properties.push(Property {
                json_name: property.json_name,
                schema: Cow::Owned(property.schema.into_owned()),
                at: property.at,
            });
        }
        self.required.extend(other.required);
        if other.additional.is_some() {
            self.additional = other.additional.map(|(a, at)| (Cow::Owned(a.into_owned()), at));
        }
        if self.description.is_none() {
            self.description = other.description;
        }
    }
}

/// Whether two problems are one: equal, or the same cycle met from another of its members (the
/// walk reaches a cycle once from each named schema on it).
fn same_problem(a: &Problem, b: &Problem) -> bool {
    const CYCLE: &str = " cycle that cannot be represented: ";
    fn members(problem: &Problem) -> Option<(&str, BTreeSet<&str>)> {
        let (kind, cycle) = problem.message.split_once(CYCLE)?;
        Some((kind, cycle.split(" → ").collect()))
    }
    a == b || members(a).is_some_and(|cycle| members(b) == Some(cycle))
}

/// `components/responses` keys are often status codes, which make no type name on their own.
fn component_response_name(key: &str) -> String {
    if key.starts_with(|c: char| c.is_ascii_digit()) {
        naming::camel(&format!("response {key}"), "Response")
    } else {
        naming::camel(key, "Response")
    }
}

fn string_enum(values: &[String]) -> StringEnum {
    let mut names = Scope::default();
    let mut seen = BTreeSet::new();
    let variants: Vec<Variant> = values
        .iter()
        // A value listed twice is one variant (a second would be an unreachable match arm).
        .filter(|value| seen.insert(value.as_str()))
        .map(|value| Variant { value: value.clone(), rust_name: names.claim(&naming::camel(value, "Empty"), "") })
        .collect();
    let fallback = ["Unrecognized", "UnrecognizedValue", "OtherValue"]
        .into_iter()
        .map(str::to_owned)
        .chain((2..).map(|n| format!("Unrecognized{n}")))
        .find(|candidate| !variants.iter().any(|v| v.rust_name.eq_ignore_ascii_case(candidate)))
        .unwrap_or_default();
    StringEnum { variants, fallback }
}

/// A readable type name for a schema reached only through a pointer (`…/Client/properties/x`).
fn name_from_pointer(pointer: &Pointer) -> String {
    pointer
        .segments()
        .skip(2)
        .filter(|s| !matches!(s.as_str(), "properties" | "allOf" | "oneOf" | "anyOf"))
        .map(|s| match s.as_str() {
            "items" => "Item".to_owned(),
            "additionalProperties" => "Value".to_owned(),
            _ => naming::camel(&s, "Schema"),
        })
        .collect()
}

fn sorted(values: &[String]) -> Vec<String> {
    let mut values = values.to_vec();
    values.sort();
    values
}

fn describe_any(any: &openapiv3::AnySchema) -> String {
    let mut present = Vec::new();
    if let Some(t) = &any.typ {
        present.push(format!("type: {t}"));
    }
    for (key, set) in [
        ("properties", !any.properties.is_empty()),
        ("items", any.items.is_some()),
        ("enum", !any.enumeration.is_empty()),
        ("oneOf", !any.one_of.is_empty()),
        ("anyOf", !any.any_of.is_empty()),
        ("allOf", !any.all_of.is_empty()),
        ("not", any.not.is_some()),
    ] {
        if set {
            present.push(key.to_owned());
        }
    }
    format!(" ({})", present.join(", "))
}
