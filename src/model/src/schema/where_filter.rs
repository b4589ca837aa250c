//! Schema-level checks of a `where` filter, run once by the coordinator before any shard sees
//! the filter: every path names a property of the class (or an internal one) and every value
//! has the type of its property. The messages are Weaviate 1.27's (`filters_validator.go`);
//! the caller adds the prefix of its surface ("invalid 'where' filter: " for `Get` and
//! `Aggregate`, "invalid where filter: " for batch deletes).
//!
//! What depends on the shard's index (filterable or not, stopword-only text, operators a type
//! does not support) is checked where the filter is evaluated, as in Weaviate's searcher.

use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};
use types::schema::Class;

/// The other classes of the schema, by name, for paths through cross-references.
pub type ClassLookup<'a> = &'a dyn Fn(&str) -> Option<Class>;

/// Checks `filter` against `class`; `Err` carries Weaviate's message without a prefix.
/// `classes` finds the classes that reference paths lead to.
pub fn validate_where(
    class: &Class,
    filter: &Filter,
    classes: ClassLookup<'_>,
) -> Result<(), String> {
    match filter {
        Filter::And(operands) | Filter::Or(operands) => validate_operands(class, operands, classes),
        Filter::Not(operand) => validate_where(class, operand, classes),
        Filter::Condition(c) => validate_condition(class, c, classes),
        Filter::ReferencesAny { property, .. } => {
            let data_type = find_property(class, property)?;
            match is_reference(&data_type) {
                true => Ok(()),
                false => Err(not_a_reference(class, property)),
            }
        }
    }
}

fn validate_operands(
    class: &Class,
    operands: &[Filter],
    classes: ClassLookup<'_>,
) -> Result<(), String> {
    let errors: Vec<String> = operands
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            validate_where(class, f, classes)
                .err()
                .map(|e| format!("child operand at position {i}: {e}"))
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join(", "))
    }
}

fn validate_condition(
    class: &Class,
    c: &Condition,
    classes: ClassLookup<'_>,
) -> Result<(), String> {
    match &c.path {
        FilterPath::Reference {
            property,
            class: target,
            rest,
        } => {
            let target = reference_hop(class, property, target, classes)?;
            let inner = Condition {
                path: (**rest).clone(),
                operator: c.operator,
                value: c.value.clone(),
            };
            validate_condition(&target, &inner, classes)
        }
        FilterPath::Id => {
            if c.value.data_type() == "text" {
                Ok(())
            } else {
                Err(
                    r#"using ["_id"] to filter by uuid: must use "valueText" to specify the id"#
                        .to_string(),
                )
            }
        }
        FilterPath::CreationTime => timestamp(&c.value, "_creationTimeUnix"),
        FilterPath::UpdateTime => timestamp(&c.value, "_lastUpdateTimeUnix"),
        FilterPath::Length(name) => {
            find_property(class, name)?;
            length(c)
        }
        FilterPath::Property(name) => {
            let data_type = find_property(class, name)?;
            property(name, &data_type, c)
        }
    }
}

/// One hop of a reference path: `property` of `class` must be a cross-reference that may point
/// at `target`, an existing class, which is returned.
fn reference_hop(
    class: &Class,
    property: &str,
    target: &str,
    classes: ClassLookup<'_>,
) -> Result<Class, String> {
    let found =
        classes(target).ok_or_else(|| format!("class \"{target}\" does not exist in schema"))?;
    find_property(class, property)?;
    let data_type = class
        .property(property)
        .map(|p| p.data_type.clone())
        .unwrap_or_default();
    if !data_type.first().is_some_and(|t| is_reference(t)) {
        return Err(not_a_reference(class, property));
    }
    if !data_type.iter().any(|t| t == target) {
        return Err(format!(
            "property \"{property}\" of class \"{}\" does not reference class \"{target}\": its \
             target classes are {}",
            class.class,
            data_type.join(", ")
        ));
    }
    Ok(found)
}

fn not_a_reference(class: &Class, property: &str) -> String {
    format!(
        "property \"{property}\" of class \"{}\" is not a cross-reference: a filter path can only \
         continue after a reference property",
        class.class
    )
}

