//! Fuzzes Rho source: any bytes are parsed, translated to Pi, compiled and run under tight
//! limits, and whatever translates must print as Pi that parses back to the same tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vm_core::SourceId;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut vm = lang_pi::new_vm();
    lang_rho::install(&mut vm);
    if let Ok(nodes) = lang_rho::to_pi(text, SourceId(0), false, vm.native_table()) {
        let printed = lang_pi::print(&nodes);
        let again = lang_pi::parse(&printed, SourceId(0)).expect("translated Pi parses");
        assert_eq!(again, nodes, "translated Pi prints as text that parses back the same");
    }
    vm.set_limits(vm_core::Limits {
        fuel: Some(200_000),
        max_depth: 5_000,
        max_stack: 100_000,
        max_heap: Some(64 << 20),
        ..vm_core::Limits::new()
    });
    vm.set_output(Box::new(std::io::sink()));
    let _ = vm.eval("rho", "fuzz", text);
    vm.clear_stack();
    assert!(vm.eval("rho", "after", "1 + 2").is_ok());
});
