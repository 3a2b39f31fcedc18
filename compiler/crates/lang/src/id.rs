//! Typed ids: the name of one kind of definition.
//!
//! An [`Id<K>`] is the string a spec wrote (`machine "ws-1"` → `Id<Machine>`
//! `ws-1`), tagged with the kind `K` it names, so a model id cannot be passed
//! where a machine id is wanted: the kinds of every definition and every
//! reference to one are in the types of the IR. It reads as a `str` (it
//! derefs to one, compares with one, displays and serialises as one), so
//! lookups, messages and output use it unchanged.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::Deref;

/// The name of a definition of kind `K`.
pub struct Id<K> {
    name: String,
    kind: PhantomData<fn() -> K>,
}

impl<K> Id<K> {
    /// The id spelled `name`.
    pub fn new(name: impl Into<String>) -> Self {
        Id {
            name: name.into(),
            kind: PhantomData,
        }
    }

    /// Its spelling.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl<K> Clone for Id<K> {
    fn clone(&self) -> Self {
        Id::new(self.name.clone())
    }
}

impl<K> Deref for Id<K> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl<K> Borrow<str> for Id<K> {
    fn borrow(&self) -> &str {
        &self.name
    }
}

impl<K> AsRef<str> for Id<K> {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl<K> PartialEq for Id<K> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl<K> Eq for Id<K> {}

impl<K> PartialEq<str> for Id<K> {
    fn eq(&self, other: &str) -> bool {
        self.name == other
    }
}

impl<K> PartialEq<&str> for Id<K> {
    fn eq(&self, other: &&str) -> bool {
        self.name == *other
    }
}

impl<K> PartialEq<String> for Id<K> {
    fn eq(&self, other: &String) -> bool {
        &self.name == other
    }
}

impl<K> PartialEq<Id<K>> for str {
    fn eq(&self, other: &Id<K>) -> bool {
        self == other.name
    }
}

impl<K> PartialEq<Id<K>> for &str {
    fn eq(&self, other: &Id<K>) -> bool {
        *self == other.name
    }
}

impl<K> PartialEq<Id<K>> for String {
    fn eq(&self, other: &Id<K>) -> bool {
        *self == other.name
    }
}

impl<K> PartialOrd for Id<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<K> Ord for Id<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.name.cmp(&other.name)
    }
}

impl<K> Hash for Id<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl<K> fmt::Debug for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.name, f)
    }
}

impl<K> fmt::Display for Id<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl<K> serde::Serialize for Id<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name)
    }
}

impl<K> From<String> for Id<K> {
    fn from(name: String) -> Self {
        Id::new(name)
    }
}

impl<K> From<&str> for Id<K> {
    fn from(name: &str) -> Self {
        Id::new(name)
    }
}

impl<K> From<Id<K>> for String {
    fn from(id: Id<K>) -> Self {
        id.name
    }
}

/// The kinds of definition an [`Id`] can name.
pub mod kind {
    /// A `machine`.
    #[derive(Debug)]
    pub enum Machine {}
    /// A `storage-pool` of a machine.
    #[derive(Debug)]
    pub enum Pool {}
    /// A `provider`.
    #[derive(Debug)]
    pub enum Provider {}
    /// A `model`.
    #[derive(Debug)]
    pub enum Model {}
    /// A `cache-tier`.
    #[derive(Debug)]
    pub enum CacheTier {}
    /// A `pod`.
    #[derive(Debug)]
    pub enum Pod {}
    /// A `cluster`.
    #[derive(Debug)]
    pub enum Cluster {}
}

/// A machine's id.
pub type MachineId = Id<kind::Machine>;
/// A storage pool's id (unique within its machine).
pub type PoolId = Id<kind::Pool>;
/// A provider's id.
pub type ProviderId = Id<kind::Provider>;
/// A model's id.
pub type ModelId = Id<kind::Model>;
/// A cache tier's id.
pub type TierId = Id<kind::CacheTier>;
/// A pod's id.
pub type PodId = Id<kind::Pod>;
/// A cluster's id.
pub type ClusterId = Id<kind::Cluster>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_as_its_spelling() {
        let m = MachineId::new("ws-1");
        assert_eq!(m, "ws-1");
        assert_eq!(&*m, "ws-1");
        assert_eq!(m.to_string(), "ws-1");
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"ws-1\"");
        let mut set = std::collections::BTreeSet::new();
        set.insert(m.clone());
        assert!(set.contains("ws-1"));
        assert!(MachineId::new("a") < MachineId::new("b"));
    }
}
