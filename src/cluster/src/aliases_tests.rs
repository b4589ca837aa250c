use super::*;
use crate::meta::tests::meta;
use crate::meta::MetaCommand;

fn state() -> MetaState {
    let mut st = MetaState::default();
    for (name, seed) in [("Books", 1), ("BooksV2", 2)] {
        st.apply(MetaCommand::AddClass {
            meta: Box::new((*meta(name, seed)).clone()),
        })
        .expect("class added");
    }
    st
}

fn create(alias: &str, class: &str) -> MetaCommand {
    MetaCommand::CreateAlias {
        alias: alias.into(),
        class: class.into(),
    }
}

fn replace(alias: &str, class: &str) -> MetaCommand {
    MetaCommand::ReplaceAlias {
        alias: alias.into(),
        class: class.into(),
    }
}

#[test]
fn an_alias_is_created_switched_and_deleted() {
    let mut st = state();
    assert_eq!(
        st.apply(create("Library", "Books")).unwrap(),
        MetaChange::AliasChanged("Library".into())
    );
    assert_eq!(st.alias_target("Library"), Some("Books"));
    st.apply(replace("Library", "BooksV2")).unwrap();
    assert_eq!(st.alias_target("Library"), Some("BooksV2"));
    st.apply(MetaCommand::DeleteAlias {
        alias: "Library".into(),
    })
    .unwrap();
    assert_eq!(st.alias_target("Library"), None);
    assert_eq!(st.classes.len(), 2, "the classes are untouched");
}

#[test]
fn refused_alias_commands_change_nothing() {
    let mut st = state();
    st.apply(create("Library", "Books")).unwrap();
    let before = st.clone();
    let refusals = [
        (
            create("Library", "BooksV2"),
            "create alias: alias Library already exists",
        ),
        (
            create("Books", "BooksV2"),
            "create alias: class Books already exists",
        ),
        (create("Shelf", "Missing"), "class Missing not found"),
        (replace("Shelf", "Books"), "alias Shelf not found"),
        (replace("Library", "Missing"), "class Missing not found"),
        (
            MetaCommand::DeleteAlias {
                alias: "Shelf".into(),
            },
            "alias Shelf not found",
        ),
    ];
    for (command, message) in refusals {
        let err = st.apply(command).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
    assert_eq!(st, before);
}

#[test]
fn a_class_may_not_take_an_aliases_name() {
    let mut st = state();
    st.apply(create("Library", "Books")).unwrap();
    let add = |name: &str| MetaCommand::AddClass {
        meta: Box::new((*meta(name, 3)).clone()),
    };
    let err = st.apply(add("Library")).unwrap_err();
    assert_eq!(err.to_string(), "alias name Library already exists");
    assert_eq!(err.kind(), types::ErrorKind::Conflict);
    let err = st.apply(add("LIBRARY")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "class already exists: found similar alias \"Library\""
    );
    assert!(st.class("Library").is_none() && st.class("LIBRARY").is_none());
}

#[test]
fn deleting_a_class_leaves_its_aliases_dangling_until_it_returns() {
    let mut st = state();
    st.apply(create("Library", "Books")).unwrap();
    st.apply(MetaCommand::DeleteClass {
        name: "Books".into(),
    })
    .unwrap();
    assert_eq!(st.alias_target("Library"), Some("Books"));
    assert!(st.class("Books").is_none());
    // A dangling alias still holds its name, and may be switched to a class that exists.
    assert!(st.apply(create("Library", "BooksV2")).is_err());
    st.apply(replace("Library", "BooksV2")).unwrap();
    assert_eq!(st.alias_target("Library"), Some("BooksV2"));
}

#[test]
fn a_snapshot_with_other_aliases_is_an_alias_change() {
    let prev = state();
    let mut next = prev.clone();
    next.apply(create("Library", "Books")).unwrap();
    next.apply(create("Archive", "Books")).unwrap();
    assert_eq!(
        crate::changes_between(&prev, &next),
        [
            MetaChange::AliasChanged("Archive".into()),
            MetaChange::AliasChanged("Library".into()),
        ]
    );
    let mut switched = next.clone();
    switched.apply(replace("Library", "BooksV2")).unwrap();
    switched
        .apply(MetaCommand::DeleteAlias {
            alias: "Archive".into(),
        })
        .unwrap();
    assert_eq!(
        crate::changes_between(&next, &switched),
        [
            MetaChange::AliasChanged("Archive".into()),
            MetaChange::AliasChanged("Library".into()),
        ]
    );
    assert!(crate::changes_between(&switched, &switched).is_empty());
}

#[test]
fn aliases_survive_json_and_older_states_read_as_having_none() {
    let mut st = state();
    st.apply(create("Library", "Books")).unwrap();
    let json = serde_json::to_value(&st).unwrap();
    assert_eq!(json["aliases"], serde_json::json!({"Library": "Books"}));
    let back: MetaState = serde_json::from_value(json.clone()).unwrap();
    assert_eq!(back, st);

    // A state written before aliases existed has no such field.
    let mut old = json;
    old.as_object_mut().unwrap().remove("aliases");
    let back: MetaState = serde_json::from_value(old).unwrap();
    assert!(back.aliases.is_empty());
    assert_eq!(back.classes, st.classes);
    // And a state without aliases writes none, as before.
    let plain = serde_json::to_value(state()).unwrap();
    assert!(plain.get("aliases").is_none());
}
