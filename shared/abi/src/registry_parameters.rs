//! `RegistryParameters` and `ParameterKeys` library errors
//! (`IRegistryParametersErrors`, `IParameterKeysErrors`).

solidity! {
    error ParameterOutOfTypeBounds();
    error NoKeyComponents();
}
