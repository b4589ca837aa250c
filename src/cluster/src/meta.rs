//! The metadata state machine: a pure `apply` of commands to state.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use types::schema::{Class, Property};

use crate::copies::CopyProgress;
use crate::sharding::ShardingState;
use crate::tenants::{TenantMeta, Tenants};
use crate::{Error, Result};

/// One collection and where its data lives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMeta {
    pub class: Class,
    pub sharding: ShardingState,
    /// The vector length of each target vector (`""` for the unnamed one), fixed by the first
    /// write that carries one: shards index separately and would each accept any first length,
    /// so the class-wide rule lives here.
    #[serde(default)]
    pub vector_dims: BTreeMap<String, usize>,
    /// The tenants of a multi-tenant class, by name (see [`crate::tenants`]).
    #[serde(default, skip_serializing_if = "Tenants::is_empty")]
    pub tenants: Tenants,
    /// The copy that builds this class from another, if it was created with `initFrom` (see
    /// [`crate::copies`]); kept after it ends, to report how it ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<CopyProgress>,
}

/// Everything the cluster agrees on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MetaState {
    /// Collections by exact name; shared so that readers take a class without copying its
    /// sharding state.
    pub classes: BTreeMap<String, Arc<ClassMeta>>,
    /// Index of the last applied command (the schema version).
    pub applied: u64,
    /// Collection aliases: alias name -> the class it names (see [`crate::aliases`]). Absent
    /// from states written before aliases existed, which therefore read as having none.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub aliases: BTreeMap<String, String>,
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
    /// Fixes the length of a target vector of a class; the same length again is a no-op, a
    /// different one is refused.
    SetVectorDims {
        class: String,
        target: String,
        dims: usize,
    },
    /// Adds tenants, placed by the proposer ([`crate::tenants::place_tenants`]).
    AddTenants {
        class: String,
        tenants: Vec<TenantMeta>,
    },
    /// Sets the activity status of existing tenants: `(name, status)`.
    UpdateTenants {
        class: String,
        statuses: Vec<(String, String)>,
    },
    DeleteTenants {
        class: String,
        names: Vec<String>,
    },
    /// Adds an alias for an existing class; the name must be free (no alias, no class).
    CreateAlias {
        alias: String,
        class: String,
    },
    /// Points an existing alias at another existing class, in one step.
    ReplaceAlias {
        alias: String,
        class: String,
    },
    DeleteAlias {
        alias: String,
    },
    /// Records how far the copy that builds `class` from another got (see [`crate::copies`]).
    SetCopyProgress {
        class: String,
        progress: Box<CopyProgress>,
    },
}

impl MetaCommand {
    /// The command's kind in Weaviate's terms (the `type` label of `schema_writes_seconds`).
    pub fn kind(&self) -> &'static str {
        match self {
            MetaCommand::AddClass { .. } => "add_class",
            MetaCommand::UpdateClass { .. } => "update_class",
            MetaCommand::DeleteClass { .. } => "delete_class",
            MetaCommand::AddProperty { .. } => "add_property",
            MetaCommand::UpdateShardStatus { .. } => "update_shard_status",
            MetaCommand::SetVectorDims { .. } => "set_vector_dims",
            MetaCommand::AddTenants { .. } => "add_tenants",
            MetaCommand::UpdateTenants { .. } => "update_tenants",
            MetaCommand::DeleteTenants { .. } => "delete_tenants",
            MetaCommand::CreateAlias { .. } => "create_alias",
            MetaCommand::ReplaceAlias { .. } => "replace_alias",
            MetaCommand::DeleteAlias { .. } => "delete_alias",
            MetaCommand::SetCopyProgress { .. } => "set_copy_progress",
        }
    }
}

