//! `import`: modules run once per VM and cached by canonical path, `as` and the form that
//! declares a module's names, paths relative to the importing file then the module path,
//! and the errors (a missing file naming the paths tried, a cycle naming the chain, a
//! module's own errors at its position, a Pi module that leaves values).

use std::path::{Path, PathBuf};

use kai_tests::{kai, vm};
use vm_core::ErrorKind;

/// A fresh directory for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kai-modules-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the temp dir is writable");
    dir
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("the temp dir is writable");
    }
    std::fs::write(&path, text).expect("the temp dir is writable");
    path
}

/// Runs `main` (Rho) as the file `main.rho` of `dir`; what it printed, or the error.
fn run_main(dir: &Path, main: &str, module_path: Vec<PathBuf>) -> Result<String, vm_core::Error> {
    let path = write(dir, "main.rho", main);
    let (mut vm, out) = vm();
    vm.set_module_path(module_path);
    vm.eval("rho", &path.display().to_string(), main)?;
    vm.flush();
    Ok(out.text())
}

const GEOMETRY: &str = "print(\"loading geometry\")\nfun area(r) { return 3 * r * r }\nlet unit = 2\nfun double_area(r) { return 2 * area(r) }\n";

#[test]
fn a_module_runs_once_and_is_the_map_of_its_names() {
    let dir = scratch("once");
    write(&dir, "geometry.rho", GEOMETRY);
    let main = "import \"geometry.rho\" as geo\nprint(geo.area(2), keys(geo))\n\
                import \"./geometry.rho\" as again\nprint(again == geo, geo.double_area(1))\n";
    let out = run_main(&dir, main, Vec::new()).unwrap();
    assert_eq!(out, "loading geometry\n12 [\"area\" \"unit\" \"double_area\"]\ntrue 6\n");
}

#[test]
fn import_without_as_declares_the_names_here() {
    let dir = scratch("declare");
    write(&dir, "geometry.rho", GEOMETRY);
    let main = "import \"geometry.rho\"\nprint(area(unit), double_area(unit))\n";
    assert_eq!(run_main(&dir, main, Vec::new()).unwrap(), "loading geometry\n12 24\n");
    // In Pi: the module is a value; bind_all declares its names.
    let main = "\"geometry.rho\" import 'g let g \"unit\" at print \"geometry.rho\" import bind_all unit print";
    let path = write(&dir, "main.pi", main);
    let (mut vm, out) = vm();
    vm.eval("pi", &path.display().to_string(), main).unwrap();
    vm.flush();
    assert_eq!(out.text(), "loading geometry\n2\n2\n");
}

#[test]
fn paths_are_relative_to_the_importing_file_then_the_module_path() {
    let dir = scratch("paths");
    write(&dir, "geometry.rho", GEOMETRY);
    write(&dir, "shapes/circle.rho", "import \"../geometry.rho\" as g\nlet big = g.area(10)\n");
    write(&dir, "lib/squares.pi", "{ dup * } 'sq let 7 'seven let");
    let main = "import \"shapes/circle.rho\" as c\nimport \"squares.pi\" as s\nprint(c.big, s.seven)\n";
    let out = run_main(&dir, main, vec![dir.join("lib")]).unwrap();
    assert_eq!(out, "loading geometry\n300 7\n");
    // Without the module path, the error names every path tried.
    let err = run_main(&dir, main, Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::User);
    assert!(err.message().contains("cannot find \"squares.pi\" (tried "), "{}", err.message());
    assert!(err.message().contains(&dir.join("squares.pi").display().to_string()), "{}", err.message());
    let err = run_main(&dir, main, vec![dir.join("nowhere")]).unwrap_err();
    assert!(err.message().contains(&dir.join("nowhere").join("squares.pi").display().to_string()), "{}", err.message());
}

