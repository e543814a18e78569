//! A program's error enum with a lean revert-data encoder.
//!
//! `#[derive(SolidityError)]` encodes each variant with alloy's `SolError::abi_encode`, one
//! encoder instance per error type (about 5 KB of wasm for `NodeRegistry`'s 27 errors). Every
//! error a program raises has only value-type fields (or one `bytes`), so the revert data is
//! the selector followed by [`abi_lean::encode`](crate::abi_lean::encode) of the fields: one
//! shared routine, a few instructions per variant. The selector still comes from the `xmtp-abi`
//! declaration, and unit tests compare the bytes with alloy's `abi_encode`.

use alloy_sol_types::SolError;

/// The selector of error `E` (a function, so the macro needs no path to alloy).
#[must_use]
pub fn selector<E: SolError>() -> [u8; 4] {
    E::SELECTOR
}

/// Declares a program's error enum: one variant per `xmtp-abi` error, each with the ABI
/// arguments of its fields (`=> |error| [abi_lean::uint(...), ...]`, omitted for an error
/// without fields), plus a final `Bubbled(Bubbled)` variant whose revert data is the callee's,
/// unchanged. Generates `Debug`, `PartialEq`, `From` for each error type and
/// `From<Enum> for Vec<u8>` (the revert data).
#[macro_export]
macro_rules! lean_errors {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident($error:ty) $(=> |$bound:ident| [$($arg:expr),* $(,)?])?
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, PartialEq)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant($error),
            )*
            /// A callee's revert data, passed through unchanged (empty when a return value
            /// does not decode, as Solidity reverts).
            Bubbled($crate::Bubbled),
        }

        $(
            impl From<$error> for $name {
                fn from(error: $error) -> Self {
                    Self::$variant(error)
                }
            }
        )*

        impl From<$crate::Bubbled> for $name {
            fn from(error: $crate::Bubbled) -> Self {
                Self::Bubbled(error)
            }
        }

        impl From<$name> for ::alloc::vec::Vec<u8> {
            fn from(error: $name) -> Self {
                match error {
                    $(
                        $name::$variant(_error) => {
                            $(let $bound = _error;)?
                            $crate::abi_lean::encode(
                                Some($crate::lean_errors::selector::<$error>()),
                                &[$($($arg),*)?],
                            )
                        }
                    )*
                    $name::Bubbled(bubbled) => bubbled.0,
                }
            }
        }
    };
}
