//! Planning the selection of a `Get` class field: which properties, nested subfields and
//! `_additional` fields to return, under which response keys, in which order. Unknown fields are
//! validation errors with graphql-go's messages and Weaviate's generated type names.

use graphql_parser::query::{Selection, TypeCondition};
use model::{ReferenceQuery, ReferenceTarget};
use types::schema::{Class, DataType, NestedProperty};

use super::error::{self, Diag, GqlError};
use super::fields::{class_type_name, merge, no_arguments, Merged, QSelection};
use super::Classes;

mod group;

pub(crate) use group::grouped_by;

/// What to return for each hit of one class.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct SelectPlan {
    pub fields: Vec<OutField>,
    /// `_additional { vector }` or `_additional { vectors {...} }` was asked for.
    pub with_vectors: bool,
    /// `_additional { certainty }` was asked for (only defined for cosine).
    pub wants_certainty: bool,
    /// `_additional { explainScore }` was asked for.
    pub explain_score: bool,
}

/// One requested field of an object level, in request order.
#[derive(Debug, PartialEq)]
pub(crate) enum OutField {
    /// `__typename`: a constant.
    Typename { key: String, value: String },
    /// A value taken from the object's JSON by name (a property, a nested or geo/phone subfield,
    /// or a named vector under `_additional { vectors }`).
    Value {
        key: String,
        name: String,
        shape: Shape,
    },
    /// `_additional { ... }`.
    Additional { key: String, fields: Vec<AddField> },
    /// A cross-reference property: its resolved objects, each rendered with the fields of
    /// the inline fragment on its class.
    Reference {
        key: String,
        name: String,
        targets: Vec<RefTarget>,
    },
}

/// `... on Class { fields }` under a reference property.
#[derive(Debug, PartialEq)]
pub(crate) struct RefTarget {
    pub class: String,
    pub fields: Vec<OutField>,
    pub with_vectors: bool,
}

impl SelectPlan {
    /// The references a search must resolve for this selection.
    pub(crate) fn references(&self) -> Vec<ReferenceQuery> {
        reference_queries(&self.fields)
    }
}

fn reference_queries(fields: &[OutField]) -> Vec<ReferenceQuery> {
    fields
        .iter()
        .filter_map(|f| match f {
            OutField::Reference { name, targets, .. } => Some(ReferenceQuery {
                property: name.clone(),
                targets: targets
                    .iter()
                    .map(|t| ReferenceTarget {
                        class: t.class.clone(),
                        with_vectors: t.with_vectors,
                        references: reference_queries(&t.fields),
                    })
                    .collect(),
            }),
            OutField::Typename { .. } | OutField::Value { .. } | OutField::Additional { .. } => {
                None
            }
        })
        .collect()
}

/// How a value is rendered.
#[derive(Debug, PartialEq)]
pub(crate) enum Shape {
    /// As stored.
    Leaf,
    /// An object (or a list of objects) of which only these subfields are returned.
    Object(Vec<OutField>),
}

/// One field of `_additional`.
#[derive(Debug, PartialEq)]
pub(crate) struct AddField {
    pub key: String,
    pub kind: AddKind,
}

/// The `_additional` fields Shoal serves.
#[derive(Debug, PartialEq)]
pub(crate) enum AddKind {
    Typename(String),
    Id,
    Distance,
    Certainty,
    Vector,
    /// Named vectors: `Value` fields name the target vectors.
    Vectors(Vec<OutField>),
    CreationTimeUnix,
    LastUpdateTimeUnix,
    /// bm25 / hybrid score, as a string.
    Score,
    /// How the score came about, as a string.
    ExplainScore,
    /// The group of a grouped search (`groupBy`).
    Group(Vec<GroupField>),
    /// Whether the replicas agreed on the object (with replication only).
    IsConsistent,
}

/// One field of `_additional { group { ... } }`.
#[derive(Debug, PartialEq)]
pub(crate) struct GroupField {
    pub key: String,
    pub kind: GroupKind,
}

/// The fields of a group.
#[derive(Debug, PartialEq)]
pub(crate) enum GroupKind {
    Typename(String),
    Id,
    Count,
    MinDistance,
    MaxDistance,
    /// `groupedBy { path value }`.
    GroupedBy(Vec<(String, GroupedByKind)>),
    /// The objects of the group: their properties and `_additional { id distance vector }`.
    Hits(Vec<OutField>),
}

/// The fields of `groupedBy` (of a Get group or of an Aggregate row).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum GroupedByKind {
    Typename(String),
    Path,
    Value,
}

