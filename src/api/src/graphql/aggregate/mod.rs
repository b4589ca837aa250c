//! `Aggregate { <Class> { meta { count } } }`: the ungrouped object count of a class (per tenant
//! on multi-tenant classes). Weaviate's other arguments and fields (filters, grouping, property
//! statistics, searches) are declared, and refused with a resolver error naming them.

use graphql_parser::Pos;
use serde_json::{json, Map, Value};
use types::schema::{Class, DataType};

use super::args::{self, ArgSpec};
use super::error::{self, Diag, GqlError};
use super::fields::{merge, no_arguments, Merged};
use super::value::{self, as_str, InputType};
use super::{Backend, Classes};

/// The object type under `Aggregate` that has one field per class.
const AGGREGATE_TYPE: &str = "AggregateObjectsObj";

/// What to do for one response key under `Aggregate`.
#[derive(Debug)]
pub(crate) struct AggregateJob {
    key: String,
    pos: Pos,
    work: Work,
}

#[derive(Debug)]
enum Work {
    Count {
        class: String,
        tenant: Option<String>,
        fields: Vec<RowField>,
    },
    /// `__typename` under `Aggregate`.
    Constant(Value),
    Fail(GqlError),
}

/// A requested field of the (single) result row.
#[derive(Debug, PartialEq)]
enum RowField {
    Typename { key: String, value: String },
    Meta { key: String, fields: Vec<MetaField> },
}

/// A requested field of `meta`.
#[derive(Debug, PartialEq)]
enum MetaField {
    Typename { key: String, value: String },
    Count { key: String },
}

/// The arguments of `Aggregate { <class>(...) }` as Weaviate 1.27 declares them.
fn aggregate_arg(class: &Class, name: &str) -> Option<ArgSpec> {
    Some(match name {
        "tenant" if class.multi_tenancy_config.enabled => ArgSpec::Typed(InputType::String),
        "where" | "groupBy" | "nearVector" | "nearObject" | "objectLimit" | "hybrid" | "limit"
        | "nearText" => ArgSpec::Unsupported,
        _ => return None,
    })
}

/// Plans the `Aggregate` field. Validation errors go to `invalid`.
pub(crate) fn plan(
    aggregate: &Merged<'_>,
    classes: &Classes,
    invalid: &mut Vec<GqlError>,
) -> Vec<AggregateJob> {
    let mut diag = Diag::default();
    no_arguments(aggregate, "WeaviateObj", &mut diag);
    if !aggregate.has_selection() {
        diag.invalid(error::needs_selection(
            &aggregate.name,
            AGGREGATE_TYPE,
            aggregate.pos,
        ));
    }
    let fields = merge(&aggregate.items, &mut diag);
    invalid.extend(diag.invalid.drain(..).chain(diag.unsupported.take()));
    fields
        .iter()
        .filter_map(|field| plan_class(field, classes, invalid))
        .collect()
}

fn plan_class(
    field: &Merged<'_>,
    classes: &Classes,
    invalid: &mut Vec<GqlError>,
) -> Option<AggregateJob> {
    let job = |work| {
        Some(AggregateJob {
            key: field.key.clone(),
            pos: field.pos,
            work,
        })
    };
    if field.name == "__typename" {
        return job(Work::Constant(Value::String(AGGREGATE_TYPE.into())));
    }
    let Some(class) = classes.get(&field.name) else {
        invalid.push(error::unknown_field(&field.name, AGGREGATE_TYPE, field.pos));
        return None;
    };
    let mut diag = Diag::default();
    let prefix = format!("AggregateObjects{}", class.class);
    args::validate(
        field,
        "Aggregate",
        AGGREGATE_TYPE,
        &prefix,
        |n| aggregate_arg(class, n),
        &mut diag,
    );
    let type_name = format!("Aggregate{}", class.class);
    if !field.has_selection() {
        diag.invalid(error::needs_selection(
            &field.name,
            &format!("[{type_name}]"),
            field.pos,
        ));
    }
    let fields = plan_row(class, &type_name, &field.items, &mut diag);
    invalid.append(&mut diag.invalid);
    if let Some(refused) = diag.unsupported {
        return job(Work::Fail(refused));
    }
    let tenant = value::arg(field.args, "tenant")
        .and_then(as_str)
        .map(str::to_string);
    job(Work::Count {
        class: class.class.clone(),
        tenant,
        fields,
    })
}

fn plan_row(
    class: &Class,
    type_name: &str,
    items: &[&super::fields::QSelection],
    diag: &mut Diag,
) -> Vec<RowField> {
    let mut out = Vec::new();
    for m in merge(items, diag) {
        match m.name.as_str() {
            "__typename" => out.push(RowField::Typename {
                key: m.key.clone(),
                value: type_name.into(),
            }),
            "meta" => {
                let meta_type = format!("{type_name}MetaObject");
                if !m.has_selection() {
                    diag.invalid(error::needs_selection(&m.name, &meta_type, m.pos));
                }
                let fields = plan_meta(&meta_type, &m, diag);
                out.push(RowField::Meta {
                    key: m.key.clone(),
                    fields,
                });
            }
            "groupedBy" => {
                diag.unsupported(error::field_not_supported("Aggregate groupedBy", m.pos))
            }
            name if aggregatable(class, name) => diag.unsupported(error::field_not_supported(
                &format!("aggregating the property \"{name}\""),
                m.pos,
            )),
            name => {
                diag.invalid(error::unknown_field(name, type_name, m.pos));
                continue;
            }
        }
        no_arguments(&m, type_name, diag);
    }
    out
}

