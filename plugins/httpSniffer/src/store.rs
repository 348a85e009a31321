//! The strings a flow keeps (hosts, URLs, MIME types, file names, ...): one byte arena per
//! flow slot, cleared but not freed when the slot is reused, so a busy run stops allocating
//! once its slots have grown. T2 mallocs each string; the limits are T2's (`HTTP_DATA_C_MAX`
//! values per field, the User-Agent and X-Forwarded-For lengths).

/// The string fields, in the order of their columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Field {
    /// Host headers.
    Host,
    /// Request URLs.
    Url,
    /// Content-Type values.
    Mime,
    /// Cookie headers.
    Cookie,
    /// Names given to image bodies.
    Image,
    /// Names given to video bodies.
    Video,
    /// Names given to audio bodies.
    Audio,
    /// Names given to message bodies.
    Msg,
    /// Names given to application bodies.
    Appl,
    /// Names given to text bodies.
    Text,
    /// Names given to other bodies.
    Punk,
    /// URLs of `"Refresh"` in text bodies.
    BodyUrl,
    /// User-Agent headers.
    UserAgent,
    /// X-Forwarded-For headers.
    XFor,
    /// Referer headers.
    Referer,
    /// Via headers.
    Via,
    /// Location headers.
    Location,
    /// Server headers.
    Server,
    /// X-Powered-By headers.
    Powered,
}

/// A flow's strings in insertion order.
#[derive(Debug, Default)]
pub struct Store {
    bytes: Vec<u8>,
    items: Vec<(Field, u32, u32)>,
}

impl Store {
    /// Forgets every string, keeping the memory.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.items.clear();
    }

    /// Whether no string is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The strings of `field`, oldest first.
    pub fn of(&self, field: Field) -> impl Iterator<Item = &[u8]> {
        self.items
            .iter()
            .filter(move |(f, _, _)| *f == field)
            .map(|&(_, start, len)| &self.bytes[start as usize..(start + len) as usize])
    }

    /// Adds a string of `field` (its bytes up to the first NUL, as T2 prints a C string).
    pub fn push(&mut self, field: Field, s: &[u8]) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(crate::parse::c_str(s));
        self.seal(field, start);
    }

    /// Makes the bytes appended since `start` a string of `field`.
    fn seal(&mut self, field: Field, start: usize) {
        // a flow holds at most HTTP_DATA_C_MAX strings of a field, each at most a packet long
        let len = (self.bytes.len() - start) as u32;
        self.items.push((field, start as u32, len));
    }

    /// Appends a string of `field` that `build` writes into the arena.
    pub fn push_with(&mut self, field: Field, build: impl FnOnce(&mut Vec<u8>)) {
        let start = self.bytes.len();
        build(&mut self.bytes);
        let end = start + crate::parse::c_str(&self.bytes[start..]).len();
        self.bytes.truncate(end);
        self.seal(field, start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_strings_per_field_in_order_and_reuses_memory() {
        let mut s = Store::default();
        s.push(Field::Host, b"a.example");
        s.push(Field::Url, b"/x");
        s.push(Field::Host, b"b\0hidden");
        s.push_with(Field::Text, |v| v.extend_from_slice(b"t\0u"));
        assert_eq!(s.of(Field::Host).collect::<Vec<_>>(), [&b"a.example"[..], b"b"]);
        assert_eq!(s.of(Field::Text).collect::<Vec<_>>(), [&b"t"[..]]);
        let cap = s.bytes.capacity();
        s.clear();
        assert_eq!(s.of(Field::Host).count(), 0);
        assert_eq!(s.bytes.capacity(), cap);
    }
}
