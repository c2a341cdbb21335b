//! serde_json's pretty layout, written by a serializer of our own into a byte buffer. The
//! JSON report of an estate is nearly all workloads, and serde_json looks at a string's bytes
//! one at a time for what to escape: that was half of writing a VM's report and a twelfth
//! of a 1,000-Dockerfile scan. [`write`] looks at eight bytes at a time, and writes
//! everything else through [`Pretty`], serde_json's own layout methods: the bytes are those
//! serde_json writes (the tests compare the two on every sample's report and on arbitrary
//! values).

use std::io::Write;

use serde::ser::{self, Impossible, Serialize};
use serde_json::Error;
use serde_json::ser::Formatter;

/// serde_json's pretty layout (two spaces a level), written with one copy for each line
/// break and its indentation where serde_json's own writes the indentation a level at a
/// time: about a million keys for 1,000 workloads.
#[derive(Default)]
pub struct Pretty {
    pub level: usize,
    pub has_value: bool,
}

/// A comma, a line break and the deepest indentation written in one piece.
const BREAK: &[u8] = b",\n                                                                                                                                ";

impl Pretty {
    /// `,\n` (or `\n` when first) and the indentation of the current level.
    fn line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        let start = usize::from(first);
        let mut spaces = self.level * 2;
        let room = BREAK.len() - 2;
        w.write_all(&BREAK[start..2 + spaces.min(room)])?;
        while spaces > room {
            spaces -= room;
            w.write_all(&BREAK[2..2 + spaces.min(room)])?;
        }
        Ok(())
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            self.line(w, true)?;
        }
        w.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Appends `value` to `out` as serde_json's pretty printer writes it `level` levels in (what
/// `serde_json::Serializer::with_formatter(out, Pretty { level, .. })` writes).
pub fn write<T: Serialize + ?Sized>(
    value: &T,
    out: &mut Vec<u8>,
    level: usize,
) -> Result<(), Error> {
    value.serialize(&mut Writer {
        out,
        layout: Pretty {
            level,
            has_value: false,
        },
    })
}

/// The name serde_json's `RawValue` serialises itself under: its text is written as it is.
const RAW_VALUE: &str = "$serde_json::private::RawValue";

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    layout: Pretty,
}

/// Writing to a `Vec` cannot fail; serde_json's layout methods still say so.
fn done(written: std::io::Result<()>) -> Result<(), Error> {
    written.map_err(ser::Error::custom)
}

impl Writer<'_> {
    fn begin_object(&mut self) -> Result<(), Error> {
        done(self.layout.begin_object(self.out))
    }

    fn end_object(&mut self) -> Result<(), Error> {
        done(self.layout.end_object(self.out))
    }

    fn begin_array(&mut self) -> Result<(), Error> {
        done(self.layout.begin_array(self.out))
    }

    fn end_array(&mut self) -> Result<(), Error> {
        done(self.layout.end_array(self.out))
    }

    /// `{"variant": ` of an enum's non-unit variant, serde_json's externally tagged form.
    fn begin_variant(&mut self, variant: &str) -> Result<(), Error> {
        self.begin_object()?;
        done(self.layout.begin_object_key(self.out, true))?;
        write_string(self.out, variant);
        done(self.layout.begin_object_value(self.out))
    }

    fn end_variant(&mut self) -> Result<(), Error> {
        done(self.layout.end_object_value(self.out))?;
        self.end_object()
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `word` is escaped in a JSON string: below 0x20, `"` or
/// `\` (the tests for a byte below `n` and for a zero byte of Bit Twiddling Hacks, exact for
/// "any"; UTF-8's bytes from 0x80 never count).
fn any_escaped(word: u64) -> bool {
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & HIGHS != 0
}

/// The bytes a JSON string escapes: below 0x20, `"` and `\`.
static ESCAPED: [bool; 256] = {
    let mut escaped = [false; 256];
    let mut byte = 0;
    while byte < 0x20 {
        escaped[byte] = true;
        byte += 1;
    }
    escaped[b'"' as usize] = true;
    escaped[b'\\' as usize] = true;
    escaped
};

/// Where the first byte to escape is in `bytes` (their length if none is).
fn first_escaped(bytes: &[u8]) -> usize {
    let mut at = 0;
    while let Some(eight) = bytes[at..].first_chunk::<8>() {
        if any_escaped(u64::from_le_bytes(*eight)) {
            break;
        }
        at += 8;
    }
    while at < bytes.len() && !ESCAPED[usize::from(bytes[at])] {
        at += 1;
    }
    at
}

/// `text` as a JSON string, escaped as serde_json escapes it: `\"`, `\\`, `\b`, `\t`, `\n`,
/// `\f`, `\r`, and `\u00xx` (lower-case hex) for the other control characters.
fn write_string(out: &mut Vec<u8>, text: &str) {
    let mut bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    loop {
        let clean = first_escaped(bytes);
        out.extend_from_slice(&bytes[..clean]);
        let Some((&byte, rest)) = bytes[clean..].split_first() else {
            break;
        };
        let escape: &[u8] = match byte {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            0x0C => b"\\f",
            b'\r' => b"\\r",
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ]
            }
        };
        out.extend_from_slice(escape);
        bytes = rest;
    }
    out.push(b'"');
}

