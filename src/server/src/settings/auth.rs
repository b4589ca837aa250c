//! `[auth]`: Weaviate 1.27's API-key authentication and admin-list authorization, with its
//! environment variables and its startup rules:
//! - anonymous access is on unless an authentication scheme is: with API keys on it is off
//!   unless `AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED` says otherwise, and turning it off with
//!   no scheme at all leaves it on (Weaviate then falls back to its default);
//! - with API keys on there must be keys and users, no empty one, and either one user for all
//!   keys or one user per key;
//! - nobody may be on both admin lists.
//!
//! An error names the variable and repeats Weaviate's sentence. Schemes Shoal lacks (OIDC,
//! RBAC) are refused rather than ignored: a node asked to check tokens must not serve openly.

use std::fmt;

use anyhow::{bail, Result};
use api::auth::{AdminList, ApiKeys};
use api::AuthConfig;
use serde::Deserialize;

use super::Env;

/// A string `Debug` never shows: API keys, passwords.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `[auth]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthSettings {
    /// `AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED`.
    pub anonymous_access_enabled: bool,
    /// `AUTHENTICATION_APIKEY_ENABLED`.
    pub apikey_enabled: bool,
    /// `AUTHENTICATION_APIKEY_ALLOWED_KEYS`.
    pub apikey_allowed_keys: Vec<Secret>,
    /// `AUTHENTICATION_APIKEY_USERS`: one user for all keys, or the user of each key.
    pub apikey_users: Vec<String>,
    /// `AUTHORIZATION_ADMINLIST_ENABLED`.
    pub adminlist_enabled: bool,
    /// `AUTHORIZATION_ADMINLIST_USERS`: may do anything.
    pub adminlist_users: Vec<String>,
    /// `AUTHORIZATION_ADMINLIST_READONLY_USERS`: may only read.
    pub adminlist_readonly_users: Vec<String>,
}

const KEYS: &str = "AUTHENTICATION_APIKEY_ALLOWED_KEYS (auth.apikey_allowed_keys)";
const USERS: &str = "AUTHENTICATION_APIKEY_USERS (auth.apikey_users)";

impl AuthSettings {
    /// Overrides from Weaviate's variables.
    pub(super) fn apply_env(&mut self, env: &Env<'_>) -> Result<()> {
        for unsupported in ["AUTHENTICATION_OIDC_ENABLED", "AUTHORIZATION_ENABLE_RBAC"] {
            let mut on = false;
            env.set_bool(unsupported, &mut on)?;
            if on {
                bail!(
                    "{unsupported}: not supported by Shoal; use AUTHENTICATION_APIKEY_* and \
                     AUTHORIZATION_ADMINLIST_*"
                );
            }
        }
        env.set_bool(
            "AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED",
            &mut self.anonymous_access_enabled,
        )?;
        env.set_bool("AUTHENTICATION_APIKEY_ENABLED", &mut self.apikey_enabled)?;
        if let Some(keys) = env.get("AUTHENTICATION_APIKEY_ALLOWED_KEYS") {
            self.apikey_allowed_keys = split(&keys).map(Secret).collect();
        }
        env.set_string("AUTHENTICATION_APIKEY_USERS", |v| {
            self.apikey_users = split(&v).collect()
        });
        env.set_bool(
            "AUTHORIZATION_ADMINLIST_ENABLED",
            &mut self.adminlist_enabled,
        )?;
        env.set_string("AUTHORIZATION_ADMINLIST_USERS", |v| {
            self.adminlist_users = split(&v).filter(|u| !u.is_empty()).collect()
        });
        env.set_string("AUTHORIZATION_ADMINLIST_READONLY_USERS", |v| {
            self.adminlist_readonly_users = split(&v).filter(|u| !u.is_empty()).collect()
        });
        Ok(())
    }

