//! JSON written by hand, for the one document where serde's generic path is most of the cost:
//! a map page of a thousand parcels (docs/performance.md, "A map page written as it is read").
//!
//! The output is byte for byte what serde_json writes for the same view (the parcel writer is
//! tested against it): numbers through the same `itoa`/`zmij`, non-finite floats as `null`,
//! strings escaped by serde_json itself whenever they hold anything to escape. What is saved is
//! the machinery, not the format: keys are known constants copied whole, and a string with
//! nothing to escape is copied in one piece instead of byte by byte through an escape table.

use serde::Serialize;

/// A string as a JSON string.
pub fn string(out: &mut Vec<u8>, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serialized(out, s);
    }
}

/// A float as serde_json writes it.
pub fn float(out: &mut Vec<u8>, v: f64) {
    crate::spatial::geojson_out::write_number(out, v);
}

/// An integer.
pub fn integer(out: &mut Vec<u8>, v: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// Any value through serde_json (for the rare member not worth writing by hand).
pub fn serialized(out: &mut Vec<u8>, v: &(impl Serialize + ?Sized)) {
    // Writing into a Vec fails only for a value whose Serialize fails (a map with non-string
    // keys): none of the values handed here.
    let _ = serde_json::to_writer(&mut *out, v);
}

/// A member's key as written after another member, `,"name":` ([`key!`]): one copy a member
/// instead of four pieces (a tenth of writing a map page's properties, callgrind).
#[derive(Clone, Copy)]
pub struct Key(&'static str);

impl Key {
    /// `written` is `,"name":` for a name with nothing to escape: use [`key!`], which checks
    /// it when the program is compiled.
    #[doc(hidden)]
    pub const fn written(written: &'static str) -> Self {
        let b = written.as_bytes();
        let n = b.len();
        assert!(n > 4 && b[0] == b',' && b[1] == b'"' && b[n - 2] == b'"' && b[n - 1] == b':');
        let mut i = 2;
        while i < n - 2 {
            assert!(b[i] >= 0x20 && b[i] != b'"' && b[i] != b'\\');
            i += 1;
        }
        Key(written)
    }

    fn name(self) -> &'static str {
        &self.0[2..self.0.len() - 2]
    }
}

/// The [`Key`] of a member named by a literal.
macro_rules! key {
    ($name:literal) => {
        const { $crate::views::json::Key::written(concat!(",\"", $name, "\":")) }
    };
}
pub(crate) use key;

/// A JSON object's members written one by one: `{` on creation, `}` by [`Object::end`]; with
/// [`Object::keeping`], only the members a request's `properties=` names.
pub struct Object<'b, 'k> {
    out: &'b mut Vec<u8>,
    first: bool,
    keep: Option<&'k [String]>,
}

impl<'b, 'k> Object<'b, 'k> {
    pub fn new(out: &'b mut Vec<u8>) -> Self {
        Self::keeping(out, None)
    }

    /// An object of only the members named in `keep` (all when `None`).
    pub fn keeping(out: &'b mut Vec<u8>, keep: Option<&'k [String]>) -> Self {
        out.push(b'{');
        Self {
            out,
            first: true,
            keep,
        }
    }

    /// The member's key, or `None` when the member is not kept (keys are checked constants,
    /// [`Key::written`]).
    fn key(&mut self, key: Key) -> Option<&mut Vec<u8>> {
        if self
            .keep
            .is_some_and(|keep| !keep.iter().any(|k| k == key.name()))
        {
            return None;
        }
        let written = if self.first { &key.0[1..] } else { key.0 };
        self.first = false;
        self.out.extend_from_slice(written.as_bytes());
        Some(self.out)
    }

    pub fn str(&mut self, key: Key, v: &str) {
        self.with(key, |out| string(out, v));
    }

    pub fn f64(&mut self, key: Key, v: f64) {
        self.with(key, |out| float(out, v));
    }

    pub fn int(&mut self, key: Key, v: impl itoa::Integer) {
        self.with(key, |out| integer(out, v));
    }

    pub fn bool(&mut self, key: Key, v: bool) {
        let text: &[u8] = if v { b"true" } else { b"false" };
        self.with(key, |out| out.extend_from_slice(text));
    }

    /// A list of strings.
    pub fn strs<'s>(&mut self, key: Key, v: impl IntoIterator<Item = &'s str>) {
        self.with(key, |out| {
            out.push(b'[');
            for (i, s) in v.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                string(out, s);
            }
            out.push(b']');
        });
    }

    /// A member written by `write`, which must write exactly one JSON value.
    pub fn with(&mut self, key: Key, write: impl FnOnce(&mut Vec<u8>)) {
        if let Some(out) = self.key(key) {
            write(out);
        }
    }

    /// A member skipped when `None` (serde's `skip_serializing_if = "Option::is_none"`).
    pub fn some<T>(&mut self, key: Key, v: Option<T>, write: impl FnOnce(&mut Self, Key, T)) {
        if let Some(v) = v {
            write(self, key, v);
        }
    }

    /// A number member skipped when `None`.
    pub fn some_f64(&mut self, key: Key, v: Option<f64>) {
        self.some(key, v, Self::f64);
    }

    pub fn end(self) {
        self.out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers_are_written_as_serde_json_writes_them() {
        for s in [
            "",
            "宗地 A-1",
            "a\"b",
            "back\\slash",
            "tab\there",
            "\u{1}\u{1f}",
            "é\u{7f}",
        ] {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
        }
        for v in [
            0.0,
            -0.0,
            1.5,
            116.1234567,
            1e21,
            1e-7,
            66666.6667,
            f64::NAN,
            f64::INFINITY,
        ] {
            let mut out = Vec::new();
            float(&mut out, v);
            assert_eq!(out, serde_json::to_vec(&v).unwrap(), "{v}");
        }
        for v in [0i64, -1, i64::MAX, i64::MIN] {
            let mut out = Vec::new();
            integer(&mut out, v);
            assert_eq!(out, serde_json::to_vec(&v).unwrap(), "{v}");
        }
    }

    #[test]
    fn an_object_separates_its_members_and_skips_what_is_absent() {
        let mut out = Vec::new();
        let mut o = Object::new(&mut out);
        o.int(key!("a"), 1);
        o.some_f64(key!("b"), None);
        o.some_f64(key!("c"), Some(2.5));
        o.strs(key!("d"), ["x", "y\""]);
        o.bool(key!("e"), false);
        o.end();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":1,"c":2.5,"d":["x","y\""],"e":false}"#
        );
        let mut out = Vec::new();
        let keep = ["e".to_owned(), "a".to_owned(), "z".to_owned()];
        let mut o = Object::keeping(&mut out, Some(&keep));
        o.int(key!("a"), 1);
        o.str(key!("b"), "dropped");
        o.bool(key!("e"), true);
        o.end();
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"a":1,"e":true}"#);
    }
}
