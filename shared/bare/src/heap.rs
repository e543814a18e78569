//! One growable buffer at the heap base: the bare programs need exactly one (calldata, then
//! return data after it), so a bump region beats an allocator.

extern "C" {
    static __heap_base: u8;
}

const PAGE: usize = 65_536;

/// The first byte past the linker's data and stack.
#[must_use]
pub fn base() -> *mut u8 {
    // Only the linker symbol's address is taken, never its value.
    core::ptr::addr_of!(__heap_base).cast_mut()
}

/// Makes `[base, base + len)` addressable, growing memory as needed (Nitro charges the pages
/// through its injected `pay_for_memory_grow` call). Traps if memory cannot grow.
pub fn reserve(len: usize) {
    let end = base() as usize + len;
    let have = core::arch::wasm32::memory_size(0) * PAGE;
    if end > have && core::arch::wasm32::memory_grow(0, (end - have).div_ceil(PAGE)) == usize::MAX {
        core::arch::wasm32::unreachable();
    }
}

/// Traps, as Nitro expects of a failed program (a revert with empty data, gas kept).
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
