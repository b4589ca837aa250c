//! Who may call and what they may do: anonymous access, API keys, the admin lists.

use std::collections::HashSet;
use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The authentication and authorization settings of the HTTP layer. The default is Weaviate's
/// when nothing is configured: anonymous access and no authorization. `Debug` shows no key
/// (see [`ApiKeys`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// `AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED`: requests without a token act as the user
    /// `anonymous`.
    pub anonymous_access: bool,
    /// `AUTHENTICATION_APIKEY_*`; `None` when API keys are off, and then any bearer token is
    /// refused as Weaviate refuses it (its OIDC validator answers, unconfigured).
    pub api_keys: Option<ApiKeys>,
    /// `AUTHORIZATION_ADMINLIST_*`; `None` lets every authenticated user do everything.
    pub admin_list: Option<AdminList>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            anonymous_access: true,
            api_keys: None,
            admin_list: None,
        }
    }
}

/// The accepted API keys, each with the user it authenticates as. Only digests are kept.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeys {
    keys: Vec<([u8; 32], String)>,
}

impl ApiKeys {
    /// `(key, user)` pairs; the settings pair keys with users by Weaviate's rule (one user for
    /// all keys, or one per key) and refuse empty ones before this is built.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let keys = pairs
            .into_iter()
            .map(|(key, user)| (digest(&key), user))
            .collect();
        ApiKeys { keys }
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True without keys (the settings refuse that when API keys are on).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The user `token` authenticates as. Every key is compared, each in constant time over
    /// the SHA-256 digests, so neither a matching prefix nor a key's length shows in the time
    /// taken.
    pub fn user_for(&self, token: &str) -> Option<&str> {
        let given = digest(token);
        let mut found = None;
        for (key, user) in &self.keys {
            let matches = bool::from(key[..].ct_eq(&given[..]));
            if matches && found.is_none() {
                found = Some(user.as_str());
            }
        }
        found
    }
}

impl fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let users: Vec<&str> = self.keys.iter().map(|(_, user)| user.as_str()).collect();
        f.debug_struct("ApiKeys")
            .field("keys", &format_args!("<{} redacted>", self.keys.len()))
            .field("users", &users)
            .finish()
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Weaviate's admin list: admins may do anything, read-only users only `get` and `list`,
/// everybody else nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminList {
    admins: HashSet<String>,
    read_only: HashSet<String>,
}

impl AdminList {
    /// `AUTHORIZATION_ADMINLIST_USERS` and `AUTHORIZATION_ADMINLIST_READONLY_USERS`.
    pub fn new(
        admins: impl IntoIterator<Item = String>,
        read_only: impl IntoIterator<Item = String>,
    ) -> Self {
        AdminList {
            admins: admins.into_iter().collect(),
            read_only: read_only.into_iter().collect(),
        }
    }

    /// Weaviate's `adminlist.Authorizer.Authorize`: `Err` carries the 403 sentence.
    pub(crate) fn authorize(
        &self,
        principal: &Principal,
        verb: Verb,
        resource: &str,
    ) -> Result<(), String> {
        let name = principal.name();
        if self.admins.contains(name) || (verb.reads() && self.read_only.contains(name)) {
            return Ok(());
        }
        Err(format!(
            "forbidden: user '{name}' has insufficient permissions to {} {resource}",
            verb.as_str()
        ))
    }
}

/// Who a request acts as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// No token, with anonymous access on.
    Anonymous,
    /// The user an API key stands for.
    User(String),
}

impl Principal {
    /// The name the admin lists and Weaviate's messages use.
    pub fn name(&self) -> &str {
        match self {
            Principal::Anonymous => "anonymous",
            Principal::User(name) => name,
        }
    }
}

/// The verbs Weaviate 1.27 authorizes; only `get` and `list` are open to read-only users.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Get,
    List,
    Head,
    Create,
    Update,
    Delete,
    Validate,
}

impl Verb {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Head => "head",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Delete => "delete",
            Verb::Validate => "validate",
        }
    }

    fn reads(self) -> bool {
        match self {
            Verb::Get | Verb::List => true,
            Verb::Head | Verb::Create | Verb::Update | Verb::Delete | Verb::Validate => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> ApiKeys {
        ApiKeys::new([
            ("admin-key".to_string(), "jane".to_string()),
            ("ro-key".to_string(), "ian".to_string()),
        ])
    }

    #[test]
    fn keys_map_to_their_users() {
        let keys = keys();
        assert_eq!(keys.user_for("admin-key"), Some("jane"));
        assert_eq!(keys.user_for("ro-key"), Some("ian"));
        assert_eq!(keys.user_for("ro-ke"), None);
        assert_eq!(keys.user_for("ro-key "), None);
        assert_eq!(keys.user_for(""), None);
    }

    #[test]
    fn debug_never_shows_a_key() {
        let config = AuthConfig {
            anonymous_access: false,
            api_keys: Some(keys()),
            admin_list: None,
        };
        let text = format!("{config:?}");
        assert!(
            !text.contains("admin-key") && !text.contains("ro-key"),
            "{text}"
        );
        assert!(
            text.contains("<2 redacted>") && text.contains("jane"),
            "{text}"
        );
    }

    #[test]
    fn read_only_users_may_get_and_list_only() {
        let list = AdminList::new(["jane".to_string()], ["ian".to_string()]);
        let ian = Principal::User("ian".to_string());
        let jane = Principal::User("jane".to_string());
        assert!(list.authorize(&ian, Verb::List, "schema/*").is_ok());
        assert!(list.authorize(&ian, Verb::Get, "objects/x").is_ok());
        assert_eq!(
            list.authorize(&ian, Verb::Create, "objects").unwrap_err(),
            "forbidden: user 'ian' has insufficient permissions to create objects"
        );
        assert!(list.authorize(&ian, Verb::Head, "objects/x").is_err());
        assert!(list
            .authorize(&jane, Verb::Delete, "schema/objects")
            .is_ok());
    }

    #[test]
    fn users_on_no_list_and_anonymous_are_refused() {
        let list = AdminList::new(["jane".to_string()], ["ian".to_string()]);
        let bob = Principal::User("bob".to_string());
        assert_eq!(
            list.authorize(&bob, Verb::List, "schema/*").unwrap_err(),
            "forbidden: user 'bob' has insufficient permissions to list schema/*"
        );
        assert_eq!(
            list.authorize(&Principal::Anonymous, Verb::Get, "traversal/*")
                .unwrap_err(),
            "forbidden: user 'anonymous' has insufficient permissions to get traversal/*"
        );
        let open = AdminList::new([], ["anonymous".to_string()]);
        assert!(open
            .authorize(&Principal::Anonymous, Verb::List, "objects")
            .is_ok());
    }
}