    /// Weaviate's `apikey.validateConfig` and `adminlist.validateOverlap`, run only for the
    /// parts that are on.
    pub(super) fn validate(&self) -> Result<()> {
        if self.apikey_enabled {
            self.validate_keys()?;
        }
        if self.adminlist_enabled {
            let admins = &self.adminlist_users;
            if let Some(both) = self
                .adminlist_readonly_users
                .iter()
                .find(|u| admins.contains(*u))
            {
                bail!(
                    "AUTHORIZATION_ADMINLIST_READONLY_USERS (auth.adminlist_readonly_users): \
                     authorization: admin list: subject '{both}' is present on both admin and \
                     read-only list"
                );
            }
        }
        Ok(())
    }

    fn validate_keys(&self) -> Result<()> {
        let (keys, users) = (&self.apikey_allowed_keys, &self.apikey_users);
        if keys.is_empty() {
            bail!("{KEYS}: invalid apikey config: need at least one valid allowed key");
        }
        if keys.iter().any(|k| k.0.is_empty()) {
            bail!("{KEYS}: invalid apikey config: keys cannot have length 0");
        }
        if users.is_empty() {
            bail!("{USERS}: invalid apikey config: need at least one user");
        }
        if users.iter().any(String::is_empty) {
            bail!("{USERS}: invalid apikey config: users cannot have length 0");
        }
        if users.len() > 1 && users.len() != keys.len() {
            bail!(
                "{USERS}: invalid apikey config: length of users and keys must match, \
                 alternatively provide single user for all keys"
            );
        }
        Ok(())
    }

    /// The HTTP layer's part; call after [`AuthSettings::validate`].
    pub fn to_config(&self) -> AuthConfig {
        AuthConfig {
            anonymous_access: self.anonymous_access_enabled || !self.apikey_enabled,
            api_keys: self.apikey_enabled.then(|| ApiKeys::new(self.key_users())),
            admin_list: self.adminlist_enabled.then(|| {
                AdminList::new(
                    self.adminlist_users.iter().cloned(),
                    self.adminlist_readonly_users.iter().cloned(),
                )
            }),
        }
    }

    /// Each key with its user: the key's own, or the first when there is one per key
    /// missing (Weaviate's `getUser`).
    fn key_users(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.apikey_allowed_keys.iter().enumerate().map(|(i, key)| {
            let user = self.apikey_users.get(i).or(self.apikey_users.first());
            (key.0.clone(), user.cloned().unwrap_or_default())
        })
    }
}

