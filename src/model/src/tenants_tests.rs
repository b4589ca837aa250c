use serde_json::json;

use super::*;

fn sent(name: &str, status: Option<&str>) -> TenantSent {
    TenantSent {
        name: name.into(),
        status: status.map(str::to_string),
    }
}

fn refusal(body: serde_json::Value, update: bool) -> String {
    parse_tenants(&body, update).unwrap_err().to_string()
}

#[test]
fn names_follow_weaviates_pattern() {
    assert!(is_valid_name("tenant-1_A"));
    assert!(is_valid_name(&"x".repeat(64)));
    assert!(!is_valid_name(&"x".repeat(65)));
    assert!(!is_valid_name(""));
    assert!(!is_valid_name("a b"));
    assert!(!is_valid_name("ü"));
}

#[test]
fn creation_keeps_what_was_sent_with_the_new_vocabulary_mapped() {
    let body = json!([
        {"name": "a"},
        {"name": "b", "activityStatus": "COLD"},
        {"name": "c", "activityStatus": "ACTIVE"},
        {"name": "d", "activityStatus": "INACTIVE"}
    ]);
    let parsed = parse_tenants(&body, false).unwrap();
    assert_eq!(
        parsed,
        [
            sent("a", None),
            sent("b", Some("COLD")),
            sent("c", Some("HOT")),
            sent("d", Some("COLD"))
        ]
    );
    assert_eq!(parsed[0].stored_status(), "HOT");
}

#[test]
fn names_are_checked_in_order_then_statuses_together() {
    assert_eq!(
        refusal(json!([{"name": "ok"}, {"name": "bad name"}]), false),
        "tenant name at index 1: tenant name should only contain alphanumeric characters \
         (a-z, A-Z, 0-9), underscore (_), and hyphen (-), with a length between 1 and 64 characters"
    );
    assert_eq!(
        refusal(json!([{"activityStatus": "HOT"}]), false),
        "tenant name at index 0: empty tenant name"
    );
    assert_eq!(
        refusal(
            json!([{"name": "t"}, {"name": "t", "activityStatus": "COLD"}]),
            false
        ),
        "tenant name t existed multiple times"
    );
    assert_eq!(
        refusal(
            json!([{"name": "t", "activityStatus": "WARM"}, {"name": "u", "activityStatus": "x"}]),
            false
        ),
        "invalid activity status 'WARM' for tenant \"t\", invalid activity status 'x' for tenant \"u\""
    );
    assert_eq!(
        refusal(json!([{"name": "t", "activityStatus": "OFFLOADED"}]), true),
        "can't offload tenants, because offload-s3 module is not enabled"
    );
    assert!(refusal(json!({"name": "t"}), false).contains("array of tenants"));
    assert!(refusal(json!([{"name": 5}]), false).contains("'name' must be a string"));
}

#[test]
fn an_update_needs_a_status_and_at_most_a_hundred_tenants() {
    assert_eq!(
        refusal(json!([{"name": "t"}]), true),
        "invalid activity status '' for tenant \"t\""
    );
    let many: Vec<serde_json::Value> = (0..=MAX_UPDATED_AT_ONCE)
        .map(|i| json!({"name": format!("t{i}"), "activityStatus": "COLD"}))
        .collect();
    assert!(refusal(json!(many), true)
        .starts_with("maximum number of tenants allowed to be updated simultaneously is 100."));
    assert_eq!(parse_tenants(&json!(many), false).unwrap().len(), 101);
}

#[test]
fn deletion_refuses_only_empty_names() {
    assert_eq!(
        parse_tenant_names(&json!(["a", "not a name"])).unwrap(),
        ["a".to_string(), "not a name".to_string()]
    );
    assert_eq!(
        parse_tenant_names(&json!(["a", ""]))
            .unwrap_err()
            .to_string(),
        "empty tenant name at index 1"
    );
    assert!(parse_tenant_names(&json!(["a", 3])).is_err());
    assert!(parse_tenant_names(&json!("a")).is_err());
}