fn timestamp(value: &FilterValue, name: &str) -> Result<(), String> {
    match value.data_type() {
        "date" | "text" => Ok(()),
        _ => Err(format!(
            r#"using ["{name}"] to filter by timestamp: must use "valueText" or "valueDate""#
        )),
    }
}

/// The property's data type as on the wire (`text[]`, `int`, a class name for references).
fn find_property(class: &Class, name: &str) -> Result<String, String> {
    class
        .property(name)
        .and_then(|p| p.data_type.first().cloned())
        .ok_or_else(|| {
            format!(
                "no such prop with name '{name}' found in class '{}' in the schema. Check your \
                 schema files for which properties in this class are available",
                class.class
            )
        })
}

fn length(c: &Condition) -> Result<(), String> {
    let FilterValue::Int(v) = c.value else {
        return Err(format!(
            r#"Filtering for property length requires IntValue, got "{}" instead"#,
            value_name(c.value.data_type())
        ));
    };
    if !matches!(
        c.operator,
        Operator::Equal
            | Operator::NotEqual
            | Operator::GreaterThan
            | Operator::GreaterThanEqual
            | Operator::LessThan
            | Operator::LessThanEqual
    ) {
        return Err(format!(
            r#"Filtering for property length supports operators (not) equal and greater/less than (equal), got "{}" instead"#,
            c.operator.name()
        ));
    }
    if v < 0 {
        return Err(format!(
            "Can only filter for positive property length got {v} instead"
        ));
    }
    Ok(())
}

fn property(name: &str, data_type: &str, c: &Condition) -> Result<(), String> {
    let given = c.value.data_type();
    if c.operator == Operator::IsNull {
        return if given == "boolean" {
            Ok(())
        } else {
            Err(format!(
                r#"operator IsNull requires a booleanValue, got "{}" instead"#,
                value_name(given)
            ))
        };
    }
    if data_type == "uuid" || data_type == "uuid[]" {
        return uuid_property(name, c.operator, given);
    }
    if is_reference(data_type) {
        return if given == "int" {
            Ok(())
        } else {
            Err(format!(
                "Property \"{name}\" is a ref prop to the class \"{data_type}\". Only \"valueInt\" \
                 can be used on a ref prop directly to count the number of refs. Or did you mean \
                 to filter on a primitive prop of the referenced class? In this case make sure \
                 your path contains 3 elements in the form of [<propName>, \
                 <ClassNameOfReferencedClass>, <primitvePropOnClass>]"
            ))
        };
    }
    let base = data_type.strip_suffix("[]").unwrap_or(data_type);
    if given == base {
        Ok(())
    } else {
        Err(format!(
            r#"data type filter cannot use "{}" on type "{data_type}", use "{}" instead"#,
            value_name(given),
            value_name(base)
        ))
    }
}

fn uuid_property(name: &str, op: Operator, given: &str) -> Result<(), String> {
    if given != "text" {
        return Err(format!(
            r#"property "{name}" is of type "uuid" or "uuid[]": specify uuid as string using "valueText""#
        ));
    }
    match op {
        Operator::Equal
        | Operator::NotEqual
        | Operator::LessThan
        | Operator::LessThanEqual
        | Operator::GreaterThan
        | Operator::GreaterThanEqual
        | Operator::ContainsAll
        | Operator::ContainsAny => Ok(()),
        Operator::Like | Operator::IsNull | Operator::WithinGeoRange => Err(format!(
            r#"operator "{}" cannot be used on uuid/uuid[] props"#,
            op.name()
        )),
    }
}

/// Primitive data types start lowercase; a cross-reference lists target classes, which start
/// uppercase.
fn is_reference(data_type: &str) -> bool {
    data_type.chars().next().is_some_and(char::is_uppercase)
}

/// `valueText` for `text`: Weaviate's `valueNameFromDataType`.
fn value_name(data_type: &str) -> String {
    let mut chars = data_type.chars();
    match chars.next() {
        Some(first) => format!("value{}{}", first.to_uppercase(), chars.as_str()),
        None => "value".to_string(),
    }
}
