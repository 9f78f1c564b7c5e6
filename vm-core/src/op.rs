//! [`Op`]: the Pi operation set, the one definition site shared by every frontend and the
//! executor. Each variant's doc gives its stack effect in Forth notation.
//!
//! Control words with literal blocks compile to jumps (see the sequences below); with
//! runtime values they compile to a `*Dyn` op that pushes a context-stack entry followed by
//! [`Op::Drive`], which runs the blocks as inline frames. Jump targets are op indexes in the
//! same block.
//!
//! - `while`:  `LoopEnter(exit) top: COND JumpIfFalse(done) BODY Jump(top) done: LoopExit exit:`
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
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

/// One Pi operation. 12 bytes (pinned by a test): a tag and up to two 32-bit operands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    // ---- literals ----
    /// `( -- nil )`
    Nil,
    /// `( -- true )`
    True,
    /// `( -- false )`
    False,
    /// `( -- n )` a small integer literal.
    Int(i32),
    /// `( -- v )` constant `n` of the compilation unit (strings, floats, large ints).
    Const(u32),
    /// `( -- 'name )` a quoted name literal.
    Name(Name),
    /// `( -- k )` a continuation of nested block `n`, capturing the current scope.
    Closure(u32),

    // ---- stack ----
    /// `( a -- a a )`
    Dup,
    /// `( a -- )`
    Drop,
    /// `( a b -- b a )`
    Swap,
    /// `( a b -- a b a )`
    Over,
    /// `( a b c -- b c a )`
    Rot,
    /// `( a b -- b )`
    Nip,
    /// `( a b -- b a b )`
    Tuck,
    /// `( a b -- a b a b )`
    Dup2,
    /// `( a b -- )`
    Drop2,
    /// `( xn … x0 n -- xn … x0 xn )`
    Pick,
    /// `( xn … x0 n -- xn-1 … x0 xn )`
    Roll,
    /// `( … n -- )` drops n more values.
    DropN,
    /// `( -- n )` the number of values on the stack.
    Depth,
    /// `( … -- )` empties the stack.
    Clear,

    // ---- arithmetic ----
    /// `( a b -- a+b )` numbers; also concatenates two strings or two arrays.
    Add,
    /// `( a b -- a-b )`
    Sub,
    /// `( a b -- a*b )`
    Mul,
    /// `( a b -- a/b )` int division truncates toward zero.
    Div,
    /// `( a b -- a%b )` the sign of the dividend.
    Mod,
    /// `( a -- -a )`
    Neg,
    /// `( a -- |a| )`
    Abs,
    /// `( a b -- min )`
    Min,
    /// `( a b -- max )`
    Max,
    /// `( a b -- a^b )` a negative int exponent gives a float.
    Pow,

    // ---- comparison and logic ----
    /// `( a b -- bool )` structural equality.
    Eq,
    /// `( a b -- bool )`
    Ne,
    /// `( a b -- bool )` numbers or strings.
    Lt,
    /// `( a b -- bool )`
    Le,
    /// `( a b -- bool )`
    Gt,
    /// `( a b -- bool )`
    Ge,
    /// `( a -- bool )` logical not of truthiness.
    Not,
    /// `( a b -- bool )`
    And,
    /// `( a b -- bool )`
    Or,
    /// `( a b -- bool )`
    Xor,
    /// `( a b -- a&b )` ints.
    BitAnd,
    /// `( a b -- a|b )` ints.
    BitOr,
    /// `( a b -- a^b )` ints.
    BitXor,
    /// `( a -- ~a )` ints.
    BitNot,
    /// `( a n -- a<<n )` overflow is an error.
    Shl,
    /// `( a n -- a>>n )` arithmetic shift.
    Shr,

    // ---- names and scopes ----
    /// `( -- v )` looks `name` up through the scope chain.
    Load(Name),
    /// `( v 'x -- )` assigns the nearest binding of x, else creates it in the current scope.
    Store,
    /// `( v -- )` `Store` with the name known at compile time.
    StoreTo(Name),
    /// `( v 'x -- )` declares x in the current scope.
    Let,
    /// `( v -- )` `Let` with the name known at compile time.
    LetTo(Name),
    /// `( 'x v -- )` binds x in the current scope (the operand order of `=`).
    Bind,
    /// `( 'x -- v )` the value bound to x.
    Fetch,
    /// `( 'x -- bool )` whether x is bound.
    Exists,
    /// `( 'x -- )` removes the nearest binding of x.
    Forget,

    // ---- continuations ----
    /// `( k -- … )` runs k in a new activation and comes back (`&`).
    Call,
    /// `( k -- … )` replaces the current activation by a new activation of k (`!`).
    TailCall,
    /// `( -- )` ends the current activation (`...`).
    Return,
    /// `( -- )` end of a block: returns from an activation or leaves an inline frame.
    End,
    /// `( a1 … an n f -- r )` calls function f with n arguments (`call`): checks f's arity
    /// if it has one, and that it leaves exactly one value.
    CallFunction,

    // ---- compiled control flow ----
    /// `( -- )` continues at op n.
    Jump(u32),
    /// `( c -- )` continues at op n if c is falsy.
    JumpIfFalse(u32),
    /// `( c -- )` continues at op n if c is truthy.
    JumpIfTrue(u32),
    /// `( -- )` starts a `while`-shaped loop; `break` goes to n, `continue` to the next op.
    LoopEnter(u32),
    /// `( -- )` starts a C-style `for`; `break` goes to n, `continue` to the step, two ops on.
    ForCEnter(u32),
    /// `( start end -- )` starts a range loop; ends at op n. If instead the top three values
    /// are continuations, it starts a C-style `for` (`{init} {cond} {step}` with this literal
    /// body), whose blocks `LoopNext` runs inline.
    ForEnter(u32),
    /// `( count -- )` starts a `times` loop; ends at op n.
    TimesEnter(u32),
    /// `( coll -- )` starts an `each` loop; ends at op n.
    EachEnter(u32),
    /// `( from to -- )` starts a loop over the ints from … to-1: the pattern
    /// `from to range { … } each`, without building the array. Ends at op n.
    RangeEnter(u32),
    /// `( -- x )` pushes the loop's next element, or ends the loop and continues at op n.
    /// (For a C-style loop begun by `ForEnter`, runs its step and condition inline first.)
    LoopNext(u32),
    /// `( -- )` ends the innermost loop normally.
    LoopExit,
    /// `( -- )` leaves the innermost loop of the current activation.
    Break,
    /// `( -- )` starts the next iteration of the innermost loop of the current activation.
    Continue,
    /// `( -- )` installs an error handler at op n for the code up to `TryExit`.
    TryEnter(u32),
    /// `( -- )` removes the innermost handler.
    TryExit,
    /// `( "name" -- )` enters a tracing span until `SpanExit`.
    SpanEnter,
    /// `( -- )` leaves the innermost span.
    SpanExit,
    /// `( -- )` marks the stack depth for an array literal.
    ArrayStart,
    /// `( x1 … xn -- [x1 … xn] )` collects everything above the mark.
    ArrayEnd,

    // ---- control words on runtime values ----
    /// `( c x -- … )` runs x inline if c is truthy (pushes it if not a continuation).
    If,
    /// `( c a b -- … )` runs or pushes a if c is truthy, else b.
    IfElse,
    /// `( {cond} {body} -- )` a `while` driven by the following `Drive`.
    WhileDyn,
    /// `( start end {body} -- )` or `( {init} {cond} {step} {body} -- )`, driven.
    ForDyn,
    /// `( n {body} -- )` driven.
    TimesDyn,
    /// `( coll {body} -- )` driven.
    EachDyn,
    /// `( {body} {handler} -- )` runs body inline with handler installed; the handler
    /// runs inline and both continue at op n.
    TryDyn(u32),
    /// `( "name" {body} -- )` runs body inline in a span; `SpanExit` follows.
    SpanDyn,
    /// `( coll {f} -- )` starts `map`, driven.
    MapStart,
    /// `( coll {f} -- )` starts `filter`, driven.
    FilterStart,
    /// `( coll init {f} -- )` starts `fold`, driven.
    FoldStart,
    /// `( t1 b1 … tn bn n -- )` starts `ifs`, driven: runs each test in turn, then the
    /// body of the first that leaves a truthy value.
    IfsStart,
    /// Runs the next step of the innermost driven construct (a loop on runtime blocks,
    /// `map`, `filter`, `fold`), coming back here after each block; falls through when done.
    Drive,

    // ---- errors and ending ----
    /// `( x -- )` raises x.
    Throw,
    /// `( x -- )` raises an assertion error if x is falsy.
    Assert,
    /// `( code -- )` ends the program with an exit code.
    Exit,

    // ---- superinstructions (made by `code::fuse`, never by a frontend) ----
    /// `( a -- a+k )` the pair `Int(k) Add`.
    AddInt(i32),
    /// `( a -- a-k )` the pair `Int(k) Sub`.
    SubInt(i32),
    /// `( a -- bool )` the pair `Int(k) <cmp>`.
    CmpInt(Cmp, i32),
    /// `( a b -- )` the pair `<cmp> JumpIfFalse(n)`: continues at op n unless `a cmp b`.
    JumpUnless(Cmp, u32),
    /// `( a -- )` the triple `Int(k) <cmp> JumpIfFalse(n)`: continues at op n unless `a cmp k`.
    JumpUnlessInt(Cmp, i32, u32),
    /// `( a -- a )` the pair `Dup JumpUnlessInt(cmp, k, n)` (`dup k <cmp>` as a condition):
    /// tests the top value without popping it.
    JumpUnlessTopInt(Cmp, i32, u32),
    /// `( -- )` the triple `Load(x) Int(k) Add StoreTo(x)` (`x k + 'x #`): adds k to x.
    AddToName(Name, i32),
    /// `( -- v )` `Load(x)` of the variable in slot n of the activation's locals (see
    /// [`crate::Block::locals`], which names the slots).
    LoadLocal(u32),
    /// `( v -- )` `StoreTo(x)` of the variable in slot n.
    StoreLocal(u32),
    /// `( -- )` `AddToName(x, k)` of the variable in slot n.
    AddToLocal(u32, i32),
    /// `( -- v+k )` the pair `LoadLocal(n) AddInt(k)` (or `SubInt(-k)`).
    LoadLocalAddInt(u32, i32),
    /// `( -- )` the pair `LoadLocal(n) JumpUnlessInt(cmp, k, t)`: continues at op t unless
    /// the variable in slot n compares to k.
    JumpUnlessLocalInt(Cmp, u16, i32, u32),
    /// `( -- )` the four ops `Load(a) Load(b) Add StoreTo(a)` (`a b + 'a #`, Rho's `a += b`).
    AddNames(Name, Name),
    /// `( -- )` the same on local slots: `LoadLocal(a) LoadLocal(b) Add StoreLocal(a)`.
    AddLocals(u32, u32),
    /// `( -- )` the pair `LoopNext(n) LetTo(x)`: binds the loop's next element to x (Rho's
    /// `for x in …`), or ends the loop and continues at op n.
    LoopNextLet(u32, Name),
    /// `( -- f )` the triple `Closure(b) Int(n) fn`: a function of nested block b taking n
    /// arguments.
    Function(u32, u32),
    /// `( a1 … an -- r )` the triple `Int(n) Load(f) CallFunction`: calls function f with n
    /// arguments.
    CallFunctionName(Name, u32),
    /// `( f a1 … an -- a1 … an n f )` the four ops `Int(n) Roll Int(n) Swap`: brings a
    /// function evaluated before its n arguments to the top, ready for `CallFunction`.
    CalleeUp(u32),
    /// `( f a1 … an -- r )` the pair `CalleeUp(n) CallFunction`: calls f, which sits below
    /// its n arguments (Rho evaluates a callee before its arguments).
    CallBelow(u32),
    /// `( -- … )` the pair `Load(name) Call`.
    CallName(Name),
    /// `( -- … )` the pair `Load(name) TailCall`.
    TailCallName(Name),

    // ---- every other built-in word ----
    /// A built-in word whose effect is in [`crate::words::Builtin`].
    Builtin(crate::words::Builtin),
    /// `( args… -- result )` calls native function n registered by the embedder.
    Native(u32),
}

