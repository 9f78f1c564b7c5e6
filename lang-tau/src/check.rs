//! Checks a parsed Tau file and resolves it into a [`Model`]: every type name resolved
//! (relative to the enclosing namespaces, innermost first, then from the top), no name
//! declared twice, `void` only as a method's result, map keys of a hashable type, enum
//! values in range and distinct, and no struct that contains itself by value. Every problem
//! is reported, in source order, not only the first.

use std::collections::HashMap;

use vm_core::{Error, ErrorKind, Span};

use crate::ast::{EnumDecl, Ident, InterfaceDecl, Item, Member, Param, StructDecl, TypeExpr};
use crate::model::{BUILTIN_TYPES, EnumDef, Event, Field, InterfaceDef, Method, Model, QualName, StructDef, Type};

/// Checks `items` and builds the model.
///
/// # Errors
/// A `parse` error for the first problem in the file, with every other one as related
/// errors.
pub fn check(items: &[Item]) -> Result<Model, Error> {
    let mut checker = Checker::default();
    checker.declare(items, &[]);
    let model = checker.resolve();
    let mut problems = checker.problems;
    if problems.is_empty() {
        return Ok(model);
    }
    problems.sort_by_key(|(span, _)| (span.start, span.end));
    let mut errors = problems.into_iter().map(|(span, message)| Error::new(ErrorKind::Parse, message).with_span(span));
    let first = errors.next().expect("there is a problem");
    Err(first.with_related(errors.collect()))
}

/// What a qualified name is declared as.
#[derive(Clone, Copy)]
enum Decl {
    Struct(usize),
    Enum(usize),
    Interface,
}

