//! Forward-compatible response enums.
//!
//! typify's enums are closed: one value the server adds tomorrow fails the whole page.
//! For every schema the corrections mark `x-neon-open-enum: true` this module emits an
//! enum with the documented variants plus `Unknown(String)`, which keeps the string.
//! The generator tells progenitor to use it in place of the schema
//! (`GenerationSettings::with_replacement`) and inserts it into the generated `types`
//! module, so callers find it where every other type lives.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use crate::corrections::OPEN_ENUM_MARK;

/// One open enum: its schema name and documented values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenEnum {
    /// The schema name, which is also the Rust type name.
    pub name: String,
    /// The documented wire values, in document order.
    pub values: Vec<String>,
    /// The schema's description, used as the type's doc comment.
    pub description: String,
}

/// Every schema marked open, in name order.
pub fn find(doc: &Value) -> Vec<OpenEnum> {
    let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Vec::new();
    };
    let mut out: Vec<OpenEnum> = schemas
        .iter()
        .filter(|(_, s)| s.get(OPEN_ENUM_MARK) == Some(&Value::Bool(true)))
        .map(|(name, s)| OpenEnum {
            name: name.clone(),
            values: s
                .get("enum")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            description: s
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// `pending` → `Pending`, `x-86_64` → `X8664`.
pub(crate) fn variant_name(value: &str) -> String {
    let mut out = String::new();
    for part in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// The Rust items for one open enum.
pub fn tokens(e: &OpenEnum) -> TokenStream {
    let name = format_ident!("{}", e.name);
    let variants: Vec<_> = e
        .values
        .iter()
        .map(|v| format_ident!("{}", variant_name(v)))
        .collect();
    let values = &e.values;
    let docs: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    let type_doc = format!(
        "{}\n\nKnown values: {}. Any other value decodes as [`{}::Unknown`], which keeps the string; [`{}::as_str`] gives the wire value of every variant.",
        e.description,
        docs.join(", "),
        e.name,
        e.name
    );
    quote! {
        #[doc = #type_doc]
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(
                #[doc = #docs]
                #variants,
            )*
            /// A value this SDK does not know yet, kept verbatim. Never holds a known value
            /// when built by `From`, `FromStr` or deserialization.
            Unknown(::std::string::String),
        }

        impl #name {
            /// Every documented wire value.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];

            /// The wire value, for known and unknown variants alike.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether the value is one this SDK does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for #name {
            fn from(value: ::std::string::String) -> Self {
                match value.as_str() {
                    #(#values => Self::#variants,)*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn variant_names_are_pascal_case_idents() {
        assert_eq!(variant_name("pending"), "Pending");
        assert_eq!(variant_name("x-86_64"), "X8664");
        assert_eq!(variant_name("2fa"), "V2fa");
        assert_eq!(variant_name("--"), "V");
    }

    #[test]
    fn only_marked_schemas_are_open_in_name_order() {
        let doc = json!({"components": {"schemas": {
            "Zeta": {"type": "string", "enum": ["b", "a"], "x-neon-open-enum": true, "description": "Z."},
            "Alpha": {"type": "string", "enum": ["x"], "x-neon-open-enum": true},
            "Closed": {"type": "string", "enum": ["y"]},
        }}});
        let found = find(&doc);
        assert_eq!(
            found,
            vec![
                OpenEnum {
                    name: "Alpha".into(),
                    values: vec!["x".into()],
                    description: String::new()
                },
                OpenEnum {
                    name: "Zeta".into(),
                    values: vec!["b".into(), "a".into()],
                    description: "Z.".into()
                },
            ]
        );
    }

    #[test]
    fn emitted_items_parse_and_carry_an_unknown_variant() {
        let e = OpenEnum {
            name: "Kind".into(),
            values: vec!["geo".into(), "app".into()],
            description: "A kind.".into(),
        };
        let file: syn::File = syn::parse2(tokens(&e)).expect("open enum tokens parse");
        let text = prettyplease::unparse(&file);
        assert!(text.contains("pub enum Kind {"), "{text}");
        assert!(text.contains("Unknown(::std::string::String),"), "{text}");
        assert!(text.contains("\"geo\" => Self::Geo,"), "{text}");
        assert!(
            text.contains("pub const KNOWN: &'static [&'static str] = &[\"geo\", \"app\"];"),
            "{text}"
        );
    }
}
