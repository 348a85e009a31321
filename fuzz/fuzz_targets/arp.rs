//! arpDecode's callbacks on arbitrary ARP messages, cut anywhere, in arbitrary flows (see
//! `l2drive`); the first byte picks packet mode.
#![no_main]

mod l2drive;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, data)) = data.split_first() else { return };
    let mut h = l2drive::harness(sel, |h| arpDecode::ArpDecode::with_config(h, Default::default()));
    l2drive::drive(&mut h, data);
});
