//! The Stylus hostios the bare programs use, with Nitro's exact signatures.

#[link(wasm_import_module = "vm_hooks")]
extern "C" {
    /// Copies the calldata to `dest`.
    pub fn read_args(dest: *mut u8);
    /// Sets the call's output.
    pub fn write_result(data: *const u8, len: usize);
    /// Reads a storage word (through Nitro's cache).
    pub fn storage_load_bytes32(key: *const u8, dest: *mut u8);
    /// Writes a storage word into Nitro's cache.
    pub fn storage_cache_bytes32(key: *const u8, value: *const u8);
    /// Writes the cache to state (`clear` also empties it).
    pub fn storage_flush_cache(clear: bool);
    /// `DELEGATECALL`; writes the return-data length to `return_data_len`, returns 0 on success.
    pub fn delegate_call_contract(
        contract: *const u8,
        calldata: *const u8,
        calldata_len: usize,
        gas: u64,
        return_data_len: *mut usize,
    ) -> u8;
    /// Copies up to `size` bytes of the last return data from `offset` to `dest`.
    pub fn read_return_data(dest: *mut u8, offset: usize, size: usize) -> usize;
    /// `EXTCODESIZE`.
    pub fn account_code_size(address: *const u8) -> usize;
    /// `CALLVALUE`, as a 32-byte big-endian word.
    pub fn msg_value(value: *mut u8);
    /// Called before `memory.grow` by Nitro's injected code; importing it is mandatory for a
    /// module whose memory can grow.
    pub fn pay_for_memory_grow(pages: u16);
}
