use serde_json::json;

use super::*;

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
fn creation_defaults_to_hot_and_maps_the_new_vocabulary() {
    let body = json!([
        {"name": "a"},
        {"name": "b", "activityStatus": "COLD"},
        {"name": "c", "activityStatus": "ACTIVE"},
        {"name": "d", "activityStatus": "INACTIVE"},
        {"name": "a", "activityStatus": "COLD"}
    ]);
    let parsed = parse_tenants(&body, false).unwrap();
    let expected = [("a", "HOT"), ("b", "COLD"), ("c", "HOT"), ("d", "COLD")]
        .map(|(n, s)| (n.to_string(), s.to_string()));
    assert_eq!(parsed, expected);
}

#[test]
fn refusals_name_the_tenant_and_the_problem() {
    let err = |body: serde_json::Value, required: bool| {
        parse_tenants(&body, required).unwrap_err().to_string()
    };
    assert_eq!(
        err(json!([{"name": "ok"}, {"name": "bad name"}]), false),
        "tenant name at index 1: tenant name should only contain alphanumeric characters \
         (a-z, A-Z, 0-9), underscore (_), and hyphen (-), with a length between 1 and 64 characters"
    );
    assert_eq!(
        err(json!([{"activityStatus": "HOT"}]), false),
        "tenant name at index 0: empty tenant name"
    );
    assert_eq!(
        err(json!([{"name": "t", "activityStatus": "WARM"}]), false),
        "invalid activity status 'WARM' for tenant \"t\""
    );
    assert_eq!(
        err(json!([{"name": "t", "activityStatus": "OFFLOADED"}]), true),
        "can't offload tenants, because offload-s3 module is not enabled"
    );
    assert_eq!(
        err(json!([{"name": "t"}]), true),
        "invalid activity status '' for tenant \"t\""
    );
    assert!(err(json!({"name": "t"}), false).contains("array of tenants"));
    assert!(err(json!([{"name": 5}]), false).contains("'name' must be a string"));
}

#[test]
fn deletion_takes_a_list_of_valid_names() {
    assert_eq!(
        parse_tenant_names(&json!(["a", "b"])).unwrap(),
        ["a".to_string(), "b".to_string()]
    );
    assert!(parse_tenant_names(&json!(["a", 3])).is_err());
    assert!(parse_tenant_names(&json!("a")).is_err());
    assert!(parse_tenant_names(&json!(["a!"])).is_err());
}