/// An object level of the generated schema: what its fields are and what its type is called.
pub(super) enum Level<'s> {
    /// A class, with every class of the schema for the fragments of its references.
    Class(&'s Class, &'s Classes),
    Geo(String),
    Phone(String),
    Nested {
        class: &'s str,
        prefix: String,
        props: &'s [NestedProperty],
        ty: String,
    },
    Vectors(&'s Class),
    /// `_additional { group { hits { ... } } }`: the class's properties and a small
    /// `_additional`.
    GroupHits(&'s Class),
}

/// What a field name refers to on a level.
enum Child<'s> {
    /// A scalar or list of scalars, with its GraphQL type name.
    Leaf(String),
    /// An object-typed field: its type name (for messages) and its level.
    Object(String, Level<'s>),
    /// A cross-reference property to these classes.
    Reference(&'s [String]),
    Additional,
    /// `_additional` of a group hit.
    HitAdditional,
}

/// Plans the selection set of the `Get` field of `class`.
pub(crate) fn plan(
    class: &Class,
    classes: &Classes,
    items: &[&QSelection],
    diag: &mut Diag,
) -> SelectPlan {
    let mut plan = SelectPlan::default();
    plan.fields = plan_level(&Level::Class(class, classes), items, diag, &mut plan);
    plan
}

pub(super) fn plan_level(
    level: &Level<'_>,
    items: &[&QSelection],
    diag: &mut Diag,
    flags: &mut SelectPlan,
) -> Vec<OutField> {
    let type_name = level.type_name();
    let mut out = Vec::new();
    for m in merge(items, diag) {
        if m.name == "__typename" {
            no_arguments(&m, &type_name, diag);
            leaf_only(&m, "String", diag);
            out.push(OutField::Typename {
                key: m.key,
                value: type_name.clone(),
            });
            continue;
        }
        let Some(child) = level.child(&m.name) else {
            diag.invalid(error::unknown_field(&m.name, &type_name, m.pos));
            continue;
        };
        no_arguments(&m, &type_name, diag);
        if let Some(field) = plan_child(child, &m, level, diag, flags) {
            out.push(field);
        }
    }
    out
}

fn plan_child(
    child: Child<'_>,
    m: &Merged<'_>,
    level: &Level<'_>,
    diag: &mut Diag,
    flags: &mut SelectPlan,
) -> Option<OutField> {
    match child {
        Child::Leaf(ty) => {
            leaf_only(m, &ty, diag);
            Some(OutField::Value {
                key: m.key.clone(),
                name: m.name.clone(),
                shape: Shape::Leaf,
            })
        }
        Child::Object(ty, sub) => {
            if !m.has_selection() {
                diag.invalid(error::needs_selection(&m.name, &ty, m.pos));
                return None;
            }
            let fields = plan_level(&sub, &m.items, diag, flags);
            Some(OutField::Value {
                key: m.key.clone(),
                name: m.name.clone(),
                shape: Shape::Object(fields),
            })
        }
        Child::Reference(targets) => {
            let Level::Class(class, classes) = level else {
                diag.unsupported(error::field_not_supported(
                    &format!("the cross-reference property \"{}\" of group hits", m.name),
                    m.pos,
                ));
                return None;
            };
            let targets = plan_reference(class, classes, targets, m, diag)?;
            Some(OutField::Reference {
                key: m.key.clone(),
                name: m.name.clone(),
                targets,
            })
        }
        Child::Additional => {
            let Level::Class(class, _) = level else {
                return None;
            };
            let fields = plan_additional(class, m, diag, flags)?;
            Some(OutField::Additional {
                key: m.key.clone(),
                fields,
            })
        }
        Child::HitAdditional => {
            let Level::GroupHits(class) = level else {
                return None;
            };
            let fields = group::plan_hit_additional(class, m, diag, flags)?;
            Some(OutField::Additional {
                key: m.key.clone(),
                fields,
            })
        }
    }
}

pub(super) fn leaf_only(m: &Merged<'_>, ty: &str, diag: &mut Diag) {
    if m.has_selection() {
        diag.invalid(error::no_selection_allowed(&m.name, ty, m.pos));
    }
}

/// The selection of a reference property: only inline fragments on its target classes, each
/// planned as a class level of its own. The union type is named `<Class><Prop>Obj`, as
/// Weaviate names it.
fn plan_reference(
    class: &Class,
    classes: &Classes,
    targets: &[String],
    m: &Merged<'_>,
    diag: &mut Diag,
) -> Option<Vec<RefTarget>> {
    let union = format!("{}{}Obj", class.class, capitalized(&m.name));
    if !m.has_selection() {
        diag.invalid(error::needs_selection(
            &m.name,
            &format!("[{union}]"),
            m.pos,
        ));
        return None;
    }
    let mut out: Vec<RefTarget> = Vec::new();
    for item in &m.items {
        let fragment = match item {
            Selection::InlineFragment(f) => f,
            Selection::Field(f) => {
                diag.invalid(GqlError::new(
                    format!(
                        "Cannot query field \"{}\" on type \"{union}\". Did you mean to use an inline fragment on \"{}\"?",
                        f.name,
                        targets.join("\" or \"")
                    ),
                    f.position,
                ));
                continue;
            }
            Selection::FragmentSpread(f) => {
                diag.unsupported(error::field_not_supported("named fragments", f.position));
                continue;
            }
        };
        let Some(TypeCondition::On(on)) = &fragment.type_condition else {
            diag.unsupported(error::field_not_supported(
                "inline fragments without a type",
                fragment.position,
            ));
            continue;
        };
        let target = targets
            .iter()
            .find(|t| *t == on)
            .and_then(|t| classes.get(t));
        let Some(target) = target else {
            diag.invalid(GqlError::new(
                format!("Fragment cannot be spread here as objects of type \"{union}\" can never be of type \"{on}\"."),
                fragment.position,
            ));
            continue;
        };
        let mut flags = SelectPlan::default();
        let items: Vec<&QSelection> = fragment.selection_set.items.iter().collect();
        let fields = plan_level(&Level::Class(target, classes), &items, diag, &mut flags);
        match out.iter_mut().find(|t| t.class == target.class) {
            // `... on A {x} ... on A {y}` selects both
            Some(existing) => {
                existing.fields.extend(fields);
                existing.with_vectors |= flags.with_vectors;
            }
            None => out.push(RefTarget {
                class: target.class.clone(),
                fields,
                with_vectors: flags.with_vectors,
            }),
        }
    }
    Some(out)
}

fn capitalized(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `_additional { ... }`: Weaviate's fields, of which the ones tied to features Shoal lacks
/// (classification, consistency) are refused rather than answered with nulls.
fn plan_additional(
    class: &Class,
    m: &Merged<'_>,
    diag: &mut Diag,
    flags: &mut SelectPlan,
) -> Option<Vec<AddField>> {
    let type_name = format!("{}Additional", class.class);
    if !m.has_selection() {
        diag.invalid(error::needs_selection(&m.name, &type_name, m.pos));
        return None;
    }
    let mut out = Vec::new();
    for f in merge(&m.items, diag) {
        let kind = match f.name.as_str() {
            "__typename" => AddKind::Typename(type_name.clone()),
            "id" => AddKind::Id,
            "distance" => AddKind::Distance,
            "certainty" => {
                flags.wants_certainty = true;
                AddKind::Certainty
            }
            "vector" => {
                flags.with_vectors = true;
                AddKind::Vector
            }
            "creationTimeUnix" => AddKind::CreationTimeUnix,
            "lastUpdateTimeUnix" => AddKind::LastUpdateTimeUnix,
            "vectors" if class.has_named_vectors() => {
                flags.with_vectors = true;
                let ty = format!("{}AdditionalVectors", class.class);
                if !f.has_selection() {
                    diag.invalid(error::needs_selection(&f.name, &ty, f.pos));
                    continue;
                }
                AddKind::Vectors(plan_level(&Level::Vectors(class), &f.items, diag, flags))
            }
            "score" => AddKind::Score,
            "explainScore" => {
                flags.explain_score = true;
                AddKind::ExplainScore
            }
            "group" => match group::plan_group(class, &f, diag, flags) {
                Some(fields) => AddKind::Group(fields),
                None => continue,
            },
            "classification" => {
                diag.unsupported(error::field_not_supported(
                    &format!("_additional {{ {} }}", f.name),
                    f.pos,
                ));
                continue;
            }
            "isConsistent" if class.replication_config.factor > 1 => AddKind::IsConsistent,
            _ => {
                diag.invalid(error::unknown_field(&f.name, &type_name, f.pos));
                continue;
            }
        };
        no_arguments(&f, &type_name, diag);
        if let Some(ty) = additional_leaf_type(&kind) {
            leaf_only(&f, ty, diag);
        }
        out.push(AddField { key: f.key, kind });
    }
    Some(out)
}

/// The GraphQL type of a scalar `_additional` field (`None` for `vectors`, an object).
fn additional_leaf_type(kind: &AddKind) -> Option<&'static str> {
    match kind {
        AddKind::Distance | AddKind::Certainty => Some("Float"),
        AddKind::Vector => Some("[Float]"),
        AddKind::Vectors(_) | AddKind::Group(_) => None,
        AddKind::IsConsistent => Some("Boolean"),
        AddKind::Typename(_)
        | AddKind::Id
        | AddKind::CreationTimeUnix
        | AddKind::LastUpdateTimeUnix
        | AddKind::Score
        | AddKind::ExplainScore => Some("String"),
    }
}

impl<'s> Level<'s> {
    fn type_name(&self) -> String {
        match self {
            Level::Class(c, _) => class_type_name(&c.class),
            Level::Geo(ty) | Level::Phone(ty) | Level::Nested { ty, .. } => ty.clone(),
            Level::Vectors(c) => format!("{}AdditionalVectors", c.class),
            Level::GroupHits(c) => format!("{}AdditionalGroupHits", c.class),
        }
    }

    fn child(&self, name: &str) -> Option<Child<'s>> {
        match self {
            Level::Class(class, _) => class_child(class, name),
            Level::Geo(_) => {
                matches!(name, "latitude" | "longitude").then(|| Child::Leaf("Float".into()))
            }
            Level::Phone(_) => phone_child(name),
            Level::Nested {
                class,
                prefix,
                props,
                ..
            } => {
                let p = props.iter().find(|p| p.name == name)?;
                let kind = p.kind();
                match (&p.nested_properties, kind) {
                    (Some(sub), Some(k @ (DataType::Object | DataType::ObjectArray))) => {
                        Some(nested(
                            class,
                            &format!("{prefix}_{name}"),
                            sub,
                            k == DataType::ObjectArray,
                        ))
                    }
                    (_, kind) => Some(Child::Leaf(leaf_type(kind.as_ref()))),
                }
            }
            Level::Vectors(class) => class
                .vector_config
                .as_ref()
                .is_some_and(|v| v.contains_key(name))
                .then(|| Child::Leaf("[Float]".into())),
            Level::GroupHits(_) if name == "_additional" => Some(Child::HitAdditional),
            Level::GroupHits(class) => class_child(class, name),
        }
    }
}

fn class_child<'s>(class: &'s Class, name: &str) -> Option<Child<'s>> {
    if name == "_additional" {
        return Some(Child::Additional);
    }
    let prop = class.property(name)?;
    let c = &class.class;
    Some(match prop.kind() {
        Some(DataType::GeoCoordinates) => {
            let ty = format!("{c}{name}GeoCoordinatesObj");
            Child::Object(ty.clone(), Level::Geo(ty))
        }
        Some(DataType::PhoneNumber) => {
            let ty = format!("{c}{name}PhoneNumberObj");
            Child::Object(ty.clone(), Level::Phone(ty))
        }
        Some(k @ (DataType::Object | DataType::ObjectArray)) => {
            let props = prop.nested_properties.as_deref().unwrap_or(&[]);
            nested(c, name, props, k == DataType::ObjectArray)
        }
        Some(DataType::Reference(_)) => Child::Reference(&prop.data_type),
        kind => Child::Leaf(leaf_type(kind.as_ref())),
    })
}

