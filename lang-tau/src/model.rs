//! The checked meaning of a Tau file, which the generators and the runtime work from: every
//! name resolved to a declaration, every declaration under its qualified name, and each
//! interface's fingerprint (the hash both ends compare in the handshake).

use std::fmt::Write as _;

/// A declaration's name with its namespaces: `Demo::Point` is `["Demo", "Point"]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QualName(pub Vec<String>);

impl QualName {
    /// The last part: the name as declared.
    pub fn name(&self) -> &str {
        self.0.last().map_or("", String::as_str)
    }

    /// The namespaces around it, outermost first.
    pub fn namespace(&self) -> &[String] {
        &self.0[..self.0.len().saturating_sub(1)]
    }

    /// The parts joined with `sep` (`"::"` gives the name as Tau writes it).
    pub fn joined(&self, sep: &str) -> String {
        self.0.join(sep)
    }
}

impl std::fmt::Display for QualName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.joined("::"))
    }
}

/// A resolved type. Structs and enums are indexes into [`Model::structs`] and
/// [`Model::enums`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    Void,
    Bool,
    Int,
    Float,
    String,
    Bytes,
    Array(Box<Type>),
    Map(Box<Type>, Box<Type>),
    Struct(usize),
    Enum(usize),
}

/// The built-in types by name.
pub const BUILTIN_TYPES: [(&str, Type); 6] = [
    ("void", Type::Void),
    ("bool", Type::Bool),
    ("int", Type::Int),
    ("float", Type::Float),
    ("string", Type::String),
    ("bytes", Type::Bytes),
];

/// `enum Mode { Fast = 1, Precise = 2 }`, every variant with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct EnumDef {
    pub name: QualName,
    pub variants: Vec<(String, i64)>,
}

/// A typed name: a struct field, a parameter or a property.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct StructDef {
    pub name: QualName,
    pub fields: Vec<Field>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Method {
    pub name: String,
    pub params: Vec<Field>,
    /// [`Type::Void`] for a method that returns nothing.
    pub result: Type,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    pub name: String,
    pub params: Vec<Field>,
}

/// An interface's members, each kind in the order written.
#[derive(Clone, Debug, PartialEq)]
pub struct InterfaceDef {
    pub name: QualName,
    pub methods: Vec<Method>,
    pub properties: Vec<Field>,
    pub events: Vec<Event>,
}

/// Everything a Tau file declares, checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Model {
    pub enums: Vec<EnumDef>,
    pub structs: Vec<StructDef>,
    pub interfaces: Vec<InterfaceDef>,
}

impl Model {
    /// `ty` as Tau writes it, with qualified names.
    pub fn type_name(&self, ty: &Type) -> String {
        match ty {
            Type::Array(item) => format!("{}[]", self.type_name(item)),
            Type::Map(key, value) => format!("map<{}, {}>", self.type_name(key), self.type_name(value)),
            Type::Struct(i) => self.structs[*i].name.to_string(),
            Type::Enum(i) => self.enums[*i].name.to_string(),
            builtin => BUILTIN_TYPES.iter().find(|(_, t)| t == builtin).map_or("?", |(name, _)| name).to_string(),
        }
    }

    /// The structs and enums an interface's members mention, directly or through other
    /// structs, each once, in declaration order.
    pub fn types_used_by(&self, interface: &InterfaceDef) -> (Vec<usize>, Vec<usize>) {
        let (mut structs, mut enums) = (vec![false; self.structs.len()], vec![false; self.enums.len()]);
        let mut pending: Vec<&Type> = Vec::new();
        pending.extend(interface.methods.iter().flat_map(|m| m.params.iter().map(|p| &p.ty).chain([&m.result])));
        pending.extend(interface.properties.iter().map(|p| &p.ty));
        pending.extend(interface.events.iter().flat_map(|e| e.params.iter().map(|p| &p.ty)));
        while let Some(ty) = pending.pop() {
            match ty {
                Type::Array(item) => pending.push(item),
                Type::Map(key, value) => pending.extend([&**key, &**value]),
                Type::Struct(i) if !structs[*i] => {
                    structs[*i] = true;
                    pending.extend(self.structs[*i].fields.iter().map(|f| &f.ty));
                }
                Type::Enum(i) => enums[*i] = true,
                _ => {}
            }
        }
        let chosen = |flags: Vec<bool>| flags.iter().enumerate().filter(|(_, on)| **on).map(|(i, _)| i).collect();
        (chosen(structs), chosen(enums))
    }

    /// The interface's definition in a canonical text: its members, then every struct and
    /// enum it uses, all with qualified names. Two ends built from the same definition
    /// agree on it, whatever the layout, comments or unrelated declarations of their files.
    pub fn canonical(&self, interface: &InterfaceDef) -> String {
        let mut out = format!("interface {} {{\n", interface.name);
        let params = |params: &[Field]| {
            params.iter().map(|p| format!("{} {}", self.type_name(&p.ty), p.name)).collect::<Vec<_>>().join(", ")
        };
        for m in &interface.methods {
            let _ = writeln!(out, "  {} {}({});", self.type_name(&m.result), m.name, params(&m.params));
        }
        for p in &interface.properties {
            let _ = writeln!(out, "  {} {};", self.type_name(&p.ty), p.name);
        }
        for e in &interface.events {
            let _ = writeln!(out, "  event {}({});", e.name, params(&e.params));
        }
        out.push_str("}\n");
        let (structs, enums) = self.types_used_by(interface);
        for i in structs {
            let s = &self.structs[i];
            let _ = writeln!(out, "struct {} {{ {} }}", s.name, params(&s.fields));
        }
        for i in enums {
            let e = &self.enums[i];
            let variants: Vec<String> = e.variants.iter().map(|(n, v)| format!("{n} = {v}")).collect();
            let _ = writeln!(out, "enum {} {{ {} }}", e.name, variants.join(", "));
        }
        out
    }

    /// The interface's fingerprint: the first 16 bytes of the BLAKE3 hash of
    /// [`Model::canonical`], in hex.
    pub fn fingerprint(&self, interface: &InterfaceDef) -> String {
        let hash = blake3::hash(self.canonical(interface).as_bytes());
        hash.as_bytes()[..16].iter().map(|b| format!("{b:02x}")).collect()
    }
}
