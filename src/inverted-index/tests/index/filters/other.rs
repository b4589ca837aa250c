//! Numbers, booleans, dates, arrays, uuids, ids, null state, lengths, timestamps, geo, refs.

use types::filter::{FilterValue, Operator};

use super::{cond, err, fixture, ids, text};

#[test]
fn numbers_booleans_dates_and_arrays() {
    let ix = fixture();
    let int = FilterValue::Int;
    assert_eq!(ids(&ix, &cond("count", Operator::Equal, int(5))), [0, 3]);
    assert_eq!(
        ids(&ix, &cond("count", Operator::NotEqual, int(5))),
        [1, 2, 4, 5]
    );
    assert_eq!(ids(&ix, &cond("count", Operator::GreaterThan, int(5))), [2]);
    assert_eq!(
        ids(&ix, &cond("count", Operator::GreaterThanEqual, int(5))),
        [0, 2, 3]
    );
    assert_eq!(ids(&ix, &cond("count", Operator::LessThan, int(0))), [1]);
    assert_eq!(
        ids(&ix, &cond("count", Operator::LessThanEqual, int(-3))),
        [1]
    );
    let num = FilterValue::Number;
    assert_eq!(
        ids(&ix, &cond("score", Operator::Equal, num(0.0))),
        [1],
        "-0.0 equals 0.0"
    );
    assert_eq!(
        ids(&ix, &cond("score", Operator::GreaterThan, num(1.5))),
        [2, 4]
    );
    assert_eq!(
        ids(&ix, &cond("score", Operator::LessThanEqual, num(1.5))),
        [0, 1]
    );
    let b = FilterValue::Boolean;
    assert_eq!(ids(&ix, &cond("active", Operator::Equal, b(true))), [0]);
    assert_eq!(ids(&ix, &cond("active", Operator::Equal, b(false))), [1]);
    assert_eq!(
        ids(&ix, &cond("active", Operator::NotEqual, b(true))),
        [1, 2, 3, 4, 5]
    );
    let date = |s: &str| FilterValue::Date(s.into());
    assert_eq!(
        ids(
            &ix,
            &cond("when", Operator::Equal, date("2021-06-01T10:00:00Z"))
        ),
        [1],
        "instants, not strings"
    );
    assert_eq!(
        ids(
            &ix,
            &cond(
                "when",
                Operator::GreaterThanEqual,
                date("2020-01-01T00:00:00Z")
            )
        ),
        [0, 1]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("when", Operator::LessThan, date("2020-01-01T00:00:00Z"))
        ),
        [2]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("when", Operator::LessThan, date("2019-12-31T23:59:59.6Z"))
        ),
        [2]
    );
    assert_eq!(ids(&ix, &cond("nums", Operator::Equal, int(2))), [0]);
    assert_eq!(
        ids(&ix, &cond("nums", Operator::GreaterThan, int(2))),
        [0, 2],
        "any element"
    );
    assert_eq!(
        ids(&ix, &cond("nums", Operator::NotEqual, int(3))),
        [1, 3, 4, 5]
    );
}

