//! Fuzzes Pi source: any bytes are parsed, compiled and run under tight limits. Errors are
//! expected; a panic, an abort, a hang or memory growth past the limits is a finding.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut vm = lang_pi::new_vm();
    lang_rho::install(&mut vm);
    vm.set_limits(limits());
    vm.set_output(Box::new(std::io::sink()));
    let _ = vm.eval("pi", "fuzz", text);
    // The VM stays usable after whatever the input did.
    vm.clear_stack();
    assert!(vm.eval("pi", "after", "1 2 +").is_ok());
});

fn limits() -> vm_core::Limits {
    vm_core::Limits {
        fuel: Some(200_000),
        max_depth: 5_000,
        max_stack: 100_000,
        max_heap: Some(64 << 20),
        ..vm_core::Limits::new()
    }
}