/// What an applied command changed, for listeners.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaChange {
    ClassAdded(String),
    ClassUpdated(String),
    /// A class's vector lengths were fixed; nothing for shards to do.
    VectorDimsSet(String),
    ClassDeleted(String),
    ShardStatusChanged {
        class: String,
        shard: String,
        status: String,
    },
    /// Tenants of a class were added, removed or changed status; `names` are those tenants.
    TenantsChanged {
        class: String,
        names: Vec<String>,
    },
    /// An alias was added, switched or removed; nothing for shards to do.
    AliasChanged(String),
    /// The copy that builds a class from another moved on; nothing for shards to do.
    CopyProgressed(String),
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
            MetaCommand::SetVectorDims {
                class,
                target,
                dims,
            } => self.set_vector_dims(class, target, dims)?,
            MetaCommand::AddTenants { class, tenants } => self.add_tenants(class, tenants)?,
            MetaCommand::UpdateTenants { class, statuses } => {
                self.update_tenants(class, statuses)?
            }
            MetaCommand::DeleteTenants { class, names } => self.delete_tenants(class, names)?,
            MetaCommand::CreateAlias { alias, class } => self.create_alias(alias, class)?,
            MetaCommand::ReplaceAlias { alias, class } => self.replace_alias(alias, class)?,
            MetaCommand::DeleteAlias { alias } => self.delete_alias(alias)?,
            MetaCommand::SetCopyProgress { class, progress } => {
                self.set_copy_progress(class, *progress)?
            }
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
        self.check_not_alias(&name)?;
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
        // Deleting a missing class succeeds, as in Weaviate; its aliases stay (see
        // `crate::aliases`).
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

    fn set_vector_dims(
        &mut self,
        class: String,
        target: String,
        dims: usize,
    ) -> Result<MetaChange> {
        let meta = self
            .classes
            .get_mut(&class)
            .ok_or_else(|| Error::ClassNotFound(class.clone()))?;
        match meta.vector_dims.get(&target) {
            Some(&fixed) if fixed != dims => Err(Error::VectorLength {
                expected: fixed,
                got: dims,
            }),
            Some(_) => Ok(MetaChange::VectorDimsSet(class)),
            None => {
                Arc::make_mut(meta).vector_dims.insert(target, dims);
                Ok(MetaChange::VectorDimsSet(class))
            }
        }
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

/// The changes that turn `prev` into `next`, in an order a listener can apply one by one: deleted
/// classes first, then added and changed ones, then aliases. Used when a Raft snapshot replaces the whole state
/// at once (see [`crate::MetaListener::on_reset`]).
pub fn changes_between(prev: &MetaState, next: &MetaState) -> Vec<MetaChange> {
    let mut out: Vec<MetaChange> = prev
        .classes
        .keys()
        .filter(|name| !next.classes.contains_key(*name))
        .map(|name| MetaChange::ClassDeleted(name.clone()))
        .collect();
    for (name, new) in &next.classes {
        match prev.classes.get(name) {
            None => out.push(MetaChange::ClassAdded(name.clone())),
            Some(old) if Arc::ptr_eq(old, new) || old == new => {}
            Some(old) => out.extend(class_changes(name, old, new)),
        }
    }
    out.extend(crate::aliases::alias_changes(prev, next));
    out
}

/// The changes of one class present in both states.
fn class_changes(name: &str, old: &ClassMeta, new: &ClassMeta) -> Vec<MetaChange> {
    if !same_placement(&old.sharding, &new.sharding) {
        // Sharding is chosen once, at creation, and never recomputed: a different placement
        // means the class was deleted and created again while this node was not following.
        return vec![
            MetaChange::ClassDeleted(name.to_string()),
            MetaChange::ClassAdded(name.to_string()),
        ];
    }
    let mut out = Vec::new();
    if old.class != new.class {
        out.push(MetaChange::ClassUpdated(name.to_string()));
    }
    if old.copy != new.copy {
        out.push(MetaChange::CopyProgressed(name.to_string()));
    }
    if old.tenants != new.tenants {
        let mut names: Vec<String> = old
            .tenants
            .iter()
            .filter(|(n, t)| new.tenants.get(*n) != Some(*t))
            .map(|(n, _)| n.clone())
            .collect();
        names.extend(
            new.tenants
                .keys()
                .filter(|n| !old.tenants.contains_key(*n))
                .cloned(),
        );
        out.push(MetaChange::TenantsChanged {
            class: name.to_string(),
            names,
        });
    }
    for (shard, physical) in &new.sharding.physical {
        let before = old.sharding.physical.get(shard).map(|p| &p.status);
        if before != Some(&physical.status) {
            out.push(MetaChange::ShardStatusChanged {
                class: name.to_string(),
                shard: shard.clone(),
                status: physical.status.clone(),
            });
        }
    }
    out
}

/// Whether two sharding states place data the same way: same shards, tokens, assignments and
/// nodes. Statuses are compared separately, and the `owns_percentage` floats are left out: they
/// are derived, and JSON round trips may change their last bit, which must not look like a
/// recreated class.
fn same_placement(old: &ShardingState, new: &ShardingState) -> bool {
    let physical = |s: &ShardingState| {
        s.physical
            .values()
            .map(|p| {
                (
                    p.name.clone(),
                    p.owns_virtual.clone(),
                    p.belongs_to_nodes.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let virtuals = |s: &ShardingState| {
        s.virtual_shards
            .iter()
            .map(|v| (v.name.clone(), v.upper, v.assigned_to_physical.clone()))
            .collect::<Vec<_>>()
    };
    physical(old) == physical(new) && virtuals(old) == virtuals(new)
}

#[cfg(test)]
pub(crate) mod tests {
    use rand::SeedableRng;

    use super::*;

    /// A single-tenant class `name` with one shard on `n1`, its placement drawn from `seed`.
    pub(crate) fn meta(name: &str, seed: u64) -> Arc<ClassMeta> {
        let class = serde_json::from_value(serde_json::json!({
            "class": name, "properties": null,
            "invertedIndexConfig": {"cleanupIntervalSeconds": 60, "bm25": {"k1": 1.2, "b": 0.75},
                "stopwords": {"preset": "en", "additions": null, "removals": null}},
            "shardingConfig": {"virtualPerPhysical": 2, "desiredCount": 1, "actualCount": 1,
                "desiredVirtualCount": 2, "actualVirtualCount": 2, "key": "_id",
                "strategy": "hash", "function": "murmur3"},
            "replicationConfig": {"factor": 1, "asyncEnabled": false, "deletionStrategy": "x"},
            "multiTenancyConfig": {"enabled": false, "autoTenantCreation": false,
                "autoTenantActivation": false}
        }))
        .expect("class");
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let sharding = ShardingState::new(1, 2, &["n1".to_string()], 1, &mut rng);
        Arc::new(ClassMeta {
            class,
            sharding,
            vector_dims: BTreeMap::new(),
            tenants: Tenants::new(),
            copy: None,
        })
    }

    fn state(classes: &[(&str, Arc<ClassMeta>)]) -> MetaState {
        MetaState {
            classes: classes
                .iter()
                .map(|(n, m)| (n.to_string(), m.clone()))
                .collect(),
            ..MetaState::default()
        }
    }

    #[test]
    fn the_first_vector_length_of_a_target_is_the_only_one() {
        let mut st = state(&[("C", meta("C", 1))]);
        let set = |dims: usize, target: &str| MetaCommand::SetVectorDims {
            class: "C".to_string(),
            target: target.to_string(),
            dims,
        };
        assert_eq!(
            st.apply(set(3, "")).unwrap(),
            MetaChange::VectorDimsSet("C".into())
        );
        assert!(st.apply(set(3, "")).is_ok());
        let err = st.apply(set(5, "")).unwrap_err();
        assert!(matches!(
            err,
            Error::VectorLength {
                expected: 3,
                got: 5
            }
        ));
        assert!(st.apply(set(5, "other")).is_ok());
        assert_eq!(st.class("C").unwrap().vector_dims.len(), 2);
        assert!(matches!(
            st.apply(MetaCommand::SetVectorDims {
                class: "Missing".into(),
                target: String::new(),
                dims: 1
            }),
            Err(Error::ClassNotFound(_))
        ));
    }

    #[test]
    fn changes_between_states_name_every_difference() {
        let kept = meta("Kept", 1);
        let mut status_changed = (*kept).clone();
        for p in status_changed.sharding.physical.values_mut() {
            p.status = "READONLY".to_string();
        }
        let shard = status_changed
            .sharding
            .physical
            .keys()
            .next()
            .expect("one shard")
            .clone();
        let prev = state(&[
            ("Kept", kept.clone()),
            ("Gone", meta("Gone", 2)),
            ("Re", meta("Re", 3)),
        ]);
        let next = state(&[
            ("Kept", Arc::new(status_changed)),
            ("New", meta("New", 4)),
            ("Re", meta("Re", 5)),
        ]);
        assert_eq!(
            changes_between(&prev, &next),
            vec![
                MetaChange::ClassDeleted("Gone".to_string()),
                MetaChange::ShardStatusChanged {
                    class: "Kept".to_string(),
                    shard,
                    status: "READONLY".to_string()
                },
                MetaChange::ClassAdded("New".to_string()),
                MetaChange::ClassDeleted("Re".to_string()),
                MetaChange::ClassAdded("Re".to_string()),
            ]
        );
        assert!(changes_between(&next, &next).is_empty());
    }
}