/// A comma-separated list, each item trimmed (Weaviate keeps the spaces; nobody means them).
fn split(list: &str) -> impl Iterator<Item = String> + '_ {
    list.split(',').map(|item| item.trim().to_string())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use crate::settings::Settings;

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load(None, &move |name: &str| map.get(name).cloned())
    }

    fn error(vars: &[(&str, &str)]) -> String {
        format!("{:#}", load(vars).unwrap_err())
    }

    const KEYED: [(&str, &str); 3] = [
        ("AUTHENTICATION_APIKEY_ENABLED", "true"),
        ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "admin-key, ro-key"),
        ("AUTHENTICATION_APIKEY_USERS", "jane,ian"),
    ];

    #[test]
    fn nothing_configured_means_anonymous_access_and_no_authorization() {
        let config = load(&[]).unwrap().auth.to_config();
        assert_eq!(config, api::AuthConfig::default());
        // Weaviate: anonymous access off with no scheme falls back to its default.
        let vars = [("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "false")];
        assert!(load(&vars).unwrap().auth.to_config().anonymous_access);
    }

    #[test]
    fn api_keys_turn_anonymous_access_off_unless_asked() {
        let config = load(&KEYED).unwrap().auth.to_config();
        assert!(!config.anonymous_access);
        let keys = config.api_keys.expect("api keys on");
        assert_eq!(keys.user_for("admin-key"), Some("jane"));
        assert_eq!(keys.user_for("ro-key"), Some("ian"), "items are trimmed");
        let mut vars = KEYED.to_vec();
        vars.push(("AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED", "TRUE"));
        assert!(load(&vars).unwrap().auth.to_config().anonymous_access);
    }

    #[test]
    fn one_user_stands_for_every_key() {
        let vars = [
            ("AUTHENTICATION_APIKEY_ENABLED", "on"),
            ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1,k2,k3"),
            ("AUTHENTICATION_APIKEY_USERS", "svc"),
        ];
        let keys = load(&vars).unwrap().auth.to_config().api_keys.unwrap();
        assert_eq!(keys.user_for("k3"), Some("svc"));
    }

    #[test]
    fn keys_are_ignored_while_api_keys_are_off() {
        let vars = [("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1")];
        assert_eq!(load(&vars).unwrap().auth.to_config().api_keys, None);
    }

    #[test]
    fn admin_lists() {
        let mut vars = KEYED.to_vec();
        vars.extend([
            ("AUTHORIZATION_ADMINLIST_ENABLED", "true"),
            ("AUTHORIZATION_ADMINLIST_USERS", "jane"),
            ("AUTHORIZATION_ADMINLIST_READONLY_USERS", "ian, roberta"),
        ]);
        let list = load(&vars).unwrap().auth.to_config().admin_list.unwrap();
        let expected = api::auth::AdminList::new(
            ["jane".to_string()],
            ["ian".to_string(), "roberta".to_string()],
        );
        assert_eq!(list, expected);
    }

    #[test]
    fn weaviates_startup_errors_name_the_variable() {
        let enabled = ("AUTHENTICATION_APIKEY_ENABLED", "true");
        let cases: [(&[(&str, &str)], &str); 7] = [
            (&[enabled], "AUTHENTICATION_APIKEY_ALLOWED_KEYS (auth.apikey_allowed_keys): invalid apikey config: need at least one valid allowed key"),
            (&[enabled, ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1,,k2"), ("AUTHENTICATION_APIKEY_USERS", "u")], "invalid apikey config: keys cannot have length 0"),
            (&[enabled, ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1")], "AUTHENTICATION_APIKEY_USERS (auth.apikey_users): invalid apikey config: need at least one user"),
            (&[enabled, ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1"), ("AUTHENTICATION_APIKEY_USERS", "a,")], "invalid apikey config: users cannot have length 0"),
            (&[enabled, ("AUTHENTICATION_APIKEY_ALLOWED_KEYS", "k1,k2,k3"), ("AUTHENTICATION_APIKEY_USERS", "a,b")], "AUTHENTICATION_APIKEY_USERS (auth.apikey_users): invalid apikey config: length of users and keys must match, alternatively provide single user for all keys"),
            (&[("AUTHORIZATION_ADMINLIST_ENABLED", "true"), ("AUTHORIZATION_ADMINLIST_USERS", "a,b"), ("AUTHORIZATION_ADMINLIST_READONLY_USERS", "b")], "AUTHORIZATION_ADMINLIST_READONLY_USERS (auth.adminlist_readonly_users): authorization: admin list: subject 'b' is present on both admin and read-only list"),
            (&[("AUTHENTICATION_APIKEY_ENABLED", "yes")], "AUTHENTICATION_APIKEY_ENABLED: expected true/on/enabled/1 or false/off/disabled/0, got \"yes\""),
        ];
        for (vars, expected) in cases {
            let err = error(vars);
            assert!(err.contains(expected), "{vars:?}: {err}");
        }
    }

    #[test]
    fn schemes_shoal_lacks_are_refused() {
        let err = error(&[("AUTHENTICATION_OIDC_ENABLED", "true")]);
        assert!(
            err.starts_with("AUTHENTICATION_OIDC_ENABLED: not supported"),
            "{err}"
        );
        let err = error(&[("AUTHORIZATION_ENABLE_RBAC", "true")]);
        assert!(
            err.starts_with("AUTHORIZATION_ENABLE_RBAC: not supported"),
            "{err}"
        );
        assert!(load(&[("AUTHENTICATION_OIDC_ENABLED", "false")]).is_ok());
    }

    #[test]
    fn debug_shows_no_key() {
        let settings = load(&KEYED).unwrap();
        let text = format!("{settings:?}");
        assert!(
            !text.contains("admin-key") && !text.contains("ro-key"),
            "{text}"
        );
        let vars = [
            ("CLUSTER_BASIC_AUTH_USERNAME", "u"),
            ("CLUSTER_BASIC_AUTH_PASSWORD", "hunter2"),
        ];
        let text = format!("{:?}", load(&vars).unwrap());
        assert!(!text.contains("hunter2"), "{text}");
    }
}