impl Op {
    /// Whether the op may create, change or remove a variable binding in the current
    /// scope. A block with such an op gets a scope of its own when activated.
    pub fn binds_names(self) -> bool {
        matches!(
            self,
            Op::Store
                | Op::StoreTo(_)
                | Op::Let
                | Op::LetTo(_)
                | Op::Bind
                | Op::Forget
                | Op::AddToName(..)
                | Op::AddNames(..)
                | Op::LoopNextLet(..)
                | Op::StoreLocal(_)
                | Op::AddToLocal(..)
                | Op::AddLocals(..)
        )
    }

    /// Whether the op may capture the current scope (make a closure, or compile and run
    /// source in it). A block with such an op keeps its scope in the heap.
    pub fn captures_scope(self) -> bool {
        matches!(
            self,
            Op::Closure(_) | Op::Function(..) | Op::Builtin(crate::words::Builtin::Eval | crate::words::Builtin::Rho)
        )
    }

    /// The op index this op may continue at, for the ops that carry one.
    pub fn target(self) -> Option<u32> {
        match self {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::JumpUnless(_, t)
            | Op::JumpUnlessInt(_, _, t)
            | Op::JumpUnlessTopInt(_, _, t)
            | Op::JumpUnlessLocalInt(_, _, _, t)
            | Op::LoopEnter(t)
            | Op::ForCEnter(t)
            | Op::ForEnter(t)
            | Op::TimesEnter(t)
            | Op::EachEnter(t)
            | Op::RangeEnter(t)
            | Op::LoopNext(t)
            | Op::LoopNextLet(t, _)
            | Op::TryEnter(t)
            | Op::TryDyn(t) => Some(t),
            _ => None,
        }
    }

