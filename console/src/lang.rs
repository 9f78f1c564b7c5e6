//! The source languages the console knows: names, file extensions, and what differs
//! between them at the REPL (keywords, when a line is unfinished, how a line translates).

use std::path::Path;

use vm_core::{Error, Natives, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Lang {
    Pi,
    Rho,
    Stark,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Pi, Lang::Rho, Lang::Stark];

    /// The frontend's name in the VM, and `--lang`'s spelling.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Pi => "pi",
            Lang::Rho => "rho",
            Lang::Stark => "stark",
        }
    }

    pub fn from_name(name: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.name() == name)
    }

    /// The language of a file, from its extension.
    pub fn of_path(path: &Path) -> Option<Lang> {
        Lang::from_name(path.extension()?.to_str()?)
    }

    /// Whether names are plain identifiers and expressions infix (Rho and Stark): a
    /// line's value is shown rather than the stack.
    pub fn infix(self) -> bool {
        self != Lang::Pi
    }

    pub fn keywords(self) -> &'static [&'static str] {
        match self {
            Lang::Pi => &[],
            Lang::Rho => lang_rho::KEYWORDS,
            Lang::Stark => lang_stark::KEYWORDS,
        }
    }

    /// Whether the entry so far is unfinished (an open bracket, string or block).
    pub fn needs_more(self, text: &str) -> bool {
        match self {
            Lang::Pi => lang_pi::needs_more(text),
            Lang::Rho => lang_rho::needs_more(text),
            Lang::Stark => lang_stark::needs_more(text),
        }
    }

    /// The Pi a Rho or Stark program translates to (`None` for Pi).
    pub fn to_pi(
        self,
        source: &Source,
        natives: &Natives,
        interactive: bool,
    ) -> Option<Result<Vec<lang_pi::Node>, Error>> {
        match self {
            Lang::Pi => None,
            Lang::Rho => Some(lang_rho::to_pi(&source.text, source.id, interactive, natives)),
            Lang::Stark => Some(lang_stark::to_pi(&source.text, source, natives, !interactive)),
        }
    }
}
