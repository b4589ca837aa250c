//! The limits of one query: nesting (deep `where` filters parse, deeper ones are refused with
//! the limit named) and cost (too many fields or aliases are refused before anything runs).

use serde_json::json;
use types::filter::{Condition, Filter, FilterPath, FilterValue, Operator};

use super::parse::{position, MAX_DEPTH};
use super::test_support::{class_from_json, messages, run_body, run_query, FakeBackend};

fn backend() -> FakeBackend {
    let article = class_from_json(json!({"class": "Article", "properties": [
        {"name": "title", "dataType": ["text"]}, {"name": "wordCount", "dataType": ["int"]}]}));
    FakeBackend {
        classes: vec![article],
        ..FakeBackend::default()
    }
}

fn condition(i: usize) -> String {
    format!("{{path: [\"wordCount\"], operator: Equal, valueInt: {i}}}")
}

fn condition_filter(i: usize) -> Filter {
    Filter::Condition(Condition {
        path: FilterPath::Property("wordCount".into()),
        operator: Operator::Equal,
        value: FilterValue::Int(i as i64),
    })
}

/// `And(And(And(c0, c1), c2), ...)` of `n` conditions, as GraphQL and as the parsed filter.
fn left_deep_and(n: usize) -> (String, Filter) {
    let (mut text, mut filter) = (condition(0), condition_filter(0));
    for i in 1..n {
        text = format!("{{operator: And, operands: [{text}, {}]}}", condition(i));
        filter = Filter::And(vec![filter, condition_filter(i)]);
    }
    (text, filter)
}

fn get_where(filter: &str) -> String {
    format!("{{Get{{Article(where: {filter}){{title}}}}}}")
}

#[test]
fn a_left_deep_and_of_200_conditions_is_one_filter() {
    let backend = backend();
    let (text, expected) = left_deep_and(200);
    let (status, body) = run_query(&backend, &get_where(&text));
    assert_eq!((status, messages(&body)), (200, vec![]), "{body}");
    let queries = backend.queries();
    assert_eq!(queries.len(), 1);
    assert!(queries[0].filter == Some(expected), "the filter differs");
}

#[test]
fn deep_filters_keep_strings_variables_and_line_breaks() {
    let backend = backend();
    let (deep, mut expected) = left_deep_and(60);
    // brackets inside strings, a variable and line breaks inside the cut pieces
    let text = format!(
        "{{operator: Or, operands: [\n{},\n {{path: [\"title\"], operator: Equal, valueText: \"{{[(\"}},\n {{path: [\"title\"], operator: Like, valueText: $w}}]}}",
        deep.replace(", {", ",\n {")
    );
    let body = json!({"query": format!("query($w: String) {}", get_where(&text)),
        "variables": {"w": "x*"}});
    let (status, response) = run_body(&backend, &body);
    assert_eq!((status, messages(&response)), (200, vec![]), "{response}");
    let text_condition = |operator, value: &str| {
        Filter::Condition(Condition {
            path: FilterPath::Property("title".into()),
            operator,
            value: FilterValue::Text(value.into()),
        })
    };
    expected = Filter::Or(vec![
        expected,
        text_condition(Operator::Equal, "{[("),
        text_condition(Operator::Like, "x*"),
    ]);
    assert!(
        backend.queries()[0].filter == Some(expected),
        "the filter differs"
    );
}

#[test]
fn nesting_past_the_limit_names_the_limit() {
    let backend = backend();
    let (text, _) = left_deep_and(MAX_DEPTH / 2 + 10);
    let query = get_where(&text);
    let (status, body) = run_query(&backend, &query);
    assert_eq!(status, 200);
    assert!(body.get("data").is_none(), "{body}");
    let message = messages(&body).join("\n");
    assert!(
        message.starts_with("query nested too deep: brackets, braces and parentheses nest 535 levels deep, the limit is 512"),
        "{message}"
    );
    // the location is the deepest bracket
    let mut depth = 0;
    let at = query.char_indices().position(|(_, c)| {
        depth += match c {
            '{' | '[' | '(' => 1,
            '}' | ']' | ')' => -1,
            _ => 0,
        };
        depth == 535
    });
    let pos = position(&query, at.unwrap_or_default());
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{"line": pos.line, "column": pos.column}])
    );
    assert!(backend.queries().is_empty());
}

#[test]
fn unbalanced_deep_text_is_refused_without_a_crash() {
    let backend = backend();
    for text in [
        "[".repeat(100_000),
        format!("{{Get{{Article(where: {}", "{a: [".repeat(200)),
        format!("{{Get{{Article(where: {}){{title}}}}}}", "]".repeat(300)),
        // found by the fuzzer: an outer cut left open around closed inner ones
        format!("{{Get{{Article(where: {}{}", "[".repeat(80), "]".repeat(40)),
    ] {
        let (status, body) = run_query(&backend, &text);
        assert_eq!(status, 200);
        assert!(!messages(&body).is_empty(), "{body}");
    }
}

#[test]
fn deep_selection_sets_name_the_parser_limit() {
    let query = format!("{}{}", "{a".repeat(60), "}".repeat(60));
    let (_, body) = run_query(&backend(), &query);
    let message = messages(&body).join("\n");
    assert!(
        message.starts_with("query nested too deep: selection sets, argument lists and variable definitions may nest at most 50 levels"),
        "{message}"
    );
}

#[test]
fn syntax_errors_in_and_after_cut_values_keep_their_position() {
    let (deep, _) = left_deep_and(40);
    // an error after the deep value: the column is the one in the text as sent
    let query = format!("{{Get{{Article(where: {deep}, limit: ){{title}}}}}}");
    let (_, body) = run_query(&backend(), &query);
    let pos = position(&query, query.find("limit: )").unwrap_or_default() + 7);
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{"line": pos.line, "column": pos.column}]),
        "{body}"
    );
    // an error inside the innermost piece, on a later line
    let broken = deep.replacen("valueInt: 0", "\n  valueInt: )", 1);
    let query = get_where(&broken);
    let (_, body) = run_query(&backend(), &query);
    let pos = position(&query, query.find("valueInt: )").unwrap_or_default() + 10);
    assert_eq!(
        body["errors"][0]["locations"],
        json!([{"line": pos.line, "column": pos.column}]),
        "{body}"
    );
    assert!(
        messages(&body)[0].starts_with("Syntax Error GraphQL request"),
        "{body}"
    );
}

#[test]
fn a_query_over_the_cost_limit_is_refused_before_it_runs() {
    let backend = backend();
    let aliases: String = (0..6000)
        .map(|i| format!("a{i}: Article {{title}} "))
        .collect();
    let (status, body) = run_query(&backend, &format!("{{Get{{{aliases}}}}}"));
    assert_eq!(status, 200);
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(
        messages(&body),
        ["query too costly: it selects 12001 fields, the limit is 10000 (GRAPHQL_MAX_QUERY_COST; \
          every field counts once for every alias it is selected under): select fewer fields or \
          aliases, or split the query"]
    );
    assert!(backend.queries().is_empty());
    // the limit is the caller's
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime");
    let small = json!({"query": "{Get{a: Article{title wordCount} b: Article{title}}}"});
    let (_, body) = runtime.block_on(super::run(&backend, &small, 6));
    assert_eq!(
        (messages(&body), backend.queries().len()),
        (vec![], 2),
        "{body}"
    );
    let (_, body) = runtime.block_on(super::run(&backend, &small, 5));
    assert!(messages(&body)[0].starts_with("query too costly: it selects 6 fields, the limit is 5"));
}