/// An `object` / `object[]` level, named `<Class>_<path>_object` as Weaviate names it.
fn nested<'s>(class: &'s str, prefix: &str, props: &'s [NestedProperty], list: bool) -> Child<'s> {
    let ty = format!("{class}_{prefix}_object");
    let shown = if list { format!("[{ty}]") } else { ty.clone() };
    Child::Object(
        shown,
        Level::Nested {
            class,
            prefix: prefix.to_string(),
            props,
            ty,
        },
    )
}

fn phone_child<'s>(name: &str) -> Option<Child<'s>> {
    let ty = match name {
        "input" | "internationalFormatted" | "nationalFormatted" | "defaultCountry" => "String",
        "national" | "countryCode" => "Int",
        "valid" => "Boolean",
        _ => return None,
    };
    Some(Child::Leaf(ty.into()))
}

/// The GraphQL type of a scalar property (dates, uuids and blobs are strings).
fn leaf_type(kind: Option<&DataType>) -> String {
    let scalar = match kind {
        Some(DataType::Int | DataType::IntArray) => "Int",
        Some(DataType::Number | DataType::NumberArray) => "Float",
        Some(DataType::Boolean | DataType::BooleanArray) => "Boolean",
        _ => "String",
    };
    let list = matches!(
        kind,
        Some(
            DataType::TextArray
                | DataType::IntArray
                | DataType::NumberArray
                | DataType::BooleanArray
                | DataType::DateArray
                | DataType::UuidArray
        )
    );
    if list {
        format!("[{scalar}]")
    } else {
        scalar.to_string()
    }
}

#[cfg(test)]
mod tests;
