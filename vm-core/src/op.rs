//! [`Op`]: the Pi operation set, the one definition site shared by every frontend and the
//! executor. Each op is one row of the table below: its operands, its stack effect in Forth
//! notation, its flags (whether it binds names, captures its scope, or is a
//! superinstruction) and which operand, if any, is a jump target. The enum and every
//! property of an op are generated from that row; a superinstruction's meaning (the ops it
//! stands for) is its row in `crate::fusion`, and its handler is the executor's inline arm
//! (if any) or those ops run one by one.
//!
//! Control words with literal blocks compile to jumps (see the sequences below); with
//! runtime values they compile to a `*Dyn` op that pushes a context-stack entry followed by
//! [`Op::Drive`], which runs the blocks as inline frames. Jump targets are op indexes in the
//! same block.
//!
//! - `while`:  `LoopEnter(exit) Jump(test) body: BODY test: COND JumpIfTrue(body) LoopExit exit:`
//!   (the test at the bottom: a pass runs one jump, not two; `continue` resumes at the op
//!   after `LoopEnter`, which goes to the test)
//! - C `for`:  `INIT ForCEnter(exit) Jump(first) top: STEP first: COND JumpIfFalse(done) BODY
//!   Jump(top) done: LoopExit exit:`
//! - range `for`, `times`, `each`: `ForEnter/TimesEnter/EachEnter(exit) top: LoopNext(exit) BODY
//!   Jump(top) exit:`; `from to range { … } each` uses `RangeEnter(exit)` in the same shape.
//! - `ifs`:    `T1 JumpIfFalse(a2) B1 Jump(end) a2: T2 JumpIfFalse(a3) B2 Jump(end) a3: … end:`
//! - `try`:    `TryEnter(handler) BODY TryExit Jump(end) handler: HANDLER end:`
//! - `span`:   `SpanEnter BODY SpanExit`
//! - `[ … ]`:  `ArrayStart ITEMS ArrayEnd`

use registry::Name;

/// A comparison, as fused into [`Op::CmpInt`] and [`Op::JumpUnless`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// The comparison a plain op performs, if it is one.
    pub fn of(op: Op) -> Option<Cmp> {
        Some(match op {
            Op::Eq => Cmp::Eq,
            Op::Ne => Cmp::Ne,
            Op::Lt => Cmp::Lt,
            Op::Le => Cmp::Le,
            Op::Gt => Cmp::Gt,
            Op::Ge => Cmp::Ge,
            _ => return None,
        })
    }

    /// The plain op performing this comparison.
    pub fn op(self) -> Op {
        match self {
            Cmp::Eq => Op::Eq,
            Cmp::Ne => Op::Ne,
            Cmp::Lt => Op::Lt,
            Cmp::Le => Op::Le,
            Cmp::Gt => Op::Gt,
            Cmp::Ge => Op::Ge,
        }
    }

    /// Applies the comparison to two ints, or two floats (IEEE: every ordering with a NaN
    /// is false, as the general path says); `None` for any other pair.
    #[inline(always)]
    pub fn numbers(self, a: registry::Value, b: registry::Value) -> Option<bool> {
        use registry::Value;
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => Some(self.ints(x, y)),
            (Value::Float(x), Value::Float(y)) => Some(match self {
                Cmp::Eq => x == y,
                Cmp::Ne => x != y,
                Cmp::Lt => x < y,
                Cmp::Le => x <= y,
                Cmp::Gt => x > y,
                Cmp::Ge => x >= y,
            }),
            _ => None,
        }
    }

    /// Applies the comparison to two ints.
    #[inline]
    pub fn ints(self, a: i64, b: i64) -> bool {
        // Branch-free: each comparison is the set of orderings it accepts, as bits
        // 1 (less), 2 (equal) and 4 (greater).
        const ACCEPTS: [u8; 6] = [0b010, 0b101, 0b001, 0b011, 0b100, 0b110];
        let ordering = (a >= b) as u8 + (a > b) as u8;
        ACCEPTS[self as usize] & (1 << ordering) != 0
    }
}

