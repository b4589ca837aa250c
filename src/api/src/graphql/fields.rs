//! Field selection helpers shared by every level: merging repeated response keys, refusing
//! fragments and directives, and the GraphQL type names Weaviate generates (used in messages).

use graphql_parser::query::{Field, Selection};
use graphql_parser::Pos;

use super::error::{Diag, GqlError};
use super::value::Value;

/// A parsed field (owned strings).
pub(crate) type QField = Field<'static, String>;
/// A parsed selection (owned strings).
pub(crate) type QSelection = Selection<'static, String>;

/// The occurrences of one response key in a selection set, merged as GraphQL does
/// (`title title` is one field; `_additional{id} _additional{distance}` selects both).
#[derive(Debug)]
pub(crate) struct Merged<'q> {
    /// The response key: the alias if there is one, else the field name.
    pub key: String,
    pub name: String,
    /// Where the first occurrence starts.
    pub pos: Pos,
    /// The arguments of the first occurrence (the others must be equal).
    pub args: &'q [(String, Value)],
    /// The sub-selections of every occurrence, concatenated.
    pub items: Vec<&'q QSelection>,
}

impl Merged<'_> {
    /// True when the field was written with a sub-selection.
    pub fn has_selection(&self) -> bool {
        !self.items.is_empty()
    }
}

/// Merges the fields of a selection set by response key, keeping first-occurrence order.
/// Fragments and directives (refused) and conflicting fields (invalid) are reported to `diag`.
pub(crate) fn merge<'q>(items: &[&'q QSelection], diag: &mut Diag) -> Vec<Merged<'q>> {
    let mut out: Vec<Merged<'q>> = Vec::new();
    for selection in items {
        let field = match selection {
            Selection::Field(f) => f,
            Selection::InlineFragment(f) => {
                diag.unsupported(fragment_error(f.position));
                continue;
            }
            Selection::FragmentSpread(f) => {
                diag.unsupported(fragment_error(f.position));
                continue;
            }
        };
        if let Some(d) = field.directives.first() {
            diag.unsupported(GqlError::new(
                format!("directive \"@{}\" is not supported by Shoal yet", d.name),
                d.position,
            ));
        }
        let key = field.alias.clone().unwrap_or_else(|| field.name.clone());
        match out.iter_mut().find(|m| m.key == key) {
            None => out.push(Merged {
                key,
                name: field.name.clone(),
                pos: field.position,
                args: &field.arguments,
                items: field.selection_set.items.iter().collect(),
            }),
            Some(existing) => {
                if let Err(e) = check_mergeable(existing, field) {
                    diag.invalid(e);
                    continue;
                }
                existing.items.extend(field.selection_set.items.iter());
            }
        }
    }
    out
}

/// graphql-go's OverlappingFieldsCanBeMergedRule, for the cases that matter here.
fn check_mergeable(existing: &Merged<'_>, field: &QField) -> Result<(), GqlError> {
    let key = &existing.key;
    if existing.name != field.name {
        return Err(GqlError::new(
            format!(
                "Fields \"{key}\" conflict because {} and {} are different fields. Use different \
                 aliases on the fields to fetch both if this was intentional.",
                existing.name, field.name
            ),
            field.position,
        ));
    }
    if existing.args != field.arguments.as_slice() {
        return Err(GqlError::new(
            format!(
                "Fields \"{key}\" conflict because they have differing arguments. Use different \
                 aliases on the fields to fetch both if this was intentional."
            ),
            field.position,
        ));
    }
    Ok(())
}

fn fragment_error(pos: Pos) -> GqlError {
    GqlError::new(
        "fragments are only supported directly under a cross-reference property (`... on \
         Class`); named fragments are not supported by Shoal yet",
        pos,
    )
}

/// Reports every argument of a field that takes none (graphql-go's KnownArgumentNamesRule).
pub(crate) fn no_arguments(field: &Merged<'_>, type_name: &str, diag: &mut Diag) {
    for (name, _) in field.args {
        diag.invalid(super::error::unknown_argument(
            name,
            &field.name,
            type_name,
            field.pos,
        ));
    }
}

/// The GraphQL object type Weaviate generates for a class under `Get`: the class name, with an
/// underscore in front of names that clash with GraphQL's scalars.
pub(crate) fn class_type_name(class: &str) -> String {
    match class {
        "String" | "DateTime" | "Int" | "Float" | "Boolean" | "ID" | "FieldSet" => {
            format!("_{class}")
        }
        _ => class.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use graphql_parser::query::{parse_query, Definition, OperationDefinition};

    fn root_items(src: &str) -> Vec<QSelection> {
        let doc = parse_query::<String>(src).expect("parses").into_static();
        match doc.definitions.into_iter().next() {
            Some(Definition::Operation(OperationDefinition::SelectionSet(s))) => s.items,
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn merges_same_key_and_keeps_order() {
        let items = root_items("{b a: x b {y} a: x(k: 1) c}");
        let refs: Vec<&QSelection> = items.iter().collect();
        let mut diag = Diag::default();
        let merged = merge(&refs, &mut diag);
        assert_eq!(
            merged.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
            ["b", "a", "c"]
        );
        assert_eq!(merged[0].items.len(), 1);
        assert_eq!(diag.invalid.len(), 1, "differing arguments on `a`");
        assert!(diag.invalid[0].message.contains("differing arguments"));
    }

    #[test]
    fn conflicting_names_and_fragments() {
        let items = root_items("{a: x a: y ... on T {z}}");
        let refs: Vec<&QSelection> = items.iter().collect();
        let mut diag = Diag::default();
        let merged = merge(&refs, &mut diag);
        assert_eq!(merged.len(), 1);
        assert!(diag.invalid[0]
            .message
            .contains("x and y are different fields"));
        assert!(diag
            .unsupported
            .as_ref()
            .is_some_and(|e| e.message.contains("fragments")));
    }

    #[test]
    fn scalar_clashing_class_names() {
        assert_eq!(class_type_name("String"), "_String");
        assert_eq!(class_type_name("Article"), "Article");
    }
}
