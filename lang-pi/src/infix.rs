//! The infix operators the languages translated to Pi share (Rho and Stark): how tightly
//! each binds, how it is written, and the Pi word it becomes. Each language's parser
//! reads its own spellings (Stark also writes `and`, `or`) into this one enum.

/// A binary operator, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    BitOr,
    BitXor,
    BitAnd,
    Shl,
    Shr,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOp {
    /// Binding strength: a higher level binds tighter. All levels are left-associative.
    pub fn level(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq | BinaryOp::Ne => 3,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 4,
            BinaryOp::BitOr => 5,
            BinaryOp::BitXor => 6,
            BinaryOp::BitAnd => 7,
            BinaryOp::Shl | BinaryOp::Shr => 8,
            BinaryOp::Add | BinaryOp::Sub => 9,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 10,
        }
    }

    /// Whether it compares (equality or order): comparisons do not chain.
    pub fn is_comparison(self) -> bool {
        matches!(self.level(), 3 | 4)
    }

    /// The operator as written (`||` and `&&` for the logical ones).
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::BitOr => "|",
            BinaryOp::BitXor => "^",
            BinaryOp::BitAnd => "&",
            BinaryOp::Shl => "<<",
            BinaryOp::Shr => ">>",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }

    /// Every operator, loosest first.
    pub const ALL: [BinaryOp; 18] = [
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::BitOr,
        BinaryOp::BitXor,
        BinaryOp::BitAnd,
        BinaryOp::Shl,
        BinaryOp::Shr,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Mod,
    ];

    /// The operator written `symbol`.
    pub fn from_symbol(symbol: &str) -> Option<BinaryOp> {
        BinaryOp::ALL.into_iter().find(|op| op.symbol() == symbol)
    }

    /// The Pi word the operator becomes, applied to its two operands; `None` for `||` and
    /// `&&`, which evaluate their right operand only when needed (a conditional).
    pub fn pi_word(self) -> Option<&'static str> {
        Some(match self {
            BinaryOp::Or | BinaryOp::And => return None,
            BinaryOp::BitXor => "bxor",
            BinaryOp::BitAnd => "band",
            BinaryOp::Shl => "shl",
            BinaryOp::Shr => "shr",
            other => other.symbol(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::BinaryOp;

    #[test]
    fn every_symbol_reads_back_and_every_word_is_a_pi_word() {
        for op in BinaryOp::ALL {
            assert_eq!(BinaryOp::from_symbol(op.symbol()), Some(op));
            match op.pi_word() {
                Some(word) => assert!(vm_core::words::lookup(word).is_some(), "{word} is not a Pi word"),
                None => assert!(matches!(op, BinaryOp::Or | BinaryOp::And)),
            }
        }
        assert!(BinaryOp::ALL.windows(2).all(|pair| pair[0].level() <= pair[1].level()));
        assert_eq!(BinaryOp::from_symbol("and"), None);
    }
}
