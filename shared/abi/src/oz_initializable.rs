//! `OpenZeppelin` v5 `Initializable`: the initializer guard's event and errors.

solidity! {
    event Initialized(uint64 version);

    error InvalidInitialization();
    error NotInitializing();
}