fn plan_meta(meta_type: &str, meta: &Merged<'_>, diag: &mut Diag) -> Vec<MetaField> {
    let mut out = Vec::new();
    for f in merge(&meta.items, diag) {
        match f.name.as_str() {
            "__typename" => out.push(MetaField::Typename {
                key: f.key.clone(),
                value: meta_type.into(),
            }),
            "count" => out.push(MetaField::Count { key: f.key.clone() }),
            name => {
                diag.invalid(error::unknown_field(name, meta_type, f.pos));
                continue;
            }
        }
        no_arguments(&f, meta_type, diag);
        if f.has_selection() {
            let ty = if f.name == "count" { "Int" } else { "String" };
            diag.invalid(error::no_selection_allowed(&f.name, ty, f.pos));
        }
    }
    out
}

/// Properties Weaviate exposes under `Aggregate` (geo, phone, uuid and object are not).
fn aggregatable(class: &Class, name: &str) -> bool {
    class
        .property(name)
        .and_then(|p| p.kind())
        .is_some_and(|kind| {
            !matches!(
                kind,
                DataType::GeoCoordinates
                    | DataType::PhoneNumber
                    | DataType::Uuid
                    | DataType::UuidArray
                    | DataType::Object
                    | DataType::ObjectArray
            )
        })
}

/// Runs the planned counts; `root` is the response key of the `Aggregate` field.
pub(crate) async fn run<B: Backend>(
    backend: &B,
    root: &str,
    jobs: Vec<AggregateJob>,
    errors: &mut Vec<GqlError>,
) -> Value {
    let mut out = Map::new();
    for AggregateJob { key, pos, work } in jobs {
        let value = match work {
            Work::Constant(v) => v,
            Work::Fail(e) => {
                errors.push(e.at_path(&[root, &key]));
                Value::Null
            }
            Work::Count {
                class,
                tenant,
                fields,
            } => match count(backend, &class, tenant.as_deref(), &fields).await {
                Ok(row) => json!([row]),
                Err(message) => {
                    errors.push(GqlError::new(message, pos).at_path(&[root, &key]));
                    Value::Null
                }
            },
        };
        out.insert(key, value);
    }
    Value::Object(out)
}

/// The single ungrouped row; the count is only fetched when it is selected.
async fn count<B: Backend>(
    backend: &B,
    class: &str,
    tenant: Option<&str>,
    fields: &[RowField],
) -> Result<Value, String> {
    let wanted = fields.iter().any(|f| match f {
        RowField::Meta { fields, .. } => {
            fields.iter().any(|m| matches!(m, MetaField::Count { .. }))
        }
        RowField::Typename { .. } => false,
    });
    let n = if wanted {
        backend.count(class, tenant).await?
    } else {
        0
    };
    Ok(Value::Object(row(fields, n)))
}

fn row(fields: &[RowField], count: u64) -> Map<String, Value> {
    let mut out = Map::new();
    for field in fields {
        match field {
            RowField::Typename { key, value } => {
                out.insert(key.clone(), Value::String(value.clone()));
            }
            RowField::Meta { key, fields } => {
                let meta: Map<String, Value> = fields
                    .iter()
                    .map(|f| match f {
                        MetaField::Typename { key, value } => {
                            (key.clone(), Value::String(value.clone()))
                        }
                        MetaField::Count { key } => (key.clone(), json!(count)),
                    })
                    .collect();
                out.insert(key.clone(), Value::Object(meta));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graphql::test_support::{class_from_json, class_items};

    fn planned(src: &str) -> (Vec<RowField>, Diag) {
        let class = class_from_json(json!({"class": "Article", "properties": [
            {"name": "title", "dataType": ["text"]}, {"name": "loc", "dataType": ["geoCoordinates"]}]}));
        let items = class_items(src);
        let refs: Vec<_> = items.iter().collect();
        let mut diag = Diag::default();
        let fields = plan_row(&class, "AggregateArticle", &refs, &mut diag);
        (fields, diag)
    }

    #[test]
    fn meta_count_with_alias() {
        let (fields, diag) = planned("{meta{count} m: meta {n: count}}");
        assert!(
            diag.invalid.is_empty() && diag.unsupported.is_none(),
            "{diag:?}"
        );
        assert_eq!(
            Value::Object(row(&fields, 3)),
            json!({"meta": {"count": 3}, "m": {"n": 3}})
        );
    }

    #[test]
    fn unsupported_and_unknown_fields() {
        let (_, diag) = planned("{meta{count} title { count }}");
        assert!(diag
            .unsupported
            .expect("refused")
            .message
            .contains("\"title\""));
        let (_, diag) = planned("{meta{count total} loc {count} nope}");
        let messages: Vec<&str> = diag.invalid.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "Cannot query field \"total\" on type \"AggregateArticleMetaObject\".",
                "Cannot query field \"loc\" on type \"AggregateArticle\".",
                "Cannot query field \"nope\" on type \"AggregateArticle\".",
            ]
        );
    }
}