    /// The same op with its target replaced (ops without one are returned unchanged).
    pub fn with_target(self, t: u32) -> Op {
        match self {
            Op::Jump(_) => Op::Jump(t),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(t),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(t),
            Op::JumpUnless(cmp, _) => Op::JumpUnless(cmp, t),
            Op::JumpUnlessInt(cmp, k, _) => Op::JumpUnlessInt(cmp, k, t),
            Op::JumpUnlessTopInt(cmp, k, _) => Op::JumpUnlessTopInt(cmp, k, t),
            Op::JumpUnlessLocalInt(cmp, slot, k, _) => Op::JumpUnlessLocalInt(cmp, slot, k, t),
            Op::LoopEnter(_) => Op::LoopEnter(t),
            Op::ForCEnter(_) => Op::ForCEnter(t),
            Op::ForEnter(_) => Op::ForEnter(t),
            Op::TimesEnter(_) => Op::TimesEnter(t),
            Op::EachEnter(_) => Op::EachEnter(t),
            Op::RangeEnter(_) => Op::RangeEnter(t),
            Op::LoopNext(_) => Op::LoopNext(t),
            Op::LoopNextLet(_, name) => Op::LoopNextLet(t, name),
            Op::TryEnter(_) => Op::TryEnter(t),
            Op::TryDyn(_) => Op::TryDyn(t),
            other => other,
        }
    }
}
