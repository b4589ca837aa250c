use proptest::prelude::*;

use super::*;

/// graphql-parser's own reading of `text`, the reference for what [`parse`] must return: the
/// document, or the error's message and positions.
fn reference(text: &str) -> Result<Document, (String, Vec<Pos>)> {
    // `parse` splits a number glued to a name first, as graphql-go does.
    let text = &*crate::graphql::numbers::separate(text);
    graphql_parser::query::parse_query::<String>(text)
        .map(|d| d.into_static())
        .map_err(|e| {
            let e = parse_error(&e, |pos| pos);
            (e.message, e.locations)
        })
}

fn ours(text: &str) -> Result<Document, (String, Vec<Pos>)> {
    parse(text, 100).map_err(|e| (e.message, e.locations))
}

fn vector_query(list: &str) -> String {
    format!("{{ Get {{ A(nearVector: {{vector: {list}}}, limit: 3) {{ x }} }} }}")
}

fn floats(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| format!("{}.25e-1", i as f64 - 7.0))
        .collect();
    format!("[{}]", items.join(", "))
}

#[test]
fn long_float_lists_parse_to_what_graphql_parser_makes() {
    for list in [
        floats(16),
        floats(300),
        "[0.1 0.2,0.3 ,\n 0.4, -0.5, 1e3, 1E-3, 2.5e+2, -0.0, 0.0, 3.0, 4.0, 5.5, 6.5, 7.5, 8.5]"
            .to_string(),
    ] {
        let text = vector_query(&list);
        assert_eq!(ours(&text).unwrap(), reference(&text).unwrap(), "{list}");
        assert_eq!(scan::scan(&text).number_lists.len(), 1, "{list}");
    }
}

#[test]
fn lists_with_anything_but_floats_are_left_to_graphql_parser() {
    let mixed = floats(20).replace("0.25e-1]", "1]");
    let commented = floats(20).replacen(", ", ", # note\n", 1);
    let nested = format!("[{}, {}]", floats(16), floats(16));
    for list in [mixed, commented, nested] {
        let text = vector_query(&list);
        assert_eq!(ours(&text), reference(&text), "{list}");
    }
    // Integers stay `Int`, as a `valueInt` list needs them.
    let ints: Vec<String> = (0..20).map(|i| i.to_string()).collect();
    let text = format!(
        "{{ Get {{ A(where: {{path: [\"n\"], operator: ContainsAny, valueInt: [{}]}}) {{ x }} }} }}",
        ints.join(",")
    );
    assert_eq!(ours(&text).unwrap(), reference(&text).unwrap());
}

#[test]
fn malformed_numbers_read_as_graphql_parser_reads_them() {
    // graphql-parser refuses some ("1.", "1e0") and splits others ("1e" is `1` then `e`): the
    // answer is its answer either way.
    for odd in [
        "01.5", "1.", ".5", "1e", "1e0", "1e9", "1e+", "--1.0", "1.0.0", "1.0f",
    ] {
        let list = floats(20).replacen("-7.25e-1", odd, 1);
        let text = vector_query(&list);
        assert_eq!(ours(&text), reference(&text), "{odd}");
    }
    // An error after a lifted list is reported where graphql-parser reports it.
    let text = format!("{}\n  oops(", vector_query(&floats(40)));
    let (message, locations) = ours(&text).unwrap_err();
    assert_eq!(Err((message, locations)), reference(&text).map(|_| ()));
}

#[test]
fn float_literals_follow_graphqls_grammar() {
    for good in [
        "0.0", "-0.5", "1e3", "1E-3", "2.5e+2", "10.01", "-12e1", "1e-0",
    ] {
        assert!(is_float_literal(good), "{good}");
    }
    for bad in [
        "0", "12", "01.5", "1.", ".5", "1e", "1e+", "--1.0", "+1.0", "1.0.0", "1.0f", "", "1e0",
        "1e9",
    ] {
        assert!(!is_float_literal(bad), "{bad}");
    }
}

proptest! {
    /// Any list of floats, written with any of GraphQL's separators, parses to exactly what
    /// graphql-parser makes of it.
    #[test]
    fn lifted_lists_match_graphql_parser(
        values in prop::collection::vec(any::<f32>().prop_filter("finite", |x| x.is_finite()), 16..64),
        separators in prop::collection::vec(prop_oneof![Just(","), Just(" "), Just(", "), Just("\n,\t")], 64),
        exponent in any::<bool>(),
    ) {
        let items: Vec<String> = values
            .iter()
            .map(|x| if exponent { format!("{:e}", f64::from(*x)) } else { format!("{:?}", f64::from(*x)) })
            .map(|s| if s.contains(['.', 'e']) { s } else { format!("{s}.0") })
            .collect();
        let mut list = String::from("[");
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                list.push_str(separators[i]);
            }
            list.push_str(item);
        }
        list.push(']');
        let text = vector_query(&list);
        prop_assert_eq!(ours(&text), reference(&text));
    }
}
