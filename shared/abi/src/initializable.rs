//! `IInitializable`: the first implementation of every Factory-made proxy.

solidity! {
    error InitializationFailed(bytes errorData);
    error EmptyCode(address implementation);

    interface IInitializable {
        function initialize(address implementation_, bytes calldata initializeCallData_) external;
    }
}

pub use crate::proxy::ZeroImplementation;
