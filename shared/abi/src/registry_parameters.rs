//! `RegistryParameters` and `ParameterKeys` library errors.

solidity! {
    error ParameterOutOfTypeBounds();
    error NoKeyComponents();
}
