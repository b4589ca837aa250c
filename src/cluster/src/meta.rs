//! The metadata state machine: a pure `apply` of commands to state.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use types::schema::{Class, Property};

use crate::sharding::ShardingState;
use crate::{Error, Result};

/// One collection and where its data lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMeta {
    pub class: Class,
    pub sharding: ShardingState,
}

/// Everything the cluster agrees on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaState {
    /// Collections by exact name; shared so that readers take a class without copying its
    /// sharding state.
    pub classes: BTreeMap<String, Arc<ClassMeta>>,
    /// Index of the last applied command (the schema version).
    pub applied: u64,
}

/// A change to the metadata. Validation of content happens before a command is proposed; `apply`
/// only checks what depends on the current state (existence, conflicts).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum MetaCommand {
    AddClass {
        meta: Box<ClassMeta>,
    },
    UpdateClass {
        class: Box<Class>,
    },
    DeleteClass {
        name: String,
    },
    AddProperty {
        class: String,
        property: Box<Property>,
    },
    UpdateShardStatus {
        class: String,
        shard: String,
        status: String,
    },
}

/// What an applied command changed, for listeners.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaChange {
    ClassAdded(String),
    ClassUpdated(String),
    ClassDeleted(String),
    ShardStatusChanged {
        class: String,
        shard: String,
        status: String,
    },
}

impl MetaState {
    /// A class by exact name.
    pub fn class(&self, name: &str) -> Option<&Arc<ClassMeta>> {
        self.classes.get(name)
    }

    /// Applies one command. On error the state is unchanged.
    pub fn apply(&mut self, cmd: MetaCommand) -> Result<MetaChange> {
        let change = match cmd {
            MetaCommand::AddClass { meta } => self.add_class(*meta)?,
            MetaCommand::UpdateClass { class } => self.update_class(*class)?,
            MetaCommand::DeleteClass { name } => self.delete_class(name)?,
            MetaCommand::AddProperty { class, property } => self.add_property(&class, *property)?,
            MetaCommand::UpdateShardStatus {
                class,
                shard,
                status,
            } => self.update_shard_status(class, shard, status)?,
        };
        self.applied += 1;
        Ok(change)
    }

    fn add_class(&mut self, meta: ClassMeta) -> Result<MetaChange> {
        let name = meta.class.class.clone();
        if self.classes.contains_key(&name) {
            return Err(Error::ClassExists(name));
        }
        if let Some(existing) = self.classes.keys().find(|k| k.eq_ignore_ascii_case(&name)) {
            return Err(Error::SimilarClassExists {
                existing: existing.clone(),
                requested: name,
            });
        }
        self.classes.insert(name.clone(), Arc::new(meta));
        Ok(MetaChange::ClassAdded(name))
    }

    fn update_class(&mut self, class: Class) -> Result<MetaChange> {
        let name = class.class.clone();
        let meta = self
            .classes
            .get_mut(&name)
            .ok_or_else(|| Error::ClassNotFound(name.clone()))?;
        let meta = Arc::make_mut(meta);
        meta.class = class;
        Ok(MetaChange::ClassUpdated(name))
    }

    fn delete_class(&mut self, name: String) -> Result<MetaChange> {
        // Deleting a missing class succeeds, as in Weaviate.
        self.classes.remove(&name);
        Ok(MetaChange::ClassDeleted(name))
    }

    fn add_property(&mut self, class: &str, property: Property) -> Result<MetaChange> {
        let meta = self
            .classes
            .get_mut(class)
            .ok_or_else(|| Error::ClassNotFound(class.to_string()))?;
        let meta = Arc::make_mut(meta);
        if meta
            .class
            .props()
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&property.name))
        {
            return Err(Error::PropertyExists {
                class: class.to_string(),
                property: property.name,
            });
        }
        meta.class
            .properties
            .get_or_insert_with(Vec::new)
            .push(property);
        Ok(MetaChange::ClassUpdated(class.to_string()))
    }

    fn update_shard_status(
        &mut self,
        class: String,
        shard: String,
        status: String,
    ) -> Result<MetaChange> {
        let meta = self
            .classes
            .get_mut(&class)
            .ok_or_else(|| Error::ClassNotFound(class.clone()))?;
        let meta = Arc::make_mut(meta);
        let physical =
            meta.sharding
                .physical
                .get_mut(&shard)
                .ok_or_else(|| Error::ShardNotFound {
                    class: class.clone(),
                    shard: shard.clone(),
                })?;
        physical.status = status.clone();
        Ok(MetaChange::ShardStatusChanged {
            class,
            shard,
            status,
        })
    }
}
