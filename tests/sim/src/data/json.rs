//! A minimal JSON object writer for the hot path (event and detection lists): fields go
//! straight into the response buffer, in the order written — no intermediate `Value`.

use serde::Serialize;
use uuid::Uuid;

/// Writes one JSON object into `buf`; call [`JsonObj::finish`] to close it.
pub(crate) struct JsonObj<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
    /// Bit `i` set when `columnar[i]` was written.
    seen: u32,
    columnar: &'static [&'static str],
}

impl<'a> JsonObj<'a> {
    /// Starts an object; `columnar` lists keys [`JsonObj::finish_columnar`] may fill with null.
    pub(crate) fn new(buf: &'a mut Vec<u8>, columnar: &'static [&'static str]) -> Self {
        buf.push(b'{');
        Self {
            buf,
            first: true,
            seen: 0,
            columnar,
        }
    }

    fn key(&mut self, key: &str) {
        if let Some(i) = self.columnar.iter().position(|k| *k == key) {
            self.seen |= 1 << i;
        }
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(key.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    /// Any serialisable value (strings are escaped).
    pub(crate) fn put<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.key(key);
        if serde_json::to_writer(&mut *self.buf, value).is_err() {
            self.buf.extend_from_slice(b"null");
        }
    }

    /// A string known to need no escaping (ASCII, no `"` or `\`): written as is.
    pub(crate) fn plain(&mut self, key: &str, value: &str) {
        self.key(key);
        self.buf.push(b'"');
        self.buf.extend_from_slice(value.as_bytes());
        self.buf.push(b'"');
    }

    pub(crate) fn uuid(&mut self, key: &str, id: Uuid) {
        let mut s = [0u8; 36];
        let text = id.hyphenated().encode_lower(&mut s);
        self.plain(key, text);
    }

    pub(crate) fn null(&mut self, key: &str) {
        self.key(key);
        self.buf.extend_from_slice(b"null");
    }

    /// Closes the object.
    pub(crate) fn finish(self) {
        self.buf.push(b'}');
    }

    /// Writes `null` for every columnar key not written, then closes the object.
    pub(crate) fn finish_columnar(mut self) {
        for (i, k) in self.columnar.iter().enumerate() {
            if self.seen & (1 << i) == 0 {
                self.null(k);
            }
        }
        self.finish();
    }
}