#[derive(PartialEq)]
enum State {
    /// Opened and closed already (a length of zero, as serde_json does).
    Empty,
    First,
    Rest,
    /// Inside a `RawValue`: its one field is written as it is.
    Raw,
}

struct Compound<'w, 'a> {
    writer: &'w mut Writer<'a>,
    state: State,
}

impl<'w, 'a> ser::Serializer for &'w mut Writer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        done(self.layout.write_bool(self.out, v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        done(self.layout.write_i8(self.out, v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        done(self.layout.write_i16(self.out, v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        done(self.layout.write_i32(self.out, v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        done(self.layout.write_i64(self.out, v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        done(self.layout.write_i128(self.out, v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        done(self.layout.write_u8(self.out, v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        done(self.layout.write_u16(self.out, v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        done(self.layout.write_u32(self.out, v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        done(self.layout.write_u64(self.out, v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        done(self.layout.write_u128(self.out, v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if v.is_finite() {
            done(self.layout.write_f32(self.out, v))
        } else {
            self.serialize_unit()
        }
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if v.is_finite() {
            done(self.layout.write_f64(self.out, v))
        } else {
            self.serialize_unit()
        }
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_string(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        done(self.layout.write_byte_array(self.out, v))
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        done(self.layout.write_null(self.out))
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.begin_variant(variant)?;
        value.serialize(&mut *self)?;
        self.end_variant()
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.begin_array()?;
        let state = if len == Some(0) {
            self.end_array()?;
            State::Empty
        } else {
            State::First
        };
        Ok(Compound {
            writer: self,
            state,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.begin_variant(variant)?;
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.begin_object()?;
        let state = if len == Some(0) {
            self.end_object()?;
            State::Empty
        } else {
            State::First
        };
        Ok(Compound {
            writer: self,
            state,
        })
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Compound<'w, 'a>, Error> {
        if name == RAW_VALUE {
            return Ok(Compound {
                writer: self,
                state: State::Raw,
            });
        }
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.begin_variant(variant)?;
        self.serialize_map(Some(len))
    }
}

impl Compound<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let w = &mut *self.writer;
        done(
            w.layout
                .begin_array_value(w.out, self.state == State::First),
        )?;
        self.state = State::Rest;
        value.serialize(&mut *w)?;
        done(w.layout.end_array_value(w.out))
    }

    fn end_array(self) -> Result<(), Error> {
        match self.state {
            State::Empty => Ok(()),
            _ => self.writer.end_array(),
        }
    }

    fn end_object(self) -> Result<(), Error> {
        match self.state {
            State::Empty | State::Raw => Ok(()),
            _ => self.writer.end_object(),
        }
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.end_array()
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.end_array()
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        self.end_array()
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<(), Error> {
        let writer = &mut *self.writer;
        if self.state != State::Empty {
            writer.end_array()?;
        }
        writer.end_variant()
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let w = &mut *self.writer;
        done(w.layout.begin_object_key(w.out, self.state == State::First))?;
        self.state = State::Rest;
        key.serialize(KeyWriter { out: w.out })?;
        done(w.layout.end_object_key(w.out))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let w = &mut *self.writer;
        done(w.layout.begin_object_value(w.out))?;
        value.serialize(&mut *w)?;
        done(w.layout.end_object_value(w.out))
    }
    fn end(self) -> Result<(), Error> {
        self.end_object()
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        if self.state == State::Raw {
            return if key == RAW_VALUE {
                value.serialize(RawWriter {
                    out: self.writer.out,
                })
            } else {
                Err(ser::Error::custom("a raw JSON value has one field"))
            };
        }
        ser::SerializeMap::serialize_entry(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.end_object()
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeMap::serialize_entry(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        let writer = &mut *self.writer;
        if self.state != State::Empty {
            writer.end_object()?;
        }
        writer.end_variant()
    }
}

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

/// Writes a map key as serde_json does: a string as it is; a number, a boolean or a
/// character as a string; anything else is an error.
struct KeyWriter<'o> {
    out: &'o mut Vec<u8>,
}

impl KeyWriter<'_> {
    /// What `write` writes (serde_json's own number and boolean texts) in quotes.
    fn quoted(
        self,
        write: impl FnOnce(&mut Pretty, &mut Vec<u8>) -> std::io::Result<()>,
    ) -> Result<(), Error> {
        self.out.push(b'"');
        done(write(&mut Pretty::default(), self.out))?;
        self.out.push(b'"');
        Ok(())
    }
}

/// Every other kind of key: serde_json refuses it.
macro_rules! refuse {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $arg),*) -> Result<(), Error> {
            Err(key_must_be_a_string())
        })*
    };
}

