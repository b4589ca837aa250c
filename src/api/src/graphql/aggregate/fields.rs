//! The selection of an `Aggregate` class field: `meta { count }`, `groupedBy { path value }`
//! and one object per aggregated property, whose fields depend on the property's type, with
//! the type names Weaviate generates (aggregate/aggregate.go, properties.go).
//!
//! geoCoordinates, phoneNumber, uuid and object properties are not part of Weaviate's
//! Aggregate type, so selecting them is graphql-go's "Cannot query field".

use types::schema::{Class, DataType};

use crate::graphql::error::{self, Diag, GqlError};
use crate::graphql::fields::{merge, no_arguments, Merged, QSelection};
use crate::graphql::select::{grouped_by, GroupedByKind};
use crate::graphql::value::{self, as_int, InputType};

/// Weaviate's number of top occurrences when `topOccurrences` has no `limit`.
const DEFAULT_TOP_OCCURRENCES: usize = 5;

/// A requested field of a result row.
#[derive(Debug, PartialEq)]
pub(crate) enum RowField {
    Typename {
        key: String,
        value: String,
    },
    Meta {
        key: String,
        fields: Vec<MetaField>,
    },
    GroupedBy {
        key: String,
        fields: Vec<(String, GroupedByKind)>,
    },
    Property {
        key: String,
        name: String,
        /// The data type's wire name, for `type`.
        data_type: String,
        fields: Vec<PropField>,
    },
}

/// A requested field of `meta`.
#[derive(Debug, PartialEq)]
pub(crate) enum MetaField {
    Typename { key: String, value: String },
    Count { key: String },
}

/// A requested field of a property's aggregation.
#[derive(Debug, PartialEq)]
pub(crate) struct PropField {
    pub key: String,
    pub kind: PropKind,
}

/// What a property field returns.
#[derive(Debug, PartialEq)]
pub(crate) enum PropKind {
    Typename(String),
    /// The property's data type name.
    Type,
    Stat(Stat),
    TopOccurrences {
        limit: usize,
        fields: Vec<(String, OccurrenceKind)>,
    },
}

/// One statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stat {
    Count,
    Minimum,
    Maximum,
    Mean,
    Median,
    Mode,
    Sum,
    TotalTrue,
    TotalFalse,
    PercentageTrue,
    PercentageFalse,
}

/// A field of `topOccurrences { value occurs }`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum OccurrenceKind {
    Typename(String),
    Value,
    Occurs,
}

/// How a property aggregates, by its data type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Numeric,
    Text,
    Boolean,
    Date,
    Reference,
}

/// Plans the selection of one class field.
pub(crate) fn plan_row(
    class: &Class,
    type_name: &str,
    items: &[&QSelection],
    diag: &mut Diag,
) -> Vec<RowField> {
    let mut out = Vec::new();
    for m in merge(items, diag) {
        no_arguments(&m, type_name, diag);
        let field = match m.name.as_str() {
            "__typename" => Some(RowField::Typename {
                key: m.key.clone(),
                value: type_name.into(),
            }),
            "meta" => plan_meta(&format!("{type_name}MetaObject"), &m, diag),
            "groupedBy" => {
                grouped_by(&m, &format!("{type_name}GroupedByObj"), diag).map(|fields| {
                    RowField::GroupedBy {
                        key: m.key.clone(),
                        fields,
                    }
                })
            }
            name => plan_property(class, type_name, &m, name, diag),
        };
        out.extend(field);
    }
    out
}

/// The names of the aggregated properties, once each, in request order.
pub(crate) fn properties(rows: &[RowField]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for row in rows {
        if let RowField::Property { name, .. } = row {
            if !out.contains(name) {
                out.push(name.clone());
            }
        }
    }
    out
}

