//! `_additional { group { id groupedBy { path value } count minDistance maxDistance hits {...} } }`
//! of a grouped Get, with the type names Weaviate generates (get/class_builder.go
//! `additionalGroupField`): `<Class>AdditionalGroup`, `...GroupGroupedBy`, `...GroupHits` and
//! `...GroupHitsAdditional`.

use types::schema::Class;

use super::{leaf_only, plan_level, AddField, AddKind, GroupField, GroupKind, GroupedByKind};
use super::{Level, SelectPlan};
use crate::graphql::error::{self, Diag};
use crate::graphql::fields::{merge, no_arguments, Merged};

/// Plans `group { ... }`; `None` when it has no selection (a validation error).
pub(super) fn plan_group(
    class: &Class,
    m: &Merged<'_>,
    diag: &mut Diag,
    flags: &mut SelectPlan,
) -> Option<Vec<GroupField>> {
    let ty = format!("{}AdditionalGroup", class.class);
    if !m.has_selection() {
        diag.invalid(error::needs_selection(&m.name, &ty, m.pos));
        return None;
    }
    let mut out = Vec::new();
    for f in merge(&m.items, diag) {
        no_arguments(&f, &ty, diag);
        let kind = match f.name.as_str() {
            "__typename" => leaf(&f, "String", GroupKind::Typename(ty.clone()), diag),
            "id" => leaf(&f, "Int", GroupKind::Id, diag),
            "count" => leaf(&f, "Int", GroupKind::Count, diag),
            "minDistance" => leaf(&f, "Float", GroupKind::MinDistance, diag),
            "maxDistance" => leaf(&f, "Float", GroupKind::MaxDistance, diag),
            "groupedBy" => grouped_by(
                &f,
                &format!("{}AdditionalGroupGroupedBy", class.class),
                diag,
            )
            .map(GroupKind::GroupedBy),
            "hits" => hits(class, &f, diag, flags).map(GroupKind::Hits),
            other => {
                diag.invalid(error::unknown_field(other, &ty, f.pos));
                None
            }
        };
        if let Some(kind) = kind {
            out.push(GroupField { key: f.key, kind });
        }
    }
    Some(out)
}

fn leaf(f: &Merged<'_>, ty: &str, kind: GroupKind, diag: &mut Diag) -> Option<GroupKind> {
    leaf_only(f, ty, diag);
    Some(kind)
}

/// `groupedBy { path value }` (also used by Aggregate, with its own type name).
pub(crate) fn grouped_by(
    m: &Merged<'_>,
    ty: &str,
    diag: &mut Diag,
) -> Option<Vec<(String, GroupedByKind)>> {
    if !m.has_selection() {
        diag.invalid(error::needs_selection(&m.name, ty, m.pos));
        return None;
    }
    let mut out = Vec::new();
    for f in merge(&m.items, diag) {
        no_arguments(&f, ty, diag);
        let (kind, leaf_ty) = match f.name.as_str() {
            "__typename" => (GroupedByKind::Typename(ty.to_string()), "String"),
            "path" => (GroupedByKind::Path, "[String]"),
            "value" => (GroupedByKind::Value, "String"),
            other => {
                diag.invalid(error::unknown_field(other, ty, f.pos));
                continue;
            }
        };
        leaf_only(&f, leaf_ty, diag);
        out.push((f.key, kind));
    }
    Some(out)
}

fn hits(
    class: &Class,
    m: &Merged<'_>,
    diag: &mut Diag,
    flags: &mut SelectPlan,
) -> Option<Vec<super::OutField>> {
    if !m.has_selection() {
        let ty = format!("[{}AdditionalGroupHits]", class.class);
        diag.invalid(error::needs_selection(&m.name, &ty, m.pos));
        return None;
    }
    Some(plan_level(&Level::GroupHits(class), &m.items, diag, flags))
}

/// `_additional { id distance vector }` of a group hit.
pub(super) fn plan_hit_additional(
    class: &Class,
    m: &Merged<'_>,
    diag: &mut Diag,
    flags: &mut SelectPlan,
) -> Option<Vec<AddField>> {
    let ty = format!("{}AdditionalGroupHitsAdditional", class.class);
    if !m.has_selection() {
        diag.invalid(error::needs_selection(&m.name, &ty, m.pos));
        return None;
    }
    let mut out = Vec::new();
    for f in merge(&m.items, diag) {
        no_arguments(&f, &ty, diag);
        let (kind, leaf_ty) = match f.name.as_str() {
            "__typename" => (AddKind::Typename(ty.clone()), "String"),
            "id" => (AddKind::Id, "String"),
            "distance" => (AddKind::Distance, "Float"),
            "vector" => {
                flags.with_vectors = true;
                (AddKind::Vector, "[Float]")
            }
            other => {
                diag.invalid(error::unknown_field(other, &ty, f.pos));
                continue;
            }
        };
        leaf_only(&f, leaf_ty, diag);
        out.push(AddField { key: f.key, kind });
    }
    Some(out)
}
