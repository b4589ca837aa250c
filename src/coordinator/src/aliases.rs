//! Collection aliases: the aliases endpoint's operations, all through the metadata log, and
//! the resolution of the name a request gives for a class.
//!
//! Every data path finds its class through [`resolve`], on one metadata snapshot: a name is a
//! class's (as given, or with its first letter upper-cased, as Weaviate allows), else an
//! alias's. The request then works on the class it found, by the class's own name, so an
//! alias switched meanwhile cannot split it between two classes. Schema changes take a
//! class's own name only ([`Coordinator::own_class_meta`]), as in Weaviate, where an alias
//! reaches objects, queries, tenants and schema reads but not the class definition itself.
//!
//! Answers name the class, never the alias (objects' `class`, a batch delete's `match.class`,
//! gRPC's `target_collection`): Weaviate 1.32 first answered with the alias and then made the
//! class the source of truth (weaviate#8818). GraphQL answers under the field the query asked
//! for, which is the alias when it used one.

use std::sync::Arc;

use cluster::{ClassMeta, MetaCommand, MetaState};
use model::{schema, ObjectWrite};
use types::schema::Class;

use crate::{Coordinator, Error, Result};

/// An alias and the class it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alias {
    pub alias: String,
    pub class: String,
}

/// What a name a request gives for a class stands for.
pub(crate) enum Named {
    Class(Arc<ClassMeta>),
    /// An alias whose class was deleted after the alias was made (Weaviate keeps those).
    Dangling {
        alias: String,
        class: String,
    },
    Unknown,
}

/// `name` in `state`: a class by its own name first (as given, then first letter
/// upper-cased), else an alias. Both can never match: the names are one namespace.
pub(crate) fn resolve(state: &MetaState, name: &str) -> Named {
    let upper = schema::class_name(name);
    if let Some(meta) = state.class(name).or_else(|| state.class(&upper)) {
        return Named::Class(meta.clone());
    }
    let alias = if state.alias_target(name).is_some() {
        name
    } else {
        upper.as_str()
    };
    match state.alias_target(alias) {
        Some(class) => match state.class(class) {
            Some(meta) => Named::Class(meta.clone()),
            None => Named::Dangling {
                alias: alias.to_string(),
                class: class.to_string(),
            },
        },
        None => Named::Unknown,
    }
}

/// Why a request through an alias whose class is gone cannot run.
pub(crate) fn dangling(alias: &str, class: &str) -> String {
    format!("alias {alias} points to class {class}, which does not exist")
}

/// `write` addressed to its class by the class's own name when it names an alias; unchanged
/// when it names a class or nothing (auto-schema may create that). Through an alias whose
/// class is gone it is refused: auto-schema must not bring the deleted class back empty.
pub(crate) fn write_to_class(state: &MetaState, mut write: ObjectWrite) -> Result<ObjectWrite> {
    if state.class(&write.class).is_some() {
        return Ok(write);
    }
    match resolve(state, &write.class) {
        Named::Class(meta) => write.class = meta.class.class.clone(),
        Named::Dangling { alias, class } => return Err(Error::invalid(dangling(&alias, &class))),
        Named::Unknown => {}
    }
    Ok(write)
}

impl Coordinator {
    /// `GET /v1/aliases[?class=]`: every alias in name order, or those of one class (none when
    /// that class does not exist, as in Weaviate).
    pub fn aliases(&self, class: Option<&str>) -> Vec<Alias> {
        let state = self.meta.snapshot();
        let class = class.map(schema::class_name);
        if class.as_ref().is_some_and(|c| state.class(c).is_none()) {
            return Vec::new();
        }
        state
            .aliases
            .iter()
            .filter(|(_, target)| class.as_ref().is_none_or(|c| c == *target))
            .map(|(alias, target)| Alias {
                alias: alias.clone(),
                class: target.clone(),
            })
            .collect()
    }

    /// `GET /v1/aliases/{alias}`; the first letter may be lower-case, as Weaviate allows.
    pub fn alias(&self, name: &str) -> Option<Alias> {
        let alias = schema::class_name(name);
        let state = self.meta.snapshot();
        state.alias_target(&alias).map(|class| Alias {
            class: class.to_string(),
            alias,
        })
    }

    /// `POST /v1/aliases`: `alias` (validated by `model::aliases`) for the class named
    /// `class`, which must exist under its own name.
    pub async fn create_alias(&self, alias: String, class: String) -> Result<Alias> {
        let cmd = MetaCommand::CreateAlias {
            alias: alias.clone(),
            class: class.clone(),
        };
        self.execute(cmd).await?;
        Ok(Alias { alias, class })
    }

    /// `PUT /v1/aliases/{alias}`: points the alias at `class` in one metadata change, so each
    /// request through it sees the old class or the new one, never a mix.
    pub async fn replace_alias(&self, name: &str, class: String) -> Result<Alias> {
        let alias = schema::class_name(name);
        let cmd = MetaCommand::ReplaceAlias {
            alias: alias.clone(),
            class: class.clone(),
        };
        self.execute(cmd).await?;
        Ok(Alias { alias, class })
    }

    /// `DELETE /v1/aliases/{alias}`: the alias only; its class and data stay.
    pub async fn delete_alias(&self, name: &str) -> Result<()> {
        let alias = schema::class_name(name);
        self.execute(MetaCommand::DeleteAlias { alias }).await
    }

    /// Every class under each name a query may use for it, from one snapshot: its own name,
    /// then each alias that points at it (GraphQL plans a whole request on these).
    pub fn queryable_classes(&self) -> Vec<(String, Class)> {
        let state = self.meta.snapshot();
        let own = state
            .classes
            .iter()
            .map(|(name, meta)| (name.clone(), meta.class.clone()));
        let aliased = state.aliases.iter().filter_map(|(alias, target)| {
            let meta = state.class(target)?;
            Some((alias.clone(), meta.class.clone()))
        });
        own.chain(aliased).collect()
    }

    /// What `name` stands for now.
    pub(crate) fn named(&self, name: &str) -> Named {
        resolve(&self.meta.snapshot(), name)
    }

    /// A class by its own name, never through an alias: what schema changes address.
    pub(crate) fn own_class_meta(&self, name: &str) -> Option<Arc<ClassMeta>> {
        let state = self.meta.snapshot();
        state
            .class(name)
            .or_else(|| state.class(&schema::class_name(name)))
            .cloned()
    }

    /// [`Coordinator::own_class_meta`], or NotFound; naming the class when `name` is an alias
    /// of it, since the class reads fine through the alias and "not found" alone would puzzle.
    pub(crate) fn require_own_class(&self, name: &str) -> Result<Arc<ClassMeta>> {
        if let Some(meta) = self.own_class_meta(name) {
            return Ok(meta);
        }
        Err(Error::NotFound(match self.alias(name) {
            Some(a) => alias_not_a_class(&a),
            None => format!("class '{}' not found in schema", schema::class_name(name)),
        }))
    }
}

/// The refusal of a schema change addressed to an alias.
pub(crate) fn alias_not_a_class(a: &Alias) -> String {
    format!(
        "'{}' is an alias of class '{}': change the class through its own name",
        a.alias, a.class
    )
}

#[cfg(test)]
#[path = "aliases_tests.rs"]
mod tests;