/// The largest `topOccurrences(limit:)` selected (each field is cut to its own limit when
/// rendered); `None` when no field asks for top occurrences.
pub(crate) fn top_occurrences_limit(rows: &[RowField]) -> Option<usize> {
    let mut max = None;
    for row in rows {
        let RowField::Property { fields, .. } = row else {
            continue;
        };
        for field in fields {
            if let PropKind::TopOccurrences { limit, .. } = field.kind {
                max = max.max(Some(limit));
            }
        }
    }
    max
}

fn plan_meta(meta_type: &str, meta: &Merged<'_>, diag: &mut Diag) -> Option<RowField> {
    if !meta.has_selection() {
        diag.invalid(error::needs_selection(&meta.name, meta_type, meta.pos));
        return None;
    }
    let mut fields = Vec::new();
    for f in merge(&meta.items, diag) {
        no_arguments(&f, meta_type, diag);
        let (field, ty) = match f.name.as_str() {
            "__typename" => (
                MetaField::Typename {
                    key: f.key.clone(),
                    value: meta_type.into(),
                },
                "String",
            ),
            "count" => (MetaField::Count { key: f.key.clone() }, "Int"),
            name => {
                diag.invalid(error::unknown_field(name, meta_type, f.pos));
                continue;
            }
        };
        leaf_only(&f, ty, diag);
        fields.push(field);
    }
    Some(RowField::Meta {
        key: meta.key.clone(),
        fields,
    })
}

fn plan_property(
    class: &Class,
    type_name: &str,
    m: &Merged<'_>,
    name: &str,
    diag: &mut Diag,
) -> Option<RowField> {
    let Some((family, data_type)) = family_of(class, name) else {
        diag.invalid(error::unknown_field(name, type_name, m.pos));
        return None;
    };
    if family == Family::Reference {
        diag.unsupported(error::field_not_supported(
            &format!("aggregating the cross-reference property \"{name}\""),
            m.pos,
        ));
        return None;
    }
    let obj_type = format!("{type_name}{name}Obj");
    if !m.has_selection() {
        diag.invalid(error::needs_selection(name, &obj_type, m.pos));
        return None;
    }
    let mut fields = Vec::new();
    for f in merge(&m.items, diag) {
        if let Some(kind) = plan_prop_field(family, &obj_type, &f, diag) {
            fields.push(PropField { key: f.key, kind });
        }
    }
    Some(RowField::Property {
        key: m.key.clone(),
        name: name.to_string(),
        data_type,
        fields,
    })
}

/// The aggregation family and type name of a property, `None` when Weaviate's Aggregate type
/// has no field for it.
fn family_of(class: &Class, name: &str) -> Option<(Family, String)> {
    let kind = class.property(name)?.kind()?;
    let family = match kind {
        DataType::Int | DataType::IntArray | DataType::Number | DataType::NumberArray => {
            Family::Numeric
        }
        DataType::Text | DataType::TextArray | DataType::Blob => Family::Text,
        DataType::Boolean | DataType::BooleanArray => Family::Boolean,
        DataType::Date | DataType::DateArray => Family::Date,
        DataType::Reference(_) => Family::Reference,
        DataType::Uuid
        | DataType::UuidArray
        | DataType::GeoCoordinates
        | DataType::PhoneNumber
        | DataType::Object
        | DataType::ObjectArray => return None,
    };
    Some((family, kind.name().unwrap_or("cref").to_string()))
}

/// One field of a property object: which exist depends on the family.
fn plan_prop_field(
    family: Family,
    obj_type: &str,
    f: &Merged<'_>,
    diag: &mut Diag,
) -> Option<PropKind> {
    if f.name == "topOccurrences" && family == Family::Text {
        return plan_top_occurrences(obj_type, f, diag);
    }
    no_arguments(f, obj_type, diag);
    let Some((kind, ty)) = prop_leaf(family, &f.name, obj_type) else {
        diag.invalid(error::unknown_field(&f.name, obj_type, f.pos));
        return None;
    };
    leaf_only(f, ty, diag);
    Some(kind)
}

