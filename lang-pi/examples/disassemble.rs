//! Prints the compiled ops of a Pi file: `cargo run -p lang-pi --example disassemble FILE`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: disassemble FILE.pi");
        std::process::exit(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            eprintln!("cannot read {path}: {err}");
            std::process::exit(1);
        }
    };
    let mut vm = lang_pi::new_vm();
    match vm.compile("pi", &path, &text) {
        Ok(block) => print!("{}", vm.disassemble(&block)),
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(1);
        }
    }
}
