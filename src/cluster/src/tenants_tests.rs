use std::sync::Arc;

use super::*;
use crate::meta::MetaCommand;
use crate::ClassMeta;

fn class(name: &str, multi_tenant: bool) -> Arc<ClassMeta> {
    let mut meta = crate::meta::tests::meta(name, 1);
    Arc::make_mut(&mut meta).class.multi_tenancy_config.enabled = multi_tenant;
    meta
}

fn state() -> MetaState {
    MetaState {
        classes: [("Mt", class("Mt", true)), ("Plain", class("Plain", false))]
            .into_iter()
            .map(|(n, c)| (n.to_string(), c))
            .collect(),
        ..MetaState::default()
    }
}

fn nodes() -> Vec<String> {
    ["n1", "n2", "n3"].map(String::from).to_vec()
}

fn hot(names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (n.to_string(), "HOT".to_string()))
        .collect()
}

#[test]
fn with_a_factor_of_every_node_each_tenant_is_everywhere() {
    let existing: Tenants = place_tenants(&Tenants::new(), &hot(&["a"]), &nodes(), 3)
        .into_iter()
        .map(|t| (t.name.clone(), t))
        .collect();
    assert_eq!(existing["a"].belongs_to_nodes, nodes());
    let placed = place_tenants(&existing, &hot(&["a", "b", "b", "c"]), &nodes(), 5);
    let names: Vec<&str> = placed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        ["b", "c"],
        "existing and repeated names are left out"
    );
    assert!(placed.iter().all(|t| t.belongs_to_nodes == nodes()));
}

#[test]
fn tenants_spread_over_the_least_loaded_nodes() {
    let placed = place_tenants(&Tenants::new(), &hot(&["a", "b", "c", "a"]), &nodes(), 2);
    let on: Vec<Vec<String>> = placed.iter().map(|t| t.belongs_to_nodes.clone()).collect();
    assert_eq!(on, [vec!["n1", "n2"], vec!["n3", "n1"], vec!["n2", "n3"]]);
    assert_eq!(placed.len(), 3, "a name given twice is placed once");
    // Existing tenants count, and keep their placement.
    let existing: Tenants = placed.into_iter().map(|t| (t.name.clone(), t)).collect();
    let more = place_tenants(&existing, &hot(&["a", "d"]), &nodes(), 1);
    assert_eq!(more.len(), 1);
    assert_eq!(more[0].belongs_to_nodes, ["n1"]);
}

#[test]
fn tenants_are_added_updated_and_deleted_through_commands() {
    let mut st = state();
    let tenants = place_tenants(&Tenants::new(), &hot(&["a", "b"]), &nodes(), 2);
    let add = MetaCommand::AddTenants {
        class: "Mt".into(),
        tenants: tenants.clone(),
    };
    assert_eq!(
        st.apply(add.clone()).unwrap(),
        MetaChange::TenantsChanged {
            class: "Mt".into(),
            names: vec!["a".into(), "b".into()]
        }
    );
    assert_eq!(st.class("Mt").unwrap().tenants.len(), 2);
    // Adding again is a no-op that keeps the first placement.
    st.apply(add).unwrap();
    assert_eq!(st.class("Mt").unwrap().tenants["a"], tenants[0]);

    let update = |statuses: Vec<(String, String)>| MetaCommand::UpdateTenants {
        class: "Mt".into(),
        statuses,
    };
    st.apply(update(vec![("b".into(), "COLD".into())])).unwrap();
    assert_eq!(st.class("Mt").unwrap().tenants["b"].status, "COLD");
    // One missing tenant fails the whole update.
    let before = st.clone();
    let err = st
        .apply(update(vec![
            ("a".into(), "COLD".into()),
            ("zz".into(), "COLD".into()),
        ]))
        .unwrap_err();
    assert!(
        matches!(err, Error::TenantNotFound { ref tenant, .. } if tenant == "zz"),
        "{err}"
    );
    assert_eq!(st, before);
    let err = st
        .apply(update(vec![("a".into(), "WARM".into())]))
        .unwrap_err();
    assert!(err.to_string().contains("WARM"), "{err}");

    st.apply(MetaCommand::DeleteTenants {
        class: "Mt".into(),
        names: vec!["a".into(), "never".into()],
    })
    .unwrap();
    let left: Vec<&String> = st.class("Mt").unwrap().tenants.keys().collect();
    assert_eq!(left, ["b"]);
}

#[test]
fn tenants_need_a_multi_tenant_class() {
    let mut st = state();
    let add = |class: &str| MetaCommand::AddTenants {
        class: class.into(),
        tenants: place_tenants(&Tenants::new(), &hot(&["a"]), &nodes(), 1),
    };
    let err = st.apply(add("Plain")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "multi-tenancy is not enabled for class \"Plain\""
    );
    assert!(matches!(
        st.apply(add("Nope")),
        Err(Error::ClassNotFound(_))
    ));
    assert_eq!(st.applied, 0, "refused commands change nothing");
}

#[test]
fn a_snapshot_with_other_tenants_is_a_tenant_change() {
    let prev = state();
    let mut next = prev.clone();
    next.apply(MetaCommand::AddTenants {
        class: "Mt".into(),
        tenants: place_tenants(&Tenants::new(), &hot(&["a"]), &nodes(), 1),
    })
    .unwrap();
    assert_eq!(
        crate::changes_between(&prev, &next),
        [MetaChange::TenantsChanged {
            class: "Mt".into(),
            names: vec!["a".into()]
        }]
    );
    // And the tenants survive the JSON the snapshot and the log use.
    let json = serde_json::to_string(&next).unwrap();
    let back: MetaState = serde_json::from_str(&json).unwrap();
    assert_eq!(back, next);
}

#[test]
fn a_tenant_view_routes_every_id_to_the_tenant_shard() {
    let mut st = state();
    st.apply(MetaCommand::AddTenants {
        class: "Mt".into(),
        tenants: place_tenants(&Tenants::new(), &hot(&["a", "b"]), &nodes(), 2),
    })
    .unwrap();
    let meta = st.class("Mt").unwrap();
    let view = meta.for_tenant("b").expect("tenant b exists");
    assert_eq!(view.sharding.shard_names(), ["b"]);
    assert_eq!(
        view.sharding.physical["b"].belongs_to_nodes,
        meta.tenants["b"].belongs_to_nodes
    );
    for i in 0..64u128 {
        assert_eq!(
            view.sharding.shard_for(&uuid::Uuid::from_u128(i * 7919)),
            Some("b")
        );
    }
    assert!(meta.for_tenant("missing").is_none());
}
