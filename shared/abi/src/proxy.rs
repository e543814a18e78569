//! `IProxy`: the proxy has no functions of its own, only its construction error.

solidity! {
    error ZeroImplementation();
}
