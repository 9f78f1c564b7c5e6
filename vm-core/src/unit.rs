//! [`Unit`]: compiled code that belongs to no VM. A frontend compiles source into a unit
//! without a VM; [`crate::Vm::load`] turns it into the VM's runnable [`crate::Block`]s. A
//! unit refers to nothing outside itself: its names, natives and constants are its own
//! tables (by content), its spans are byte ranges of the source text it carries. So one
//! unit can be loaded into many VMs (share it behind an `Arc`: it is `Send + Sync`), and it
//! can be written to bytes and read back ([`Unit::to_bytes`], [`Unit::from_bytes`]).
//!
//! A unit read from bytes is untrusted: loading verifies it (`crate::verify`) before
//! anything runs it.

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind};
use crate::op::Op;
use registry::Name;

/// A compilation unit: the blocks of one program (or one `eval`'d text) and the tables its
/// ops index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    /// The name of the source (a path, or a label such as `<repl>`).
    pub source_name: String,
    /// The source text, so positions in errors can be shown wherever the unit runs.
    pub source_text: String,
    /// The names the ops and slots use: name operand `n` is `names[n.index()]`.
    pub names: Vec<String>,
    /// The natives the unit calls, as indexes into `names`: `Op::Native(i)` calls the
    /// native named `names[natives[i]]` in the VM that loads the unit.
    pub natives: Vec<u32>,
    /// The constants `Op::Const` indexes.
    pub constants: Vec<Constant>,
    /// Every block of the unit; block 0 is the outermost. A block's nested blocks come
    /// after it (see [`UnitBlock::children`]), so the blocks form a tree without cycles.
    pub blocks: Vec<UnitBlock>,
}

/// A constant of a unit, by content.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Constant {
    Int(i64),
    Float(f64),
    Str(String),
}

/// One block (continuation literal) of a unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitBlock {
    pub ops: Vec<Op>,
    /// The source bytes each op comes from, for errors and traces.
    pub spans: Vec<Range>,
    /// The unit's indexes of the blocks nested in this one, each greater than this block's
    /// own: `Op::Closure(k)` and `Op::Function(k, _)` make a closure of `children[k]`.
    pub children: Vec<u32>,
    /// Where the block's literal is written (`None` for the outermost block).
    pub origin: Option<Range>,
    /// The names of the local slots the slot ops index (see `code::resolve_locals`).
    pub locals: Vec<Name>,
    /// How many `LetTo` ops open the block, binding `locals[0]`, `locals[1]`, … in turn.
    pub prologue: u32,
}

/// A range of bytes in the unit's source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Range {
    pub start: u32,
    pub end: u32,
}

/// The first bytes of a serialized unit, and the format's version after them: a file of
/// another kind, or of another version of the op set, is refused by name.
const MAGIC: &[u8; 4] = b"KAIU";
/// Version 2: the ops of `sort_by`, `sort_with`, `any`, `all`, `count`, `group_by` and
/// `import` joined the op table after `FoldStart`, and `BindAll` before `LetTo` (an op is
/// stored by its position in the table).
/// Version 4: `JumpIf`, `JumpIfInt`, `JumpIfLocalInt` and `JumpIfLocals` (a `while`
/// tests its condition at its bottom) joined after `JumpUnlessLocals`.
/// Version 5: `PutLocals` and `PutLocalAtLocal` (an element assigned from locals) joined
/// after `LoadLocals`; version 6: `LetLocalInt` and `LetLocalAtLocal` before them.
/// Version 7: `JumpUnlessNames`, `JumpIfNames` (comparisons of two globals), `DupAddInt`
/// and `DupSubInt` joined at the end, and no op names a variable with a slot (`AddNames`
/// could). Version 8: `SwapAddInt` and `SwapSubInt` joined at the end. Version 9: `Slide`
/// after `Roll`, and `PickN` after `SwapSubInt` (parameters kept on the stack); version 10:
/// `OverAddInt` and `OverSubInt` after `PickN`.
const FORMAT_VERSION: u32 = 10;

/// The most bytes [`Unit::from_bytes`] lets one unit's tables claim, so that a corrupt
/// length cannot make it allocate without bound.
const MAX_DECODED_BYTES: usize = 1 << 30;

impl Unit {
    /// The unit as bytes: a magic, the format version, then the unit in bincode 2's
    /// standard encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        let body = bincode::serde::encode_to_vec(self, bincode::config::standard())
            .expect("a unit always encodes: it holds only strings, numbers and vectors");
        bytes.extend_from_slice(&body);
        bytes
    }

    /// Reads a unit written by [`Unit::to_bytes`]. The unit is not yet checked: loading it
    /// into a VM verifies it.
    ///
    /// # Errors
    /// A `parse` error if the bytes are not a unit of this format version, are cut short,
    /// or have bytes left over.
    pub fn from_bytes(bytes: &[u8]) -> Result<Unit, Error> {
        let bad = |message: String| Error::new(ErrorKind::Parse, format!("not a compiled Kai unit: {message}"));
        let (magic, rest) = bytes.split_at_checked(MAGIC.len()).ok_or_else(|| bad("too short".into()))?;
        if magic != MAGIC {
            return Err(bad("it does not start with the bytes \"KAIU\"".into()));
        }
        let (version, body) = rest.split_at_checked(4).ok_or_else(|| bad("too short".into()))?;
        let version = u32::from_le_bytes(version.try_into().expect("four bytes"));
        if version != FORMAT_VERSION {
            return Err(Error::new(
                ErrorKind::Parse,
                format!("compiled unit of format version {version}; this Kai reads version {FORMAT_VERSION}"),
            ));
        }
        let config = bincode::config::standard().with_limit::<MAX_DECODED_BYTES>();
        let (unit, used): (Unit, usize) =
            bincode::serde::decode_from_slice(body, config).map_err(|err| bad(err.to_string()))?;
        if used != body.len() {
            return Err(bad(format!("{} bytes left over after the unit", body.len() - used)));
        }
        Ok(unit)
    }
}