impl ser::Serializer for KeyWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        write_string(self.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        write_string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(|f, out| f.write_bool(out, v))
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.quoted(|f, out| f.write_i8(out, v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.quoted(|f, out| f.write_i16(out, v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.quoted(|f, out| f.write_i32(out, v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(|f, out| f.write_i64(out, v))
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.quoted(|f, out| f.write_i128(out, v))
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.quoted(|f, out| f.write_u8(out, v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.quoted(|f, out| f.write_u16(out, v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.quoted(|f, out| f.write_u32(out, v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(|f, out| f.write_u64(out, v))
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.quoted(|f, out| f.write_u128(out, v))
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(ser::Error::custom("float key must be finite"));
        }
        self.quoted(|f, out| f.write_f32(out, v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return Err(ser::Error::custom("float key must be finite"));
        }
        self.quoted(|f, out| f.write_f64(out, v))
    }
    refuse!(
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
    );
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _: usize) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(key_must_be_a_string())
    }
}

/// The text of a `RawValue`, written as it is (it is JSON already).
struct RawWriter<'o> {
    out: &'o mut Vec<u8>,
}

fn not_raw() -> Error {
    ser::Error::custom("a raw JSON value holds its text")
}

macro_rules! not_raw {
    ($($name:ident($($arg:ty),*)),* $(,)?) => {
        $(fn $name(self, $(_: $arg),*) -> Result<(), Error> {
            Err(not_raw())
        })*
    };
}

impl ser::Serializer for RawWriter<'_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible<(), Error>;
    type SerializeTuple = Impossible<(), Error>;
    type SerializeTupleStruct = Impossible<(), Error>;
    type SerializeTupleVariant = Impossible<(), Error>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Impossible<(), Error>;
    type SerializeStructVariant = Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.out.extend_from_slice(v.as_bytes());
        Ok(())
    }
    not_raw!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_none(),
        serialize_unit(),
        serialize_unit_struct(&'static str),
        serialize_unit_variant(&'static str, u32, &'static str),
    );
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(not_raw())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_raw())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(not_raw())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
    fn serialize_tuple(self, _: usize) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Impossible<(), Error>, Error> {
        Err(not_raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn ours<T: Serialize + ?Sized>(value: &T, level: usize) -> String {
        let mut out = Vec::new();
        write(value, &mut out, level).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    fn serde_jsons<T: Serialize + ?Sized>(value: &T, level: usize) -> String {
        let mut out = Vec::new();
        let mut ser = serde_json::Serializer::with_formatter(
            &mut out,
            Pretty {
                level,
                has_value: false,
            },
        );
        value.serialize(&mut ser).unwrap_or_else(|e| panic!("{e}"));
        String::from_utf8(out).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_escapes_it() {
        let all: String = (0u8..0x80).map(char::from).collect();
        for text in [
            all.clone(),
            format!("{all}{all}é\u{2028}\u{10FFFF}"),
            "plain text longer than eight bytes".to_string(),
            "\"\\\"\\".to_string(),
            String::new(),
            "12345678\n".to_string(),
            "1234567\u{7f}\u{1f}".to_string(),
        ] {
            assert_eq!(
                ours(&text, 0),
                serde_json::to_string(&text).unwrap_or_default()
            );
        }
    }

    #[derive(serde::Serialize)]
    enum Shape {
        Unit,
        Newtype(u8),
        Tuple(i32, String),
        EmptyTuple(),
        Struct { side: f64, name: &'static str },
        EmptyStruct {},
    }

    #[derive(serde::Serialize)]
    struct Everything {
        shapes: Vec<Shape>,
        map: std::collections::BTreeMap<i64, Vec<u8>>,
        by_flag: std::collections::BTreeMap<bool, char>,
        by_char: std::collections::BTreeMap<char, ()>,
        floats: Vec<f64>,
        float_values: std::collections::BTreeMap<String, f32>,
        bytes: serde_bytes_like::Bytes,
        raw: Box<serde_json::value::RawValue>,
        nothing: Option<u8>,
        empty: Vec<u8>,
        unit: (),
        tuple: (u128, i128, i8, u16),
    }

    mod serde_bytes_like {
        /// Serialises as bytes, which serde_json writes as a list of numbers.
        pub struct Bytes(pub Vec<u8>);
        impl serde::Serialize for Bytes {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_bytes(&self.0)
            }
        }
    }

    #[test]
    fn every_kind_of_value_is_laid_out_as_serde_json_lays_it_out() {
        let everything = Everything {
            shapes: vec![
                Shape::Unit,
                Shape::Newtype(7),
                Shape::Tuple(-3, "x\ty".into()),
                Shape::EmptyTuple(),
                Shape::Struct {
                    side: 1.5e300,
                    name: "sq\"uare",
                },
                Shape::EmptyStruct {},
            ],
            map: [(-1, vec![1, 2]), (2, vec![])].into_iter().collect(),
            by_flag: [(true, 'é'), (false, '\n')].into_iter().collect(),
            by_char: [('k', ())].into_iter().collect(),
            floats: vec![0.1, -0.0, f64::NAN, f64::INFINITY, 1e-7, 3.0],
            float_values: [("a".into(), 0.25f32), ("b".into(), f32::NEG_INFINITY)]
                .into_iter()
                .collect(),
            bytes: serde_bytes_like::Bytes(vec![0, 255]),
            raw: serde_json::value::RawValue::from_string("{\"a\": [1,2]}".into())
                .unwrap_or_else(|e| panic!("{e}")),
            nothing: None,
            empty: vec![],
            unit: (),
            tuple: (u128::MAX, i128::MIN, -8, 16),
        };
        for level in [0, 1, 3, 70] {
            assert_eq!(ours(&everything, level), serde_jsons(&everything, level));
        }
        let deep = (0..100).fold(
            json!({"leaf": [1, "two", null, {"k": []}, {}]}),
            |d, i| json!({ format!("level{i}"): [d, i, {"x": "y\n\"z\""}] }),
        );
        assert_eq!(
            ours(&deep, 0),
            serde_json::to_string_pretty(&deep).unwrap_or_default()
        );
    }

    #[test]
    fn a_key_serde_json_refuses_is_refused() {
        let map: std::collections::BTreeMap<Vec<u8>, u8> = [(vec![1], 1)].into_iter().collect();
        assert!(write(&map, &mut Vec::new(), 0).is_err());
        assert!(serde_json::to_string(&map).is_err());
    }

    fn value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            any::<String>().prop_map(serde_json::Value::from),
            "[\\x00-\\x7f]{0,40}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..8)
                    .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn any_value_is_written_as_serde_json_writes_it(v in value(), level in 0usize..5) {
            prop_assert_eq!(ours(&v, level), serde_jsons(&v, level));
        }
    }
}