/// What an op's row says about it beyond its operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpFlags(u8);

impl OpFlags {
    const PLAIN: OpFlags = OpFlags(0);
    /// May create, change or remove a variable binding in the current scope: a block with
    /// such an op gets a scope of its own when activated.
    const BINDS: OpFlags = OpFlags(1);
    /// May capture the current scope (makes a closure): a block with such an op keeps its
    /// scope in the heap.
    const CAPTURES: OpFlags = OpFlags(2);
    /// A superinstruction: made by `fusion::fuse` from the ops its fusion row names, never
    /// by a frontend.
    pub(crate) const FUSED: OpFlags = OpFlags(4);

    const fn union(self, other: OpFlags) -> OpFlags {
        OpFlags(self.0 | other.0)
    }

    pub(crate) const fn has(self, flag: OpFlags) -> bool {
        self.0 & flag.0 != 0
    }
}

/// One operand of an op, for listings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// An int, an index, a count or a slot.
    Int(i64),
    Name(Name),
    Cmp(Cmp),
    Builtin(crate::words::Builtin),
}

macro_rules! operand_from {
    ($($ty:ty => |$v:ident| $make:expr),* $(,)?) => {
        $(impl From<$ty> for Operand {
            fn from($v: $ty) -> Operand {
                $make
            }
        })*
    };
}

operand_from! {
    i32 => |v| Operand::Int(v.into()),
    u32 => |v| Operand::Int(v.into()),
    u16 => |v| Operand::Int(v.into()),
    Name => |v| Operand::Name(v),
    Cmp => |v| Operand::Cmp(v),
    crate::words::Builtin => |v| Operand::Builtin(v),
}

/// An operand type, seen by [`Op::map_names`]: only names change.
trait Rename: Sized {
    fn rename(self, _: &mut impl FnMut(Name) -> Name) -> Self {
        self
    }
}

impl Rename for i32 {}
impl Rename for u32 {}
impl Rename for u16 {}
impl Rename for Cmp {}
impl Rename for crate::words::Builtin {}

impl Rename for Name {
    fn rename(self, rename: &mut impl FnMut(Name) -> Name) -> Name {
        rename(self)
    }
}

/// The type of an op's jump target: an op index, in 32 bits, or in 16 where a
/// superinstruction has no room for more (`fuse` makes one only when its target fits, and
/// renumbering the ops after fusing only lowers an index).
trait JumpTarget: Copy {
    fn index(self) -> u32;
    fn set(&mut self, to: u32);
}

impl JumpTarget for u32 {
    fn index(self) -> u32 {
        self
    }

    fn set(&mut self, to: u32) {
        *self = to;
    }
}

impl JumpTarget for u16 {
    fn index(self) -> u32 {
        self.into()
    }

    fn set(&mut self, to: u32) {
        *self = u16::try_from(to).expect("a 16-bit jump target is only ever lowered");
    }
}

