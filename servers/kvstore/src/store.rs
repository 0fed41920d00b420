//! The store every kvstore version serves, and the layouts its state is
//! saved in. Format 1 (kvstore 1.0.0) is the map of values; format 2
//! (kvstore 1.0.1) adds a per-key write counter. Either version reads
//! both: 1.0.1 migrates format 1 (each key counts one write), 1.0.0 reads
//! format 2 by dropping the counters, so a reload goes both ways.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use helix_protocol::{ModuleError, ModuleState};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::{KvError, KvHandler};

/// A layout of the saved state (`ModuleState::version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `key -> value`.
    Values = 1,
    /// `key -> (writes, value)`: how many times each key was written.
    Counted = 2,
}

impl Format {
    /// The layout numbered `version`, if there is one.
    pub fn from_version(version: u32) -> Option<Format> {
        match version {
            1 => Some(Format::Values),
            2 => Some(Format::Counted),
            _ => None,
        }
    }

    /// Its number in `ModuleState::version`.
    pub fn version(self) -> u32 {
        self as u32
    }
}

/// One key's value and how many times it was written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    writes: u64,
    #[serde(with = "serde_bytes")]
    value: Vec<u8>,
}

/// The key-value map; it saves its state in the [`Format`] it was made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store {
    map: BTreeMap<String, Entry>,
    format: Format,
}

/// Format 1 written straight from the map (no copy of the values): the
/// same bytes as a `BTreeMap<String, Vec<u8>>` (postcard writes a byte
/// string and a sequence of `u8` alike; as a byte string it is one copy).
struct ValuesView<'a>(&'a BTreeMap<String, Entry>);

impl Serialize for ValuesView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, e) in self.0 {
            map.serialize_entry(k, serde_bytes::Bytes::new(&e.value))?;
        }
        map.end()
    }
}

impl Store {
    /// An empty store saving in `format`.
    pub fn new(format: Format) -> Store {
        Store {
            map: BTreeMap::new(),
            format,
        }
    }

    /// How many times `key` was written (1 for a key migrated from format
    /// 1, which did not count).
    pub fn writes(&self, key: &str) -> Option<u64> {
        self.map.get(key).map(|e| e.writes)
    }

    /// The state, in this store's format.
    pub fn save(&self) -> Result<ModuleState, ModuleError> {
        match self.format {
            Format::Values => ModuleState::encode(1, &ValuesView(&self.map)),
            Format::Counted => ModuleState::encode(2, &self.map),
        }
    }

    /// Replace the contents with `state`, in either format; the format it
    /// was in. An unknown format or bytes that do not decode as it say so
    /// (`StateCorrupt`) and leave the store as it was.
    pub fn restore(&mut self, state: &ModuleState) -> Result<Format, ModuleError> {
        let format = Format::from_version(state.version).ok_or(ModuleError::StateCorrupt)?;
        self.map = match format {
            Format::Values => {
                let values: BTreeMap<String, ByteBuf> = state.decode(1)?;
                values
                    .into_iter()
                    .map(|(k, value)| {
                        let value = value.into_vec();
                        (k, Entry { writes: 1, value })
                    })
                    .collect()
            }
            Format::Counted => state.decode(2)?,
        };
        Ok(format)
    }
}

impl KvHandler for Store {
    fn put(&mut self, key: String, value: Vec<u8>) -> Result<Option<Vec<u8>>, KvError> {
        match self.map.get_mut(&key) {
            Some(e) => {
                e.writes += 1;
                Ok(Some(core::mem::replace(&mut e.value, value)))
            }
            None => {
                self.map.insert(key, Entry { writes: 1, value });
                Ok(None)
            }
        }
    }
    fn get(&mut self, key: String) -> Result<Vec<u8>, KvError> {
        self.map
            .get(&key)
            .map(|e| e.value.clone())
            .ok_or(KvError::NotFound)
    }
    fn delete(&mut self, key: String) -> Result<Vec<u8>, KvError> {
        self.map
            .remove(&key)
            .map(|e| e.value)
            .ok_or(KvError::NotFound)
    }
    fn len(&mut self) -> Result<u64, KvError> {
        Ok(self.map.len() as u64)
    }
}