#[test]
fn a_cycle_is_an_error_naming_the_chain() {
    let dir = scratch("cycle");
    write(&dir, "a.rho", "import \"b.rho\" as b\n");
    write(&dir, "b.rho", "import \"c.rho\" as c\n");
    write(&dir, "c.rho", "import \"a.rho\" as a\n");
    let err = run_main(&dir, "import \"a.rho\" as a\n", Vec::new()).unwrap_err();
    let canonical = |name: &str| dir.join(name).canonicalize().unwrap().display().to_string();
    let chain = format!(
        "import cycle: {} -> {} -> {} -> {}",
        canonical("a.rho"),
        canonical("b.rho"),
        canonical("c.rho"),
        canonical("a.rho")
    );
    assert_eq!(err.message(), chain);
    // The program's own file counts: main imports x, which imports main.
    write(&dir, "x.rho", "import \"main.rho\" as m\n");
    let err = run_main(&dir, "import \"x.rho\" as x\n", Vec::new()).unwrap_err();
    assert_eq!(
        err.message(),
        format!("import cycle: {} -> {} -> {}", canonical("main.rho"), canonical("x.rho"), canonical("main.rho"))
    );
    // A module that imports itself.
    write(&dir, "self.rho", "import \"self.rho\" as me\n");
    let err = run_main(&dir, "import \"self.rho\" as s\n", Vec::new()).unwrap_err();
    assert!(err.message().starts_with("import cycle: "), "{}", err.message());
}

#[test]
fn a_failing_module_reports_its_own_position_and_caches_nothing() {
    let dir = scratch("failing");
    write(&dir, "broken.rho", "let x = 1\nlet y = x +\n");
    write(&dir, "throws.rho", "print(\"running\")\nlet z = [1][5]\n");
    let err = run_main(&dir, "import \"broken.rho\" as b\n", Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    let main = "for i in range(2) { try { import \"throws.rho\" as t } catch e { print(e.kind, e.trace[0].file, e.trace[0].line) } }\n";
    let out = run_main(&dir, main, Vec::new()).unwrap();
    let file = dir.join("throws.rho").display().to_string();
    assert_eq!(out, format!("running\nindex {file} 2\nrunning\nindex {file} 2\n"));
    // Not a module by its name; a directory.
    write(&dir, "notes.txt", "hi");
    let err = run_main(&dir, "import \"notes.txt\" as n\n", Vec::new()).unwrap_err();
    assert!(err.message().contains("must end in .pi, .rho or .stark"), "{}", err.message());
    std::fs::create_dir_all(dir.join("folder.rho")).unwrap();
    let err = run_main(&dir, "import \"folder.rho\" as f\n", Vec::new()).unwrap_err();
    assert!(err.message().contains("cannot find \"folder.rho\""), "{}", err.message());
    // A Pi module must leave the stack as it found it.
    write(&dir, "leaves.pi", "1 2");
    let err = run_main(&dir, "import \"leaves.pi\" as l\n", Vec::new()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Arity);
    assert!(err.message().contains("left 2 value(s)"), "{}", err.message());
    // The path must be a string.
    let (mut vm, _) = vm();
    assert_eq!(vm.eval("pi", "t", "5 import").unwrap_err().kind(), ErrorKind::Type);
}

#[test]
fn modules_survive_collection_and_translate_keeps_imports() {
    let dir = scratch("gc");
    write(
        &dir,
        "data.rho",
        "let table = map(range(100), fun(i) { return [i, str(i)] })\nfun lookup(i) { return table[i][1] }\n",
    );
    let main = "import \"data.rho\" as d\ngc()\nlet junk = map(range(1000), fun(i) { return [i] })\ngc()\nimport \"data.rho\" as d2\nprint(d2.lookup(42), d == d2)\n";
    assert_eq!(run_main(&dir, main, Vec::new()).unwrap(), "42 true\n");
    let main = write(&dir, "t.rho", "import \"data.rho\" as d\nimport \"data.rho\"\n");
    let run = kai(&["translate", &main.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"data.rho\" import 'd let"), "{}", run.stdout);
    assert!(run.stdout.contains("\"data.rho\" import bind_all"), "{}", run.stdout);
}