/// Generates [`Op`] and its properties from the table of rows
/// `Name(operand: Type, …) => "( stack effect )", FLAGS [, target = operand];`.
macro_rules! define_ops {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident $(($($field:ident: $operand:ty),*))? => $effect:literal, $($flag:ident)|+ $(, target = $target:ident)?;
    )*) => {
        /// One Pi operation. 12 bytes (pinned by a test): a tag and at most 11 bytes of
        /// operands (up to two 32-bit ones, and a byte and 16 bits beside them).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
        pub enum Op {
            $(
                #[doc = concat!("`", $effect, "`")]
                $(#[doc = $doc])*
                $name $(($($operand),*))?,
            )*
        }

        impl Op {
            /// Every op's name and flags, in table order.
            pub const ROWS: &'static [(&'static str, OpFlags)] =
                &[$((stringify!($name), OpFlags::PLAIN $(.union(OpFlags::$flag))+)),*];

            /// The op's variant name (`"JumpIfFalse"`).
            pub const fn mnemonic(self) -> &'static str {
                match self {
                    $(Op::$name { .. } => stringify!($name),)*
                }
            }

            /// The op's stack effect in Forth notation (`"( a b -- a+b )"`).
            pub const fn effect(self) -> &'static str {
                match self {
                    $(Op::$name { .. } => $effect,)*
                }
            }

            /// The op's flags, from its row.
            pub const fn flags(self) -> OpFlags {
                match self {
                    $(Op::$name { .. } => OpFlags::PLAIN $(.union(OpFlags::$flag))+,)*
                }
            }

            /// The op's operands with their names, in order.
            pub fn operands(self) -> smallvec::SmallVec<[(&'static str, Operand); 4]> {
                match self {
                    $(Op::$name $(($($field),*))? => {
                        smallvec::SmallVec::from_iter([$($((stringify!($field), Operand::from($field))),*)?])
                    })*
                }
            }

            /// The same op with every name operand `n` replaced by `rename(n)` (loading
            /// portable code turns its own names into the VM's).
            #[allow(unused_mut)]
            pub fn map_names(self, mut rename: impl FnMut(Name) -> Name) -> Op {
                match self {
                    $(Op::$name $(($($field),*))? => Op::$name $(($(Rename::rename($field, &mut rename)),*))?,)*
                }
            }

            /// The op index this op may continue at, for the ops that carry one.
            #[allow(unused_variables)]
            pub fn target(self) -> Option<u32> {
                match self {
                    $(Op::$name $(($($field),*))? => None $(.or(Some(JumpTarget::index($target))))?,)*
                }
            }

            /// The same op with its target replaced (ops without one are returned
            /// unchanged).
            #[allow(unused_variables)]
            pub fn with_target(mut self, to: u32) -> Op {
                match &mut self {
                    $(Op::$name $(($($field),*))? => { $(JumpTarget::set($target, to);)? })*
                }
                self
            }
        }
    };
}

