//! Collection aliases in the metadata: a second name for a class, as Weaviate 1.32 has them.
//! Aliases and class names share one namespace: an alias may not take a class's name, nor a
//! class an alias's. An alias switched to another class (`ReplaceAlias`) changes in one applied
//! command, so a reader of one [`MetaState`] sees it pointing at one class or the other.
//!
//! Deleting a class leaves its aliases in place, pointing at nothing, as Weaviate does (its
//! backup tests delete a collection and then its alias): they answer again once a class of
//! that name exists, and are removed only by `DeleteAlias`.
//!
//! Names arrive normalised and validated by the proposer (`model::aliases`); `apply` checks
//! only what depends on the state.

use crate::meta::{MetaChange, MetaState};
use crate::{Error, Result};

impl MetaState {
    /// The class an alias names, by exact alias name (it may no longer exist).
    pub fn alias_target(&self, alias: &str) -> Option<&str> {
        self.aliases.get(alias).map(String::as_str)
    }

    /// Adds `alias` for the existing class `class`.
    pub(crate) fn create_alias(&mut self, alias: String, class: String) -> Result<MetaChange> {
        if self.aliases.contains_key(&alias) {
            return Err(Error::AliasExists(alias));
        }
        if self.classes.contains_key(&alias) {
            return Err(Error::AliasIsClassName(alias));
        }
        if !self.classes.contains_key(&class) {
            return Err(Error::ClassNotFound(class));
        }
        self.aliases.insert(alias.clone(), class);
        Ok(MetaChange::AliasChanged(alias))
    }

    /// Points the existing `alias` at the existing class `class`.
    pub(crate) fn replace_alias(&mut self, alias: String, class: String) -> Result<MetaChange> {
        if !self.classes.contains_key(&class) {
            return Err(Error::ClassNotFound(class));
        }
        match self.aliases.get_mut(&alias) {
            Some(target) => {
                *target = class;
                Ok(MetaChange::AliasChanged(alias))
            }
            None => Err(Error::AliasNotFound(alias)),
        }
    }

    /// Removes `alias`; the class it names is untouched.
    pub(crate) fn delete_alias(&mut self, alias: String) -> Result<MetaChange> {
        match self.aliases.remove(&alias) {
            Some(_) => Ok(MetaChange::AliasChanged(alias)),
            None => Err(Error::AliasNotFound(alias)),
        }
    }

    /// Refuses a new class whose name is an alias's, exactly or but for case (Weaviate's
    /// `PreApplyFilter` compares class names with aliases as with classes).
    pub(crate) fn check_not_alias(&self, class: &str) -> Result<()> {
        if self.aliases.contains_key(class) {
            return Err(Error::ClassIsAliasName(class.to_string()));
        }
        match self.aliases.keys().find(|a| a.eq_ignore_ascii_case(class)) {
            Some(existing) => Err(Error::SimilarAliasExists {
                existing: existing.clone(),
                requested: class.to_string(),
            }),
            None => Ok(()),
        }
    }
}

/// The aliases that differ between two states (added, removed or pointing elsewhere), in
/// name order.
pub(crate) fn alias_changes(prev: &MetaState, next: &MetaState) -> Vec<MetaChange> {
    let removed = prev
        .aliases
        .keys()
        .filter(|a| !next.aliases.contains_key(*a));
    let changed = next
        .aliases
        .iter()
        .filter(|(a, class)| prev.aliases.get(*a) != Some(*class))
        .map(|(a, _)| a);
    let mut names: Vec<&String> = removed.chain(changed).collect();
    names.sort();
    names
        .into_iter()
        .map(|a| MetaChange::AliasChanged(a.clone()))
        .collect()
}

#[cfg(test)]
#[path = "aliases_tests.rs"]
mod tests;