#[derive(Default)]
struct Checker<'a> {
    structs: Vec<(QualName, &'a StructDecl)>,
    enums: Vec<(QualName, &'a EnumDecl)>,
    interfaces: Vec<(QualName, &'a InterfaceDecl)>,
    names: HashMap<QualName, (Decl, Span)>,
    problems: Vec<(Span, String)>,
}

impl<'a> Checker<'a> {
    fn problem(&mut self, span: Span, message: impl Into<String>) {
        self.problems.push((span, message.into()));
    }

    /// Gives every declaration its qualified name. A namespace may be opened more than once;
    /// its declarations add up.
    fn declare(&mut self, items: &'a [Item], namespace: &[String]) {
        for item in items {
            let (name, decl) = match item {
                Item::Namespace(ns) => {
                    let mut inner = namespace.to_vec();
                    inner.extend(ns.path.iter().map(|i| i.name.clone()));
                    self.declare(&ns.items, &inner);
                    continue;
                }
                Item::Struct(s) => (&s.name, Decl::Struct(self.structs.len())),
                Item::Enum(e) => (&e.name, Decl::Enum(self.enums.len())),
                Item::Interface(i) => (&i.name, Decl::Interface),
            };
            let mut qualified = namespace.to_vec();
            qualified.push(name.name.clone());
            let qualified = QualName(qualified);
            if BUILTIN_TYPES.iter().any(|(builtin, _)| *builtin == name.name) {
                self.problem(
                    name.span,
                    format!("`{}` is a built-in type; a declaration needs another name", name.name),
                );
            }
            match self.names.get(&qualified) {
                Some(_) => self.problem(name.span, format!("`{qualified}` is declared twice")),
                None => {
                    self.names.insert(qualified.clone(), (decl, name.span));
                }
            }
            match item {
                Item::Struct(s) => self.structs.push((qualified, s)),
                Item::Enum(e) => self.enums.push((qualified, e)),
                Item::Interface(i) => self.interfaces.push((qualified, i)),
                Item::Namespace(_) => unreachable!("namespaces are handled above"),
            }
        }
    }

    fn resolve(&mut self) -> Model {
        let enums = std::mem::take(&mut self.enums);
        let structs = std::mem::take(&mut self.structs);
        let interfaces = std::mem::take(&mut self.interfaces);
        let mut model = Model::default();
        for (name, decl) in &enums {
            model.enums.push(EnumDef { name: name.clone(), variants: self.variants(decl) });
        }
        for (name, decl) in &structs {
            let fields = self.fields(&decl.fields, name.namespace(), "field");
            model.structs.push(StructDef { name: name.clone(), fields });
        }
        for (name, decl) in &interfaces {
            model.interfaces.push(self.interface(name, decl));
        }
        self.check_containment(&model, &structs);
        model
    }

    fn variants(&mut self, decl: &EnumDecl) -> Vec<(String, i64)> {
        if decl.variants.is_empty() {
            self.problem(decl.name.span, format!("enum `{}` has no variants", decl.name.name));
        }
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut values: HashMap<i64, &str> = HashMap::new();
        let mut out = Vec::new();
        let mut next = Some(0i64);
        for variant in &decl.variants {
            if seen.insert(&variant.name.name, ()).is_some() {
                self.problem(variant.name.span, format!("variant `{}` is declared twice", variant.name.name));
            }
            let value = match &variant.value {
                Some((digits, span)) => match digits.parse::<i64>() {
                    Ok(value) => value,
                    Err(_) => {
                        self.problem(*span, format!("{digits} is out of range for an enum value (a 64-bit int)"));
                        continue;
                    }
                },
                None => match next {
                    Some(value) => value,
                    None => {
                        self.problem(variant.name.span, "the value after the largest int needs to be given");
                        continue;
                    }
                },
            };
            if let Some(other) = values.insert(value, &variant.name.name) {
                let message = format!("variant `{}` has the value {value}, as `{other}` does", variant.name.name);
                self.problem(variant.name.span, message);
            }
            next = value.checked_add(1);
            out.push((variant.name.name.clone(), value));
        }
        out
    }

    /// Resolves a list of typed names, none of them `void` and no name twice.
    fn fields(&mut self, params: &[Param], namespace: &[String], what: &str) -> Vec<Field> {
        let mut seen: HashMap<&str, ()> = HashMap::new();
        let mut out = Vec::new();
        for param in params {
            if seen.insert(&param.name.name, ()).is_some() {
                self.problem(param.name.span, format!("{what} `{}` is declared twice", param.name.name));
            }
            let ty = self.value_type(&param.ty, namespace, &format!("{what} `{}`", param.name.name));
            out.push(Field { name: param.name.name.clone(), ty });
        }
        out
    }

    fn interface(&mut self, name: &QualName, decl: &InterfaceDecl) -> InterfaceDef {
        let namespace = name.namespace().to_vec();
        let mut def =
            InterfaceDef { name: name.clone(), methods: Vec::new(), properties: Vec::new(), events: Vec::new() };
        let mut seen: HashMap<&str, ()> = HashMap::new();
        for member in &decl.members {
            let member_name: &Ident = member.name();
            if seen.insert(&member_name.name, ()).is_some() {
                self.problem(member_name.span, format!("member `{}` is declared twice", member_name.name));
            }
            match member {
                Member::Method { result, name, params } => {
                    let params = self.fields(params, &namespace, "parameter");
                    let result = self.resolve_type(result, &namespace);
                    def.methods.push(Method { name: name.name.clone(), params, result });
                }
                Member::Property { ty, name } => {
                    let ty = self.value_type(ty, &namespace, &format!("property `{}`", name.name));
                    def.properties.push(Field { name: name.name.clone(), ty });
                }
                Member::Event { name, params } => {
                    let params = self.fields(params, &namespace, "parameter");
                    def.events.push(Event { name: name.name.clone(), params });
                }
            }
        }
        def
    }

    /// Resolves the type of something that holds a value (so not `void`).
    fn value_type(&mut self, ty: &TypeExpr, namespace: &[String], holder: &str) -> Type {
        let resolved = self.resolve_type(ty, namespace);
        if resolved == Type::Void {
            self.problem(ty.span(), format!("{holder} cannot be `void`: only a method's result can"));
        }
        resolved
    }

    fn resolve_type(&mut self, ty: &TypeExpr, namespace: &[String]) -> Type {
        match ty {
            TypeExpr::Array(item, _) => {
                let item_type = self.resolve_type(item, namespace);
                if item_type == Type::Void {
                    self.problem(item.span(), "an array of `void` holds nothing: give its items a type");
                }
                Type::Array(Box::new(item_type))
            }
            TypeExpr::Map(key, value, _) => {
                let key_type = self.resolve_type(key, namespace);
                let value_type = self.resolve_type(value, namespace);
                if !matches!(key_type, Type::Bool | Type::Int | Type::String | Type::Bytes | Type::Enum(_)) {
                    let message = "a map's key must be `bool`, `int`, `string`, `bytes` or an enum";
                    self.problem(key.span(), message);
                }
                if value_type == Type::Void {
                    self.problem(value.span(), "a map's value cannot be `void`");
                }
                Type::Map(Box::new(key_type), Box::new(value_type))
            }
            TypeExpr::Named(path, span) => self.resolve_name(path, *span, namespace),
        }
    }

    /// A type name: a built-in type, or a declaration found from the innermost enclosing
    /// namespace outwards.
    fn resolve_name(&mut self, path: &[Ident], span: Span, namespace: &[String]) -> Type {
        let written: Vec<String> = path.iter().map(|i| i.name.clone()).collect();
        if let [one] = written.as_slice()
            && let Some((_, ty)) = BUILTIN_TYPES.iter().find(|(name, _)| name == one)
        {
            return ty.clone();
        }
        for depth in (0..=namespace.len()).rev() {
            let mut candidate = namespace[..depth].to_vec();
            candidate.extend(written.iter().cloned());
            let Some(&(decl, _)) = self.names.get(&QualName(candidate)) else { continue };
            return match decl {
                Decl::Struct(i) => Type::Struct(i),
                Decl::Enum(i) => Type::Enum(i),
                Decl::Interface => {
                    let message = format!("`{}` is an interface, not a type a value can have", written.join("::"));
                    self.problem(span, message);
                    Type::Int
                }
            };
        }
        self.problem(span, format!("unknown type `{}`", written.join("::")));
        Type::Int
    }

    /// Refuses a struct that contains itself by value, directly or through other structs
    /// (it would have no finite size); through an array or a map it is fine.
    fn check_containment(&mut self, model: &Model, decls: &[(QualName, &StructDecl)]) {
        let contained = |i: usize| -> Vec<usize> {
            let mut out: Vec<usize> = model.structs[i]
                .fields
                .iter()
                .filter_map(|f| if let Type::Struct(j) = f.ty { Some(j) } else { None })
                .collect();
            out.sort_unstable();
            out.dedup();
            out
        };
        // Depth-first over "contains by value", without recursion: 0 unvisited, 1 on the
        // current path, 2 done.
        let mut state = vec![0u8; model.structs.len()];
        for start in 0..model.structs.len() {
            if state[start] != 0 {
                continue;
            }
            let mut path: Vec<(usize, Vec<usize>)> = vec![(start, contained(start))];
            state[start] = 1;
            while let Some((node, next)) = path.last_mut() {
                let node = *node;
                match next.pop() {
                    Some(child) if state[child] == 1 => {
                        let from = path.iter().position(|(n, _)| *n == child).expect("on the path");
                        let mut cycle: Vec<String> =
                            path[from..].iter().map(|(n, _)| model.structs[*n].name.to_string()).collect();
                        cycle.push(model.structs[child].name.to_string());
                        let message = format!(
                            "struct `{}` contains itself by value ({}): it would have no end; hold it in an array or a map",
                            model.structs[child].name,
                            cycle.join(" → ")
                        );
                        self.problem(decls[child].1.name.span, message);
                    }
                    Some(child) if state[child] == 0 => {
                        state[child] = 1;
                        path.push((child, contained(child)));
                    }
                    Some(_) => {}
                    None => {
                        state[node] = 2;
                        path.pop();
                    }
                }
            }
        }
    }
}
