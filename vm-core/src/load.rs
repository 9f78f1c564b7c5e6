//! Loading a portable [`Unit`] into a VM: the one place a unit's own tables become the
//! VM's. Names are interned, natives found by name, string constants put in the heap
//! (rooted by the blocks), the source registered and every span pointed at it.

use std::rc::Rc;
use std::sync::Arc;

use registry::{Name, Value};

use crate::code::Block;
use crate::error::{Error, ErrorKind};
use crate::op::Op;
use crate::source::{Source, Span};
use crate::unit::{Constant, Range, Unit};
use crate::verify::verify;
use crate::vm::Vm;

impl Vm {
    /// Loads `unit` (from any compiler, any VM or a file) into this VM and returns its
    /// outermost block, ready for [`Vm::run`]. The unit is verified first.
    ///
    /// The block's string constants are kept alive by the block: run it or keep it.
    ///
    /// # Errors
    /// A `parse` error if the unit is malformed, an `undefined` error if it calls a native
    /// this VM does not have, a `limit` error if the code does not fit the heap limit.
    pub fn load(&mut self, unit: &Unit) -> Result<Rc<Block>, Error> {
        self.load_shared(Arc::new(unit.clone()))
    }

    /// [`Vm::load`] for a unit shared with other VMs (the parallel workers load the units
    /// of the functions they run this way, without copying them).
    ///
    /// # Errors
    /// As [`Vm::load`].
    pub fn load_shared(&mut self, unit: Arc<Unit>) -> Result<Rc<Block>, Error> {
        Ok(self.load_blocks(unit)?.swap_remove(0))
    }

    /// Loads a unit and gives every block of it, by the unit's indexes.
    pub(crate) fn load_blocks(&mut self, unit: Arc<Unit>) -> Result<Vec<Rc<Block>>, Error> {
        verify(&unit).map_err(|malformed| Error::new(ErrorKind::Parse, malformed.to_string()))?;
        let source = self.sources.add(unit.source_name.as_str(), unit.source_text.as_str());
        self.load_verified(unit, source)
    }

    /// Loads a unit a frontend just compiled from `source` (already registered). Such
    /// units are well formed by construction; debug builds, and so every test, verify
    /// them all the same.
    pub(crate) fn load_compiled(&mut self, unit: Unit, source: Rc<Source>) -> Result<Rc<Block>, Error> {
        if cfg!(debug_assertions)
            && let Err(malformed) = verify(&unit)
        {
            return Err(Error::internal(format!("the compiler made {malformed}")).with_source(source));
        }
        Ok(self.load_verified(Arc::new(unit), source)?.swap_remove(0))
    }

    fn load_verified(&mut self, unit: Arc<Unit>, source: Rc<Source>) -> Result<Vec<Rc<Block>>, Error> {
        let names: Vec<Name> = unit.names.iter().map(|text| self.reg.intern(text)).collect();
        let natives = unit
            .natives
            .iter()
            .map(|&name| {
                let name = names[name as usize];
                self.native_index(name).ok_or_else(|| {
                    let text = self.reg.name_text(name);
                    Error::new(
                        ErrorKind::Undefined,
                        format!("the code calls native '{text}', which this VM does not have"),
                    )
                })
            })
            .collect::<Result<Vec<u32>, Error>>()?;
        let reg = &mut self.reg;
        let pool: Rc<[Value]> = unit
            .constants
            .iter()
            .map(|constant| match constant {
                Constant::Int(n) => Value::Int(*n),
                Constant::Float(f) => Value::Float(*f),
                Constant::Str(text) => reg.new_constant_str(text.as_str()),
            })
            .collect();
        // No collection can run before the anchor roots the strings: nothing allocates
        // between here and there but the anchor itself, which holds them.
        let heap_consts: Vec<Value> = pool.iter().copied().filter(|v| v.handle().is_some()).collect();
        let anchor = if heap_consts.is_empty() {
            None
        } else {
            let array = reg.new_array(heap_consts);
            Some(reg.root(array))
        };
        let span = |range: Range| Span { source: source.id, start: range.start, end: range.end };
        let rename = |name: Name| names[name.index()];
        // Nested blocks come after their parents, so building from the last block back
        // finds every child built.
        let mut built: Vec<Option<Rc<Block>>> = vec![None; unit.blocks.len()];
        for (index, block) in unit.blocks.iter().enumerate().rev() {
            let ops: Box<[Op]> = block
                .ops
                .iter()
                .map(|&op| match op.map_names(rename) {
                    Op::Native(i) => Op::Native(natives[i as usize]),
                    op => op,
                })
                .collect();
            let children: Box<[Rc<Block>]> =
                block.children.iter().map(|&child| built[child as usize].clone().expect("built")).collect();
            let spans: Box<[Span]> = block.spans.iter().map(|&r| span(r)).collect();
            let locals: Box<[Name]> = block.locals.iter().map(|&n| rename(n)).collect();
            let needs_locals = ops.iter().any(|op| op.binds_names());
            let needs_heap_scope = ops.iter().any(|op| op.captures_scope());
            let bytes = std::mem::size_of::<Block>()
                + ops.len() * std::mem::size_of::<Op>()
                + spans.len() * std::mem::size_of::<Span>()
                + children.len() * std::mem::size_of::<Rc<Block>>()
                + locals.len() * std::mem::size_of::<Name>();
            built[index] = Some(Rc::new(Block {
                ops,
                spans,
                children,
                pool: pool.clone(),
                _anchor: anchor.clone(),
                source: Some(source.clone()),
                origin: block.origin.map(span),
                _charge: Some(self.footprint.charge(bytes)),
                needs_locals: needs_locals || needs_heap_scope,
                needs_heap_scope,
                locals,
                prologue: block.prologue,
                unit: Some((unit.clone(), index as u32)),
            }));
        }
        self.check_heap_limit()?;
        Ok(built.into_iter().map(|block| block.expect("every block is built")).collect())
    }
}