/// The leaf fields of each family and their GraphQL types (aggregate/properties.go). Dates have
/// no `type` field in Weaviate 1.27.
fn prop_leaf(family: Family, name: &str, obj_type: &str) -> Option<(PropKind, &'static str)> {
    use Family::*;
    let stat = |s| Some((PropKind::Stat(s), "Float"));
    match (family, name) {
        (_, "__typename") => Some((PropKind::Typename(obj_type.to_string()), "String")),
        (Numeric | Text | Boolean, "type") => Some((PropKind::Type, "String")),
        (_, "count") => Some((PropKind::Stat(Stat::Count), "Int")),
        (Numeric, "minimum") => stat(Stat::Minimum),
        (Numeric, "maximum") => stat(Stat::Maximum),
        (Numeric, "mean") => stat(Stat::Mean),
        (Numeric, "median") => stat(Stat::Median),
        (Numeric, "mode") => stat(Stat::Mode),
        (Numeric, "sum") => stat(Stat::Sum),
        (Date, "minimum") => Some((PropKind::Stat(Stat::Minimum), "String")),
        (Date, "maximum") => Some((PropKind::Stat(Stat::Maximum), "String")),
        (Date, "median") => Some((PropKind::Stat(Stat::Median), "String")),
        (Date, "mode") => Some((PropKind::Stat(Stat::Mode), "String")),
        (Boolean, "totalTrue") => Some((PropKind::Stat(Stat::TotalTrue), "Int")),
        (Boolean, "totalFalse") => Some((PropKind::Stat(Stat::TotalFalse), "Int")),
        (Boolean, "percentageTrue") => stat(Stat::PercentageTrue),
        (Boolean, "percentageFalse") => stat(Stat::PercentageFalse),
        _ => None,
    }
}

/// `topOccurrences(limit: N) { value occurs }`.
fn plan_top_occurrences(obj_type: &str, f: &Merged<'_>, diag: &mut Diag) -> Option<PropKind> {
    let limit = limit_argument(f, obj_type, diag);
    let base = obj_type.strip_suffix("Obj").unwrap_or(obj_type);
    let occ_type = format!("{base}TopOccurrencesObj");
    if !f.has_selection() {
        diag.invalid(error::needs_selection(
            &f.name,
            &format!("[{occ_type}]"),
            f.pos,
        ));
        return None;
    }
    let mut fields = Vec::new();
    for o in merge(&f.items, diag) {
        no_arguments(&o, &occ_type, diag);
        let (kind, ty) = match o.name.as_str() {
            "__typename" => (OccurrenceKind::Typename(occ_type.clone()), "String"),
            "value" => (OccurrenceKind::Value, "String"),
            "occurs" => (OccurrenceKind::Occurs, "Int"),
            name => {
                diag.invalid(error::unknown_field(name, &occ_type, o.pos));
                continue;
            }
        };
        leaf_only(&o, ty, diag);
        fields.push((o.key, kind));
    }
    Some(PropKind::TopOccurrences { limit, fields })
}

/// The `limit` argument of `topOccurrences` (its only argument, an Int).
fn limit_argument(f: &Merged<'_>, obj_type: &str, diag: &mut Diag) -> usize {
    let mut limit = DEFAULT_TOP_OCCURRENCES;
    for (name, v) in f.args {
        if name != "limit" {
            diag.invalid(error::unknown_argument(name, &f.name, obj_type, f.pos));
            continue;
        }
        if let Err(lines) = value::check(&InputType::Int, v, "") {
            let msg = format!(
                "Argument \"limit\" has invalid value {}.\n{}",
                value::print(v),
                lines.join("\n")
            );
            diag.invalid(GqlError::new(msg, f.pos));
            continue;
        }
        if let Some(n) = as_int(v) {
            limit = usize::try_from(n).unwrap_or(0);
        }
    }
    limit
}

fn leaf_only(m: &Merged<'_>, ty: &str, diag: &mut Diag) {
    if m.has_selection() {
        diag.invalid(error::no_selection_allowed(&m.name, ty, m.pos));
    }
}
