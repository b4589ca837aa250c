use super::*;
use crate::meta::tests::meta;
use crate::meta::{changes_between, ClassMeta, MetaCommand};

/// A state with `Books` and `BooksV2`, the second being built from the first.
fn state() -> MetaState {
    let mut st = MetaState::default();
    let target = ClassMeta {
        copy: Some(CopyProgress::start("Books".into(), None, "n1".into(), 10)),
        ..(*meta("BooksV2", 2)).clone()
    };
    for m in [(*meta("Books", 1)).clone(), target] {
        st.apply(MetaCommand::AddClass { meta: Box::new(m) })
            .expect("class added");
    }
    st
}

fn progress(state: CopyState, copied: u64) -> MetaCommand {
    MetaCommand::SetCopyProgress {
        class: "BooksV2".into(),
        progress: Box::new(CopyProgress {
            state,
            copied,
            cursor: Some(Uuid::from_u128(copied as u128)),
            ..CopyProgress::start("Books".into(), None, "n1".into(), 10)
        }),
    }
}

fn copy_of(st: &MetaState) -> CopyProgress {
    st.class("BooksV2")
        .and_then(|m| m.copy.clone())
        .expect("a copy")
}

#[test]
fn progress_moves_until_the_copy_ends() {
    let mut st = state();
    let change = st.apply(progress(CopyState::Copying, 4)).expect("progress");
    assert_eq!(change, MetaChange::CopyProgressed("BooksV2".into()));
    assert_eq!(copy_of(&st).copied, 4);
    assert_eq!(copy_of(&st).cursor, Some(Uuid::from_u128(4)));
    st.apply(progress(CopyState::Done, 10)).expect("done");
    assert_eq!(copy_of(&st).state, CopyState::Done);
}

#[test]
fn an_ended_copy_is_never_reopened() {
    let mut st = state();
    st.apply(progress(CopyState::Failed, 3)).expect("failed");
    let applied = st.applied;
    let late = st.apply(progress(CopyState::Copying, 5));
    assert!(matches!(late, Err(Error::Invalid(_))), "{late:?}");
    assert_eq!(copy_of(&st).state, CopyState::Failed);
    assert_eq!(copy_of(&st).copied, 3);
    assert_eq!(st.applied, applied, "a refused command changes nothing");
}

#[test]
fn only_a_class_being_built_takes_progress() {
    let mut st = state();
    let other = MetaCommand::SetCopyProgress {
        class: "Books".into(),
        progress: Box::new(CopyProgress::start("X".into(), None, "n1".into(), 0)),
    };
    assert!(matches!(st.apply(other), Err(Error::Invalid(_))));
    let missing = MetaCommand::SetCopyProgress {
        class: "Nope".into(),
        progress: Box::new(CopyProgress::start("X".into(), None, "n1".into(), 0)),
    };
    assert!(matches!(st.apply(missing), Err(Error::ClassNotFound(_))));
}

#[test]
fn a_snapshot_reports_progress_as_its_own_change() {
    let before = state();
    let mut after = before.clone();
    after
        .apply(progress(CopyState::Copying, 6))
        .expect("progress");
    assert_eq!(
        changes_between(&before, &after),
        vec![MetaChange::CopyProgressed("BooksV2".into())]
    );
}

#[test]
fn progress_round_trips_through_a_class_row() {
    let st = state();
    let built = st.class("BooksV2").expect("class");
    let json = serde_json::to_value(&**built).expect("encode");
    assert_eq!(json["copy"]["state"], "COPYING");
    let back: ClassMeta = serde_json::from_value(json).expect("decode");
    assert_eq!(&back, &**built);
    // A row written before copies existed reads as a class with none.
    let mut old = serde_json::to_value(&*meta("Books", 1)).expect("encode");
    old.as_object_mut().expect("object").remove("copy");
    let read: ClassMeta = serde_json::from_value(old).expect("decode");
    assert_eq!(read.copy, None);
}
