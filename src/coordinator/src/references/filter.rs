//! `where` conditions on reference paths (`["hasAuthors", "Author", "name"]`). The condition
//! is evaluated once on the target class, through every shard of it (and, for a longer path,
//! the same way one hop further first); the matching target ids then become a
//! [`Filter::ReferencesAny`] that each shard of the source class answers from its reverse
//! index, so no source object is read to evaluate the filter.

use std::future::Future;
use std::pin::Pin;

use types::filter::{Condition, Filter, FilterPath};
use uuid::Uuid;

use crate::remote::calls::MatchingIds;
use crate::{Coordinator, Error, Result};

type Resolving<'a> = Pin<Box<dyn Future<Output = Result<Filter>> + Send + 'a>>;

impl Coordinator {
    /// `filter` with every condition on a reference path replaced by the targets it matches;
    /// `None` stays `None`. Run after the filter was checked against the schema.
    ///
    /// `tenant` is the tenant the filtered objects belong to: a path into a multi-tenant class
    /// matches that tenant's objects only.
    pub(crate) async fn resolve_reference_paths(
        &self,
        filter: Option<Filter>,
        tenant: Option<&str>,
    ) -> Result<Option<Filter>> {
        match filter {
            Some(f) if has_reference_path(&f) => Ok(Some(self.resolve(f, tenant).await?)),
            other => Ok(other),
        }
    }

    fn resolve<'a>(&'a self, filter: Filter, tenant: Option<&'a str>) -> Resolving<'a> {
        Box::pin(async move {
            Ok(match filter {
                Filter::And(operands) => Filter::And(self.resolve_all(operands, tenant).await?),
                Filter::Or(operands) => Filter::Or(self.resolve_all(operands, tenant).await?),
                Filter::Not(operand) => {
                    Filter::Not(Box::new(self.resolve(*operand, tenant).await?))
                }
                Filter::Condition(Condition {
                    path:
                        FilterPath::Reference {
                            property,
                            class,
                            rest,
                        },
                    operator,
                    value,
                }) => {
                    let inner = Filter::Condition(Condition {
                        path: *rest,
                        operator,
                        value,
                    });
                    let targets = self.matching_target_ids(&class, inner, tenant).await?;
                    Filter::ReferencesAny { property, targets }
                }
                other @ (Filter::Condition(_) | Filter::ReferencesAny { .. }) => other,
            })
        })
    }

    async fn resolve_all(
        &self,
        operands: Vec<Filter>,
        tenant: Option<&str>,
    ) -> Result<Vec<Filter>> {
        let mut out = Vec::with_capacity(operands.len());
        for operand in operands {
            out.push(self.resolve(operand, tenant).await?);
        }
        Ok(out)
    }

    /// The ids of the objects of `class` that `inner` matches, at most
    /// `QUERY_NESTED_CROSS_REFERENCE_LIMIT` of them, as Weaviate bounds a reference filter.
    async fn matching_target_ids(
        &self,
        class: &str,
        inner: Filter,
        tenant: Option<&str>,
    ) -> Result<Vec<Uuid>> {
        let meta = self
            .class_meta(class)
            .ok_or_else(|| Error::invalid(format!("class \"{class}\" does not exist in schema")))?;
        let Some(meta) = self.reference_scope(meta, tenant).await? else {
            return Ok(Vec::new());
        };
        let inner = self.resolve(inner, tenant).await?;
        let cap = self.config.query_nested_cross_reference_limit;
        let call = MatchingIds {
            filter: Some(inner),
            limit: cap,
        };
        let mut ids: Vec<Uuid> = self
            .on_every_shard(&meta, call)
            .await?
            .into_iter()
            .flatten()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.truncate(cap);
        Ok(ids)
    }
}

/// Whether any condition of `filter` goes through a reference.
pub(crate) fn has_reference_path(filter: &Filter) -> bool {
    match filter {
        Filter::And(operands) | Filter::Or(operands) => operands.iter().any(has_reference_path),
        Filter::Not(operand) => has_reference_path(operand),
        Filter::Condition(c) => matches!(c.path, FilterPath::Reference { .. }),
        Filter::ReferencesAny { .. } => false,
    }
}