define_ops! {
    // ---- literals ----
    Nil => "( -- nil )", PLAIN;
    True => "( -- true )", PLAIN;
    False => "( -- false )", PLAIN;
    /// a small integer literal.
    Int(k: i32) => "( -- n )", PLAIN;
    /// constant `n` of the compilation unit (strings, floats, large ints).
    Const(constant: u32) => "( -- v )", PLAIN;
    /// a quoted name literal.
    Name(name: Name) => "( -- 'name )", PLAIN;
    /// a continuation of nested block `n`, capturing the current scope.
    Closure(block: u32) => "( -- k )", CAPTURES;

    // ---- stack ----
    Dup => "( a -- a a )", PLAIN;
    Drop => "( a -- )", PLAIN;
    Swap => "( a b -- b a )", PLAIN;
    Over => "( a b -- a b a )", PLAIN;
    Rot => "( a b c -- b c a )", PLAIN;
    Nip => "( a b -- b )", PLAIN;
    Tuck => "( a b -- b a b )", PLAIN;
    Dup2 => "( a b -- a b a b )", PLAIN;
    Drop2 => "( a b -- )", PLAIN;
    Pick => "( xn … x0 n -- xn … x0 xn )", PLAIN;
    Roll => "( xn … x0 n -- xn-1 … x0 xn )", PLAIN;
    /// removes the n values under the top one: a function that keeps its parameters on the
    /// stack returns with it (made by the compiler, see `stack_params`).
    Slide(n: u32) => "( a1 … an v -- v )", PLAIN;
    /// drops n more values.
    DropN => "( … n -- )", PLAIN;
    /// the number of values on the stack.
    Depth => "( -- n )", PLAIN;
    /// empties the stack.
    Clear => "( … -- )", PLAIN;

    // ---- arithmetic ----
    /// numbers; also concatenates two strings or two arrays.
    Add => "( a b -- a+b )", PLAIN;
    Sub => "( a b -- a-b )", PLAIN;
    Mul => "( a b -- a*b )", PLAIN;
    /// int division truncates toward zero.
    Div => "( a b -- a/b )", PLAIN;
    /// the sign of the dividend.
    Mod => "( a b -- a%b )", PLAIN;
    Neg => "( a -- -a )", PLAIN;
    Abs => "( a -- |a| )", PLAIN;
    Min => "( a b -- min )", PLAIN;
    Max => "( a b -- max )", PLAIN;
    /// a negative int exponent gives a float.
    Pow => "( a b -- a^b )", PLAIN;

    // ---- comparison and logic ----
    /// structural equality.
    Eq => "( a b -- bool )", PLAIN;
    Ne => "( a b -- bool )", PLAIN;
    /// numbers or strings.
    Lt => "( a b -- bool )", PLAIN;
    Le => "( a b -- bool )", PLAIN;
    Gt => "( a b -- bool )", PLAIN;
    Ge => "( a b -- bool )", PLAIN;
    /// logical not of truthiness.
    Not => "( a -- bool )", PLAIN;
    And => "( a b -- bool )", PLAIN;
    Or => "( a b -- bool )", PLAIN;
    Xor => "( a b -- bool )", PLAIN;
    /// ints.
    BitAnd => "( a b -- a&b )", PLAIN;
    /// ints.
    BitOr => "( a b -- a|b )", PLAIN;
    /// ints.
    BitXor => "( a b -- a^b )", PLAIN;
    /// ints.
    BitNot => "( a -- ~a )", PLAIN;
    /// overflow is an error.
    Shl => "( a n -- a<<n )", PLAIN;
    /// arithmetic shift.
    Shr => "( a n -- a>>n )", PLAIN;

    // ---- names and scopes ----
    /// looks `name` up through the scope chain.
    Load(name: Name) => "( -- v )", PLAIN;
    /// assigns the nearest binding of x, else creates it in the current scope.
    Store => "( v 'x -- )", BINDS;
    /// `Store` with the name known at compile time.
    StoreTo(name: Name) => "( v -- )", BINDS;
    /// declares x in the current scope.
    Let => "( v 'x -- )", BINDS;
    /// declares each name of a module in the current scope.
    BindAll => "( module -- )", BINDS;
    /// `Let` with the name known at compile time.
    LetTo(name: Name) => "( v -- )", BINDS;
    /// binds x in the current scope (the operand order of `=`).
    Bind => "( 'x v -- )", BINDS;
    /// the value bound to x.
    Fetch => "( 'x -- v )", PLAIN;
    /// whether x is bound.
    Exists => "( 'x -- bool )", PLAIN;
    /// removes the nearest binding of x.
    Forget => "( 'x -- )", BINDS;

    // ---- continuations ----
    /// runs k in a new activation and comes back (`&`).
    Call => "( k -- … )", PLAIN;
    /// replaces the current activation by a new activation of k (`!`).
    TailCall => "( k -- … )", PLAIN;
    /// ends the current activation (`...`).
    Return => "( -- )", PLAIN;
    /// end of a block: returns from an activation or leaves an inline frame.
    End => "( -- )", PLAIN;
    /// calls function f with n arguments (`call`): checks f's arity
    /// if it has one, and that it leaves exactly one value.
    CallFunction => "( a1 … an n f -- r )", PLAIN;

    // ---- compiled control flow ----
    /// continues at op n.
    Jump(target: u32) => "( -- )", PLAIN, target = target;
    /// continues at op n if c is falsy.
    JumpIfFalse(target: u32) => "( c -- )", PLAIN, target = target;
    /// continues at op n if c is truthy.
    JumpIfTrue(target: u32) => "( c -- )", PLAIN, target = target;
    /// starts a `while`-shaped loop; `break` goes to n, `continue` to the next op.
    LoopEnter(exit: u32) => "( -- )", PLAIN, target = exit;
    /// starts a C-style `for`; `break` goes to n, `continue` to the step, two ops on.
    ForCEnter(exit: u32) => "( -- )", PLAIN, target = exit;
    /// starts a range loop; ends at op n. If instead the top three values
    /// are continuations, it starts a C-style `for` (`{init} {cond} {step}` with this literal
    /// body), whose blocks `LoopNext` runs inline.
    ForEnter(exit: u32) => "( start end -- )", PLAIN, target = exit;
    /// starts a `times` loop; ends at op n.
    TimesEnter(exit: u32) => "( count -- )", PLAIN, target = exit;
    /// starts an `each` loop; ends at op n.
    EachEnter(exit: u32) => "( coll -- )", PLAIN, target = exit;
    /// starts a loop over the ints from … to-1: the pattern
    /// `from to range { … } each`, without building the array. Ends at op n.
    RangeEnter(exit: u32) => "( from to -- )", PLAIN, target = exit;
    /// pushes the loop's next element, or ends the loop and continues at op n.
    /// (For a C-style loop begun by `ForEnter`, runs its step and condition inline first.)
    LoopNext(exit: u32) => "( -- x )", PLAIN, target = exit;
    /// ends the innermost loop normally.
    LoopExit => "( -- )", PLAIN;
    /// leaves the innermost loop of the current activation.
    Break => "( -- )", PLAIN;
    /// starts the next iteration of the innermost loop of the current activation.
    Continue => "( -- )", PLAIN;
    /// installs an error handler at op n for the code up to `TryExit`.
    TryEnter(handler: u32) => "( -- )", PLAIN, target = handler;
    /// removes the innermost handler.
    TryExit => "( -- )", PLAIN;
    /// enters a tracing span until `SpanExit`.
    SpanEnter => "( \"name\" -- )", PLAIN;
    /// leaves the innermost span.
    SpanExit => "( -- )", PLAIN;
    /// marks the stack depth for an array literal.
    ArrayStart => "( -- )", PLAIN;
    /// collects everything above the mark.
    ArrayEnd => "( x1 … xn -- [x1 … xn] )", PLAIN;

    // ---- control words on runtime values ----
    /// runs x inline if c is truthy (pushes it if not a continuation).
    If => "( c x -- … )", PLAIN;
    /// runs or pushes a if c is truthy, else b.
    IfElse => "( c a b -- … )", PLAIN;
    /// a `while` driven by the following `Drive`.
    WhileDyn => "( {cond} {body} -- )", PLAIN;
    /// or `( {init} {cond} {step} {body} -- )`, driven.
    ForDyn => "( start end {body} -- )", PLAIN;
    /// driven.
    TimesDyn => "( n {body} -- )", PLAIN;
    /// driven.
    EachDyn => "( coll {body} -- )", PLAIN;
    /// runs body inline with handler installed; the handler
    /// runs inline and both continue at op n.
    TryDyn(handler: u32) => "( {body} {handler} -- )", PLAIN, target = handler;
    /// runs body inline in a span; `SpanExit` follows.
    SpanDyn => "( \"name\" {body} -- )", PLAIN;
    /// starts `map`, driven.
    MapStart => "( coll {f} -- )", PLAIN;
    /// starts `filter`, driven.
    FilterStart => "( coll {f} -- )", PLAIN;
    /// starts `fold`, driven.
    FoldStart => "( coll init {f} -- )", PLAIN;
    /// starts `sort_by`, driven.
    SortByStart => "( coll {key} -- )", PLAIN;
    /// starts `sort_with`, driven.
    SortWithStart => "( coll {cmp} -- )", PLAIN;
    /// starts `any`, driven.
    AnyStart => "( coll {f} -- )", PLAIN;
    /// starts `all`, driven.
    AllStart => "( coll {f} -- )", PLAIN;
    /// starts `count`, driven.
    CountStart => "( coll {f} -- )", PLAIN;
    /// starts `group_by`, driven.
    GroupByStart => "( coll {key} -- )", PLAIN;
    /// finds a module, driven: runs its file (once per VM), then leaves the module.
    ImportStart => "( path -- )", PLAIN;
    /// starts `ifs`, driven: runs each test in turn, then the
    /// body of the first that leaves a truthy value.
    IfsStart => "( t1 b1 … tn bn n -- )", PLAIN;
    /// Runs the next step of the innermost driven construct (a loop on runtime blocks,
    /// `map` and its kin), coming back here after each block; falls through when done.
    Drive => "( -- )", PLAIN;

    // ---- errors and ending ----
    /// raises x.
    Throw => "( x -- )", PLAIN;
    /// raises an assertion error if x is falsy.
    Assert => "( x -- )", PLAIN;
    /// ends the program with an exit code.
    Exit => "( code -- )", PLAIN;

    // ---- superinstructions (made by `code::fuse`, never by a frontend) ----
    /// the pair `Int(k) Add`.
    AddInt(k: i32) => "( a -- a+k )", FUSED;
    /// the pair `Int(k) Sub`.
    SubInt(k: i32) => "( a -- a-k )", FUSED;
    /// the pair `Int(k) <cmp>`.
    CmpInt(cmp: Cmp, k: i32) => "( a -- bool )", FUSED;
    /// the pair `<cmp> JumpIfFalse(n)`: continues at op n unless `a cmp b`.
    JumpUnless(cmp: Cmp, target: u32) => "( a b -- )", FUSED, target = target;
    /// the triple `Int(k) <cmp> JumpIfFalse(n)`: continues at op n unless `a cmp k`.
    JumpUnlessInt(cmp: Cmp, k: i32, target: u32) => "( a -- )", FUSED, target = target;
    /// the pair `Dup JumpUnlessInt(cmp, k, n)` (`dup k <cmp>` as a condition):
    /// tests the top value without popping it.
    JumpUnlessTopInt(cmp: Cmp, k: i32, target: u32) => "( a -- a )", FUSED, target = target;
    /// the triple `Load(x) Int(k) Add StoreTo(x)` (`x k + 'x #`): adds k to x.
    AddToName(name: Name, k: i32) => "( -- )", BINDS | FUSED;
    /// `Load(x)` of the variable in slot n of the activation's locals (see
    /// [`crate::Block::locals`], which names the slots).
    LoadLocal(slot: u32) => "( -- v )", FUSED;
    /// `StoreTo(x)` of the variable in slot n.
    StoreLocal(slot: u32) => "( v -- )", BINDS | FUSED;
    /// `AddToName(x, k)` of the variable in slot n.
    AddToLocal(slot: u32, k: i32) => "( -- )", BINDS | FUSED;
    /// the pair `LoadLocal(n) AddInt(k)` (or `SubInt(-k)`).
    LoadLocalAddInt(slot: u32, k: i32) => "( -- v+k )", FUSED;
    /// The pair `LoadLocal(n) SubInt(k)`.
    LoadLocalSubInt(slot: u32, k: i32) => "( -- v-k )", FUSED;
    /// the pair `LoadLocal(n) JumpUnlessInt(cmp, k, t)`: continues at op t unless
    /// the variable in slot n compares to k.
    JumpUnlessLocalInt(cmp: Cmp, slot: u16, k: i32, target: u32) => "( -- )", FUSED, target = target;
    /// the four ops `Load(a) Load(b) Add StoreTo(a)` (`a b + 'a #`, Rho's `a += b`).
    AddNames(a: Name, b: Name) => "( -- )", BINDS | FUSED;
    /// the same on local slots: `LoadLocal(a) LoadLocal(b) Add StoreLocal(a)`.
    AddLocals(a: u32, b: u32) => "( -- )", BINDS | FUSED;
    /// the pair `LoopNext(n) LetTo(x)`: binds the loop's next element to x (Rho's
    /// `for x in …`), or ends the loop and continues at op n.
    LoopNextLet(exit: u32, name: Name) => "( -- )", BINDS | FUSED, target = exit;
    /// the triple `Closure(b) Int(n) fn`: a function of nested block b taking n
    /// arguments.
    Function(block: u32, arity: u32) => "( -- f )", CAPTURES | FUSED;
    /// the triple `Int(n) Load(f) CallFunction`: calls function f with n
    /// arguments.
    CallFunctionName(name: Name, argc: u32) => "( a1 … an -- r )", FUSED;
    /// the four ops `Int(n) Roll Int(n) Swap`: brings a
    /// function evaluated before its n arguments to the top, ready for `CallFunction`.
    CalleeUp(argc: u32) => "( f a1 … an -- a1 … an n f )", FUSED;
    /// the pair `CalleeUp(n) CallFunction`: calls f, which sits below
    /// its n arguments (Rho evaluates a callee before its arguments).
    CallBelow(argc: u32) => "( f a1 … an -- r )", FUSED;
    /// the pair `Load(name) Call`.
    CallName(name: Name) => "( -- … )", FUSED;
    /// the pair `Load(name) TailCall`.
    TailCallName(name: Name) => "( -- … )", FUSED;
    /// `LetTo(x)` of the variable in slot n.
    LetLocal(slot: u32) => "( v -- )", BINDS | FUSED;
    /// `LoopNextLet(n, x)` of the variable in slot s.
    LoopNextLocal(exit: u32, slot: u32) => "( -- )", BINDS | FUSED, target = exit;
    /// the pair `Const(c) at`: element or field c of a collection (`m.x`, `xs[0]`).
    AtConst(constant: u32) => "( coll -- v )", FUSED;
    /// the pair `LoadLocal(n) AtConst(c)`: element or field c of the collection in slot n.
    LocalAtConst(slot: u32, constant: u32) => "( -- v )", FUSED;
    /// the triple `LoadLocal(a) LoadLocal(i) at`: the element of slot a's collection at
    /// the key in slot i (`xs[i]`).
    LocalAtLocal(slot: u32, key: u32) => "( -- v )", FUSED;
    /// the four ops `LoadLocal(n) Const(c) Dup2 at`: a field read for an update
    /// (`b.x += …` reads b.x keeping b and "x" for the `put`).
    LocalAtConstKeep(slot: u32, constant: u32) => "( -- coll c v )", FUSED;
    /// the pair `put drop`: an element or field assigned by a statement.
    PutDrop => "( coll key v -- )", FUSED;
    /// the pair `LoadLocal(a) LoadLocal(b)`.
    LoadLocals(a: u32, b: u32) => "( -- va vb )", FUSED;
    /// the pair `Int(k) LetLocal(n)`: declares the variable in slot n with int k
    /// (`let i = 0`).
    LetLocalInt(slot: u32, k: i32) => "( -- )", BINDS | FUSED;
    /// the pair `LocalAtLocal(a, i) LetLocal(n)`: declares the variable in slot n with an
    /// element or field of a local collection (`let t = xs[i]`).
    LetLocalAtLocal(slot: u16, coll: u16, key: u16) => "( -- )", BINDS | FUSED;
    /// the triple `LoadLocals(a, i) LoadLocal(v) PutDrop`: puts slot v's value at slot i's
    /// key of slot a's collection (`xs[i] = v`).
    PutLocals(coll: u16, key: u16, value: u16) => "( -- )", FUSED;
    /// the triple `LoadLocals(a, i) LocalAtLocal(b, j) PutDrop`: copies an element or field
    /// from one local collection to another (`xs[i] = ys[j]`).
    PutLocalAtLocal(coll: u16, key: u16, from: u16, from_key: u16) => "( -- )", FUSED;
    /// the pair `LoadLocal(n) Add`: adds the variable in slot n.
    AddLocal(slot: u32) => "( a -- a+v )", FUSED;
    /// the pair `LoadLocal(n) Sub`.
    SubLocal(slot: u32) => "( a -- a-v )", FUSED;
    /// the pair `LoadLocal(n) Mul`.
    MulLocal(slot: u32) => "( a -- a*v )", FUSED;
    /// the triple `LoadLocal(a) LoadLocal(b) JumpUnless(cmp, t)`: continues at op t
    /// unless the variables in slots a and b compare.
    JumpUnlessLocals(cmp: Cmp, a: u16, b: u16, target: u32) => "( -- )", FUSED, target = target;
    /// the pair `<cmp> JumpIfTrue(n)`: continues at op n if `a cmp b` (a `while`
    /// condition, tested at the loop's bottom).
    JumpIf(cmp: Cmp, target: u32) => "( a b -- )", FUSED, target = target;
    /// the triple `Int(k) <cmp> JumpIfTrue(n)`: continues at op n if `a cmp k`.
    JumpIfInt(cmp: Cmp, k: i32, target: u32) => "( a -- )", FUSED, target = target;
    /// the pair `LoadLocal(n) JumpIfInt(cmp, k, t)`: continues at op t if the variable
    /// in slot n compares to k.
    JumpIfLocalInt(cmp: Cmp, slot: u16, k: i32, target: u32) => "( -- )", FUSED, target = target;
    /// the triple `LoadLocal(a) LoadLocal(b) JumpIf(cmp, t)`: continues at op t if the
    /// variables in slots a and b compare.
    JumpIfLocals(cmp: Cmp, a: u16, b: u16, target: u32) => "( -- )", FUSED, target = target;
    /// the triple `Load(x) SubInt(k) StoreTo(x)` (`x k - 'x #`): subtracts k from x.
    SubFromName(name: Name, k: i32) => "( -- )", BINDS | FUSED;
    /// `SubFromName(x, k)` of the variable in slot n.
    SubFromLocal(slot: u32, k: i32) => "( -- )", BINDS | FUSED;
    /// `CallName(x)` of the continuation in slot n.
    CallLocal(slot: u32) => "( -- … )", FUSED;
    /// `CallFunctionName(x, argc)` of the function in slot n.
    CallFunctionLocal(slot: u32, argc: u32) => "( a1 … an -- r )", FUSED;
    /// the triple `Load(a) Load(b) JumpUnless(cmp, t)` of two variables without slots
    /// (globals, at the top level): continues at op t unless they compare.
    JumpUnlessNames(cmp: Cmp, a: Name, b: Name, target: u16) => "( -- )", FUSED, target = target;
    /// the triple `Load(a) Load(b) JumpIf(cmp, t)` of two variables without slots: continues
    /// at op t if they compare (a `while` on globals).
    JumpIfNames(cmp: Cmp, a: Name, b: Name, target: u16) => "( -- )", FUSED, target = target;
    /// the pair `Dup AddInt(k)` (`dup k +`): keeps a and pushes a+k.
    DupAddInt(k: i32) => "( a -- a a+k )", FUSED;
    /// the pair `Dup SubInt(k)` (`dup k -`, Pi's countdown and recursion step).
    DupSubInt(k: i32) => "( a -- a a-k )", FUSED;
    /// the pair `Swap AddInt(k)` (`swap k +`): adds k to the second value, bringing it up.
    SwapAddInt(k: i32) => "( a b -- b a+k )", FUSED;
    /// the pair `Swap SubInt(k)` (`swap k -`: Pi's second recursive call, on the argument
    /// kept under the first call's result).
    SwapSubInt(k: i32) => "( a b -- b a-k )", FUSED;
    /// the pair `Int(n) Pick`: copies the value n below the top (a parameter kept on the
    /// stack, or Pi's `n pick`).
    PickN(n: u32) => "( xn … x0 -- xn … x0 xn )", FUSED;
    /// the pair `Over AddInt(k)`: the second value plus k (a function's parameter kept on
    /// the stack, read under a result).
    OverAddInt(k: i32) => "( a b -- a b a+k )", FUSED;
    /// the pair `Over SubInt(k)`.
    OverSubInt(k: i32) => "( a b -- a b a-k )", FUSED;

    // ---- every other built-in word ----
    /// A built-in word whose effect is in [`crate::words::Builtin`].
    Builtin(word: crate::words::Builtin) => "( … -- … )", PLAIN;
    /// calls native function n registered by the embedder.
    Native(index: u32) => "( args… -- result )", PLAIN;
}

impl Op {
    /// Whether the op may create, change or remove a variable binding in the current
    /// scope. A block with such an op gets a scope of its own when activated.
    pub fn binds_names(self) -> bool {
        self.flags().has(OpFlags::BINDS)
    }

    /// Whether the op may capture the current scope (make a closure, or compile and run
    /// source in it). A block with such an op keeps its scope in the heap.
    pub fn captures_scope(self) -> bool {
        match self {
            Op::Builtin(builtin) => builtin.captures_scope(),
            op => op.flags().has(OpFlags::CAPTURES),
        }
    }

    /// Whether the op is a superinstruction (see `crate::fusion`).
    pub fn is_fused(self) -> bool {
        self.flags().has(OpFlags::FUSED)
    }
}
