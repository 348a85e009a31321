//! Header descriptions (`eth:ipv4:tcp`) interned once: flows keep small ids instead of
//! 128-byte strings, and the common case (same description as the previous packet) costs one
//! short comparison.

use std::collections::HashMap;

/// Interned header descriptions.
#[derive(Default)]
pub struct Interner {
    strings: Vec<Box<[u8]>>,
    ids: HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>,
    last: Option<u32>,
}

impl Interner {
    /// The id of `desc`, adding it if new.
    pub fn intern(&mut self, desc: &[u8]) -> u32 {
        if let Some(id) = self.last
            && *self.strings[id as usize] == *desc
        {
            return id;
        }
        let id = match self.ids.get(desc) {
            Some(&id) => id,
            None => {
                let id = self.strings.len() as u32;
                self.strings.push(desc.into());
                self.ids.insert(desc.into(), id);
                id
            }
        };
        self.last = Some(id);
        id
    }

    /// The description with `id`.
    pub fn get(&self, id: u32) -> &[u8] {
        &self.strings[id as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_text_same_id() {
        let mut i = Interner::default();
        let a = i.intern(b"eth:ipv4:tcp");
        let b = i.intern(b"eth:ipv6:udp");
        assert_ne!(a, b);
        assert_eq!(i.intern(b"eth:ipv4:tcp"), a);
        assert_eq!(i.get(b), b"eth:ipv6:udp");
    }
}