#[test]
fn uuid_properties_and_object_ids() {
    let ix = fixture();
    let a = "00000000-0000-0000-0000-00000000000A";
    assert_eq!(
        ids(&ix, &cond("ref", Operator::Equal, text(a))),
        [0],
        "uuid case does not matter"
    );
    assert_eq!(
        ids(&ix, &cond("ref", Operator::NotEqual, text(a))),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(ids(&ix, &cond("ref", Operator::GreaterThan, text(a))), [1]);
    assert!(err(&ix, &cond("ref", Operator::Equal, text("nope"))).contains("parse uuid"));
    assert!(err(&ix, &cond("ref", Operator::Like, text("0*"))).contains("cannot be used on uuid"));
    let id2 = "10000000-0000-4000-8000-000000000002";
    assert_eq!(ids(&ix, &cond("id", Operator::Equal, text(id2))), [2]);
    assert_eq!(
        ids(
            &ix,
            &cond("_id", Operator::Equal, text(&id2.to_uppercase()))
        ),
        [2]
    );
    assert_eq!(
        ids(&ix, &cond("id", Operator::NotEqual, text(id2))),
        [0, 1, 3, 4, 5]
    );
    assert_eq!(
        ids(&ix, &cond("id", Operator::GreaterThan, text(id2))),
        [3, 4, 5]
    );
    assert_eq!(
        ids(&ix, &cond("id", Operator::Like, text("*0000000000?"))),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(&ix, &cond("id", Operator::Equal, text("not-a-uuid"))),
        Vec::<u32>::new()
    );
    // Like scans only the ids starting with the literal prefix; it never matches uppercase
    let like = |p: &str| ids(&ix, &cond("id", Operator::Like, text(p)));
    assert_eq!(
        like("10000000-0000-4000-8000-00000000000?"),
        [0, 1, 2, 3, 4, 5]
    );
    assert_eq!(like("1000*5"), [5]);
    assert_eq!(like("10000000-0000-4000-8000-000000000003"), [3]);
    assert_eq!(like("1000000?-*-00000000000[0-9]"), Vec::<u32>::new());
    assert_eq!(
        like("10000000-0000-4000-8000-00000000000A"),
        Vec::<u32>::new()
    );
    // a range bounded by something that is not a uuid compares the canonical strings
    let all: &[u32] = &[0, 1, 2, 3, 4, 5];
    assert_eq!(ids(&ix, &cond("id", Operator::GreaterThan, text("1"))), all);
    assert_eq!(
        ids(&ix, &cond("id", Operator::LessThan, text("1"))),
        Vec::<u32>::new()
    );
    assert_eq!(ids(&ix, &cond("id", Operator::NotEqual, text("1"))), all);
    assert_eq!(
        ids(
            &ix,
            &cond(
                "id",
                Operator::LessThanEqual,
                text("10000000-0000-4000-8000-000000000001x")
            )
        ),
        [0, 1]
    );
    assert!(err(&ix, &cond("id", Operator::Equal, FilterValue::Int(1)))
        .contains("must use \"valueText\""));
}

#[test]
fn is_null_counts_missing_null_empty_text_and_empty_arrays() {
    let ix = fixture();
    let b = FilterValue::Boolean;
    assert_eq!(ids(&ix, &cond("name", Operator::IsNull, b(true))), [3, 4]);
    assert_eq!(
        ids(&ix, &cond("name", Operator::IsNull, b(false))),
        [0, 1, 2, 5]
    );
    assert_eq!(
        ids(&ix, &cond("tags", Operator::IsNull, b(true))),
        [2, 3, 5]
    );
    assert_eq!(
        ids(&ix, &cond("active", Operator::IsNull, b(true))),
        [2, 3, 4, 5]
    );
    assert_eq!(ids(&ix, &cond("loc", Operator::IsNull, b(false))), [0, 1]);
    assert_eq!(
        ids(&ix, &cond("author", Operator::IsNull, b(true))),
        [1, 2, 3, 4, 5]
    );
    assert!(
        err(&ix, &cond("name", Operator::IsNull, text("x"))).contains("requires a booleanValue")
    );
}

#[test]
fn property_length_counts_characters_and_elements() {
    let ix = fixture();
    let int = FilterValue::Int;
    assert_eq!(ids(&ix, &cond("len(name)", Operator::Equal, int(13))), [0]);
    assert_eq!(
        ids(&ix, &cond("len(name)", Operator::Equal, int(0))),
        [3, 4],
        "missing has length 0"
    );
    assert_eq!(
        ids(&ix, &cond("len(name)", Operator::GreaterThan, int(9))),
        [0, 1, 5]
    );
    assert_eq!(
        ids(&ix, &cond("len(tags)", Operator::Equal, int(2))),
        [0, 4]
    );
    assert_eq!(
        ids(&ix, &cond("len(tags)", Operator::LessThan, int(1))),
        [2, 3, 5]
    );
    assert_eq!(
        ids(&ix, &cond("len(tags)", Operator::NotEqual, int(0))),
        [0, 1, 4]
    );
    assert_eq!(
        ids(&ix, &cond("len(nums)", Operator::GreaterThanEqual, int(1))),
        [0, 2]
    );
    assert!(
        err(&ix, &cond("len(name)", Operator::Equal, int(-1))).contains("positive property length")
    );
    assert!(err(&ix, &cond("len(name)", Operator::Like, int(1))).contains("supports operators"));
    assert!(err(&ix, &cond("len(count)", Operator::Equal, int(1))).contains("not supported"));
}

#[test]
fn timestamps_as_ms_text_or_dates() {
    let ix = fixture();
    // created: 1_600_000_000_000 + doc * 1000
    let ms = |d: i64| (1_600_000_000_000 + d * 1000).to_string();
    assert_eq!(
        ids(
            &ix,
            &cond("_creationTimeUnix", Operator::Equal, text(&ms(2)))
        ),
        [2]
    );
    assert_eq!(
        ids(
            &ix,
            &cond(
                "_creationTimeUnix",
                Operator::GreaterThanEqual,
                text(&ms(3))
            )
        ),
        [3, 4, 5]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("_creationTimeUnix", Operator::LessThan, text(&ms(1)))
        ),
        [0]
    );
    let as_date = FilterValue::Date("2020-09-13T12:26:42.000Z".into()); // 1_600_000_002_000
    assert_eq!(
        ids(&ix, &cond("_creationTimeUnix", Operator::Equal, as_date)),
        [2]
    );
    // updated: 1_700_000_000_000 + (doc % 7) * 1000
    assert_eq!(
        ids(
            &ix,
            &cond(
                "_lastUpdateTimeUnix",
                Operator::NotEqual,
                text("1700000000000")
            )
        ),
        [1, 2, 3, 4, 5]
    );
    assert!(err(
        &ix,
        &cond("_creationTimeUnix", Operator::Equal, text("soon"))
    )
    .contains("expected value to be timestamp"));
}

#[test]
fn geo_ranges_and_reference_counts() {
    let ix = fixture();
    let near = |max| FilterValue::GeoRange {
        latitude: 52.37,
        longitude: 4.90,
        max_distance_m: max,
    };
    assert_eq!(
        ids(&ix, &cond("loc", Operator::WithinGeoRange, near(1000.0))),
        [0]
    );
    assert_eq!(
        ids(&ix, &cond("loc", Operator::WithinGeoRange, near(600_000.0))),
        [0, 1]
    );
    assert!(err(&ix, &cond("loc", Operator::Equal, text("x"))).contains("geoRange"));
    assert!(
        err(&ix, &cond("count", Operator::WithinGeoRange, near(1.0))).contains("geoCoordinates")
    );
    assert_eq!(
        ids(&ix, &cond("author", Operator::Equal, FilterValue::Int(1))),
        [0]
    );
    assert_eq!(
        ids(&ix, &cond("author", Operator::Equal, FilterValue::Int(0))),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(
        ids(
            &ix,
            &cond("author", Operator::GreaterThan, FilterValue::Int(0))
        ),
        [0]
    );
}
